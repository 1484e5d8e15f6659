"""Tests of the communicators as executors of run_search (file: threads and processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_loop_toys import CountingSearcher, search_space

import deep_architect.search_logging as sl
from deep_architect.contrib.communicators import executor as ce
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.common import (
    EXCEPTION,
    INVALID_RESULTS,
    TIMEOUT,
    Job,
    Outcome,
    current_evaluation,
)
from deep_architect.search_loop import run_search
from deep_architect.searchers.protocol import BUDGET_KEY
from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing, num_evaluations

pytest.importorskip("portalocker")
from deep_architect.contrib.communicators.file_communicator import FileCommunicator  # noqa: E402

TESTS_FOLDERPATH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_WORKER = "import sys, search_loop_toys as t; t.communicator_worker_main(*sys.argv[1:])"

json_values = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


@settings(max_examples=40, deadline=None)
@given(vs=st.lists(json_values, max_size=5), evaluation_id=st.integers(0, 10**6),
       attempt=st.integers(1, 5), budget=st.none() | st.floats(0.1, 100),
       failed=st.booleans(), score=st.floats(0, 1))
def test_jobs_and_outcomes_survive_a_json_round_trip(vs, evaluation_id, attempt, budget,
                                                     failed, score):
    job = Job(evaluation_id, attempt, vs, budget)
    sent = json.loads(json.dumps(ce.job_to_message(job)))
    assert ce.job_from_message(*sent) == job
    outcome = (Outcome(job, failure_kind=EXCEPTION, failure_reason="boom", failure_details="tb")
               if failed else Outcome(job, results={"validation_accuracy": score}))
    results, answered_id, info = json.loads(json.dumps(ce.outcome_to_message(outcome)))
    assert answered_id == evaluation_id
    assert ce.outcome_from_message(job, results, info) == outcome


class DelayEvaluator:
    """Sleeps ``delays[evaluation_id]`` seconds; raises for evaluation ids in ``failing``;
    returns results JSON cannot encode for those in ``unencodable``."""

    def __init__(self, delays=None, failing=(), unencodable=()):
        self.delays = delays or {}
        self.failing = failing
        self.unencodable = unencodable

    def eval(self, inputs, outputs):
        context = current_evaluation()
        time.sleep(self.delays.get(context.evaluation_id, 0.01))
        if context.evaluation_id in self.failing:
            raise RuntimeError(f"failure in evaluation {context.evaluation_id}")
        return {"validation_accuracy": context.evaluation_id / 10.0,
                "thread": threading.get_ident() if context.evaluation_id not in self.unencodable
                else object()}


def _start_thread_workers(dirname, num_workers, evaluator):
    master = FileCommunicator(num_workers + 1, dirname=dirname)
    workers = [FileCommunicator(num_workers + 1, dirname=dirname) for _ in range(num_workers)]
    counts = {}
    threads = [threading.Thread(
        target=lambda w=w: counts.__setitem__(w.get_rank(), ce.serve(w, search_space, evaluator)))
        for w in workers]
    for thread in threads:
        thread.start()
    return master, threads, counts


def test_failures_and_timeouts_come_back_as_outcomes_and_every_worker_stops(tmp_path):
    # Margins are generous: a loaded machine must not turn a 10 ms evaluation into a timeout.
    evaluator = DelayEvaluator(delays={2: 4.0}, failing={1}, unencodable={3})
    master, threads, counts = _start_thread_workers(str(tmp_path / "comm"), 2, evaluator)
    searcher = CountingSearcher(search_space)
    results = run_search(searcher, None, 6, str(tmp_path), "s", timeout=2.0,
                         executor=ce.CommunicatorExecutor(master), show_progress=False)
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert results[1]["failure_kind"] == EXCEPTION
    assert "failure in evaluation 1" in results[1]["failure_reason"]
    assert "RuntimeError" in results[1]["failure_details"]
    assert results[2]["failure_kind"] == TIMEOUT
    assert results[3]["failure_kind"] == INVALID_RESULTS
    assert "cannot be sent to the master" in results[3]["failure_reason"]
    good = [0, 4, 5]
    assert [results[i]["validation_accuracy"] for i in good] == [i / 10.0 for i in good]
    assert sorted(u[0] for u in searcher.updates) == good
    # The timed-out evaluation still ran to its end on its worker: 6 jobs in all.
    assert sum(counts.values()) == 6 and master.finished == 2


def test_the_master_needs_no_evaluator_only_with_communicators(tmp_path):
    with pytest.raises(DeepArchitectError, match="evaluator_fn None"):
        run_search(CountingSearcher(search_space), None, 1, str(tmp_path), "s")
    master = FileCommunicator(2, dirname=str(tmp_path / "c"))
    worker = FileCommunicator(2, dirname=str(tmp_path / "c"))
    with pytest.raises(DeepArchitectError, match="is a worker; workers call serve"):
        ce.CommunicatorExecutor(worker)
    with pytest.raises(DeepArchitectError, match="is the master"):
        ce.serve(master, search_space, DelayEvaluator())


def _environment():
    # The toys' folder, then the checkout under test (not an installed copy).
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [TESTS_FOLDERPATH, os.path.dirname(TESTS_FOLDERPATH), os.environ.get("PYTHONPATH", "")])
    return environment


def test_successive_narrowing_with_budgets_on_two_file_worker_processes(tmp_path):
    dirname = str(tmp_path / "comm")
    master = FileCommunicator(3, dirname=dirname)  # rank 0: created before the workers
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, dirname, "3"],
                                env=_environment()) for _ in range(2)]
    searcher = SuccessiveNarrowing(search_space, 4, 0.5, initial_budget=1.0,
                                   budget_increase_factor=2.0)
    # The time limit turns workers that cannot start into failures, not a hang.
    results = run_search(searcher, None, num_evaluations(4, 0.5, 2), str(tmp_path), "sn",
                         executor=ce.CommunicatorExecutor(master, close_timeout=10),
                         timeout=60, show_progress=False)
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    assert [r["budget"] for r in results] == [1.0] * 4 + [2.0] * 2
    assert {r["pid"] for r in results} <= {w.pid for w in workers}
    assert max(r["end"] for r in results[:4]) <= min(r["start"] for r in results[4:])
    logs = sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "sn"))
    assert [log["config"]["searcher_evaluation_token"][BUDGET_KEY] for log in logs] \
        == [r["budget"] for r in results]
