"""Local back end: evaluations run in separate worker processes started with ``spawn``.

Each worker slot owns one process and one pipe, so a crash or a timeout is
charged to exactly the evaluation that caused it and the other slots carry on.
(``concurrent.futures.ProcessPoolExecutor`` cannot do that: one dead worker
breaks the whole pool and fails every job in flight.)

Workers die with their master, even when it is killed with ``SIGKILL``: on
Linux each worker asks the kernel for a parent-death signal
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and everywhere a watchdog thread in the
worker exits the process when its lifeline pipe to the master reaches end of
file. Otherwise a worker of a killed master would finish its evaluation while
the resumed master runs the same evaluation again. (The parent-death signal
follows the master *thread* that started the worker: start and use an
executor from one thread.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence

from deep_architect.errors import DeepArchitectError, check
from deep_architect.executors.common import (
    EXCEPTION,
    TIMEOUT,
    WORKER_DIED,
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    run_job,
)


class _SetupFailed:
    # Sent by a worker that could not unpickle the user's functions.
    def __init__(self, reason: str) -> None:
        self.reason = reason


class _WorkerReady:
    # Sent by a worker once it has loaded the user's functions.
    pass


def _die_with_parent(parent_pid: int, lifeline: multiprocessing.connection.Connection) -> None:
    """Makes this worker process exit as soon as its master process is gone."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # 1 is PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # no prctl: the watchdog below still works
    if os.getppid() != parent_pid:  # the master died before prctl took effect
        os._exit(1)

    def watchdog() -> None:
        try:
            lifeline.recv()  # the master never sends: returns only at end of file
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watchdog, name="deep_architect-lifeline", daemon=True).start()


def _worker_main(conn: multiprocessing.connection.Connection, setup_bytes: bytes,
                 parent_pid: int, lifeline: multiprocessing.connection.Connection) -> None:
    """Entry point of a worker process: evaluates jobs until told to stop."""
    _die_with_parent(parent_pid, lifeline)
    try:
        setup = pickle.loads(setup_bytes)
    except Exception:
        conn.send(_SetupFailed(traceback.format_exc()))
        return
    conn.send(_WorkerReady())
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the master is gone
            return
        if job is None:
            return
        outcome = run_job(setup, job)
        try:
            conn.send(outcome)
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as e:  # results that cannot be pickled
            conn.send(Outcome(job, failure_kind=EXCEPTION,
                              failure_reason=f"results cannot be sent to the master: {e}"))


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    # A spawned child copies the parent's environment when it starts, so setting
    # the variable around `start()` reaches the child before any framework import.
    if value is None:
        yield
        return
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class _Slot:
    """One worker process (started lazily) and the job it is running."""

    def __init__(self, index: int, gpu_id: int | None) -> None:
        self.index = index
        self.gpu_id = gpu_id
        self.process: multiprocessing.Process | None = None
        self.conn: multiprocessing.connection.Connection | None = None
        self.lifeline: multiprocessing.connection.Connection | None = None
        self.job: Job | None = None
        self.timeout: float | None = None
        self.deadline = float("inf")
        self.ready = False
        self.num_evaluations = 0

    def start(self, context: multiprocessing.context.BaseContext, setup_bytes: bytes) -> None:
        master_end, worker_end = context.Pipe()
        # One-way: the worker only waits for the end of file of the master's end.
        lifeline_worker_end, lifeline_master_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main,
            args=(worker_end, setup_bytes, os.getpid(), lifeline_worker_end),
            name=f"deep_architect-worker-{self.index}", daemon=True,
        )
        gpu = None if self.gpu_id is None else str(self.gpu_id)
        with _environment("CUDA_VISIBLE_DEVICES", gpu):
            self.process.start()
        worker_end.close()
        lifeline_worker_end.close()
        self.conn = master_end
        self.lifeline = lifeline_master_end
        self.ready = False
        self.num_evaluations = 0

    def stop(self, kill: bool) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.lifeline.close()
        self.process = self.conn = self.lifeline = None


def _resolve_gpu_ids(gpu_ids: None | str | Sequence[int]) -> list[int] | None:
    if gpu_ids is None:
        return None
    if gpu_ids == "auto":
        from deep_architect import gpus

        num_gpus = gpus.get_total_num_gpus()
        check(num_gpus > 0, "ProcessExecutor(gpu_ids='auto'): nvidia-smi reports no GPU")
        return list(range(num_gpus))
    check(
        not isinstance(gpu_ids, str)
        and len(gpu_ids) > 0
        and all(isinstance(g, int) and g >= 0 for g in gpu_ids),
        f"ProcessExecutor: gpu_ids must be None, 'auto' or a non-empty list of GPU "
        f"indices, got {gpu_ids!r}",
    )
    return list(gpu_ids)


