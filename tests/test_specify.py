"""Tests of deep_architect.searchers.common: random_specify, specify, enumeration, retries."""
from __future__ import annotations

import json

import numpy as np
import pytest
import toy

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError

D = hp.Discrete


def fresh(search_space_fn):
    return mo.SearchSpaceFactory(search_space_fn).get_search_space()


def test_paper_space_has_25008_distinct_architectures():
    value_lists = list(seco.enumerate_value_lists(toy.paper_space))
    assert len(value_lists) == 25008
    assert len({json.dumps(vs) for vs in value_lists}) == 25008
    # A sample of them replay to distinct, fully specified architectures.
    rng = np.random.RandomState(0)
    descriptions = set()
    for idx in rng.choice(len(value_lists), 200, replace=False):
        inputs, outputs = fresh(toy.paper_space)
        seco.specify(outputs, value_lists[idx])
        assert co.is_specified(outputs)
        descriptions.add(json.dumps(co.jsonify(inputs, outputs), sort_keys=True))
    assert len(descriptions) == 200


def naive_enumeration(search_space_fn):
    """Depth-first replay that branches on every hyperparameter (no shortcut)."""
    stack, result = [[]], []
    while stack:
        prefix = stack.pop()
        _, outputs = fresh(search_space_fn)
        it = co.unassigned_independent_hyperparameter_iterator(outputs)
        for val, h in zip(prefix, it):
            h.assign_value(val)
        nxt = next(it, None)
        if nxt is None:
            result.append(prefix)
        else:
            stack.extend(prefix + [v] for v in reversed(nxt.vs))
    return result


def small_space():
    h = D([1, 2])
    return mo.siso_sequential(
        [
            toy.op("A", k=D([1, 2])),
            mo.siso_repeat(
                lambda: mo.siso_optional(lambda: toy.op("O", r=D([3, 4])), hp.Bool()), h
            ),
            toy.op("B", j=D(["u", "v"])),
        ]
    )


def test_enumeration_shortcut_matches_naive_replay():
    assert list(seco.enumerate_value_lists(small_space)) == naive_enumeration(small_space)


def test_enumeration_skips_invalid_and_rejects_non_discrete():
    def space():
        def fn(dh):
            if dh["h"] == 2:
                raise ValueError("invalid")
            return toy.op("X")

        return mo.substitution_module("Maybe", fn, {"h": D([1, 2, 3])}, ["in"], ["out"])

    assert list(seco.enumerate_value_lists(space)) == [[1], [3]]

    class Real(co.Hyperparameter):
        def _check_value(self, val):
            pass

    with pytest.raises(DeepArchitectError, match="only Discrete"):
        list(seco.enumerate_value_lists(lambda: toy.op("A", x=Real())))


def test_random_specify_uses_the_global_numpy_rng():
    np.random.seed(3)
    _, outputs = fresh(toy.paper_space)
    first = seco.random_specify(outputs)
    np.random.seed(3)
    _, outputs = fresh(toy.paper_space)
    assert seco.random_specify(outputs) == first
    state = np.random.get_state()
    _, outputs = fresh(toy.paper_space)
    second = seco.random_specify(outputs)
    np.random.set_state(state)
    _, outputs = fresh(toy.paper_space)
    assert seco.random_specify(outputs) == second
    _, outputs = fresh(toy.paper_space)
    rng_values = seco.random_specify(outputs, rng=np.random.default_rng(0))
    _, outputs = fresh(toy.paper_space)
    assert seco.random_specify(outputs, rng=np.random.default_rng(0)) == rng_values


def test_random_specify_hyperparameter_picks_values_uniformly():
    np.random.seed(0)
    counts = {v: 0 for v in "abc"}
    for _ in range(3000):
        counts[seco.random_specify_hyperparameter(D(list("abc")))] += 1
    # Each count is Binomial(3000, 1/3): mean 1000, standard deviation about 26.
    assert all(880 < c < 1120 for c in counts.values()), counts


