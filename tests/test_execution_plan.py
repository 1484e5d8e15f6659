"""The one execution plan of a graph, and the one validation hook of hyperparameters."""

from __future__ import annotations

import numpy as np
import pytest
import toy
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.specify import random_specify, specify


def _specified_paper_space(seed: int) -> tuple[dict, dict]:
    inputs, outputs = mo.SearchSpaceFactory(toy.paper_space).get_search_space()
    random_specify(outputs, rng=np.random.default_rng(seed))
    return inputs, outputs


def _producers_first(modules: list[co.Module]) -> bool:
    position = {m: i for i, m in enumerate(modules)}
    return all(
        position[ix.from_output.module] < position[m]
        for m in modules
        for ix in m.inputs.values()
        if ix.from_output is not None and ix.from_output.module in position
    )


@settings(max_examples=15)
@given(st.integers(0, 10_000))
def test_forward_order_and_output_order_are_the_same_topological_order(seed):
    inputs, outputs = _specified_paper_space(seed)
    plan = co.ExecutionPlan(inputs, outputs)
    plan.check_runnable("test")
    assert plan.modules == co.determine_module_eval_seq(inputs)
    assert _producers_first(plan.modules)
    from_outputs = co.ExecutionPlan.of_outputs(outputs).modules
    assert from_outputs == plan.modules
    assert plan.cleanup_seqs() == co.determine_input_output_cleanup_seq(inputs)
    co.forward({inputs["in"]: ["x"]}, plan.modules)
    assert outputs["out"].val[0] == "x" and outputs["out"].val[-1].startswith("M.Combine")


def test_plan_of_outputs_leaves_out_modules_the_outputs_do_not_need():
    a_in, a_out = toy.op("A")
    dead_in, _ = toy.op("Dead")
    b_in, b_out = toy.op("B")
    a_out["out"].connect(dead_in["in"])
    a_out["out"].connect(b_in["in"])
    plan = co.ExecutionPlan.of_outputs(b_out)
    assert [m.get_name() for m in plan.modules] == ["M.A-0", "M.B-0"]
    # From the inputs, the dead branch runs too.
    assert len(co.ExecutionPlan(a_in).modules) == 3


def test_unrunnable_modules_are_named():
    a_in, a_out = toy.op("A")
    c_in, c_out = toy.combine(2)
    a_out["out"].connect(c_in["in0"])
    plan = co.ExecutionPlan(a_in, c_out)
    assert [m.get_name() for m in plan.unready] == ["M.Combine-0"]
    with pytest.raises(DeepArchitectError, match="model: .*M.Combine-0 .unconnected inputs"):
        plan.check_runnable("model")
    # A module the outputs need that the inputs never reach.
    b_in, b_out = toy.op("B")
    plan = co.ExecutionPlan(a_in, b_out)
    assert [m.get_name() for m in plan.unreached] == ["M.B-0"]
    with pytest.raises(DeepArchitectError, match="M.B-0"):
        plan.check_runnable("model")


class _CountingDiscrete(hp.Discrete):
    num_checks = 0

    def validate(self, val):
        type(self).num_checks += 1
        return hp.Discrete.validate(self, val)


def test_specify_validates_each_value_once_and_wraps_the_error():
    def space():
        return toy.op("A", x=_CountingDiscrete([1, 2]), y=_CountingDiscrete([(1, 3), (3, 1)]))

    factory = mo.SearchSpaceFactory(space)
    _CountingDiscrete.num_checks = 0
    _, outputs = factory.get_search_space()
    specify(outputs, [2, [3, 1]])  # a tuple read back from JSON is a list
    assert _CountingDiscrete.num_checks == 2
    assert outputs["out"].get_module().hyperps["y"].get_value() == (3, 1)
    _, outputs = factory.get_search_space()
    with pytest.raises(DeepArchitectError, match=r"value #0 of the list does not fit.*3"):
        specify(outputs, [3, [1, 3]])


def test_hyperparameters_written_for_the_original_api_still_validate():
    class Even(co.Hyperparameter):
        def _check_value(self, val):
            if val % 2:
                raise DeepArchitectError("%s: %r is odd" % (self.get_name(), val))

    h = Even()
    assert h.validate(4) == 4
    with pytest.raises(DeepArchitectError, match="is odd"):
        h.assign_value(3)
    h.assign_value(2)
    assert h.get_value() == 2
    # The original's hook name still works on the built-in types.
    hp.Discrete([1, 2])._check_value(2)
    with pytest.raises(DeepArchitectError, match="not one of the allowed values"):
        hp.Discrete([1, 2])._check_value(5)

    class Nothing(co.Hyperparameter):
        pass

    with pytest.raises(NotImplementedError, match="implement validate"):
        Nothing().assign_value(1)


def test_note_graph_edit_counts_edits():
    before = next(co._graph_edit_counter)
    co.note_graph_edit()
    assert next(co._graph_edit_counter) == before + 2