class ProcessExecutor(Executor):
    """Runs evaluations in ``num_workers`` local processes started with ``spawn``.

    The search-space function and the evaluator factory must be picklable
    (module-level functions or instances of module-level classes), and the
    script that runs the search must guard it with ``if __name__ == "__main__":``
    because spawned workers import it.

    Args:
        num_workers: Number of worker processes; defaults to the number of GPUs
            when ``gpu_ids`` is given, else to the number of CPUs.
        gpu_ids: ``None`` (do not touch ``CUDA_VISIBLE_DEVICES``), ``'auto'``
            (every GPU that ``nvidia-smi`` lists) or a list of GPU indices.
            Worker ``k`` sees only GPU ``gpu_ids[k % len(gpu_ids)]``, so with one
            worker per GPU each trial owns a GPU.
        max_evaluations_per_worker: Evaluations after which a worker process is
            replaced by a fresh one (``1``: a fresh process per evaluation, so
            framework memory cannot accumulate); ``None`` reuses workers forever.

    Example:
        >>> executor = ProcessExecutor(num_workers=2, gpu_ids=[0, 1])
        >>> executor.capacity
        2
    """

    def __init__(
        self,
        num_workers: int | None = None,
        gpu_ids: None | str | Sequence[int] = None,
        max_evaluations_per_worker: int | None = None,
    ) -> None:
        resolved_gpu_ids = _resolve_gpu_ids(gpu_ids)
        if num_workers is None:
            num_workers = len(resolved_gpu_ids) if resolved_gpu_ids else os.cpu_count() or 1
        check(
            isinstance(num_workers, int) and num_workers >= 1,
            f"ProcessExecutor: num_workers must be a positive int, got {num_workers!r}",
        )
        check(
            max_evaluations_per_worker is None
            or (isinstance(max_evaluations_per_worker, int) and max_evaluations_per_worker >= 1),
            "ProcessExecutor: max_evaluations_per_worker must be None or a positive int, "
            f"got {max_evaluations_per_worker!r}",
        )
        self.max_evaluations_per_worker = max_evaluations_per_worker
        self._slots = [
            _Slot(k, None if resolved_gpu_ids is None else
                  resolved_gpu_ids[k % len(resolved_gpu_ids)])
            for k in range(num_workers)
        ]
        self._context = multiprocessing.get_context("spawn")
        self._setup_bytes: bytes | None = None

    @property
    def capacity(self) -> int:
        """The number of worker processes."""
        return len(self._slots)

    def start(self, setup: WorkerSetup) -> None:
        """Starts every worker process (they load the user's functions in parallel).

        Args:
            setup: Search-space function and evaluator factory of the search.

        Raises:
            DeepArchitectError: If the functions cannot be pickled.
        """
        self._setup_bytes = setup.to_bytes()
        for slot in self._slots:
            slot.start(self._context, self._setup_bytes)

    def submit(self, job: Job, timeout: float | None) -> None:
        """Sends ``job`` to an idle worker, starting a new process if needed.

        Args:
            job: The job to run.
            timeout: Seconds before the worker is killed and the job reported as
                a timeout, or ``None``; counted from when the worker process has
                started up and loaded the user's functions.
        """
        check(self._setup_bytes is not None, "ProcessExecutor.submit called before start")
        idle = [slot for slot in self._slots if slot.job is None]
        check(len(idle) > 0, "ProcessExecutor.submit: every worker is busy")
        slot = idle[0]
        if slot.process is None or not slot.process.is_alive():
            slot.stop(kill=True)
            slot.start(self._context, self._setup_bytes)
        slot.conn.send(job)
        slot.job = job
        slot.timeout = timeout
        self._start_clock(slot)

    def wait(self) -> list[Outcome]:
        """Blocks until a worker answers, dies or exceeds its deadline.

        Returns:
            The outcomes of the jobs that ended.

        Raises:
            DeepArchitectError: If a worker cannot load the user's functions.
        """
        busy = [slot for slot in self._slots if slot.job is not None]
        check(len(busy) > 0, "ProcessExecutor.wait called with no job in flight")
        while True:
            deadline = min(slot.deadline for slot in busy)
            remaining = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
            waitables = [slot.conn for slot in busy] + [slot.process.sentinel for slot in busy]
            ready = set(multiprocessing.connection.wait(waitables, timeout=remaining))
            outcomes = []
            for slot in busy:
                outcome = self._check_slot(slot, ready)
                if outcome is not None:
                    outcomes.append(outcome)
            if outcomes:
                return outcomes

    @staticmethod
    def _start_clock(slot: _Slot) -> None:
        # A job's time limit starts once its worker has started up, so that a
        # slow interpreter start or import is not charged to the evaluation.
        if slot.timeout is None or not slot.ready:
            slot.deadline = float("inf")
        else:
            slot.deadline = time.monotonic() + slot.timeout

    def _check_slot(self, slot: _Slot, ready: set) -> Outcome | None:
        job = slot.job
        if slot.conn in ready or slot.conn.poll():
            try:
                message = slot.conn.recv()
            except (EOFError, OSError):
                message = None  # died while answering; handled below
            if isinstance(message, _WorkerReady):
                slot.ready = True
                self._start_clock(slot)
                return None
            if isinstance(message, _SetupFailed):
                self.close()
                raise DeepArchitectError(
                    "a ProcessExecutor worker could not load search_space_fn/evaluator_fn "
                    f"(is their module importable in a fresh interpreter?):\n{message.reason}"
                )
            if isinstance(message, Outcome):
                slot.job = None
                slot.num_evaluations += 1
                limit = self.max_evaluations_per_worker
                if limit is not None and slot.num_evaluations >= limit:
                    slot.stop(kill=False)
                    slot.start(self._context, self._setup_bytes)
                return message
        if slot.process.sentinel in ready or not slot.process.is_alive():
            slot.process.join()
            reason = f"worker process {_describe_exit(slot.process.exitcode)} during evaluation"
            slot.stop(kill=True)
            slot.job = None
            return Outcome(job, failure_kind=WORKER_DIED, failure_reason=reason)
        if time.monotonic() >= slot.deadline:
            slot.stop(kill=True)
            slot.job = None
            return Outcome(job, failure_kind=TIMEOUT,
                           failure_reason=f"evaluation did not finish within {slot.timeout} s; "
                                          "worker process killed")
        return None

    def close(self) -> None:
        """Stops every worker process (killing those still evaluating)."""
        for slot in self._slots:
            slot.stop(kill=slot.job is not None)
            slot.job = None
