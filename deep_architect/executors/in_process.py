"""The default back end: evaluations run one at a time in the search's own process."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from deep_architect.errors import check
from deep_architect.executors.common import (
    TIMEOUT,
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    run_job,
)


class _EvaluationTimedOut(BaseException):
    # A BaseException so that an evaluator's `except Exception` cannot swallow it.
    pass


def _raise_timed_out(signum: int, frame: Any) -> None:
    raise _EvaluationTimedOut()


@contextlib.contextmanager
def _alarm(timeout: float | None) -> Iterator[None]:
    # SIGALRM is the only way to interrupt Python code running in this very
    # thread; it exists on POSIX and only the main thread receives signals.
    usable = (
        timeout is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class InProcessExecutor(Executor):
    """Runs each evaluation synchronously in the calling process (capacity 1).

    Time limits use ``SIGALRM``: they apply on POSIX when the search runs in the
    main thread, and interrupt Python code only (a long call into native code
    ends before the timeout is noticed). Use :class:`ProcessExecutor` for hard
    limits and for isolation from crashing evaluators.

    Example:
        >>> executor = InProcessExecutor()
        >>> executor.capacity
        1
    """

    def __init__(self) -> None:
        self._setup: WorkerSetup | None = None
        self._pending: tuple | None = None

    @property
    def capacity(self) -> int:
        """Always 1: evaluations run one after the other."""
        return 1

    def start(self, setup: WorkerSetup) -> None:
        """Remembers the functions to evaluate with.

        Args:
            setup: Search-space function and evaluator factory of the search.
        """
        self._setup = setup

    def submit(self, job: Job, timeout: float | None) -> None:
        """Queues ``job``; it runs during the next :meth:`wait`.

        Args:
            job: The job to run.
            timeout: Seconds before the evaluation is interrupted, or ``None``.
        """
        check(self._setup is not None, "InProcessExecutor.submit called before start")
        check(self._pending is None, "InProcessExecutor runs one job at a time")
        self._pending = (job, timeout)

    def wait(self) -> list[Outcome]:
        """Runs the queued job and returns its outcome.

        Returns:
            A one-element list with the outcome of the queued job.
        """
        check(self._pending is not None, "InProcessExecutor.wait called with no job submitted")
        job, timeout = self._pending
        self._pending = None
        try:
            with _alarm(timeout):
                return [run_job(self._setup, job)]
        except _EvaluationTimedOut:
            return [
                Outcome(job, failure_kind=TIMEOUT,
                        failure_reason=f"evaluation did not finish within {timeout} s")
            ]
