"""Tests of deep_architect.modules and deep_architect.hyperparameters."""
from __future__ import annotations

import itertools

import pytest
import toy

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import random_specify, specify

D = hp.Discrete


def run(inputs, outputs, value=("x",)):
    co.forward({inputs["in"]: list(value)})
    return outputs["out"].val


def specified(search_space_fn, values):
    inputs, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    specify(outputs, values)
    return inputs, outputs


def module_names(outputs):
    return [m.get_name() for m in co.get_modules_with_cond(outputs, lambda m: True)]


# ----------------------------------------------------------------------------- hyperparameters


def test_discrete_copies_its_list_and_accepts_equal_values():
    vs = [0, 1]
    h = D(vs)
    vs.append(2)
    assert h.vs == [0, 1]
    h.assign_value(True)
    assert h.get_value() is True


def test_discrete_replays_json_normalised_values():
    h = D([(1, 3), (3, 1)])
    h.assign_value([3, 1])
    assert h.get_value() == (3, 1)


def test_bool_one_of_k_and_factorial():
    assert hp.Bool().vs == [0, 1]
    assert hp.OneOfK(3).vs == [0, 1, 2]
    assert hp.OneOfKFactorial(4).vs == list(range(24))
    assert hp.OneOfKFactorial(3).get_name() == "H.OneOfKFactorial-1"


def test_hyperparameter_sharer():
    sharer = hp.HyperparameterSharer()
    sharer.register("rate", lambda: D([0.1, 0.2]))
    assert "rate" not in sharer.name_to_h
    assert sharer.get("rate") is sharer.get("rate")
    with pytest.raises(DeepArchitectError, match="'rate' is already registered"):
        sharer.register("rate", lambda: D([1]))
    with pytest.raises(DeepArchitectError, match="'missing' is not registered"):
        sharer.get("missing")


def test_discrete_error_does_not_print(capsys):
    with pytest.raises(DeepArchitectError, match=r"H.Discrete-0: value 3 is not one of .*\[1, 2\]"):
        D([1, 2]).assign_value(3)
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------------------- substitution


def test_substitution_replaces_live_dicts_and_rewires():
    h = D([0, 1])
    inputs, outputs = mo.siso_optional(lambda: toy.op("X"), h)
    a_in, a_out = toy.op("Before")
    b_in, b_out = toy.op("After")
    a_out["out"].connect(inputs["in"])
    outputs["out"].connect(b_in["in"])
    old_input = inputs["in"]
    h.assign_value(1)
    assert inputs["in"].get_name() == "M.X-0.I.in"
    assert outputs["out"].get_name() == "M.X-0.O.out"
    assert not old_input.is_connected()
    assert run(a_in, b_out) == ["x", "M.Before-0[]", "M.X-0[]", "M.After-0[]"]


def test_substitution_fires_inside_constructor_when_assigned():
    h = D([1, 2])
    h.assign_value(2)
    inputs, outputs = mo.siso_repeat(lambda: toy.op("R"), h)
    assert inputs["in"].get_name() == "M.R-0.I.in"
    assert outputs["out"].get_name() == "M.R-1.O.out"


def test_substitution_port_checks():
    def bad(dh):
        return toy.combine(2)

    inputs, outputs = mo.substitution_module("Bad", bad, {"h": D([1])}, ["in"], ["out"])
    with pytest.raises(
        DeepArchitectError,
        match=r"M.Bad-0 returned inputs \['in0', 'in1'\]; expected exactly \['in'\]",
    ):
        outputs["out"].module.hyperps["h"].assign_value(1)

    with pytest.raises(DeepArchitectError, match="must return a pair"):
        mo.substitution_module("Bad2", lambda dh: None, {}, ["in"], ["out"])


def test_substitution_rejects_non_ports_and_connected_inputs():
    def not_ports(dh):
        return {"in": "x"}, {"out": "y"}

    a_in, a_out = mo.identity()
    s_in, s_out = mo.substitution_module("NotPorts", not_ports, {"h": D([1])}, ["in"], ["out"])
    a_out["out"].connect(s_in["in"])
    with pytest.raises(DeepArchitectError, match="NotPorts-0 returned 'x' where an Input"):
        s_out["out"].module.hyperps["h"].assign_value(1)

    taken_in, taken_out = mo.identity()
    b_in, b_out = mo.identity()
    b_out["out"].connect(taken_in["in"])

    def already_connected(dh):
        return taken_in, taken_out

    c_in, c_out = mo.identity()
    s_in, s_out = mo.substitution_module(
        "Taken", already_connected, {"h": D([1])}, ["in"], ["out"]
    )
    c_out["out"].connect(s_in["in"])
    with pytest.raises(DeepArchitectError, match="already connected to M.Identity-2.O.out"):
        s_out["out"].module.hyperps["h"].assign_value(1)


