"""TabularEvaluator looks architectures up; the bundled table covers its whole space."""

from __future__ import annotations

import gzip
import json
import random

import numpy as np
import pytest

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.analysis import fingerprint
from deep_architect.contrib.benchmarks import tabular
from deep_architect.contrib.benchmarks.generate_nb201_digits import table_space
from deep_architect.contrib.benchmarks.nb201_space import EDGES, OPS, live_edges, nb201_net
from deep_architect.errors import DeepArchitectError
from deep_architect.specify import specify


def _built(value_list, space=table_space):
    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    specify(outputs, value_list)
    return inputs, outputs


def _write_table(path, entries, fmt=tabular.TABLE_FORMAT):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({"format": fmt, "space": "test", "seeds": [0, 1], "entries": entries}, f)


def _entry(value_list, accuracies):
    return {"value_list": value_list, "num_parameters": 7,
            "validation_accuracy": accuracies, "test_accuracy": [0.1, 0.3],
            "training_time": [1.0, 3.0]}


def test_lookup_by_fingerprint_mean_or_one_seed(tmp_path):
    value_list = ["nor_conv_3x3"] * 6
    fp = fingerprint(*_built(value_list))
    path = str(tmp_path / "t.json.gz")
    _write_table(path, {fp: _entry(value_list, [0.5, 0.7])})
    mean = tabular.TabularEvaluator(path).eval(*_built(value_list))
    assert mean["validation_accuracy"] == pytest.approx(0.6)
    assert mean["test_accuracy"] == pytest.approx(0.2) and mean["training_time"] == 2.0
    assert mean["num_parameters"] == 7 and mean["fingerprint"] == fp
    assert tabular.TabularEvaluator(path, seed=1).eval(*_built(value_list))[
        "validation_accuracy"] == 0.7


def test_missing_architecture_and_bad_tables_get_messages(tmp_path):
    path = str(tmp_path / "t.json.gz")
    _write_table(path, {"0" * 32: _entry([], [0.5, 0.5])})
    with pytest.raises(DeepArchitectError, match="is not in the table"):
        tabular.TabularEvaluator(path).eval(*_built(["skip_connect"] * 6))
    with pytest.raises(DeepArchitectError, match="seed 5 is not in the table"):
        tabular.TabularEvaluator(path, seed=5)
    with pytest.raises(DeepArchitectError, match="no table at"):
        tabular.load_table(str(tmp_path / "missing.json.gz"))
    (tmp_path / "plain.json.gz").write_text("not gzip")
    with pytest.raises(DeepArchitectError, match="not a gzip-compressed JSON table"):
        tabular.load_table(str(tmp_path / "plain.json.gz"))
    _write_table(str(tmp_path / "old.json.gz"), {}, fmt="other")
    with pytest.raises(DeepArchitectError, match="has format 'other'"):
        tabular.load_table(str(tmp_path / "old.json.gz"))


def test_isomorphic_cells_share_a_fingerprint():
    # Node 1 feeds nothing that reaches node 3 except through skips: these compute
    # conv3x3(input) in every case.
    same = [
        ["none", "none", "nor_conv_3x3", "none", "none", "none"],
        ["skip_connect", "none", "none", "none", "nor_conv_3x3", "none"],
        ["nor_conv_1x1", "none", "nor_conv_3x3", "none", "none", "none"],  # node 1 is dead
    ]
    assert len({fingerprint(*_built(vs)) for vs in same}) == 1
    # Edges out of a node that receives nothing are dropped.
    assert live_edges(dict(zip(EDGES, ["none", "none", "avg_pool_3x3", "skip_connect",
                                       "nor_conv_1x1", "none"]))) == [(0, 3)]


def test_shared_edge_choices_make_stacked_cells_alike():
    # Two cells, one value per edge: the value list stays six long.
    _, outputs = _built(["avg_pool_3x3"] * 6, lambda: nb201_net(num_cells=2))
    modules = co.get_modules_with_cond(outputs, lambda m: True)
    assert sum(m.get_name().startswith("M.AvgPool3x3") for m in modules) == 2 * 6


@pytest.fixture(scope="module")
def bundled():
    return tabular.TabularEvaluator()


def test_bundled_table_covers_random_architectures(bundled):
    rng = random.Random(0)
    for _ in range(60):
        value_list = [rng.choice(OPS) for _ in EDGES]
        results = bundled.eval(*_built(value_list))
        assert 0.0 <= results["validation_accuracy"] <= 1.0
    table = bundled.table
    assert table["format"] == tabular.TABLE_FORMAT and table["seeds"] == [0, 1]
    assert table["budget"] == tabular.TRAINING_BUDGET
    assert len(table["entries"]) == 5773


def test_bundled_table_entries_replay_to_their_fingerprint(bundled):
    entries = bundled.table["entries"]
    for fp in sorted(entries)[:40]:
        assert fingerprint(*_built(entries[fp]["value_list"])) == fp


def test_bundled_table_seeds_agree_beyond_chance(bundled):
    accuracies = np.array([e["validation_accuracy"] for e in bundled.table["entries"].values()])
    # A 30-step budget is noisy (the seeds correlate at about 0.18), but not random.
    correlation = np.corrcoef(accuracies[:, 0], accuracies[:, 1])[0, 1]
    assert correlation > 0.1
    # The empty cell learns nothing; the best architectures clearly do.
    assert accuracies.mean(axis=1).min() < 0.1 < 0.4 < accuracies.mean(axis=1).max()


def test_searcher_ordering_found_by_the_regression_benchmark_holds(bundled):
    from deep_architect.contrib.benchmarks import searcher_regression as sr

    chosen = {name: sr.SEARCHERS[name] for name in ["random", "evolution"]}
    curves = sr.compare_searchers(chosen, num_seeds=10, num_evaluations=300,
                                  evaluator=bundled)
    final = {name: c[:, -1].mean() for name, c in curves.items()}
    assert final["evolution"] > final["random"]
