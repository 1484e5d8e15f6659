"""space_size counts exactly what enumerate_value_lists enumerates, without enumerating."""

from __future__ import annotations

import itertools
import math
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.analysis import space_size
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import enumerate_value_lists

sys.path.insert(0, os.path.dirname(__file__))
import space_strategies  # noqa: E402
import toy  # noqa: E402


def _enumerated(search_space_fn, limit=3000):
    return sum(1 for _ in itertools.islice(enumerate_value_lists(search_space_fn), limit + 1))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space_strategies.space_descriptions)
def test_count_matches_enumeration_on_random_nested_spaces(description):
    search_space_fn = space_strategies.build_space(description)
    enumerated = _enumerated(search_space_fn)
    if enumerated > 3000:
        return
    assert space_size(search_space_fn) == enumerated


def test_paper_space_is_counted_not_enumerated():
    assert space_size(toy.paper_space) == 25008


def test_huge_space_answers_exactly():
    # Each cell: an or of 2 + 2 + 1 = 5 options, times an optional: 10 per cell.
    assert space_size(lambda: toy.cell_chain_space(30)) == 10**30
    assert space_size(lambda: toy.cell_chain_space(2)) == _enumerated(
        lambda: toy.cell_chain_space(2)
    )


def test_visible_shared_hyperparameter_counts_once():
    def space():
        h = hp.Discrete([1, 2, 3])
        return mo.siso_sequential([toy.op("A", w=h), toy.op("B", w=h)])

    assert space_size(space) == 3


def test_free_hyperparameter_that_steers_a_hidden_substitution_is_branched_on():
    # ``h`` looks like a plain width at the top, but the or's branch repeats on it.
    def space():
        h = hp.Discrete([1, 2, 3])
        return mo.siso_sequential(
            [
                toy.op("A", w=h),
                mo.siso_or(
                    [lambda: mo.siso_repeat(lambda: toy.op("C", k=hp.Bool()), h), mo.identity],
                    hp.Bool(),
                ),
            ]
        )

    assert space_size(space) == _enumerated(space) == 3 + (2 + 4 + 8)


def test_hidden_sharing_between_branches_falls_back_to_an_exact_walk():
    def space():
        h = hp.Discrete([1, 2])  # only ever seen inside the two ors' branches
        return mo.siso_sequential(
            [
                mo.siso_or([lambda: toy.op("A", w=h), mo.identity], hp.Bool()),
                mo.siso_or([lambda: toy.op("B", w=h), mo.identity], hp.Bool()),
            ]
        )

    assert space_size(space) == _enumerated(space) == 2 + 2 + 2 + 1


def test_fallback_walk_is_capped_with_a_message():
    def space():
        h = hp.Discrete([1, 2])
        return mo.siso_sequential(
            [mo.siso_or([lambda: toy.op("A", w=h), mo.identity], hp.Bool()) for _ in range(12)]
        )

    with pytest.raises(DeepArchitectError, match="max_enumeration=100"):
        space_size(space, max_enumeration=100)


def test_rejected_values_are_not_counted():
    def space():
        def fn(dh):
            if dh["k"] == 1:
                raise ValueError("invalid")
            return mo.identity()

        return mo.substitution_module("Reject", fn, {"k": hp.Discrete([0, 1, 2])}, ["in"], ["out"])

    assert space_size(space) == 2


def test_ranges_count_exactly_or_as_infinite():
    assert space_size(lambda: toy.op("A", rate=hp.Float(0.1, 0.5))) == math.inf
    assert space_size(lambda: mo.siso_repeat(mo.identity, hp.Float(1, 2))) == math.inf
    assert space_size(lambda: toy.op("A", width=hp.Int(8, 1024, log=True))) == 1017
    space = lambda: mo.siso_repeat(lambda: toy.op("B", k=hp.Bool()), hp.Int(1, 3))  # noqa: E731
    assert space_size(space) == 2 + 4 + 8 == _enumerated(space)


def test_unused_output_of_a_substitution_does_not_count():
    def space():
        def fn(dh):
            a_in, a_out = toy.op("Used", w=hp.Discrete([1, 2]))
            b_in, b_out = toy.op("Unused", w=hp.Discrete([1, 2, 3]))
            return {"in": a_in["in"]}, {"out": a_out["out"], "extra": b_out["out"]}

        inputs, outputs = mo.substitution_module(
            "TwoOut", fn, {"k": hp.Bool()}, ["in"], ["out", "extra"]
        )
        return inputs, {"out": outputs["out"]}

    assert space_size(space) == _enumerated(space)
