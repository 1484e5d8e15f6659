"""The master-worker communicators as an execution back end of ``run_search``.

:class:`CommunicatorExecutor` is the master side: given the master's
:class:`~deep_architect.contrib.communicators.communicator.Communicator` (file
or MPI), it hands the jobs of :func:`deep_architect.search_loop.run_search` to
the workers, so the master gets the loop's logging, crash recovery, retries and
searcher protocol. Every other process of the search runs :func:`serve`, which
evaluates jobs with :func:`deep_architect.executors.common.run_job` until the
master stops it.

A job travels in the communicator's own messages, the value list and the
evaluation id in their usual places and, where the original put the searcher's
token, a small dict ``{"attempt": int, "budget": float or None}`` (the master
keeps the tokens). Workers answer with the results dict (``{}`` on failure)
and the same dict extended by ``failure_kind``, ``failure_reason`` and
``failure_details``. Everything is plain JSON, as the file communicator needs.

Unlike the process pool, a communicator cannot stop or watch a worker: a job
past its time limit is reported as a timeout (its late answer is ignored) while
the worker finishes it, and a worker that dies unnoticed is only caught by the
time limit. Pass ``timeout`` to ``run_search`` when workers may die.

Example (every process runs the same script; ``mpiexec -n 3 python search.py``)::

    comm = MPICommunicator()
    if comm.is_master():
        run_search(RandomSearcher(search_space), None, 10, "logs", "mpi",
                   executor=CommunicatorExecutor(comm))
    else:
        serve(comm, search_space, MyEvaluator)
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from typing import Any

from deep_architect.contrib.communicators.communicator import Communicator
from deep_architect.errors import check
from deep_architect.executors.common import (
    INVALID_RESULTS,
    TIMEOUT,
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    evaluator_factory,
    run_job,
)

logger = logging.getLogger(__name__)

#: Seconds the master sleeps when no message arrived, so that it does not spin a core.
POLL_INTERVAL_IN_SECONDS = 0.005
_FAILURE_FIELDS = ("failure_kind", "failure_reason", "failure_details")


def job_to_message(job: Job) -> tuple[list[Any], int, dict[str, Any]]:
    """Encodes a job as ``(hyperp_value_lst, evaluation_id, job_info)`` (JSON only).

    Args:
        job: The job to send.

    Returns:
        The three arguments of ``publish_architecture_to_worker``.
    """
    return list(job.hyperp_value_lst), job.evaluation_id, {"attempt": job.attempt,
                                                           "budget": job.budget}


def job_from_message(vs: list[Any], evaluation_id: int, job_info: dict[str, Any]) -> Job:
    """Decodes what :func:`job_to_message` encoded.

    Args:
        vs: Value list of the architecture.
        evaluation_id: Id of the evaluation.
        job_info: ``{"attempt": ..., "budget": ...}``.

    Returns:
        The job.
    """
    return Job(evaluation_id, job_info["attempt"], vs, job_info.get("budget"))


def outcome_to_message(outcome: Outcome) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """Encodes an outcome as ``(results, evaluation_id, job_info)`` (JSON only).

    Args:
        outcome: The outcome to send back.

    Returns:
        The three arguments of ``publish_results_to_master``.
    """
    job = outcome.job
    info: dict[str, Any] = {"attempt": job.attempt, "budget": job.budget}
    if outcome.failed:
        info.update(zip(_FAILURE_FIELDS, (outcome.failure_kind, outcome.failure_reason,
                                          outcome.failure_details)))
        return {}, job.evaluation_id, info
    return outcome.results, job.evaluation_id, info


def outcome_from_message(job: Job, results: Any, job_info: dict[str, Any]) -> Outcome:
    """Decodes what :func:`outcome_to_message` encoded, for the job in flight.

    Args:
        job: The job the message answers.
        results: The results dict sent by the worker.
        job_info: The job info extended by the failure fields on failure.

    Returns:
        The outcome.
    """
    if job_info.get("failure_kind") is not None:
        return Outcome(job, **{field: job_info.get(field) for field in _FAILURE_FIELDS})
    return Outcome(job, results=results)


def evaluate_message(setup: WorkerSetup, message: tuple[list[Any], int, dict[str, Any]]
                     ) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """Runs the job in a received message; returns the answer to send (the worker body).

    Args:
        setup: The worker's search-space function and evaluator factory.
        message: ``(hyperp_value_lst, evaluation_id, job_info)`` from the master.

    Returns:
        ``(results, evaluation_id, job_info)`` for the master.
    """
    return outcome_to_message(run_job(setup, job_from_message(*message)))


def send_answer(publish: Callable[..., None], message: tuple[list[Any], int, dict[str, Any]],
                answer: tuple[dict[str, Any], int, dict[str, Any]]) -> None:
    """Sends ``answer``, or an :data:`INVALID_RESULTS` failure if the channel cannot encode it.

    Args:
        publish: Sends ``(results, evaluation_id, job_info)`` to the master.
        message: The job message the answer is for.
        answer: What :func:`evaluate_message` returned.
    """
    try:
        publish(*answer)
    except Exception as e:  # JSON (file) or BSON (Mongo) cannot encode the results
        publish(*outcome_to_message(Outcome(
            job_from_message(*message), failure_kind=INVALID_RESULTS,
            failure_reason=f"results cannot be sent to the master: {type(e).__name__}: {e}")))


def serve(comm: Communicator, search_space_fn: Callable[[], Any], evaluator: Any) -> int:
    """Worker side: evaluates the jobs the master sends until it says stop.

    Args:
        comm: Communicator of a worker process.
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair (the function
            the master's searcher samples from).
        evaluator: An evaluator, or a zero-argument factory of one (called once).

    Returns:
        The number of jobs this worker evaluated.
    """
    check(comm.is_worker(), f"serve: {type(comm).__name__} of rank {comm.get_rank()} is the "
                            "master; it runs run_search with a CommunicatorExecutor")
    setup = WorkerSetup(search_space_fn, evaluator_factory(evaluator, "serve"))
    num_evaluated = 0
    while True:
        message = comm.receive_architecture_in_worker()
        if message is None:
            return num_evaluated
        send_answer(comm.publish_results_to_master, message, evaluate_message(setup, message))
        num_evaluated += 1


class InFlightJobs:
    """The jobs a master handed out and awaits, with their deadlines.

    Answers are matched by evaluation id and attempt, so a late answer for an
    attempt that already timed out (or was abandoned) is recognised and dropped.
    """

    def __init__(self) -> None:
        self._jobs: dict[int, tuple[Job, float, float | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def add(self, job: Job, timeout: float | None) -> None:
        """Records ``job``, due ``timeout`` seconds from now (``None``: never).

        Args:
            job: The job handed out.
            timeout: Its time limit in seconds, or ``None``.
        """
        deadline = float("inf") if timeout is None else time.monotonic() + timeout
        self._jobs[job.evaluation_id] = (job, deadline, timeout)

    def answered(self, evaluation_id: int, job_info: dict[str, Any]) -> Job | None:
        """Removes and returns the job an answer is for, or ``None`` for a stale answer.

        Args:
            evaluation_id: Evaluation id of the answer.
            job_info: Job info of the answer (its ``attempt`` must match).

        Returns:
            The job in flight the answer settles, or ``None``.
        """
        entry = self._jobs.get(evaluation_id)
        if entry is None or entry[0].attempt != job_info.get("attempt"):
            logger.info("ignoring a late answer for evaluation %d", evaluation_id)
            return None
        del self._jobs[evaluation_id]
        return entry[0]

    def expired(self, what_happens: str) -> list[Outcome]:
        """Removes the jobs past their deadline and returns their timeout outcomes.

        Args:
            what_happens: End of the failure reason (what becomes of the job).

        Returns:
            One :data:`~deep_architect.executors.common.TIMEOUT` outcome per expired job.
        """
        now = time.monotonic()
        outcomes = []
        for key in [k for k, (_, deadline, _) in self._jobs.items() if now >= deadline]:
            job, _, timeout = self._jobs.pop(key)
            outcomes.append(Outcome(job, failure_kind=TIMEOUT, failure_reason=(
                f"evaluation did not finish within {timeout} s; {what_happens}")))
        return outcomes

    def clear(self) -> None:
        """Forgets every job (their answers will be dropped)."""
        self._jobs.clear()


class CommunicatorExecutor(Executor):
    """Master side: runs the jobs of ``run_search`` on the workers of a communicator.

    The workers must already run (or soon start) :func:`serve` with the same
    search-space function; the master needs no evaluator (pass ``None`` as
    ``run_search``'s ``evaluator_fn``). :meth:`close` tells every worker to stop.

    Args:
        comm: The master's communicator (rank 0).
        close_timeout: Seconds :meth:`close` waits for busy workers to become
            ready for their stop message; ``None`` waits as long as it takes.
    """

    workers_hold_functions = True

    def __init__(self, comm: Communicator, close_timeout: float | None = 60.0) -> None:
        check(comm.is_master(), f"CommunicatorExecutor: {type(comm).__name__} of rank "
                                f"{comm.get_rank()} is a worker; workers call serve()")
        self.comm = comm
        self.close_timeout = close_timeout
        self._outbox: collections.deque[tuple[Job, float | None]] = collections.deque()
        self._in_flight = InFlightJobs()
        self._closed = False

    @property
    def capacity(self) -> int:
        """The number of workers."""
        return self.comm.num_workers

    def start(self, setup: WorkerSetup) -> None:
        """Nothing to ship: workers hold their own functions.

        Args:
            setup: Ignored (the workers built theirs in :func:`serve`).
        """

    def submit(self, job: Job, timeout: float | None) -> None:
        """Queues ``job``; it goes to the first worker that is ready.

        Args:
            job: The job to run.
            timeout: Seconds from when a worker receives the job until it is
                reported as a timeout, or ``None``.
        """
        self._outbox.append((job, timeout))

    def _publish_ready(self) -> bool:
        published = False
        while self._outbox and self.comm.is_ready_to_publish_architecture():
            job, timeout = self._outbox.popleft()
            self.comm.publish_architecture_to_worker(*job_to_message(job))
            self._in_flight.add(job, timeout)
            published = True
        return published

    def _receive(self) -> list[Outcome]:
        outcomes = []
        for worker in range(self.comm.num_workers):
            message = self.comm.receive_results_in_master(worker)
            if message is None:
                continue
            results, evaluation_id, info = message
            job = self._in_flight.answered(evaluation_id, info)
            if job is not None:
                outcomes.append(outcome_from_message(job, results, info))
        return outcomes

    def wait(self) -> list[Outcome]:
        """Hands queued jobs to ready workers and polls until some job ends.

        Returns:
            The outcomes of the jobs that ended.
        """
        check(self._outbox or self._in_flight,
              "CommunicatorExecutor.wait called with no job in flight")
        while True:
            published = self._publish_ready()
            outcomes = self._receive() + self._in_flight.expired(
                "the worker was not stopped and its answer will be ignored")
            if outcomes:
                return outcomes
            if not published:
                time.sleep(POLL_INTERVAL_IN_SECONDS)

    def close(self) -> None:
        """Tells every worker to stop, dropping unfinished jobs and their late answers."""
        if self._closed:
            return
        self._closed = True
        self._outbox.clear()
        self._in_flight.clear()
        deadline = (float("inf") if self.close_timeout is None
                    else time.monotonic() + self.close_timeout)
        num_stopped = 0
        # A worker that acknowledges its stop may first have to hand in a late
        # answer, so keep reading until every acknowledgement is in.
        while num_stopped < self.comm.num_workers or (
                self.comm.acknowledges_stop and self.comm.finished < self.comm.num_workers):
            self._receive()  # busy workers must get their answers out to become ready
            if (num_stopped < self.comm.num_workers
                    and self.comm.is_ready_to_publish_architecture()):
                self.comm.kill_worker()
                num_stopped += 1
            elif time.monotonic() >= deadline:
                logger.warning("CommunicatorExecutor.close: %d worker(s) still busy after "
                               "%s s; not waiting for them", self.comm.num_workers - num_stopped,
                               self.close_timeout)
                return
            else:
                time.sleep(POLL_INTERVAL_IN_SECONDS)