def test_substitution_moves_connections_to_the_end_of_fan_out_lists():
    src_in, src_out = mo.identity()
    s_in, s_out = mo.siso_optional(mo.identity, D([0, 1]))
    other_in, other_out = mo.identity()
    src_out["out"].connect(s_in["in"])
    src_out["out"].connect(other_in["in"])
    s_out["out"].module.hyperps["opt"].assign_value(1)
    # As Input.disconnect + Input.connect would leave it: the new input is last.
    assert src_out["out"].to_inputs == [other_in["in"], s_in["in"]]
    assert s_in["in"].get_module().get_name() == "M.Identity-2"


def test_substitution_subset_disconnects_dropped_ports():
    def fn(dh):
        return {"in0": toy.Op("Y").inputs["in"]}, toy.Op("Z").outputs

    a_in, a_out = mo.identity()
    b_in, b_out = mo.identity()
    inputs, outputs = mo.substitution_module(
        "Sub", fn, {}, ["in0", "in1"], ["out"], allow_input_subset=True
    )
    # The substitution already happened in the constructor (no hyperparameters).
    assert inputs["in0"].get_name() == "M.Y-0.I.in"
    assert inputs["in1"].get_name() == "M.Sub-0.I.in1"

    h = D([1])
    inputs, outputs = mo.substitution_module(
        "Sub", fn, {"h": h}, ["in0", "in1"], ["out"], allow_input_subset=True
    )
    a_out["out"].connect(inputs["in0"])
    b_out["out"].connect(inputs["in1"])
    h.assign_value(1)
    assert not b_out["out"].is_connected()
    assert inputs["in1"].get_name() == "M.Sub-1.I.in1"


def test_substitution_module_cannot_be_compiled():
    inputs, outputs = mo.siso_optional(mo.identity, D([0, 1]))
    with pytest.raises(DeepArchitectError, match="unassigned hyperparameters 'opt'"):
        run(inputs, outputs)


def test_value_error_from_substitution_propagates():
    def reject(dh):
        raise ValueError("invalid cell")

    inputs, outputs = mo.substitution_module("Cell", reject, {"h": D([1])}, ["in"], ["out"])
    with pytest.raises(ValueError, match="invalid cell"):
        random_specify(outputs)


# ----------------------------------------------------------------------------- constructs


def test_siso_or_with_list_and_dict():
    inputs, outputs = specified(
        lambda: mo.siso_or([lambda: toy.op("A"), lambda: toy.op("B")], D([0, 1])), [1]
    )
    assert run(inputs, outputs) == ["x", "M.B-0[]"]
    inputs, outputs = specified(
        lambda: mo.siso_or({"a": lambda: toy.op("A"), "b": lambda: toy.op("B")}, D(["a", "b"])),
        ["a"],
    )
    assert run(inputs, outputs) == ["x", "M.A-0[]"]
    assert outputs["out"].get_name() == "M.Identity-1.O.out"


def test_mimo_or_keeps_port_names():
    def two_in():
        c_in, c_out = toy.combine(2)
        return c_in, {"out0": c_out["out"]}

    inputs, outputs = mo.mimo_or([two_in], D([0]), ["in0", "in1"], ["out0"])
    assert inputs["in0"].module.get_name() == "M.Or-0"
    random_specify(outputs)
    assert inputs["in1"].get_name() == "M.Combine-0.I.in1"


@pytest.mark.parametrize("reps", [0, 1, 3])
def test_siso_repeat(reps):
    inputs, outputs = specified(lambda: mo.siso_repeat(lambda: toy.op("R"), D([reps])), [reps])
    assert run(inputs, outputs) == ["x"] + ["M.R-%d[]" % i for i in range(reps)]


def test_nested_repeat_and_its_zero_check():
    def space():
        return mo.siso_nested_repeat(
            lambda: toy.op("First"),
            lambda i, o: mo.siso_sequential([(i, o), toy.op("Next")]),
            D([0, 3]),
        )

    inputs, outputs = specified(space, [3])
    assert run(inputs, outputs) == ["x", "M.First-0[]", "M.Next-0[]", "M.Next-1[]"]
    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    with pytest.raises(DeepArchitectError, match="'num_reps' must be a positive integer, got 0"):
        specify(outputs, [0])
    assert outputs["out"].module.get_name() == "M.Identity-1"


