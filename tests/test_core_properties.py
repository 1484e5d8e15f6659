"""Property-based tests: random nested search spaces specify, replay and evaluate correctly."""
from __future__ import annotations

import json

import numpy as np
import toy
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.searchers.common import random_specify, specify

D = hp.Discrete

leaf = st.builds(lambda n: ("op", n), st.integers(1, 3))


def _extend(children):
    lists = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda xs: ("seq", xs), lists),
        st.builds(lambda xs: ("or", xs), lists),
        st.builds(lambda x, n: ("repeat", x, n), children, st.integers(0, 3)),
        st.builds(lambda x: ("optional", x), children),
        st.builds(lambda a, b: ("residual", a, b), children, children),
        st.builds(lambda xs: ("perm", xs), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda x, n: ("split", x, n), children, st.integers(1, 3)),
        st.builds(lambda x: ("dense", x), children),
        st.builds(lambda x: ("nested", x), children),
    )


descriptions = st.recursive(leaf, _extend, max_leaves=8)


def build(desc):
    """Returns a new fragment for a structure description."""
    kind = desc[0]
    thunk = lambda d: lambda: build(d)
    if kind == "op":
        return toy.op("Op", k=D(list(range(desc[1]))))
    if kind == "seq":
        return mo.siso_sequential([build(d) for d in desc[1]])
    if kind == "or":
        return mo.siso_or([thunk(d) for d in desc[1]], D(list(range(len(desc[1])))))
    if kind == "repeat":
        return mo.siso_repeat(thunk(desc[1]), D(list(range(desc[2] + 1))))
    if kind == "optional":
        return mo.siso_optional(thunk(desc[1]), hp.Bool())
    if kind == "residual":
        return mo.siso_residual(thunk(desc[1]), thunk(desc[2]), lambda: toy.combine(2))
    if kind == "perm":
        return mo.siso_permutation([thunk(d) for d in desc[1]], hp.OneOfKFactorial(len(desc[1])))
    if kind == "split":
        return mo.siso_split_combine(thunk(desc[1]), toy.combine, D(list(range(1, desc[2] + 1))))
    if kind == "dense":
        return mo.dense_block(D([1, 2]), hp.Bool(), thunk(desc[1]), toy.combine)
    assert kind == "nested"
    return mo.siso_nested_repeat(
        thunk(desc[1]),
        lambda i, o: mo.siso_sequential([(i, o), build(desc[1])]),
        D([1, 2]),
    )


def assert_topological(inputs):
    seq = co.determine_module_eval_seq(inputs)
    position = {m: i for i, m in enumerate(seq)}
    for m in seq:
        for ix in m.inputs.values():
            if ix.from_output is not None:
                assert position[ix.from_output.module] < position[m]
    return seq


@settings(max_examples=60, deadline=None)
@given(desc=descriptions, seed=st.integers(0, 2**31 - 1))
def test_random_nested_spaces_specify_replay_and_run(desc, seed):
    factory = mo.SearchSpaceFactory(lambda: build(desc))
    np.random.seed(seed)
    inputs, outputs = factory.get_search_space()
    values = random_specify(outputs)

    assert co.is_specified(outputs)
    assert not co.get_modules_with_cond(outputs, lambda m: isinstance(m, mo.SubstitutionModule))
    assert json.loads(json.dumps(values)) == values

    description = co.jsonify(inputs, outputs)
    again_in, again_out = factory.get_search_space()
    specify(again_out, json.loads(json.dumps(values)))
    assert co.jsonify(again_in, again_out) == description

    seq = assert_topological(inputs)
    reachable = co.get_modules_with_cond(outputs, lambda m: True)
    assert set(seq) == set(reachable)
    co.forward({inputs["in"]: ["x"]})
    assert outputs["out"].val[0] == "x"
