"""Tests of MongoExecutor and serve_mongo: in-memory collections, and a real server if any."""

from __future__ import annotations

import datetime
import itertools
import json
import threading
import time

import pytest
from search_loop_toys import CountingSearcher, search_space

from deep_architect.contrib.communicators import mongo_executor as me
from deep_architect.contrib.communicators.mongo_communicator import (
    DATA_KEY,
    ENDTIME_KEY,
    STARTTIME_KEY,
    MongoCommunicator,
)
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.common import (
    EXCEPTION,
    INVALID_RESULTS,
    TIMEOUT,
    Job,
    current_evaluation,
)
from deep_architect.search_loop import run_search


class FakeCollection:
    """The part of a pymongo collection the communicator uses, in memory and thread-safe."""

    _ids = itertools.count()

    def __init__(self):
        self.documents = []
        self.lock = threading.Lock()

    @staticmethod
    def _matches(document, query):
        for key, condition in query.items():
            value = document.get(key)
            if isinstance(condition, dict) and "$ne" in condition:
                if value == condition["$ne"]:
                    return False
            elif isinstance(condition, dict) and "$lt" in condition:
                if value is None or not value < condition["$lt"]:
                    return False
            elif value != condition:
                return False
        return True

    @staticmethod
    def _apply(document, update):
        document.update(update.get("$set", {}))
        for key, amount in update.get("$inc", {}).items():
            document[key] = document.get(key, 0) + amount

    def insert_one(self, document):
        json.dumps(document[DATA_KEY])  # like BSON, refuses payloads it cannot encode
        with self.lock:
            self.documents.append({**document, "_id": next(self._ids)})

    def find_one_and_update(self, query, update, sort=None, return_document=False):
        with self.lock:  # documents are kept in _id order, which is what sort asks for
            for document in self.documents:
                if self._matches(document, query):
                    self._apply(document, update)
                    return dict(document)
        return None

    def update_one(self, query, update):
        self.find_one_and_update(query, update)

    def find(self, query):
        with self.lock:
            return [dict(d) for d in self.documents if self._matches(d, query)]

    def delete_many(self, query):
        with self.lock:
            self.documents = [d for d in self.documents if not self._matches(d, query)]


class FakeDatabase:
    """A pymongo database holding :class:`FakeCollection` objects."""

    def __init__(self):
        self.collections = {}

    def __getitem__(self, name):
        return self.collections.setdefault(name, FakeCollection())

    def command(self, name):
        return {"localTime": datetime.datetime.now()}

    def list_collection_names(self):
        return list(self.collections)


class FakeClient:
    """A pymongo client with one in-memory database."""

    def __init__(self):
        self.database = FakeDatabase()

    def __getitem__(self, database_name):
        return self.database

    def close(self):
        pass


def _communicator(client):
    return MongoCommunicator(client=client, poll_interval=0.01)


class BudgetAwareEvaluator:
    """Raises for evaluation 1, returns unencodable results for evaluation 2, otherwise
    scores the evaluation id and reports its budget."""

    def eval(self, inputs, outputs):
        context = current_evaluation()
        time.sleep(0.01)
        if context.evaluation_id == 1:
            raise RuntimeError("boom")
        return {"validation_accuracy": context.evaluation_id / 10.0,
                "budget": context.budget if context.evaluation_id != 2 else object()}


def _start_workers(client, search_id, num_workers):
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(me.serve_mongo(
        _communicator(client), search_id, search_space, BudgetAwareEvaluator)))
        for _ in range(num_workers)]
    for thread in threads:
        thread.start()
    return threads, counts


def _search(client, tmp_path, name, num_workers, num_samples, **kwargs):
    executor = me.MongoExecutor(_communicator(client), name, num_workers, poll_interval=0.01)
    searcher = CountingSearcher(search_space)
    return searcher, run_search(searcher, None, num_samples, str(tmp_path), name,
                                executor=executor, show_progress=False, **kwargs)


def _search_with_two_workers(client, tmp_path, name, num_samples):
    threads, counts = _start_workers(client, name, 2)
    searcher, results = _search(client, tmp_path, name, 2, num_samples)
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    return searcher, results, counts


def test_workers_in_threads_run_the_search_and_stop_at_the_end(tmp_path):
    client = FakeClient()
    searcher, results, counts = _search_with_two_workers(client, tmp_path, "s", 6)
    assert results[1]["failure_kind"] == EXCEPTION and "boom" in results[1]["failure_reason"]
    assert results[2]["failure_kind"] == INVALID_RESULTS
    good = [0, 3, 4, 5]
    assert [results[i]["validation_accuracy"] for i in good] == [i / 10.0 for i in good]
    assert sorted(u[0] for u in searcher.updates) == good
    assert len(counts) == 2 and sum(counts) == 6
    jobs = client.database[me.jobs_topic("s")].documents
    # Every job and both stop documents were claimed and finished.
    assert all(d[STARTTIME_KEY] is not None and d[ENDTIME_KEY] is not None for d in jobs)
    assert sum(1 for d in jobs if d[DATA_KEY].get(me.STOP_KEY)) == 2


def test_jobs_nobody_takes_time_out_and_close_leaves_stops_for_late_workers(tmp_path):
    client = FakeClient()
    searcher, results = _search(client, tmp_path, "late", 2, 2, timeout=0.2)
    assert [r["failure_kind"] for r in results] == [TIMEOUT, TIMEOUT]
    jobs = client.database[me.jobs_topic("late")]
    assert [d[DATA_KEY] for d in jobs.documents] == [{me.STOP_KEY: True}] * 2
    # A worker joining after the search stops at once, evaluating nothing.
    assert me.serve_mongo(_communicator(client), "late", search_space,
                          BudgetAwareEvaluator) == 0


def test_only_the_first_answer_of_the_attempt_in_flight_counts():
    client = FakeClient()
    executor = me.MongoExecutor(_communicator(client), "dup", 1, poll_interval=0.01)
    executor.start(None)
    job = Job(0, 2, [0, 1], budget=3.0)
    executor.submit(job, None)
    answers = client.database[me.results_topic("dup")]
    for attempt, score in ((1, 0.1), (2, 0.2), (2, 0.3)):  # stale, current, duplicate
        answers.insert_one({DATA_KEY: {"results": {"validation_accuracy": score},
                                       "evaluation_id": 0,
                                       "job_info": {"attempt": attempt, "budget": 3.0}},
                            STARTTIME_KEY: None, ENDTIME_KEY: None})
    [outcome] = executor.wait()
    assert outcome.job == job and outcome.results == {"validation_accuracy": 0.2}
    with pytest.raises(DeepArchitectError, match="no job in flight"):
        executor.wait()


def test_bad_arguments_are_rejected():
    with pytest.raises(DeepArchitectError, match="num_workers"):
        me.MongoExecutor(_communicator(FakeClient()), "s", 0)
    with pytest.raises(DeepArchitectError, match="search_id"):
        me.MongoExecutor(_communicator(FakeClient()), "", 1)


def _server_client():
    pymongo = pytest.importorskip("pymongo")
    client = pymongo.MongoClient("localhost", 27017, serverSelectionTimeoutMS=300)
    try:
        client.admin.command("ping")
    except pymongo.errors.PyMongoError:
        pytest.skip("no MongoDB server on localhost:27017")
    return client


def test_a_search_through_a_real_mongodb_server(tmp_path):
    _, results, counts = _search_with_two_workers(_server_client(), tmp_path,
                                                  "deep_architect_test", 4)
    assert sum(counts) == 4 and results[1]["failure_kind"] == EXCEPTION
