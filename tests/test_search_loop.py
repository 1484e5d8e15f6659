"""Tests of deep_architect.search_loop with the in-process and process-pool executors."""

from __future__ import annotations

import doctest
import importlib
import os
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_loop_toys import (
    CountingSearcher,
    StatelessCountingSearcher,
    score_of,
    search_space,
    toy_evaluator,
)

import deep_architect.search_logging as sl
from deep_architect import gpus
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.common import (
    EXCEPTION,
    INVALID_RESULTS,
    TIMEOUT,
    WORKER_DIED,
    current_evaluation,
)
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.search_loop import is_failed_results, run_search


def _run(folder, name, num_samples, searcher=None, **kwargs):
    evaluator_kwargs = kwargs.pop("evaluator", {})
    searcher = CountingSearcher(search_space) if searcher is None else searcher
    results = run_search(searcher, toy_evaluator(**evaluator_kwargs), num_samples,
                         str(folder), name, show_progress=False, **kwargs)
    return searcher, results


def test_in_process_search_logs_every_evaluation_and_updates_once(tmp_path):
    searcher, results = _run(tmp_path, "s", 5)
    assert [r["validation_accuracy"] for r in results] == [score_of(i) for i in range(5)]
    logs = sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "s"))
    assert len(logs) == 5
    for i, log in enumerate(logs):
        assert log["config"]["searcher_evaluation_token"] == {"sample_index": i}
        assert log["results"]["evaluation_id"] == i
        assert log["results"]["pid"] == os.getpid()
    assert sorted(searcher.updates) == [[i, score_of(i)] for i in range(5)]
    assert current_evaluation() is None


def test_rerun_continues_and_never_redoes_finished_evaluations(tmp_path):
    watch = {"watch_folder": (str(tmp_path), "s")}
    _run(tmp_path, "s", 3, evaluator=watch)
    searcher, results = _run(tmp_path, "s", 6, evaluator=watch)
    assert [r["evaluation_id"] for r in results] == list(range(6))
    # The restored searcher knows all six samples and updates, each once.
    assert searcher.num_sampled == 6
    assert sorted(u[0] for u in searcher.updates) == list(range(6))
    search_folder = sl.get_search_folderpath(str(tmp_path), "s")
    assert not os.path.exists(os.path.join(search_folder, "REDONE"))
    # A finished search only reads back its results.
    _, again = _run(tmp_path, "s", 6, evaluator=watch)
    assert again == results
    with open(os.path.join(search_folder, "STARTS")) as f:
        assert sorted(int(line) for line in f) == list(range(6))


def test_searcher_without_save_state_is_restored_by_replay(tmp_path):
    _run(tmp_path, "s", 3, searcher=StatelessCountingSearcher(search_space))
    searcher, _ = _run(tmp_path, "s", 5, searcher=StatelessCountingSearcher(search_space))
    # Three replayed updates, then the two new evaluations.
    assert [u[1] for u in searcher.updates] == [score_of(i) for i in range(5)]


def _expected_failure(behaviour):
    return {"raise": EXCEPTION, "nan": INVALID_RESULTS, "noscore": INVALID_RESULTS,
            "notdict": INVALID_RESULTS}.get(behaviour)


def _metric_seen_before_noscore(behaviours):
    # A result lacking the metric before any result had it stops the search
    # (a misspelt metric; see test_misspelt_metric_stops_the_search).
    if "noscore" not in behaviours:
        return True
    return any(b in ("ok", "nan") for b in behaviours[:behaviours.index("noscore")])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(behaviours=st.lists(st.sampled_from(["ok", "raise", "nan", "noscore", "notdict"]),
                           min_size=1, max_size=5).filter(_metric_seen_before_noscore),
       failure_value=st.sampled_from([None, -1.0]))
def test_failures_are_logged_with_their_kind_and_the_search_goes_on(
        tmp_path_factory, behaviours, failure_value):
    folder = tmp_path_factory.mktemp("fail")
    searcher, results = _run(folder, "s", len(behaviours), failure_value=failure_value,
                             evaluator={"behaviours": dict(enumerate(behaviours))})
    assert len(results) == len(behaviours)
    expected_updates = []
    for i, (behaviour, r) in enumerate(zip(behaviours, results)):
        kind = _expected_failure(behaviour)
        assert is_failed_results(r) == (kind is not None)
        if kind is None:
            expected_updates.append([i, score_of(i)])
        else:
            assert r["failure_kind"] == kind and r["num_attempts"] == 1
            assert r["failure_reason"]
            if failure_value is not None:
                expected_updates.append([i, failure_value])
    assert searcher.updates == expected_updates


def test_failure_reasons_are_clear(tmp_path):
    behaviours = {0: "raise", 1: "nan", 2: "noscore", 3: "notdict"}
    _, results = _run(tmp_path, "s", 4, evaluator={"behaviours": behaviours})
    assert "RuntimeError: toy failure in evaluation 0" in results[0]["failure_reason"]
    assert "Traceback" in results[0]["failure_details"]
    assert "'validation_accuracy'" in results[1]["failure_reason"]
    assert "nan" in results[1]["failure_reason"]
    assert "no 'validation_accuracy' entry" in results[2]["failure_reason"]
    assert "expected a dict" in results[3]["failure_reason"]


