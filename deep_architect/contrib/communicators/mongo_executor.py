"""MongoDB as an execution back end of ``run_search``: workers may come and go.

The master runs :func:`deep_architect.search_loop.run_search` with a
:class:`MongoExecutor`, which queues each job as a document on the topic
``<search_id>_jobs`` of a
:class:`~deep_architect.contrib.communicators.mongo_communicator.MongoCommunicator`
and collects answers from ``<search_id>_results``. Any number of workers, on
any machine that reaches the server, run :func:`serve_mongo`: each claims one
job at a time, evaluates it with the one worker body
(:func:`deep_architect.executors.common.run_job`) and queues the answer. Jobs
and answers are the messages of
:mod:`deep_architect.contrib.communicators.executor`, stored as documents
``{"vs": [...], "evaluation_id": int, "job_info": {...}}`` and
``{"results": {...}, "evaluation_id": int, "job_info": {...}}``.

With ``data_refresher=True`` on some communicator, a job whose worker stopped
refreshing it goes back to the queue for another worker; the master keeps the
first answer of each attempt and ignores later ones. Time limits count from
when a job is queued. :meth:`MongoExecutor.close` removes queued jobs and
queues one stop document per worker, so workers that are busy, or that join
later, stop when they next look for work; :meth:`MongoExecutor.start` empties
both topics, so a search id can be reused by the next search (start its
workers after its master, or they may take the previous search's stop).

Example (needs a MongoDB server)::

    # master
    comm = MongoCommunicator("db-host", poll_interval=0.5)
    run_search(RandomSearcher(search_space), None, 100, "logs", "mongo",
               executor=MongoExecutor(comm, "mongo", num_workers=8))
    # each worker
    serve_mongo(MongoCommunicator("db-host", poll_interval=0.5), "mongo",
                search_space, MyEvaluator)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from deep_architect.contrib.communicators.executor import (
    InFlightJobs,
    evaluate_message,
    job_to_message,
    outcome_from_message,
    send_answer,
)
from deep_architect.contrib.communicators.mongo_communicator import (
    DATA_KEY,
    STARTTIME_KEY,
    MongoCommunicator,
)
from deep_architect.errors import check
from deep_architect.executors.common import (
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    evaluator_factory,
)

#: Payload key marking a stop document on the jobs topic.
STOP_KEY = "stop"


def jobs_topic(search_id: str) -> str:
    """The collection holding the queued jobs of search ``search_id``."""
    return f"{search_id}_jobs"


def results_topic(search_id: str) -> str:
    """The collection holding the workers' answers for search ``search_id``."""
    return f"{search_id}_results"


class MongoExecutor(Executor):
    """Master side: queues the jobs of ``run_search`` on MongoDB for :func:`serve_mongo` workers.

    The master needs no evaluator (pass ``None`` as ``run_search``'s ``evaluator_fn``).

    Args:
        comm: The master's communicator.
        search_id: Names the topics of this search; workers use the same id.
        num_workers: Jobs in flight at once (how many workers are expected).
        poll_interval: Seconds between two looks for answers.
    """

    workers_hold_functions = True

    def __init__(self, comm: MongoCommunicator, search_id: str, num_workers: int,
                 poll_interval: float = 0.05) -> None:
        check(isinstance(num_workers, int) and num_workers >= 1,
              f"MongoExecutor: num_workers must be a positive int, got {num_workers!r}")
        check(isinstance(search_id, str) and search_id != "",
              f"MongoExecutor: search_id must be a non-empty str, got {search_id!r}")
        self.comm = comm
        self.search_id = search_id
        self.num_workers = num_workers
        self.poll_interval = poll_interval
        self._in_flight = InFlightJobs()

    @property
    def capacity(self) -> int:
        """The expected number of workers."""
        return self.num_workers

    def start(self, setup: WorkerSetup) -> None:
        """Empties this search's topics (stop documents of an earlier run, stale answers).

        Nothing is shipped: workers hold their own functions.

        Args:
            setup: Ignored (the workers built theirs in :func:`serve_mongo`).
        """
        for topic in (jobs_topic(self.search_id), results_topic(self.search_id)):
            self.comm.db[topic].delete_many({})

    def submit(self, job: Job, timeout: float | None) -> None:
        """Queues ``job`` for the first free worker.

        Args:
            job: The job to run.
            timeout: Seconds from now until the job is reported as a timeout, or ``None``.
        """
        vs, evaluation_id, job_info = job_to_message(job)
        self.comm.publish(jobs_topic(self.search_id),
                          {"vs": vs, "evaluation_id": evaluation_id, "job_info": job_info})
        self._in_flight.add(job, timeout)

    def _receive(self) -> list[Outcome]:
        topic = results_topic(self.search_id)
        outcomes = []
        while True:
            document = self.comm.claim(topic)
            if document is None:
                return outcomes
            self.comm.finish_processing(topic, document)
            answer = document[DATA_KEY]
            job = self._in_flight.answered(answer["evaluation_id"], answer["job_info"])
            if job is not None:
                outcomes.append(outcome_from_message(job, answer["results"],
                                                     answer["job_info"]))

    def wait(self) -> list[Outcome]:
        """Polls the answers until some job ends.

        Returns:
            The outcomes of the jobs that ended.
        """
        check(self._in_flight, "MongoExecutor.wait called with no job in flight")
        while True:
            outcomes = self._receive() + self._in_flight.expired(
                "counted from when it was queued; its answer will be ignored")
            if outcomes:
                return outcomes
            time.sleep(self.poll_interval)

    def close(self) -> None:
        """Drops queued jobs and queues one stop document per worker."""
        jobs = self.comm.db[jobs_topic(self.search_id)]
        jobs.delete_many({STARTTIME_KEY: None})
        for _ in range(self.num_workers):
            self.comm.publish(jobs_topic(self.search_id), {STOP_KEY: True})
        self._in_flight.clear()


def serve_mongo(comm: MongoCommunicator, search_id: str, search_space_fn: Callable[[], Any],
                evaluator: Any) -> int:
    """Worker side: evaluates queued jobs of search ``search_id`` until a stop document.

    Args:
        comm: This worker's communicator.
        search_id: The id the master's :class:`MongoExecutor` uses.
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair (the function
            the master's searcher samples from).
        evaluator: An evaluator, or a zero-argument factory of one (called once).

    Returns:
        The number of jobs this worker evaluated.
    """
    setup = WorkerSetup(search_space_fn, evaluator_factory(evaluator, "serve_mongo"))
    topic = jobs_topic(search_id)
    stopped = threading.Event()
    count = [0]

    def publish_answer(results: dict[str, Any], evaluation_id: int,
                       job_info: dict[str, Any]) -> None:
        comm.publish(results_topic(search_id), {
            "results": results, "evaluation_id": evaluation_id, "job_info": job_info})

    def on_job(document: dict[str, Any]) -> None:
        payload = document[DATA_KEY]
        if payload.get(STOP_KEY):
            comm.unsubscribe(topic)
            stopped.set()
        else:
            message = (payload["vs"], payload["evaluation_id"], payload["job_info"])
            send_answer(publish_answer, message, evaluate_message(setup, message))
            count[0] += 1
        comm.finish_processing(topic, document)

    comm.subscribe(topic, on_job)
    stopped.wait()
    return count[0]
