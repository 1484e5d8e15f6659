"""Tests of the Ray executor on a local two-CPU Ray instance shared by the module."""

from __future__ import annotations

import os

import pytest
from pruning_toys import EveryOtherPruner, WaitForPruningEvaluator, curve_space
from search_loop_toys import CountingSearcher, score_of, search_space, toy_evaluator

from deep_architect.executors.common import EXCEPTION, TIMEOUT, WORKER_DIED
from deep_architect.executors.ray_cluster import RayExecutor
from deep_architect.search_loop import is_failed_results, run_search

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    # Ray workers import the toys by name, like a cluster's workers import user code.
    tests_folderpath = os.path.dirname(os.path.abspath(__file__))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": tests_folderpath}})
    yield
    ray.shutdown()


def test_ray_search_runs_in_parallel_and_records_failures(local_ray, tmp_path):
    executor = RayExecutor()
    searcher = CountingSearcher(search_space)
    behaviours = {1: "raise", 2: "die", 3: "hang"}
    results = run_search(searcher,
                         toy_evaluator(sleep=0.2, behaviours=behaviours), 7, str(tmp_path), "s",
                         executor=executor, timeout=8.0, show_progress=False)
    assert executor.capacity == 2
    assert results[1]["failure_kind"] == EXCEPTION
    assert "toy failure" in results[1]["failure_reason"]
    assert results[2]["failure_kind"] == WORKER_DIED
    assert results[3]["failure_kind"] == TIMEOUT
    good = [results[i] for i in (0, 4, 5, 6)]
    assert [r["validation_accuracy"] for r in good] == [score_of(i) for i in (0, 4, 5, 6)]
    assert all(r["pid"] != os.getpid() for r in good)
    assert sorted(u[0] for u in searcher.updates) == [0, 4, 5, 6]
    # A session the caller started stays up after the search.
    assert ray.is_initialized()


def test_ray_resources_limit_concurrency(local_ray, tmp_path):
    executor = RayExecutor(num_cpus=2)
    results = run_search(CountingSearcher(search_space), toy_evaluator(), 3,
                         str(tmp_path), "s", executor=executor, show_progress=False)
    assert executor.capacity == 1
    assert not any(is_failed_results(r) for r in results)


def test_ray_tasks_prune_from_each_others_logged_values(local_ray, tmp_path):
    # Odd evaluations are pruned only once they read an even evaluation's
    # values, logged by another Ray worker in the shared search folder.
    results = run_search(CountingSearcher(curve_space), WaitForPruningEvaluator, 4,
                         str(tmp_path), "s", executor=RayExecutor(), show_progress=False,
                         pruner=EveryOtherPruner())
    assert [bool(r.get("pruned")) for r in results] == [False, True, False, True]