def test_failed_attempts_are_retried(tmp_path):
    _, results = _run(tmp_path, "s", 2, max_retries=2,
                      evaluator={"behaviours": {0: "raise", 1: "nan"}, "failing_attempts": 2})
    assert [r["attempt"] for r in results] == [3, 3]
    assert not any(is_failed_results(r) for r in results)
    _, results = _run(tmp_path, "t", 1, max_retries=1,
                      evaluator={"behaviours": {0: "raise"}, "failing_attempts": 5})
    assert results[0]["failure_kind"] == EXCEPTION and results[0]["num_attempts"] == 2


def test_in_process_timeout_interrupts_the_evaluation(tmp_path):
    _, results = _run(tmp_path, "s", 2, timeout=0.5, evaluator={"behaviours": {0: "hang"}})
    assert results[0]["failure_kind"] == TIMEOUT
    assert "0.5 s" in results[0]["failure_reason"]
    assert results[1]["validation_accuracy"] == score_of(1)


def test_process_pool_survives_death_timeout_and_exceptions(tmp_path):
    behaviours = {0: "die", 1: "hang", 2: "raise"}
    executor = ProcessExecutor(num_workers=2)
    _, results = _run(tmp_path, "s", 6, executor=executor, timeout=3.0,
                      evaluator={"behaviours": behaviours, "sleep": 0.05})
    assert results[0]["failure_kind"] == WORKER_DIED
    assert "exited with code 3" in results[0]["failure_reason"]
    assert results[1]["failure_kind"] == TIMEOUT
    assert results[2]["failure_kind"] == EXCEPTION
    good = results[3:]
    assert [r["validation_accuracy"] for r in good] == [score_of(i) for i in range(3, 6)]
    assert all(r["pid"] != os.getpid() for r in good)


def test_process_pool_fresh_workers_and_gpu_pinning(tmp_path, monkeypatch):
    monkeypatch.setattr(gpus, "get_total_num_gpus", lambda: 2)
    environment_before = os.environ.get("CUDA_VISIBLE_DEVICES")
    executor = ProcessExecutor(gpu_ids="auto", max_evaluations_per_worker=1)
    assert executor.capacity == 2
    _, results = _run(tmp_path, "s", 4, executor=executor, max_retries=1,
                      evaluator={"behaviours": {1: "die"}, "failing_attempts": 1})
    # One fresh process per evaluation (the retried one included), each seeing one GPU.
    assert len({r["pid"] for r in results}) == 4
    assert {r["cuda_visible_devices"] for r in results} <= {"0", "1"}
    assert results[1]["attempt"] == 2
    assert os.environ.get("CUDA_VISIBLE_DEVICES") == environment_before


def test_bad_input_is_rejected_with_clear_errors(tmp_path):
    with pytest.raises(DeepArchitectError, match="num_samples"):
        _run(tmp_path, "s", -1)
    with pytest.raises(DeepArchitectError, match="timeout"):
        _run(tmp_path, "s", 1, timeout=0)
    with pytest.raises(DeepArchitectError, match="evaluator_fn"):
        run_search(CountingSearcher(search_space), 3, 1, str(tmp_path), "s")
    with pytest.raises(DeepArchitectError, match="picklable"):
        run_search(CountingSearcher(search_space), lambda: None, 1,
                   str(tmp_path), "p", executor=ProcessExecutor(num_workers=1),
                   show_progress=False)
    with pytest.raises(DeepArchitectError, match="gpu_ids"):
        ProcessExecutor(gpu_ids=[-1])
    logger = sl.EvaluationLogger(str(tmp_path), "foreign", 0)
    logger.log_config([0], {})
    with pytest.raises(DeepArchitectError, match="not created by run_search"):
        _run(tmp_path, "foreign", 1)


def test_a_second_live_run_on_the_same_folder_is_refused(tmp_path):
    first = threading.Thread(target=_run, args=(tmp_path, "s", 1),
                             kwargs={"evaluator": {"sleep": 1.5}})
    first.start()
    config = os.path.join(sl.get_evaluation_folderpath(str(tmp_path), "s", 0), "config.json")
    while not os.path.exists(config):
        time.sleep(0.01)
    with pytest.raises(DeepArchitectError, match="another process is running a search"):
        _run(tmp_path, "s", 1)
    first.join()
    assert _run(tmp_path, "s", 1)[1][0]["evaluation_id"] == 0


@pytest.mark.parametrize("name", [
    "deep_architect.search_loop",
    "deep_architect.executors.in_process",
    "deep_architect.executors.process_pool",
    "deep_architect.contrib.communicators.file_utils",
    "deep_architect.searchers.protocol",
    "deep_architect.executors.common",
    "deep_architect.searchers.successive_narrowing",
])
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
