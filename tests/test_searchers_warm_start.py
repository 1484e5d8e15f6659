"""Warm start: fresh searchers take logged results and foreign tokens."""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import searcher_toys as st

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.search_loop import run_search
from deep_architect.searchers.common import warm_start
from deep_architect.searchers.mcts import MCTSSearcher
from deep_architect.searchers.random import RandomSearcher

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "original_logs", "cifar")
SAMPLE_KEYS = ("sample_id", "issuer")


def _score(inputs):
    return st.objective_count(st.describe(inputs))


def _log_search(folderpath, search_name, searcher, num_samples):
    """Runs a sample/update loop, logging each evaluation as the original's scripts did."""
    sl.create_search_folderpath(folderpath, search_name, create_parent_folders=True)
    for i in range(num_samples):
        inputs, _, vs, token = searcher.sample()
        score = _score(inputs)
        logger = sl.EvaluationLogger(folderpath, search_name, i)
        logger.log_config(vs, token)
        logger.log_results({"validation_accuracy": score})
        searcher.update(score, token)


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_a_fresh_searcher_takes_a_logged_search_then_goes_on(searcher_name, tmp_path):
    np.random.seed(4)
    folderpath = str(tmp_path)
    # Successive narrowing's tokens name places in its own queue: the same seed
    # gives the second instance the same queue, as a restarted master would have.
    rng = 5 if searcher_name == "successive_narrowing" else None
    _log_search(folderpath, "first", st.make_searcher(searcher_name, st.structured_space, rng),
                16)
    fresh = st.make_searcher(searcher_name, st.structured_space, rng)
    assert warm_start(fresh, folderpath, "first") == 16
    for _ in range(4):
        inputs, _, _, token = fresh.sample()
        fresh.update(_score(inputs), token)
    # Feeding the same folder twice in one session is using its tokens twice.
    with pytest.raises(DeepArchitectError, match="already used"):
        warm_start(fresh, folderpath, "first")


@pytest.mark.parametrize("searcher_name", ["random", "mcts", "smbo", "smbo_mcts", "evolution"])
def test_tokens_in_the_original_shapes_are_accepted(searcher_name):
    np.random.seed(6)
    first = st.make_searcher(searcher_name, st.structured_space)
    logged = []
    for _ in range(25):
        inputs, _, _, token = first.sample()
        first.update(_score(inputs), token)
        original = {k: v for k, v in token.items() if k not in SAMPLE_KEYS}
        logged.append((_score(inputs), json.loads(json.dumps(original))))
    fresh = st.make_searcher(searcher_name, st.structured_space)
    for score, token in logged:
        fresh.update(score, token)
    # Without a sample id nothing tells two uses apart: the same token is taken again.
    fresh.update(*logged[0])
    fresh.sample()


def test_mcts_expands_the_nodes_a_foreign_token_goes_through():
    np.random.seed(2)
    first = MCTSSearcher(st.structured_space)
    tokens = []
    for _ in range(40):
        inputs, _, _, token = first.sample()
        first.update(_score(inputs), token)
        tokens.append((_score(inputs), token))
    assert max(len(t["tree_hist"]) for _, t in tokens) >= 3
    fresh = MCTSSearcher(st.structured_space)
    for score, token in tokens:
        fresh.update(score, token)
    # Same trials, same scores: the rebuilt tree is the original one.
    def stats(node):
        return [node.num_trials, round(node.sum_scores, 9),
                [stats(c) for c in node.children or ()]]
    assert stats(fresh.mcts_root_node) == stats(first.mcts_root_node)


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_what_is_really_wrong_is_still_rejected(searcher_name):
    np.random.seed(8)
    rng = 5 if searcher_name == "successive_narrowing" else None
    first = st.make_searcher(searcher_name, st.structured_space, rng)
    _, _, _, token = first.sample()
    fresh = st.make_searcher(searcher_name, st.structured_space, rng)
    for bad_val in [math.nan, math.inf, "0.5", None, True]:
        with pytest.raises(DeepArchitectError, match="val"):
            fresh.update(bad_val, token)
    for bad_token in [None, [1, 2], "token", dict(token, sample_id="3"),
                      dict(token, issuer=7)]:
        with pytest.raises(DeepArchitectError, match="token"):
            fresh.update(1.0, bad_token)
    fresh.update(1.0, token)
    with pytest.raises(DeepArchitectError, match="already used"):
        fresh.update(1.0, token)


def test_malformed_token_contents_get_messages():
    with pytest.raises(DeepArchitectError, match="tree_hist"):
        MCTSSearcher(st.structured_space).update(1.0, {"tree_hist": [99], "rollout_hist": []})
    with pytest.raises(DeepArchitectError, match="tree_hist"):
        MCTSSearcher(st.structured_space).update(1.0, {"tree_hist": "0"})
    with pytest.raises(DeepArchitectError, match="lacks the keys.*vs"):
        st.make_searcher("smbo", st.structured_space).update(1.0, {"all_vs": []})
    with pytest.raises(DeepArchitectError, match="lists"):
        st.make_searcher("evolution", st.structured_space).update(
            1.0, {"user_vs": 3, "all_vs": []})


def test_warm_start_reads_the_original_librarys_folder():
    searcher = RandomSearcher(st.structured_space)
    assert warm_start(searcher, FIXTURES, "random_run") == 1
    # The mcts run has two finished evaluations and one still running.
    assert warm_start(RandomSearcher(st.structured_space), FIXTURES, "mcts_run") == 2


def test_warm_start_skips_or_scores_failures_and_names_the_culprit(tmp_path):
    folderpath = str(tmp_path)
    space = st.structured_space
    run_search(RandomSearcher(space), st_evaluator(), 4, folderpath, "s", show_progress=False)
    logger = sl.EvaluationLogger(folderpath, "s", 4)
    logger.log_config([0], {})
    logger.log_results({"validation_accuracy": math.nan})
    assert warm_start(RandomSearcher(space), folderpath, "s") == 4
    assert warm_start(RandomSearcher(space), folderpath, "s", failure_value=0.0) == 5
    with pytest.raises(DeepArchitectError, match="evaluation 0 of .*lacks the keys"):
        warm_start(MCTSSearcher(space), folderpath, "s")
    with pytest.raises(DeepArchitectError, match="search folder"):
        warm_start(RandomSearcher(space), folderpath, "missing")


class _Evaluator:
    def eval(self, inputs, outputs):
        return {"validation_accuracy": _score(inputs)}


def st_evaluator():
    return _Evaluator
