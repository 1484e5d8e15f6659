"""Latency tables, the latency penalty and latency-constrained search."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.hardware import LatencyTable, latency_penalty  # noqa: E402
from deep_architect.hardware.latency_table import module_key  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.common import enumerate_value_lists, specify  # noqa: E402
from deep_architect.searchers.constrained import ConstrainedSearcher  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402


def space():
    return mo.siso_sequential([
        hpt.siso_pytorch_module_from_pytorch_layer_fn(
            nn.Linear, {"in_features": 64, "out_features": hp.Discrete([8, 512])}),
        hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {}),
        mo.siso_optional(lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(
            nn.LazyLinear, {"out_features": 256}), hp.Bool()),
        hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.LazyLinear, {"out_features": 10}),
    ])


def architecture(vs):
    inputs, outputs = space()
    specify(outputs, vs)
    return inputs, outputs


def small_table(path=None):
    return LatencyTable((64,), filepath=path, batch_size=4, num_warmup=1, num_repeats=3)


def test_predict_sums_one_entry_per_module_and_measures_each_entry_once(tmp_path):
    table = small_table()
    all_vs = list(enumerate_value_lists(space))
    predictions = [table.predict(*architecture(vs)) for vs in all_vs]
    # Modules: two Linear widths, their two ReLUs, the optional layer, and the
    # classifier seeing 8 or 512 or 256 features.
    assert len(table) == table.num_measured == 2 + 2 + 2 + 3
    assert all(p > 0 for p in predictions)
    again = [table.predict(*architecture(vs)) for vs in all_vs]
    assert again == predictions and table.num_measured == 9
    num_modules = set()
    for vs, p in zip(all_vs, predictions):
        _, _, modules = table._compiled_modules(*architecture(vs))
        num_modules.add(len(modules))
        assert p == pytest.approx(sum(table.entries[module_key(m)] for m in modules))
    assert num_modules == {3, 4}
    keys = sorted(table.entries)
    assert any(k.startswith("Linear|") and '"out_features": 512' in k for k in keys)
    assert any(k.startswith("LazyLinear|") and "[4, 256]" in k for k in keys)


def test_saved_table_is_reused_and_merged_never_overwritten(tmp_path):
    path = str(tmp_path / "latency.json")
    vs_a, vs_b = list(enumerate_value_lists(space))[::3][:2]
    first = small_table(path)
    first.predict(*architecture(vs_a))
    first.save()
    data = json.loads(open(path).read())
    assert data["batch_size"] == 4 and data["unit"] == "milliseconds"
    second = small_table(path)
    assert second.entries == first.entries
    second.predict(*architecture(vs_a))
    assert second.num_measured == 0
    # Another process adds entries to the file; saving keeps them.
    other = small_table()
    other.entries = {"Made|{}|{}": 1.5}
    other.save(path)
    second.predict(*architecture(vs_b))
    second.save()
    merged = small_table(path).entries
    assert merged["Made|{}|{}"] == 1.5 and len(merged) == len(second.entries) + 1


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not readable JSON"),
    ('{"format": "something else"}', "format"),
    ('{"format": "deep_architect.latency_table", "version": 1, "entries": {"a": -1}}',
     "non-negative"),
])
def test_corrupt_table_files_get_a_message_and_stay_untouched(tmp_path, content, reason):
    path = tmp_path / "latency.json"
    path.write_text(content)
    with pytest.raises(DeepArchitectError, match="latency.json.*corrupt.*" + reason):
        small_table(str(path))
    table = small_table()
    table.entries = {"Made|{}|{}": 1.0}
    with pytest.raises(DeepArchitectError, match="corrupt.*left untouched"):
        table.save(str(path))
    assert path.read_text() == content
    assert not os.path.exists(str(path) + ".tmp")


def test_a_table_of_other_settings_is_refused(tmp_path):
    path = str(tmp_path / "latency.json")
    table = small_table(path)
    table.entries = {"Made|{}|{}": 1.0}
    table.save()
    with pytest.raises(DeepArchitectError, match="measured with.*batch_size.*4"):
        LatencyTable((64,), filepath=path, batch_size=8)


def test_bad_arguments_are_messaged():
    with pytest.raises(DeepArchitectError, match="num_threads must be an int >= 1"):
        LatencyTable((64,), num_threads=0)
    with pytest.raises(DeepArchitectError, match="timer must be 'wall', or 'cpu' with num_thr"):
        LatencyTable((64,), num_threads=2, timer="cpu")
    assert LatencyTable((64,), num_threads=2).timer == "wall"
    assert LatencyTable((64,)).timer == "cpu"
    with pytest.raises(DeepArchitectError, match="example_shape"):
        LatencyTable(64)
    with pytest.raises(DeepArchitectError, match="latency target must be > 0"):
        latency_penalty(0.9, 3.0, 0.0)
    with pytest.raises(DeepArchitectError, match="latency target must be > 0"):
        latency_penalty(0.9, 3.0, -1.0)
    with pytest.raises(DeepArchitectError, match="max_cost.*positive"):
        ConstrainedSearcher(RandomSearcher(space), lambda i, o: 1.0, max_cost=0)


def test_latency_penalty_values():
    assert latency_penalty(0.8, 5.0, 10.0) == 0.8
    assert latency_penalty(0.8, 10.0, 10.0) == 0.8
    assert latency_penalty(0.8, 40.0, 10.0) == pytest.approx(0.8 * 0.25 ** 1.5)
    assert latency_penalty(0.8, 40.0, 10.0, exponent=0) == 0.8


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1), st.floats(0.01, 100), st.floats(0.01, 100), st.floats(0.01, 100),
       st.floats(0, 4))
def test_latency_penalty_never_rewards_being_slower(acc, lat_a, lat_b, target, exponent):
    slow, fast = max(lat_a, lat_b), min(lat_a, lat_b)
    assert latency_penalty(acc, slow, target, exponent) <= latency_penalty(
        acc, fast, target, exponent) <= acc


class RecordingEvaluator:
    trained = []

    def eval(self, inputs, outputs):
        RecordingEvaluator.trained.append(None)
        return {"validation_accuracy": 0.5}


def test_latency_constrained_search_never_trains_an_over_budget_architecture(tmp_path):
    table = small_table()
    all_vs = list(enumerate_value_lists(space))
    latencies = sorted(table.predict(*architecture(vs)) for vs in all_vs)
    budget = latencies[len(latencies) // 2 - 1]  # about half the space is over budget
    np.random.seed(0)
    searcher = ConstrainedSearcher(RandomSearcher(space), table.predict, budget)
    RecordingEvaluator.trained = []
    results = run_search(searcher, RecordingEvaluator, 8, str(tmp_path), "s",
                         show_progress=False)
    assert len(results) == len(RecordingEvaluator.trained) == 8
    assert searcher.num_rejected > 0
    assert searcher.num_drawn == 8 + searcher.num_rejected
    for i in range(8):
        with open(tmp_path / "s" / "evaluations" / ("x%d" % i) / "config.json") as f:
            config = json.load(f)
        assert table.predict(*architecture(config["hyperp_value_lst"])) <= budget
        assert config["searcher_evaluation_token"]["cost"] <= budget


def test_constrained_searcher_gives_up_with_a_message_when_nothing_fits():
    searcher = ConstrainedSearcher(RandomSearcher(space), lambda i, o: 5.0, 1.0,
                                   max_attempts=7)
    with pytest.raises(DeepArchitectError, match="7 consecutive.*max_cost=1.0.*5.0"):
        searcher.sample()
    assert searcher.num_rejected == 7


@pytest.mark.parametrize("name", ["deep_architect.hardware.latency_table",
                                  "deep_architect.hardware.objectives",
                                  "deep_architect.searchers.constrained",
                                  "deep_architect.searchers.wrapper"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    np.random.seed(0)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
