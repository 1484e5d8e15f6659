"""The master-worker protocol shared by the communicators.

Process rank 0 is the **master**: it owns the searcher, sends architectures as
``(hyperp_value_lst, evaluation_id, searcher_eval_token)`` and receives
``(results, evaluation_id, searcher_eval_token)``. Ranks 1 to ``num_workers``
are **workers**: they rebuild each architecture with
:func:`deep_architect.specify.specify`, evaluate it and send the
results back. Subclasses implement the protected ``_...`` methods; the public
ones check that the calling process has the right role first.

Role misuse raises :class:`~deep_architect.errors.DeepArchitectError` (the
original raised ``ValueError``, which this library reserves for invalid
architectures); it subclasses ``AssertionError``.

Example of the master loop (``comm`` from :func:`get_communicator`)::

    sampled = finished = killed = 0
    while finished < sampled or killed < comm.num_workers:
        if sampled < num_samples:
            if comm.is_ready_to_publish_architecture():
                _, _, vs, token = searcher.sample()
                comm.publish_architecture_to_worker(vs, sampled, token)
                sampled += 1
        elif comm.is_ready_to_publish_architecture() and killed < comm.num_workers:
            comm.kill_worker()
            killed += 1
        for worker in range(comm.num_workers):
            message = comm.receive_results_in_master(worker)
            if message is not None:
                results, evaluation_id, token = message
                searcher.update(results["validation_accuracy"], token)
                finished += 1
"""

from __future__ import annotations

from typing import Any

from deep_architect.errors import DeepArchitectError, check

#: ``(hyperp_value_lst, evaluation_id, searcher_eval_token)`` sent to a worker.
ArchitectureMessage = tuple[list[Any], int, dict[str, Any]]
#: ``(results, evaluation_id, searcher_eval_token)`` sent to the master.
ResultsMessage = tuple[dict[str, Any], int, dict[str, Any]]


class Communicator:
    """Base class of the master-worker communicators.

    Args:
        num_workers: Number of worker processes.
        rank: Rank of this process (0 for the master).

    Attributes:
        num_workers: Number of worker processes.
        rank: Rank of this process.
        finished: Workers that acknowledged their termination (file communicator).
        acknowledges_stop: Whether workers acknowledge a stop message (counted
            in ``finished``), so a master can wait until they all have.
    """

    acknowledges_stop = False

    def __init__(self, num_workers: int, rank: int) -> None:
        self.num_workers = num_workers
        self.rank = rank
        self.finished = 0

    def is_master(self) -> bool:
        """Whether this process is the master (rank 0)."""
        return self.rank == 0

    def is_worker(self) -> bool:
        """Whether this process is a worker (rank above 0)."""
        return self.rank > 0

    def get_rank(self) -> int:
        """The rank of this process."""
        return self.rank

    def _check_role(self, master: bool, method: str) -> None:
        role = "master" if master else "worker"
        check(self.is_master() == master,
              f"{type(self).__name__}.{method} may only be called by the {role} "
              f"(this process has rank {self.rank})")

    # Worker side.

    def publish_results_to_master(self, results: dict[str, Any], evaluation_id: int,
                                  searcher_eval_token: dict[str, Any]) -> None:
        """Sends the results of an evaluation to the master (worker only).

        Args:
            results: Results dict of the evaluation.
            evaluation_id: Id received with the architecture.
            searcher_eval_token: Token received with the architecture.
        """
        self._check_role(False, "publish_results_to_master")
        self._publish_results_to_master(results, evaluation_id, searcher_eval_token)

    def receive_architecture_in_worker(self) -> ArchitectureMessage | None:
        """Blocks until the master sends work (worker only).

        Returns:
            ``(hyperp_value_lst, evaluation_id, searcher_eval_token)``, or ``None``
            once the master told this worker to stop (and forever after).
        """
        self._check_role(False, "receive_architecture_in_worker")
        return self._receive_architecture_in_worker()

    # Master side.

    def is_ready_to_publish_architecture(self) -> bool:
        """Whether some worker can take an architecture now (master only)."""
        self._check_role(True, "is_ready_to_publish_architecture")
        return self._is_ready_to_publish_architecture()

    def publish_architecture_to_worker(self, vs: list[Any], current_evaluation_id: int,
                                       searcher_eval_token: dict[str, Any]) -> None:
        """Sends one architecture to a ready worker (master only).

        Args:
            vs: Value list of the architecture.
            current_evaluation_id: Id of the evaluation.
            searcher_eval_token: Token returned by the searcher with ``vs``.
        """
        self._check_role(True, "publish_architecture_to_worker")
        self._publish_architecture_to_worker(vs, current_evaluation_id, searcher_eval_token)

    def receive_results_in_master(self, src: int) -> ResultsMessage | None:
        """Returns results sent by worker ``src`` if any, without blocking (master only).

        Args:
            src: 0-based worker index (the worker of rank ``src + 1``).

        Returns:
            ``(results, evaluation_id, searcher_eval_token)`` or ``None``.
        """
        self._check_role(True, "receive_results_in_master")
        check(0 <= src < self.num_workers,
              f"receive_results_in_master: worker index {src!r} is not in "
              f"[0, {self.num_workers})")
        return self._receive_results_in_master(src)

    def kill_worker(self) -> None:
        """Tells one ready worker to stop (master only)."""
        self._check_role(True, "kill_worker")
        self._kill_worker()

    # Implemented by subclasses.

    def _publish_results_to_master(self, results: dict[str, Any], evaluation_id: int,
                                   searcher_eval_token: dict[str, Any]) -> None:
        raise NotImplementedError

    def _receive_architecture_in_worker(self) -> ArchitectureMessage | None:
        raise NotImplementedError

    def _is_ready_to_publish_architecture(self) -> bool:
        raise NotImplementedError

    def _publish_architecture_to_worker(self, vs: list[Any], current_evaluation_id: int,
                                        searcher_eval_token: dict[str, Any]) -> None:
        raise NotImplementedError

    def _receive_results_in_master(self, src: int) -> ResultsMessage | None:
        raise NotImplementedError

    def _kill_worker(self) -> None:
        raise NotImplementedError


def get_communicator(name: str, num_procs: int = 2) -> Communicator:
    """Creates a communicator by name.

    Args:
        name: ``'mpi'`` (:class:`MPICommunicator`, sizes from ``mpiexec``) or
            ``'file'`` (:class:`FileCommunicator` in the folder ``file_comm``).
        num_procs: Total number of processes (master included) for ``'file'``.

    Returns:
        The communicator of this process.

    Raises:
        DeepArchitectError: For any other name.
    """
    if name == "mpi":
        from deep_architect.contrib.communicators.mpi_communicator import MPICommunicator

        return MPICommunicator()
    if name == "file":
        from deep_architect.contrib.communicators.file_communicator import FileCommunicator

        return FileCommunicator(num_procs)
    raise DeepArchitectError(
        f"get_communicator: unknown communicator {name!r}; expected 'mpi' or 'file'")
