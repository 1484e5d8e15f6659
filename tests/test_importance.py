"""Tests of deep_architect.importance (main-effect importances of a logged search)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pruning_toys import CurveEvaluator, curve_space

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.importance import importances_from_samples, param_importances
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher


def test_the_hyperparameter_that_drives_the_score_ranks_first():
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(200):
        lr, width, act = rng.uniform(0, 1), int(rng.integers(1, 5)), str(rng.choice(["a", "b"]))
        rows.append(({"lr": lr, "width": width, "act": act}, 3 * lr + 0.3 * width))
    imp = importances_from_samples(rows)
    assert list(imp) == ["lr", "width", "act"]
    assert imp["act"] < 0.05 and sum(imp.values()) == pytest.approx(1.0)


def test_structural_presence_counts_as_a_value():
    # "drop" exists only in the structures with the optional layer, which score higher.
    rows = [({"depth": 1}, 0.1), ({"depth": 1}, 0.12), ({"depth": 1}, 0.11),
            ({"depth": 2, "drop": 0.1}, 0.9), ({"depth": 2, "drop": 0.4}, 0.92),
            ({"depth": 2, "drop": 0.2}, 0.91)]
    imp = importances_from_samples(rows)
    assert imp["depth"] > 0.4 and imp["drop"] > 0.4


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1)), min_size=2, max_size=30))
def test_importances_are_a_distribution_or_all_zero(pairs):
    imp = importances_from_samples([([a], s) for a, s in pairs])
    total = sum(imp.values())
    assert all(v >= 0 for v in imp.values())
    assert total == pytest.approx(1.0) or total == 0.0


def test_param_importances_of_a_logged_search_by_position_and_by_name(tmp_path):
    np.random.seed(0)
    run_search(RandomSearcher(curve_space), CurveEvaluator, 40, str(tmp_path), "s",
               show_progress=False)
    folder = sl.get_search_folderpath(str(tmp_path), "s")
    by_position = param_importances(folder)
    assert set(by_position) == {"value #0", "value #1", "value #2"}
    by_name = param_importances(folder, search_space_fn=curve_space)
    assert set(by_name) == {"H.Int-0", "H.Float-0", "H.Float-1"}
    # The repeat count plays no part in the toy score.
    assert by_name["H.Int-0"] < 0.1
    with pytest.raises(DeepArchitectError, match="at least 3"):
        run_search(RandomSearcher(curve_space), CurveEvaluator, 2, str(tmp_path),
                   "t", show_progress=False)
        param_importances(sl.get_search_folderpath(str(tmp_path), "t"))