def test_random_specify_hyperparameter_errors():
    h = D([1])
    assert seco.random_specify_hyperparameter(h) == 1
    with pytest.raises(DeepArchitectError, match="already has value 1"):
        seco.random_specify_hyperparameter(h)

    class Real(co.Hyperparameter):
        def _check_value(self, val):
            pass

    with pytest.raises(DeepArchitectError, match="only Discrete"):
        seco.random_specify_hyperparameter(Real())


def test_single_value_discrete_takes_a_slot():
    _, outputs = fresh(lambda: toy.op("A", a=D([7]), b=D([1, 2])))
    values = seco.random_specify(outputs)
    assert len(values) == 2 and values[0] == 7


def test_specify_errors_for_short_long_and_unfit_lists():
    _, outputs = fresh(toy.paper_space)
    values = seco.random_specify(outputs)
    _, outputs = fresh(toy.paper_space)
    with pytest.raises(DeepArchitectError, match="has 2 values but the search space needs more"):
        seco.specify(outputs, values[:2])
    _, outputs = fresh(toy.paper_space)
    with pytest.raises(DeepArchitectError, match="fully specified after %d" % len(values)):
        seco.specify(outputs, values + [64])
    _, outputs = fresh(toy.paper_space)
    with pytest.raises(DeepArchitectError, match=r"value #0 of the list does not fit: .*value 3"):
        seco.specify(outputs, [3] + values[1:])


def test_sample_until_valid_retries_and_bounds():
    calls = []

    def attempt():
        calls.append(1)
        if len(calls) < 3:
            raise ValueError("bad")
        return "ok"

    assert seco.sample_until_valid(attempt) == "ok" and len(calls) == 3

    def always_bad():
        raise ValueError("cycle in cell")

    with pytest.raises(DeepArchitectError, match="5 consecutive .*cycle in cell"):
        seco.sample_until_valid(always_bad, max_attempts=5, description="nasbench")


def test_searcher_base_wraps_the_search_space_fn():
    searcher = seco.Searcher(lambda: mo.siso_optional(mo.identity, hp.Bool()))
    inputs, outputs = searcher.search_space_fn()
    assert inputs["in"].module.get_name() == "M.Identity-0"
    # Without propose/observe there is nothing to sample or learn from.
    for method, args in [("sample", ()), ("update", (1.0, {}))]:
        with pytest.raises(NotImplementedError, match="propose|observe"):
            getattr(searcher, method)(*args)


def test_garbage_collection_resumes_after_sampling_even_on_errors():
    import gc

    assert gc.isenabled()

    def rejecting_space():
        def fn(dh):
            raise ValueError("invalid")

        return mo.substitution_module("Cell", fn, {"h": D([1])}, ["in"], ["out"])

    _, outputs = fresh(rejecting_space)
    with pytest.raises(ValueError):
        seco.random_specify(outputs)
    assert gc.isenabled()
    with pytest.raises(DeepArchitectError):
        mo.SearchSpaceFactory(lambda: None).get_search_space()
    assert gc.isenabled()
    gc.disable()
    try:
        _, outputs = fresh(toy.paper_space)
        seco.random_specify(outputs)
        assert not gc.isenabled()  # a caller's choice to disable it is kept
    finally:
        gc.enable()


@pytest.mark.parametrize("seed", range(4))
def test_assigned_lists_the_hyperparameters_a_replay_names(seed):
    import searcher_toys as st

    _, outputs = fresh(st.rich_space)
    assigned = []
    vs = seco.random_specify(outputs, np.random.RandomState(seed), assigned)
    _, replay_outputs = fresh(st.rich_space)
    names = seco.specify_and_name(replay_outputs, vs)
    assert [h.get_name() for h in assigned] == names
    assert [h.get_value() for h in assigned] == vs
    _, again = fresh(st.rich_space)
    replayed = []
    seco.specify(again, vs, replayed)
    assert [h.get_name() for h in replayed] == names
