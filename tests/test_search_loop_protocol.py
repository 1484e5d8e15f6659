"""Tests of run_search's signature and of the searcher protocol (waiting, budgets)."""

from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_loop_toys import (
    BudgetEvaluator,
    CountingSearcher,
    ToyEvaluator,
    score_of,
    search_space,
    toy_evaluator,
)

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.search_loop import run_search
from deep_architect.searchers.common import NoSampleAvailable
from deep_architect.searchers.protocol import BUDGET_KEY, budget_of
from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing, num_evaluations


def test_deprecated_form_warns_and_runs_the_same_search(tmp_path):
    new = run_search(CountingSearcher(search_space), toy_evaluator(), 3, str(tmp_path), "new",
                     show_progress=False)
    with pytest.warns(DeprecationWarning, match="searcher already holds"):
        old = run_search(search_space, CountingSearcher(search_space), toy_evaluator(), 3,
                         str(tmp_path), "old", None, "validation_accuracy",
                         show_progress=False)
    assert [r["validation_accuracy"] for r in old] == [r["validation_accuracy"] for r in new]
    with pytest.warns(DeprecationWarning):
        with pytest.raises(DeepArchitectError, match="metric given both by position and"):
            run_search(search_space, CountingSearcher(search_space), toy_evaluator(), 3,
                       str(tmp_path), "both", None, "x", metric="y")
    with pytest.raises(DeepArchitectError, match="needs all six"):
        run_search(search_space, CountingSearcher(search_space), toy_evaluator(), 3,
                   str(tmp_path))


def test_new_form_rejects_options_by_position_and_searchers_without_a_space(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new form never warns
        with pytest.raises(DeepArchitectError, match="by keyword"):
            run_search(CountingSearcher(search_space), toy_evaluator(), 3, str(tmp_path), "s",
                       None)

    searcher = CountingSearcher(search_space)
    del searcher.search_space_fn
    with pytest.raises(DeepArchitectError, match="CountingSearcher has no search_space_fn"):
        run_search(searcher, toy_evaluator(), 3, str(tmp_path), "t")


def test_an_evaluator_instance_is_used_as_is_in_process_and_copied_to_workers(tmp_path):
    evaluator = ToyEvaluator()
    results = run_search(CountingSearcher(search_space), evaluator, 3, str(tmp_path), "in",
                         show_progress=False)
    assert [r["pid"] for r in results] == [os.getpid()] * 3
    results = run_search(CountingSearcher(search_space), evaluator, 2, str(tmp_path), "pool",
                         executor=ProcessExecutor(num_workers=1), show_progress=False)
    assert [r["validation_accuracy"] for r in results] == [score_of(0), score_of(1)]
    assert all(r["pid"] != os.getpid() for r in results)


class _WaitingSearcher(CountingSearcher):
    """Hands out one architecture, then waits for results that never come."""

    def sample(self):
        if self.num_sampled >= 1:
            raise NoSampleAvailable("waiting for a result")
        return CountingSearcher.sample(self)


def test_a_searcher_waiting_with_nothing_running_is_reported(tmp_path):
    with pytest.raises(DeepArchitectError, match="has nothing to sample after 1 of 3"):
        run_search(_WaitingSearcher(search_space, strict=False),
                   toy_evaluator(behaviours={0: "raise"}), 3, str(tmp_path), "s",
                   show_progress=False)


def test_budget_of_reads_and_checks_the_token_entry():
    assert budget_of({"idx": 0}) is None and budget_of(None) is None
    assert budget_of({BUDGET_KEY: 3}) == 3.0
    for bad in (0, -1.0, float("nan"), "4", True):
        with pytest.raises(DeepArchitectError, match="finite positive"):
            budget_of({BUDGET_KEY: bad})


@settings(max_examples=30, deadline=None)
@given(num_initial=st.integers(1, 9), factor=st.sampled_from([0.25, 0.5, 0.75, 1.0]),
       num_rounds=st.integers(1, 4), num_workers=st.integers(1, 4), seed=st.integers(0, 99))
def test_successive_narrowing_with_any_number_of_workers_hands_out_each_round_whole(
        num_initial, factor, num_rounds, num_workers, seed):
    # Simulates a loop with `num_workers` slots; results arrive in a shuffled order.
    import random

    rng = random.Random(seed)
    searcher = SuccessiveNarrowing(search_space, num_initial, factor, initial_budget=1.0,
                                   budget_increase_factor=3.0)
    total = num_evaluations(num_initial, factor, num_rounds)
    running, budgets = [], []
    while len(budgets) < total or running:
        try:
            while len(running) < num_workers and len(budgets) < total:
                token = searcher.sample()[3]
                budgets.append(token[BUDGET_KEY])
                running.append(token)
        except NoSampleAvailable:
            assert running, "the searcher waits although every result is in"
        token = running.pop(rng.randrange(len(running)))
        searcher.update(rng.random(), token)
    sizes, size = [], num_initial
    for _ in range(num_rounds):
        sizes.append(size)
        size = max(1, int(factor * size))
    assert budgets == [3.0 ** r for r, n in enumerate(sizes) for _ in range(n)]


def test_successive_narrowing_runs_under_run_search_with_two_pool_workers(tmp_path):
    searcher = SuccessiveNarrowing(search_space, 4, 0.5, initial_budget=1.0,
                                   budget_increase_factor=2.0)
    results = run_search(searcher, BudgetEvaluator(sleep=0.05), num_evaluations(4, 0.5, 3),
                         str(tmp_path), "sn", executor=ProcessExecutor(num_workers=2),
                         show_progress=False)
    assert [r["budget"] for r in results] == [1.0] * 4 + [2.0] * 2 + [4.0]
    assert len({r["pid"] for r in results}) == 2 and os.getpid() not in {r["pid"] for r in results}
    rounds = [results[:4], results[4:6], results[6:]]
    for earlier, later in zip(rounds, rounds[1:]):
        # A round starts only once every result of the previous one is in...
        assert max(r["end"] for r in earlier) <= min(r["start"] for r in later)
    # ...and its architectures are the best of the previous round.
    logs = sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "sn"))
    values = [log["config"]["hyperp_value_lst"] for log in logs]
    scores = [r["validation_accuracy"] for r in results]
    kept = [i for i in range(4) if values[i] in values[4:6]]
    assert min(scores[i] for i in kept) >= max(scores[i] for i in range(4) if i not in kept)
    assert [log["config"]["searcher_evaluation_token"][BUDGET_KEY] for log in logs] \
        == [r["budget"] for r in results]


def test_workers_get_the_users_space_function_even_through_wrapping_searchers():
    from deep_architect.search_loop import _search_space_fn_of

    inner = CountingSearcher(search_space)
    outer = CountingSearcher(inner.search_space_fn)  # like a searcher wrapping a searcher
    assert _search_space_fn_of(inner) is search_space
    assert _search_space_fn_of(outer) is search_space
