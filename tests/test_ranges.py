"""Tests of the range hyperparameters hp.Int and hp.Float and their use by specify/enumerate."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import toy
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.analysis import space_size
from deep_architect.errors import DeepArchitectError


def fresh(search_space_fn):
    return mo.SearchSpaceFactory(search_space_fn).get_search_space()


def ranged_space():
    """Ranges as a repeat count (structural), a shared module hyperparameter and a dependent."""
    h_width = hp.Int(8, 512, log=True)
    h_double = co.DependentHyperparameter(lambda d: 2 * d["w"], {"w": h_width})
    return mo.siso_sequential([
        mo.siso_repeat(lambda: toy.op("Layer", width=h_width, drop=hp.Float(0.0, 0.5)),
                       hp.Int(1, 3)),
        toy.op("Head", lr=hp.Float(1e-4, 1e-1, log=True), double=h_double),
    ])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_random_values_replay_exactly_after_a_json_round_trip(seed):
    inputs, outputs = fresh(ranged_space)
    values = seco.random_specify(outputs, rng=np.random.default_rng(seed))
    description = co.jsonify(inputs, outputs)
    logged = json.loads(json.dumps(values))
    assert logged == values  # plain JSON numbers, no NumPy scalars
    assert all(type(v) in (int, float) for v in values)
    inputs, outputs = fresh(ranged_space)
    seco.specify(outputs, logged)
    assert co.jsonify(inputs, outputs) == description


@settings(max_examples=60, deadline=None)
@given(st.integers(-1000, 1000), st.integers(0, 1000), st.integers(1, 7), st.floats(0, 1))
def test_int_from_unit_lands_on_the_grid_and_round_trips(low, span, step, u):
    h = hp.Int(low, low + span, step=step)
    val = h.from_unit(u)
    assert h.low <= val <= h.high and (val - low) % step == 0
    assert h.from_unit(h.to_unit(val)) == val
    assert 0.0 <= h.to_unit(val) <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-6, 1e3), st.floats(1.01, 1e6), st.booleans(), st.floats(0, 1))
def test_float_from_unit_stays_in_range_and_round_trips(low, factor, log, u):
    h = hp.Float(low, low * factor, log=log)
    val = h.from_unit(u)
    assert h.low <= val <= h.high
    assert h.to_unit(val) == pytest.approx(u, abs=1e-6)


def test_uniform_and_log_uniform_sampling():
    rng = np.random.default_rng(0)
    ints = [seco.random_specify_hyperparameter(hp.Int(1, 4), rng) for _ in range(4000)]
    counts = np.bincount(ints, minlength=5)[1:]
    assert all(900 < c < 1100 for c in counts), counts  # Binomial(4000, 1/4), sd 27
    logs = [seco.random_specify_hyperparameter(hp.Float(1e-4, 1.0, log=True), rng)
            for _ in range(4000)]
    # Log-uniform: each decade holds about a quarter of the draws.
    decades = np.bincount(np.floor(-np.log10(logs)).astype(int), minlength=4)[:4]
    assert all(900 < c < 1100 for c in decades), decades
    log_ints = [seco.random_specify_hyperparameter(hp.Int(1, 1000, log=True), rng)
                for _ in range(4000)]
    assert 0.4 < np.mean(np.array(log_ints) < 32) < 0.6  # sqrt(1000) is the median


def test_global_generator_drives_ranges_too():
    np.random.seed(5)
    first = seco.random_specify(fresh(ranged_space)[1])
    np.random.seed(5)
    assert seco.random_specify(fresh(ranged_space)[1]) == first


def test_bad_construction_is_rejected_with_a_message():
    cases = [
        (lambda: hp.Int(3, 1), "low must not exceed high"),
        (lambda: hp.Int(1.5, 3), "must be integers"),
        (lambda: hp.Int(1, 3, step=0), "step must be a positive integer"),
        (lambda: hp.Int(0, 8, log=True), "needs low > 0"),
        (lambda: hp.Int(1, 8, step=2, log=True), "needs step=1"),
        (lambda: hp.Float(0.0, 1.0, log=True), "needs low > 0"),
        (lambda: hp.Float(1.0, 0.5), "low must not exceed high"),
        (lambda: hp.Float(0.0, math.inf), "finite numbers"),
        (lambda: hp.Float("a", 1.0, name="lr"), "name='lr'"),
    ]
    for make, message in cases:
        with pytest.raises(DeepArchitectError, match=message):
            make()


def test_values_outside_the_range_are_rejected_on_assign_and_replay():
    with pytest.raises(DeepArchitectError, match=r"not in the range \[1, 9\] with step 2"):
        hp.Int(1, 9, step=2).assign_value(4)
    with pytest.raises(DeepArchitectError, match="not an integer"):
        hp.Int(1, 9).assign_value(2.5)
    with pytest.raises(DeepArchitectError, match="not an integer"):
        hp.Int(0, 1).assign_value(True)
    with pytest.raises(DeepArchitectError, match="not a number in the range"):
        hp.Float(0.0, 1.0).assign_value(float("nan"))
    _, outputs = fresh(ranged_space)
    with pytest.raises(DeepArchitectError, match="specify: value #0 .*Int.*not in the range"):
        seco.specify(outputs, [7, 8, 0.1, 1e-3])
    h = hp.Int(1, 5)
    h.assign_value(3.0)  # an integral float read back from a log is the int
    assert h.get_value() == 3 and type(h.get_value()) is int


def test_enumeration_and_size_of_int_spaces_and_the_float_error():
    space = lambda: mo.siso_repeat(lambda: toy.op("A", k=hp.Int(0, 4, step=2)), hp.Int(1, 2))
    lists = list(seco.enumerate_value_lists(space))
    assert lists == [[1, 0], [1, 2], [1, 4]] + [[2, a, b] for a in (0, 2, 4) for b in (0, 2, 4)]
    assert space_size(space) == 12
    assert space_size(ranged_space) == math.inf
    with pytest.raises(DeepArchitectError, match="Float, so the search space is infinite"):
        list(seco.enumerate_value_lists(ranged_space))


def test_grid_is_a_stable_discretisation():
    h = hp.Float(1e-3, 1e-1, log=True)
    assert h.grid(2) == pytest.approx([1e-3 * 10**0.5, 1e-3 * 10**1.5])
    assert hp.Int(1, 3).grid(10) == [1, 2, 3]
    with pytest.raises(DeepArchitectError, match="positive int"):
        h.grid(0)


def test_ranges_work_with_the_sharer():
    def space():
        sharer = hp.HyperparameterSharer()
        sharer.register("units", lambda: hp.Int(16, 64, step=16))
        return mo.siso_sequential([toy.op("A", u=sharer.get("units")),
                                   toy.op("B", u=sharer.get("units"))])

    inputs, outputs = fresh(space)
    values = seco.random_specify(outputs)
    assert len(values) == 1 and values[0] in (16, 32, 48, 64)
