"""Hypothesis strategies for random nested search spaces, described as plain data.

A description is built into a search-space function by :func:`build_space`.
Shared hyperparameters are created once per space (before any module) and
reused by several constructs, visibly (by a top-level op) or hidden inside
substitution closures, so that the counter's sharing logic is exercised.
"""

from __future__ import annotations

from hypothesis import strategies as st
from toy import op

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo

NUM_SHARED = 2


def _leaf():
    return st.one_of(
        st.tuples(st.just("op"), st.lists(st.integers(1, 3), max_size=2)),
        st.tuples(st.just("op_shared"), st.integers(0, NUM_SHARED - 1)),
    )


def _extend(children):
    return st.one_of(
        st.tuples(st.just("seq"), st.lists(children, min_size=1, max_size=3)),
        st.tuples(st.just("or"), st.lists(children, min_size=1, max_size=3)),
        st.tuples(st.just("or_shared"), st.integers(0, NUM_SHARED - 1), children, children),
        st.tuples(
            st.just("repeat"),
            children,
            st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True),
        ),
        st.tuples(st.just("repeat_dependent"), st.integers(0, NUM_SHARED - 1), children),
        st.tuples(st.just("optional"), children),
        st.tuples(st.just("reject_odd"), children),
    )


space_descriptions = st.recursive(_leaf(), _extend, max_leaves=6)


def build_space(description):
    """Returns a search-space function for ``description``."""

    def search_space_fn():
        shared = [hp.Discrete([0, 1]) for _ in range(NUM_SHARED)]
        return _build(description, shared)

    return search_space_fn


def _build(d, shared):
    kind = d[0]
    if kind == "op":
        return op("Op", **{"h%d" % i: hp.Discrete(list(range(n))) for i, n in enumerate(d[1])})
    if kind == "op_shared":
        return op("OpShared", w=shared[d[1]])
    if kind == "seq":
        return mo.siso_sequential([_build(c, shared) for c in d[1]])
    if kind == "or":
        return mo.siso_or([_thunk(c, shared) for c in d[1]], hp.Discrete(list(range(len(d[1])))))
    if kind == "or_shared":
        return mo.siso_or([_thunk(d[2], shared), _thunk(d[3], shared)], shared[d[1]])
    if kind == "repeat":
        return mo.siso_repeat(_thunk(d[1], shared), hp.Discrete(d[2]))
    if kind == "repeat_dependent":
        h = co.DependentHyperparameter(lambda dh: dh["x"] + 1, {"x": shared[d[1]]})
        return mo.siso_repeat(_thunk(d[2], shared), h)
    if kind == "optional":
        return mo.siso_optional(_thunk(d[1], shared), hp.Bool())
    if kind == "reject_odd":
        thunk = _thunk(d[1], shared)

        def substitution_fn(dh):
            if dh["k"] % 2 == 1:
                raise ValueError("odd values are rejected")
            return thunk()

        return mo.substitution_module(
            "RejectOdd", substitution_fn, {"k": hp.Discrete([0, 1, 2])}, ["in"], ["out"]
        )
    raise AssertionError(kind)


def _thunk(d, shared):
    return lambda: _build(d, shared)
