"""Master-worker communication over MPI (``mpi4py``, ``MPI.COMM_WORLD``).

Launch every process of the search at once, e.g.
``mpiexec -n 4 python search.py`` for a master and three workers. A worker
announces it is idle with a ``READY_REQ`` message, receives
``(vs, evaluation_id, token, kill)`` with tag ``MODEL_REQ``, and answers with
``(results, evaluation_id, token)`` and tag ``RESULTS_REQ``. The master only
polls (``iprobe``), so its loop never blocks on a slow worker.
"""

from __future__ import annotations

from typing import Any

from deep_architect.contrib.communicators.communicator import (
    ArchitectureMessage,
    Communicator,
    ResultsMessage,
)
from deep_architect.errors import DeepArchitectError, check

#: Tag of a worker's "I am idle" message.
READY_REQ = 0
#: Tag of an architecture (or stop) message to a worker.
MODEL_REQ = 1
#: Tag of a results message to the master.
RESULTS_REQ = 2


def _comm_world() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise DeepArchitectError(
            "MPICommunicator needs the 'mpi4py' package and an MPI library: "
            "pip install 'deep_architect[mpi]' (plus e.g. the 'mpich' wheel)"
        ) from e
    return MPI.COMM_WORLD


class MPICommunicator(Communicator):
    """Communicator for the processes of one MPI job (rank 0 is the master).

    Attributes:
        comm: The ``MPI.COMM_WORLD`` communicator.
        next_worker: Rank of the worker found ready by
            :meth:`is_ready_to_publish_architecture` and not yet given work, or -1.
    """

    def __init__(self) -> None:
        self.comm = _comm_world()
        size = self.comm.Get_size()
        check(size >= 2, "MPICommunicator: the MPI job has a single process; launch it with "
                         "mpiexec -n <number of workers + 1>")
        Communicator.__init__(self, size - 1, self.comm.Get_rank())
        self.done = False
        self.next_worker = -1
        self._send_requests: list[Any] = []

    def _publish_results_to_master(self, results: dict[str, Any], evaluation_id: int,
                                   searcher_eval_token: dict[str, Any]) -> None:
        self.comm.ssend((results, evaluation_id, searcher_eval_token), dest=0,
                        tag=RESULTS_REQ)

    def _receive_architecture_in_worker(self) -> ArchitectureMessage | None:
        if self.done:
            return None
        self.comm.ssend([self.rank], dest=0, tag=READY_REQ)
        vs, evaluation_id, searcher_eval_token, kill = self.comm.recv(source=0, tag=MODEL_REQ)
        if kill:
            self.done = True
            return None
        return vs, evaluation_id, searcher_eval_token

    def _is_ready_to_publish_architecture(self) -> bool:
        if self.next_worker == -1:
            for rank in range(1, self.num_workers + 1):
                if self.comm.iprobe(source=rank, tag=READY_REQ):
                    self.comm.recv(source=rank, tag=READY_REQ)
                    self.next_worker = rank
                    break
        return self.next_worker != -1

    def _send_to_next_worker(self, message: tuple) -> None:
        check(self.next_worker != -1, "MPICommunicator: no worker is ready; call "
                                      "is_ready_to_publish_architecture first")
        # Keep pending non-blocking sends alive until MPI is done with their buffers.
        self._send_requests = [r for r in self._send_requests if not r.Test()]
        self._send_requests.append(self.comm.isend(message, dest=self.next_worker,
                                                   tag=MODEL_REQ))
        self.next_worker = -1

    def _publish_architecture_to_worker(self, vs: list[Any], current_evaluation_id: int,
                                        searcher_eval_token: dict[str, Any]) -> None:
        self._send_to_next_worker((vs, current_evaluation_id, searcher_eval_token, False))

    def _receive_results_in_master(self, src: int) -> ResultsMessage | None:
        if self.comm.iprobe(source=src + 1, tag=RESULTS_REQ):
            return self.comm.recv(source=src + 1, tag=RESULTS_REQ)
        return None

    def _kill_worker(self) -> None:
        self._send_to_next_worker((0, 0, 0, True))