def test_siso_optional_keeps_an_identity_when_off():
    inputs, outputs = specified(lambda: mo.siso_optional(lambda: toy.op("X"), D([0, 1])), [0])
    assert run(inputs, outputs) == ["x"]
    assert "M.Identity-2" in module_names(outputs)


PERMUTED_OPS = [lambda i=i: toy.op("P%d" % i) for i in range(3)]


def test_siso_permutation_order_matches_itertools():
    perms = list(itertools.permutations(range(3)))
    for k, perm in enumerate(perms):
        co.Scope.reset_default_scope()
        inputs, outputs = specified(
            lambda: mo.siso_permutation(PERMUTED_OPS, hp.OneOfKFactorial(3)), [k]
        )
        assert run(inputs, outputs) == ["x"] + ["M.P%d-0[]" % i for i in perm]
    with pytest.raises(DeepArchitectError, match=r"'perm_idx' must be an integer in \[0, 6\)"):
        specified(lambda: mo.siso_permutation(PERMUTED_OPS, D([6])), [6])


def test_siso_split_combine_creation_order_and_wiring():
    inputs, outputs = specified(
        lambda: mo.siso_split_combine(lambda: toy.op("B"), toy.combine, D([3])), [3]
    )
    assert run(inputs, outputs) == [
        "x",
        "M.B-0[]",
        "x",
        "M.B-1[]",
        "x",
        "M.B-2[]",
        "M.Combine-0",
    ]
    names = list(co.Scope.default_scope.name_to_elem)
    assert names.index("M.B-2") < names.index("M.Combine-0") < names.index("M.Identity-2")


TWO_APPLIES = ["x", "x", "M.A-0[]", "M.Combine-0", "M.A-1[]"]


@pytest.mark.parametrize(
    "n,end,expected",
    [
        (1, 0, ["x", "M.A-0[]"]),
        (1, 1, ["x", "x", "M.A-0[]", "M.Combine-0"]),
        (2, 0, TWO_APPLIES),
        (2, 1, ["x", "x", "M.A-0[]"] + TWO_APPLIES + ["M.Combine-1"]),
    ],
)
def test_dense_block_wiring(n, end, expected):
    inputs, outputs = specified(
        lambda: mo.dense_block(D([n]), D([end]), lambda: toy.op("A"), toy.combine), [end, n]
    )
    assert run(inputs, outputs) == expected


def test_dense_block_rejects_zero_applications():
    with pytest.raises(DeepArchitectError, match="'num_applies' must be a positive integer"):
        specified(lambda: mo.dense_block(D([0]), D([0]), mo.identity, toy.combine), [0, 0])


def test_siso_sequential_rejects_empty_and_accepts_partial_first():
    with pytest.raises(DeepArchitectError, match="must not be empty"):
        mo.siso_sequential([])
    a_in, a_out = toy.op("A")
    inputs, outputs = mo.siso_sequential([(None, a_out), toy.op("B")])
    assert inputs is None
    assert run(a_in, outputs) == ["x", "M.A-0[]", "M.B-0[]"]


def test_preproc_apply_postproc():
    inputs, outputs = mo.preproc_apply_postproc(
        lambda: toy.op("Pre"), lambda: toy.op("App"), lambda: toy.op("Post")
    )
    assert run(inputs, outputs) == ["x", "M.Pre-0[]", "M.App-0[]", "M.Post-0[]"]


def test_buffer_io_wraps_only_substitution_borders():
    inputs, outputs = mo.siso_optional(mo.identity, D([0, 1]))
    b_in, b_out = mo.buffer_io(inputs, outputs)
    assert b_in["in"].module.get_name() == "M.Identity-0"
    assert b_out["out"].module.get_name() == "M.Identity-1"
    plain_in, plain_out = toy.op("A")
    assert mo.buffer_io(plain_in, plain_out) == (dict(plain_in), dict(plain_out))


