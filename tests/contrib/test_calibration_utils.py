"""Tests for contrib/misc/calibration_utils."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_architect.contrib.misc import calibration_utils as cu
from deep_architect.errors import DeepArchitectError


def test_small_helpers():
    assert cu.map_dict({"a": 1, "b": 2}, lambda k, v: k * v) == {"a": "a", "b": "bb"}
    assert cu.zip_toggle([(1, "a"), (2, "b")]) == [(1, 2), ("a", "b")]
    with pytest.raises(DeepArchitectError, match="expected a list"):
        cu.zip_toggle(((1, 2),))
    xs = [(1, "b"), (0, "z"), (1, "a")]
    assert cu.argsort(xs, [lambda x: x[0]]) == [1, 0, 2]  # stable on ties
    assert cu.sort(xs, [lambda x: x[0], lambda x: x[1]]) == [(0, "z"), (1, "a"), (1, "b")]
    assert cu.keep_top_k([{"v": 3}, {"v": 9}, {"v": 5}], lambda d: d["v"], 2) == [{"v": 9},
                                                                                 {"v": 5}]
    assert cu.keep_top_k([3, 9, 5], lambda v: v, 1, maximizing=False) == [3]
    assert cu.apply_permutation(["a", "b", "c"], [2, 0, 1]) == ["c", "a", "b"]
    with pytest.raises(DeepArchitectError, match="permutation"):
        cu.apply_permutation(["a", "b"], [0, 0])
    assert cu.sort_sequences([["x", "y", "z"], [1, 2, 3]], [0.5, 0.9, 0.1], True) == [
        ["y", "x", "z"], [2, 1, 3]]


def test_generate_indices():
    assert cu.generate_indices(100) == [0, 1, 3, 7, 15, 31, 63]
    assert cu.generate_indices(100, max_num_indices=3) == [0, 1, 3]
    assert cu.generate_indices(10, increase_factor=3, use_multiplicative_increases=False) == [
        0, 3, 6, 9]
    assert cu.generate_indices(0) == []
    with pytest.raises(DeepArchitectError, match="> 1"):
        cu.generate_indices(10, increase_factor=1)


@settings(max_examples=50, deadline=None)
@given(times=st.lists(st.floats(0, 100), min_size=1, max_size=20, unique=True),
       q=st.floats(-10, 110))
def test_get_value_at_time_matches_linear_scan(times, q):
    times = sorted(times)
    values = [t * 2 + 1 for t in times]
    expected = [v for t, v in zip(times, values, strict=True) if t <= q]
    got = cu.get_value_at_time(q, times, values)
    assert got == (expected[-1] if expected else -math.inf)
    if not expected:
        assert cu.get_value_at_time(q, times, values, maximizing=False) == math.inf


def test_calibration_table_ranks_over_time(tmp_path, capsys):
    # Run 0 starts best and ends worst; run 2 ends best.
    times = [[1, 2, 4], [1, 2, 4], [1, 2, 4]]
    values = [[0.9, 0.9, 0.9], [0.5, 0.8, 0.95], [0.1, 0.7, 0.99]]
    path = tmp_path / "table.txt"
    lines = cu.calibration_table(times, values, start_time=0.5, num_time_instants=4,
                                 table_filepath=str(path), time_label="minutes")
    assert path.read_text().splitlines() == lines
    assert "minutes" in capsys.readouterr().out
    assert lines[1].split("|")[1].split() == ["0", "1"]  # generate_indices(3) = [0, 1]
    rows = {float(ln.split("|")[0]): ln.split("|")[1].split() for ln in lines[3:]}
    # Final rank 0 is run 2 (best .99), final rank 1 is run 1 (.95).
    assert rows[1.0] == ["2", "1"]  # at t=1 run 2 is last, run 1 in the middle
    assert rows[4.0] == ["0", "1"]  # at the end, ranks equal the final ones


def test_plots_write_files(tmp_path):
    pytest.importorskip("matplotlib")
    vi = pytest.importorskip("deep_architect.visualization")
    assert hasattr(vi, "LinePlot")
    import matplotlib
    matplotlib.use("Agg")
    rng = np.random.RandomState(0)
    times = [list(range(5)) for _ in range(6)]
    values = [list(np.cumsum(rng.rand(5))) for _ in range(6)]
    p1 = tmp_path / "time.png"
    cu.time_calibration_plot(times, values, show=False, plot_filepath=str(p1))
    p2 = tmp_path / "budget.png"
    ref = [v[-1] for v in values]
    cu.budget_calibration_plot(ref, [[v[1] for v in values]], show=False,
                               plot_filepath=str(p2), other_label_lst=["short"])
    assert p1.stat().st_size > 1000 and p2.stat().st_size > 1000
    with pytest.raises(DeepArchitectError, match="same 6 models"):
        cu.budget_calibration_plot(ref, [[1.0]], show=False)