def test_search_space_factory_resets_scope_and_checks_result():
    factory = mo.SearchSpaceFactory(lambda: toy.op("A"))
    first = factory.get_search_space()[1]["out"].get_name()
    assert factory.get_search_space()[1]["out"].get_name() == first == "M.A-0.O.out"
    keep = mo.SearchSpaceFactory(lambda: toy.op("A"), reset_default_scope_upon_get=False)
    keep.get_search_space()
    assert keep.get_search_space()[1]["out"].get_name() == "M.A-2.O.out"
    assert (
        mo.SearchSpaceFactory(lambda: toy.op("A"), reset_scope_upon_get=False).reset_scope_upon_get
        is False
    )
    with pytest.raises(DeepArchitectError, match="must return a pair .* got a tuple of 3"):
        mo.SearchSpaceFactory(lambda: (1, 2, 3)).get_search_space()


def test_subclassed_factory_style():
    class SSFMySpace(mo.SearchSpaceFactory):
        def __init__(self):
            mo.SearchSpaceFactory.__init__(self, lambda: toy.op("A", k=D([1, 2])))

    inputs, outputs = SSFMySpace().get_search_space()
    assert len(random_specify(outputs)) == 1


def test_hyperparameter_aggregators_are_returned():
    def space():
        h_lr = D([0.1, 0.01])
        net_in, net_out = toy.op("Net")
        agg_in, agg_out = mo.hyperparameter_aggregator({"lr": h_lr})
        net_out["out"].connect(agg_in["in"])
        return net_in, agg_out

    inputs, outputs = specified(space, [0.01])
    aggs = mo.get_hyperparameter_aggregators(outputs)
    assert [a.get_name() for a in aggs] == ["M.HyperparameterAggregator-0"]
    assert aggs[0].hyperps["lr"].get_value() == 0.01
    assert run(inputs, outputs) == ["x", "M.Net-0[]"]


def test_shared_hyperparameter_gets_one_value_across_branches():
    def space():
        h_act = D(["relu", "tanh"])
        cell = lambda: mo.siso_optional(lambda: toy.op("Act", fn=h_act), D([1]))
        return mo.siso_sequential([mo.siso_repeat(cell, D([3])), toy.op("Out", fn=h_act)])

    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    values = random_specify(outputs)
    assert len(values) == 5  # the shared activation is assigned once
    labels = [x for x in run(inputs, outputs) if "fn" in x]
    assert len(labels) == 4 and len({label.split("[")[1] for label in labels}) == 1


def test_dependent_hyperparameter_fires_during_substitution():
    def space():
        h = D([1, 2])
        dep = co.DependentHyperparameter(lambda d: d["h"] * 10, {"h": h})
        return mo.siso_sequential(
            [mo.siso_repeat(lambda: toy.op("R", width=dep), h), toy.op("Last", width=dep)]
        )

    inputs, outputs = specified(space, [2])
    assert run(inputs, outputs) == [
        "x",
        "M.R-0[('width', 20)]",
        "M.R-1[('width', 20)]",
        "M.Last-0[('width', 20)]",
    ]


def test_constructs_nest_to_depth():
    def space(depth=4):
        if depth == 0:
            return toy.op("Leaf", k=D([1, 2]))
        inner = lambda: space(depth - 1)
        return mo.siso_or(
            [
                lambda: mo.siso_repeat(inner, D([1, 2])),
                lambda: mo.siso_optional(inner, D([0, 1])),
                lambda: mo.siso_residual(inner, mo.identity, lambda: toy.combine(2)),
                lambda: mo.siso_permutation([inner, inner], D([0, 1])),
                lambda: mo.siso_split_combine(inner, toy.combine, D([1, 2])),
                lambda: mo.dense_block(D([1, 2]), D([0, 1]), inner, toy.combine),
            ],
            D(list(range(6))),
        )

    for _ in range(30):
        inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
        values = random_specify(outputs)
        assert co.is_specified(outputs)
        assert not co.get_modules_with_cond(outputs, lambda m: isinstance(m, mo.SubstitutionModule))
        assert run(inputs, outputs)[0] == "x"
        again_in, again_out = specified(space, values)
        assert co.jsonify(again_in, again_out) == co.jsonify(inputs, outputs)


def test_scope_argument_reaches_helper_identities():
    scope = co.Scope()
    h = D([0], scope=scope)
    inputs, outputs = mo.siso_optional(lambda: toy.op("X"), h, scope=scope, name="Opt")
    h.assign_value(0)
    assert outputs["out"].module.scope is scope
    assert outputs["out"].module.get_name() == "M.Identity-0"
    assert co.Scope.default_scope.name_to_elem == {}
