"""Tests of deep_architect.core: naming, connections, traversal orders, forward, jsonify."""
from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import toy

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import random_specify, specify

D = hp.Discrete

SUBSTITUTION_PARAMS = [
    "name",
    "substitution_fn",
    "name_to_hyperp",
    "input_names",
    "output_names",
    "scope",
    "allow_input_subset",
    "allow_output_subset",
]

SPEC_SIGNATURES = {
    co: {
        "sorted_values_by_key": ["d"],
        "extract_unique_modules": ["input_or_output_lst"],
        "determine_module_eval_seq": ["inputs"],
        "traverse_backward": ["outputs", "fn"],
        "traverse_forward": ["inputs", "fn"],
        "get_modules_with_cond": ["outputs", "cond_fn"],
        "is_specified": ["outputs"],
        "forward": ["input_to_val", "_module_seq"],
        "get_unconnected_inputs": ["outputs"],
        "get_unconnected_outputs": ["inputs"],
        "get_all_hyperparameters": ["outputs"],
        "get_unassigned_independent_hyperparameters": ["outputs"],
        "unassigned_independent_hyperparameter_iterator": ["outputs"],
        "determine_input_output_cleanup_seq": ["inputs"],
        "jsonify": ["inputs", "outputs"],
        "OrderedSet": [],
        "Scope": [],
        "Addressable": ["scope", "name"],
        "Hyperparameter": ["scope", "name"],
        "DependentHyperparameter": ["fn", "hyperps", "scope", "name"],
        "Input": ["module", "scope", "name"],
        "Output": ["module", "scope", "name"],
        "Module": ["scope", "name"],
    },
    hp: {
        "Discrete": ["vs", "scope", "name"],
        "Bool": ["scope", "name"],
        "OneOfK": ["k", "scope", "name"],
        "OneOfKFactorial": ["k", "scope", "name"],
        "HyperparameterSharer": [],
    },
    mo: {
        "Identity": ["scope", "name"],
        "HyperparameterAggregator": ["name_to_hyperp", "scope", "name"],
        "SubstitutionModule": SUBSTITUTION_PARAMS,
        "identity": ["scope", "name"],
        "hyperparameter_aggregator": ["name_to_hyperp", "scope", "name"],
        "get_hyperparameter_aggregators": ["outputs"],
        "substitution_module": SUBSTITUTION_PARAMS,
        "mimo_or": ["fn_lst", "h_or", "input_names", "output_names", "scope", "name"],
        "siso_or": ["fn_lst", "h_or", "scope", "name"],
        "mimo_nested_repeat": [
            "fn_first",
            "fn_iter",
            "h_num_repeats",
            "input_names",
            "output_names",
            "scope",
            "name",
        ],
        "siso_nested_repeat": ["fn_first", "fn_iter", "h_num_repeats", "scope", "name"],
        "siso_repeat": ["fn", "h_num_repeats", "scope", "name"],
        "siso_optional": ["fn", "h_opt", "scope", "name"],
        "siso_permutation": ["fn_lst", "h_perm", "scope", "name"],
        "siso_split_combine": ["fn", "combine_fn", "h_num_splits", "scope", "name"],
        "preproc_apply_postproc": ["preproc_fn", "apply_fn", "postproc_fn"],
        "dense_block": [
            "h_num_applies",
            "h_end_in_combine",
            "apply_fn",
            "combine_fn",
            "scope",
            "name",
        ],
        "siso_residual": ["main_fn", "residual_fn", "combine_fn"],
        "siso_sequential": ["io_lst"],
        "buffer_io": ["inputs", "outputs"],
        "SearchSpaceFactory": ["search_space_fn", "reset_default_scope_upon_get"],
    },
}


@pytest.mark.parametrize(
    "module,name,params",
    [(m, n, p) for m, d in SPEC_SIGNATURES.items() for n, p in d.items()],
    ids=lambda x: getattr(x, "__name__", None) if not isinstance(x, list) else None,
)
def test_public_names_have_the_spec_signature(module, name, params):
    obj = getattr(module, name)
    sig = inspect.signature(obj)
    names = [p for p in sig.parameters if p not in ("self",)]
    assert names[: len(params)] == params


def test_alias_and_default_scope_are_public():
    assert hp.D is hp.Discrete
    assert isinstance(co.Scope.default_scope, co.Scope)
    assert callable(co.Scope.reset_default_scope)


# ----------------------------------------------------------------------------- naming


def test_naming_scheme_and_creation_order():
    h = D([1, 2])
    dep = co.DependentHyperparameter(lambda d: d["x"], {"x": h})
    m = toy.Op("A", {"k": D([1])})
    assert [h.get_name(), dep.get_name(), m.get_name()] == [
        "H.Discrete-0",
        "H.DependentHyperparameter-0",
        "M.A-0",
    ]
    assert m.inputs["in"].get_name() == "M.A-0.I.in"
    assert m.outputs["out"].get_name() == "M.A-0.O.out"
    assert repr(m.inputs) == "OrderedDict({'in': M.A-0.I.in})" or "M.A-0.I.in" in repr(m.inputs)
    assert D([3], name="Mutatable_sub").get_name() == "H.Mutatable_sub-0"
    assert hp.Bool().get_name() == "H.Bool-0"
    assert toy.Op("A").get_name() == "M.A-1"


def test_empty_discrete_does_not_consume_a_name():
    with pytest.raises(DeepArchitectError, match="must not be empty"):
        D([])
    assert D([1]).get_name() == "H.Discrete-0"


def test_unused_name_skips_names_taken_by_hand():
    scope = co.Scope()
    co.Addressable(scope, "M.X-0")
    co.Addressable(scope, "M.X-2")
    assert scope.get_unused_name("M.X-") == "M.X-1"
    co.Addressable(scope, scope.get_unused_name("M.X-"))
    assert scope.get_unused_name("M.X-") == "M.X-3"
    # Counters are per prefix.
    assert scope.get_unused_name("M.Y-") == "M.Y-0"


def test_scope_registry_and_errors():
    scope = co.Scope()
    a = co.Addressable(scope, "a")
    assert scope.get_name(a) == "a" and scope.get_elem("a") is a
    with pytest.raises(DeepArchitectError, match="already registered"):
        co.Addressable(scope, "a")
    with pytest.raises(DeepArchitectError, match="not an Addressable"):
        scope.register("b", object())
    with pytest.raises(KeyError):
        scope.get_elem("missing")


def test_elem_to_name_and_get_name_follow_registrations():
    scope = co.Scope()
    with co.use_scope(scope):
        h = D([1])
        m = mo.Identity()
    names = ["H.Discrete-0", "M.Identity-0", "M.Identity-0.I.in", "M.Identity-0.O.out"]
    assert list(scope.elem_to_name.values()) == names
    assert list(scope.elem_to_name) == [h, m, m.inputs["in"], m.outputs["out"]]
    assert [scope.get_name(e) for e in scope.elem_to_name] == names
    # An object registered by hand in another scope is known there by that name.
    other = co.Scope()
    other.register("alias", m)
    assert other.get_name(m) == "alias" and other.elem_to_name == {m: "alias"}
    assert scope.get_name(m) == "M.Identity-0"
    with pytest.raises(KeyError):
        other.get_name(h)
    # Port names are spelled out on demand but are registered like any other name.
    assert scope.get_elem("M.Identity-0.O.out") is m.outputs["out"]
    with pytest.raises(DeepArchitectError, match="'M.Identity-0.I.in' is already registered"):
        scope.register("M.Identity-0.I.in", h)
    with pytest.raises(DeepArchitectError, match="'M.Identity-0' is already registered"):
        co.Addressable(scope, "M.Identity-0")
    with co.use_scope(scope):
        m2 = mo.Identity()
    new_names = ["M.Identity-1", "M.Identity-1.I.in", "M.Identity-1.O.out"]
    assert list(scope.name_to_elem)[4:] == new_names
    assert scope.name_to_elem["M.Identity-1.I.in"] is m2.inputs["in"]
    # Only the exact spelling of a numbered name is taken.
    co.Addressable(scope, "M.Identity-01")
    with pytest.raises(DeepArchitectError, match="'M.Identity-1.O.out' is already registered"):
        co.Addressable(scope, "M.Identity-1.O.out")
    # An alias in the same scope becomes the name the scope reports, as the latest one.
    scope.register("first", h)
    assert scope.get_name(h) == "first" and scope.get_name(m) == "M.Identity-0"


def test_reset_default_scope_and_context_manager():
    D([1])
    co.Scope.reset_default_scope()
    assert D([1]).get_name() == "H.Discrete-0"
    outer = co.Scope.default_scope
    with co.use_scope() as inner:
        h = D([1])
        assert h.scope is inner and h.get_name() == "H.Discrete-0"
    assert co.Scope.default_scope is outer
    with pytest.raises(RuntimeError):
        with co.use_scope():
            raise RuntimeError("boom")
    assert co.Scope.default_scope is outer


def test_user_attributes_named_like_internals_do_not_change_names():
    class Named(co.Module):
        def __init__(self):
            co.Module.__init__(self)
            self._name = "user value"  # common in ML code; not the module's name here
            self._prefix = self._number = 7
            self._register(["in"], ["out"], {})

    m = Named()
    assert m.get_name() == "M.Named-0" and repr(m.inputs["in"]) == "M.Named-0.I.in"


def test_identity_based_equality():
    a, b = mo.Identity(), mo.Identity()
    assert a != b and len({a, b}) == 2


def test_ordered_set():
    s = co.OrderedSet()
    s.update([3, 1, 3])
    s.add(2)
    assert list(s) == [3, 1, 2] and len(s) == 3 and 1 in s and 5 not in s
    assert list(s.d) == [3, 1, 2] and repr(s) == "OrderedSet([3, 1, 2])"
    # Equality and hashing are by identity, as for every other core object.
    t = co.OrderedSet()
    t.update([3, 1, 2])
    assert s != t and s == s and len({s, t}) == 2


def test_sorted_values_by_key_is_lexicographic():
    assert co.sorted_values_by_key({"in10": 1, "in2": 2, "in1": 3}) == [3, 1, 2]


# ----------------------------------------------------------------------------- hyperparameters


def test_assign_value_order_modules_then_dependents():
    events = []

    class Spy(co.Module):
        def __init__(self, h):
            co.Module.__init__(self)
            self._register([], [], {"h": h})

        def _update(self):
            events.append("module")

    h = D([1, 2])
    Spy(h)
    co.DependentHyperparameter(lambda d: events.append("dependent"), {"h": h})
    h.assign_value(2)
    assert events == ["module", "dependent"]
    assert h.has_value_assigned() and h.get_value() == 2


def test_write_once_and_clear_messages():
    h = D([1, 2])
    with pytest.raises(DeepArchitectError, match="H.Discrete-0 has no value"):
        h.get_value()
    with pytest.raises(
        DeepArchitectError, match=r"value 7 is not one of the allowed values \[1, 2\]"
    ):
        h.assign_value(7)
    h.assign_value(1)
    with pytest.raises(DeepArchitectError, match="already has value 1"):
        h.assign_value(2)
    assert isinstance(DeepArchitectError("x"), AssertionError)
    assert not isinstance(DeepArchitectError("x"), ValueError)


def test_dependent_fires_at_construction_or_on_last_parent():
    a, b = D([1, 2]), D([10, 20])
    dep = co.DependentHyperparameter(lambda d: d["a"] + d["b"], {"b": b, "a": a})
    assert list(dep._hyperps) == ["a", "b"]
    a.assign_value(2)
    assert not dep.has_value_assigned()
    b.assign_value(10)
    assert dep.get_value() == 12
    chained = co.DependentHyperparameter(lambda d: d["x"] * 2, {"x": dep})
    assert chained.get_value() == 24
    empty = co.DependentHyperparameter(lambda d: "const", {})
    assert empty.get_value() == "const"
    with pytest.raises(DeepArchitectError, match="already has value"):
        dep.assign_value(3)


def test_dependent_hyperps_is_a_live_set_made_on_first_use():
    h = D([1, 2])
    assert list(h.dependent_hyperps) == [] and h.dependent_hyperps is h.dependent_hyperps
    d = co.DependentHyperparameter(lambda v: v["h"], {"h": h})
    assert list(h.dependent_hyperps) == [d]
    h.assign_value(2)
    assert d.get_value() == 2


def test_dependent_accepts_the_same_parent_twice():
    h = D([3])
    dep = co.DependentHyperparameter(lambda d: d["x"] * d["y"], {"x": h, "y": h})
    h.assign_value(3)
    assert dep.get_value() == 9


def test_register_dependent_rejects_non_dependents():
    with pytest.raises(DeepArchitectError):
        D([1])._register_dependent_hyperparameter(D([2]))


# ----------------------------------------------------------------------------- connections


def test_connections_fan_out_and_reroute():
    a_in, a_out = mo.identity()
    b_in, b_out = mo.identity()
    c_in, c_out = mo.identity()
    d_in, d_out = mo.identity()
    a_out["out"].connect(b_in["in"])
    c_in["in"].connect(a_out["out"])
    assert a_out["out"].get_connected_inputs() == [b_in["in"], c_in["in"]]
    assert b_in["in"].get_connected_output() is a_out["out"]
    assert b_in["in"].get_module() is b_in["in"].module
    b_in["in"].reroute_connected_output(d_in["in"])
    assert not b_in["in"].is_connected()
    assert a_out["out"].get_connected_inputs() == [c_in["in"], d_in["in"]]
    a_out["out"].reroute_all_connected_inputs(b_out["out"])
    assert b_out["out"].get_connected_inputs() == [c_in["in"], d_in["in"]]
    assert not a_out["out"].is_connected()
    b_out["out"].disconnect_all()
    assert not c_in["in"].is_connected() and not d_in["in"].is_connected()


def test_connection_errors_name_the_ports():
    a_in, a_out = mo.identity()
    b_in, b_out = mo.identity()
    c_in, c_out = mo.identity()
    a_out["out"].connect(b_in["in"])
    with pytest.raises(
        DeepArchitectError,
        match="M.Identity-1.I.in: the input is already connected to M.Identity-0.O.out",
    ):
        c_out["out"].connect(b_in["in"])
    with pytest.raises(DeepArchitectError, match="already connected"):
        b_in["in"].connect(c_out["out"])
    with pytest.raises(DeepArchitectError, match="expected an Output"):
        c_in["in"].connect(b_in["in"])
    with pytest.raises(DeepArchitectError, match="not connected"):
        c_in["in"].disconnect()
    with pytest.raises(DeepArchitectError, match="expected an Input"):
        a_out["out"].connect(c_out["out"])


def test_ports_have_none_values_before_forward():
    m = mo.Identity()
    assert m.inputs["in"].val is None and m.outputs["out"].val is None


def test_ports_are_slotted_but_weakly_referable_copyable_and_picklable():
    import copy
    import pickle
    import weakref

    with co.use_scope():
        inputs, outputs = mo.siso_sequential([mo.identity(), mo.identity()])
    ix, ox = inputs["in"], outputs["out"]
    # No instance dict: ports are the most numerous objects of a space.
    assert not hasattr(ix, "__dict__") and not hasattr(ox, "__dict__")
    with pytest.raises(AttributeError):
        ox.note = "extra"
    assert weakref.ref(ox)() is ox
    for clone_inputs, clone_outputs in (
        copy.deepcopy((inputs, outputs)),
        pickle.loads(pickle.dumps((inputs, outputs))),
    ):
        assert clone_outputs["out"] is not ox
        assert clone_outputs["out"].get_name() == "M.Identity-1.O.out"
        assert co.jsonify(clone_inputs, clone_outputs) == co.jsonify(inputs, outputs)


def test_port_names_are_spelled_once_and_subclasses_keep_a_dict():
    class TaggedOutput(co.Output):
        pass

    with co.use_scope() as scope:
        m = mo.Identity()
        extra = TaggedOutput(m, scope, "extra")
    ix = m.inputs["in"]
    assert ix._spelled is None  # nothing spelled while building
    assert ix.get_name() == "M.Identity-0.I.in" and ix._spelled == "M.Identity-0.I.in"
    assert ix.get_name() is ix.get_name()
    extra.note = "user attributes work on subclasses without __slots__"
    assert extra.get_name() == "M.Identity-0.O.extra" and extra.note.startswith("user")
    assert scope.get_elem("M.Identity-0.O.extra") is extra


def test_module_registration_errors():
    m = co.Module()
    m._register(["in"], ["out"], {"b": D([1]), "a": D([2])})
    assert list(m.hyperps) == ["a", "b"]
    with pytest.raises(DeepArchitectError, match="duplicate input name 'in'"):
        m._register_input("in")
    with pytest.raises(DeepArchitectError, match="duplicate output name"):
        m._register_output("out")
    with pytest.raises(DeepArchitectError, match="duplicate hyperparameter name"):
        m._register_hyperparameter("a", D([1]))
    with pytest.raises(DeepArchitectError, match="'c' must be a Hyperparameter, got 3"):
        m._register_hyperparameter("c", 3)


def test_get_io_returns_live_dicts():
    m = mo.Identity()
    inputs, outputs = m.get_io()
    assert inputs is m.inputs and outputs is m.outputs and m.get_hyperps() is m.hyperps


# ----------------------------------------------------------------------------- traversals


def _worked_example():
    """The space of the spec's worked example (core.md section 10)."""
    h = D([1, 2])
    dep = co.DependentHyperparameter(lambda d: 2 * d["k"], {"k": h})
    a = toy.op("A", k=h, z=D([5]))
    r = mo.siso_repeat(lambda: toy.op("R", w=dep, v=D([3, 4])), D([1, 2, 3]))
    o = mo.siso_optional(lambda: toy.op("O"), D([0, 1]))
    return mo.siso_sequential([a, r, o])


def test_worked_example_iteration_order():
    inputs, outputs = mo.SearchSpaceFactory(_worked_example).get_search_space()
    names = list(co.Scope.default_scope.name_to_elem)
    assert names[:14] == [
        "H.Discrete-0",
        "H.DependentHyperparameter-0",
        "H.Discrete-1",
        "M.A-0",
        "M.A-0.I.in",
        "M.A-0.O.out",
        "H.Discrete-2",
        "M.SISORepeat-0",
        "M.SISORepeat-0.I.in",
        "M.SISORepeat-0.O.out",
        "H.Discrete-3",
        "M.SISOOptional-0",
        "M.SISOOptional-0.I.in",
        "M.SISOOptional-0.O.out",
    ]
    assert "M.Identity-0" in names
    chosen = {"opt": 0, "num_reps": 2, "k": 1, "z": 5, "v": 4}
    yielded = []
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        module = next(iter(h.modules))
        local = next(k for k, v in module.hyperps.items() if v is h)
        yielded.append((module.get_name(), local))
        h.assign_value(chosen[local])
    assert yielded == [
        ("M.SISOOptional-0", "opt"),
        ("M.SISORepeat-0", "num_reps"),
        ("M.A-0", "k"),
        ("M.A-0", "z"),
        ("M.R-1", "v"),
        ("M.R-0", "v"),
    ]
    assert co.is_specified(outputs)
    assert co.get_unassigned_independent_hyperparameters(outputs).d == {}


class _GrowsAHyperparameter(co.Module):
    """Attaches a new hyperparameter to itself, without any new connection, once assigned."""

    def __init__(self):
        co.Module.__init__(self)
        self._register(["in"], ["out"], {"first": D([1, 2])})

    def _update(self):
        if self.hyperps["first"].has_value_assigned() and "second" not in self.hyperps:
            self._register_hyperparameter("second", D([3, 4]))


def test_iterator_finds_hyperparameters_added_without_new_connections():
    module = _GrowsAHyperparameter()
    yielded = []
    for h in co.unassigned_independent_hyperparameter_iterator(module.outputs):
        yielded.append(h.get_name())
        h.assign_value(h.vs[0])
    assert yielded == ["H.Discrete-0", "H.Discrete-1"]
    assert co.is_specified(module.outputs)


def test_iterator_follows_a_border_substitution_to_a_prebuilt_fragment():
    # No connection moves and no hyperparameter is attached: only the live
    # outputs dict changes, and the next pass must still find the fragment's value.
    prebuilt = toy.op("Pre", width=D([8, 16]))
    inputs, outputs = mo.substitution_module(
        "Border", lambda dh: prebuilt, {"use": D([1])}, ["in"], ["out"]
    )
    names = [h.get_name() for h in co.unassigned_independent_hyperparameter_iterator(outputs)
             if h.assign_value(h.vs[0]) is None]
    assert names == ["H.Discrete-1", "H.Discrete-0"] and co.is_specified(outputs)


def test_iterator_yields_again_what_the_consumer_left_unassigned():
    inputs, outputs = mo.siso_sequential([toy.op("A", a=D([1, 2])), toy.op("B", b=D([3]))])
    it = co.unassigned_independent_hyperparameter_iterator(outputs)
    first = next(it)
    second = next(it)  # ``first`` was skipped by the consumer
    assert (first.get_name(), second.get_name()) == ("H.Discrete-1", "H.Discrete-0")
    second.assign_value(second.vs[0])
    assert next(it) is first
    first.assign_value(first.vs[0])
    assert list(it) == []


def test_get_all_hyperparameters_puts_parents_after_dependents():
    a, b = D([1]), D([2])
    dep = co.DependentHyperparameter(lambda d: 0, {"b": b, "a": a})
    dep2 = co.DependentHyperparameter(lambda d: 0, {"d": dep})
    c = D([3])
    m = toy.Op("X", {"p": dep2, "q": c})
    hs = list(co.get_all_hyperparameters(m.outputs))
    assert hs == [dep2, dep, a, b, c]
    assert list(co.get_unassigned_independent_hyperparameters(m.outputs)) == [a, b, c]


def test_backward_and_forward_traversal_orders_and_early_stop():
    inputs, outputs = mo.siso_residual(
        lambda: toy.op("M"), lambda: toy.op("R"), lambda: toy.combine(2)
    )
    visited = []
    co.traverse_backward(outputs, lambda m: visited.append(m.get_name()))
    assert visited == ["M.Combine-0", "M.M-0", "M.R-0", "M.Identity-0"]
    visited = []
    co.traverse_forward(inputs, lambda m: visited.append(m.get_name()))
    assert visited == ["M.Identity-0", "M.M-0", "M.R-0", "M.Combine-0"]
    visited = []
    co.traverse_backward(outputs, lambda m: visited.append(m) or len(visited) == 2)
    assert len(visited) == 2
    found = co.get_modules_with_cond(outputs, lambda m: isinstance(m, toy.Op))
    assert [m.get_name() for m in found] == ["M.M-0", "M.R-0"]


def test_starting_module_upstream_of_another_is_visited_once():
    a_in, a_out = toy.op("A")
    b_in, b_out = toy.op("B")
    a_out["out"].connect(b_in["in"])
    visited = []
    co.traverse_backward({"x": a_out["out"], "y": b_out["out"]}, visited.append)
    assert [m.get_name() for m in visited] == ["M.A-0", "M.B-0"]
    assert co.get_unconnected_inputs({"x": a_out["out"], "y": b_out["out"]}) == [a_in["in"]]


def test_unconnected_ports_and_extract_unique_modules():
    inputs, outputs = mo.siso_sequential([toy.op("A"), toy.op("B")])
    assert co.get_unconnected_inputs(outputs) == [inputs["in"]]
    assert co.get_unconnected_outputs(inputs) == [outputs["out"]]
    m = inputs["in"].module
    assert co.extract_unique_modules([inputs["in"], m.outputs["out"]]) == [m]
    with pytest.raises(DeepArchitectError, match="expected an Input or an Output"):
        co.extract_unique_modules([m])


def test_is_specified_ignores_unused_hyperparameters():
    D([1, 2])
    inputs, outputs = toy.op("A", k=D([1]))
    assert not co.is_specified(outputs)
    random_specify(outputs)
    assert co.is_specified(outputs)


# ----------------------------------------------------------------------------- evaluation


def test_eval_sequence_and_forward_residual():
    inputs, outputs = mo.siso_residual(
        lambda: toy.op("M"), lambda: toy.op("R"), lambda: toy.combine(2)
    )
    seq = co.determine_module_eval_seq(inputs)
    assert [m.get_name() for m in seq] == ["M.Identity-0", "M.M-0", "M.R-0", "M.Combine-0"]
    co.forward({inputs["in"]: ["x"]})
    assert outputs["out"].val == ["x", "M.M-0[]", "x", "M.R-0[]", "M.Combine-0"]
    # Compile happens once; later forwards reuse the cached sequence.
    co.forward({inputs["in"]: ["y"]}, seq)
    assert [m.num_compiles for m in seq if isinstance(m, toy.Op)] == [1, 1]
    assert outputs["out"].val[0] == "y"


def test_eval_sequence_waits_for_all_inputs():
    # B (fed late through a long path) must run after both of its producers.
    i_in, i_out = mo.identity()
    long_in, long_out = mo.siso_sequential([toy.op("L1"), toy.op("L2"), toy.op("L3")])
    c_in, c_out = toy.combine(2)
    i_out["out"].connect(c_in["in0"])
    i_out["out"].connect(long_in["in"])
    long_out["out"].connect(c_in["in1"])
    seq = [m.get_name() for m in co.determine_module_eval_seq(i_in)]
    assert seq == ["M.Identity-0", "M.L1-0", "M.L2-0", "M.L3-0", "M.Combine-0"]


def test_forward_errors_for_unassigned_and_unconnected():
    inputs, outputs = toy.op("A", k=D([1, 2]))
    with pytest.raises(DeepArchitectError, match=r"M.A-0 has unassigned hyperparameters 'k'"):
        co.forward({inputs["in"]: []})
    c_in, c_out = toy.combine(2)
    a_in, a_out = mo.identity()
    a_out["out"].connect(c_in["in0"])
    with pytest.raises(
        DeepArchitectError, match="M.Combine-0 .unconnected inputs: M.Combine-0.I.in1"
    ):
        co.forward({a_in["in"]: []})
    assert co.determine_module_eval_seq(a_in) == [a_in["in"].module]


def test_cleanup_sequences():
    inputs, outputs = mo.siso_residual(
        lambda: toy.op("M"), lambda: toy.op("R"), lambda: toy.combine(2)
    )
    in_seq, out_seq = co.determine_input_output_cleanup_seq(inputs)
    names = lambda lst: [[p.get_name() for p in x] for x in lst]
    assert names(in_seq) == [
        ["M.Identity-0.I.in"],
        ["M.M-0.I.in"],
        ["M.R-0.I.in"],
        ["M.Combine-0.I.in0", "M.Combine-0.I.in1"],
    ]
    assert names(out_seq) == [[], [], ["M.Identity-0.O.out"], ["M.M-0.O.out", "M.R-0.O.out"]]


def test_jsonify_format():
    inputs, outputs = mo.SearchSpaceFactory(
        lambda: mo.siso_residual(
            lambda: toy.op("M", k=D([3])), lambda: toy.op("R"), lambda: toy.combine(2)
        )
    ).get_search_space()
    random_specify(outputs)
    d = co.jsonify(inputs, outputs)
    assert set(d) == {
        "modules",
        "unconnected_inputs",
        "unconnected_outputs",
        "module_eval_seq",
        "input_cleanup_seq",
        "output_cleanup_seq",
    }
    m = d["modules"]["M.M-0"]
    assert m["module_type"] == "M" and m["hyperp_name_to_val"] == {"k": 3}
    assert m["in_connections"] == {"M.M-0.I.in": "M.Identity-0.O.out"}
    assert m["out_modules"] == ["M.Combine-0"]
    assert d["modules"]["M.Identity-0"]["out_modules"] == ["M.M-0", "M.R-0"]
    assert d["unconnected_inputs"] == {"in": "M.Identity-0.I.in"}
    assert list(d["modules"])[0] == "M.Combine-0"


def test_jsonify_needs_a_specified_graph():
    inputs, outputs = toy.op("A", k=D([1, 2]))
    with pytest.raises(DeepArchitectError, match="'k'"):
        co.jsonify(inputs, outputs)


REPLAY_SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
import toy
import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.searchers.common import specify
inputs, outputs = mo.SearchSpaceFactory(toy.paper_space).get_search_space()
specify(outputs, json.loads(sys.argv[1]))
print(json.dumps(co.jsonify(inputs, outputs), sort_keys=True))
"""


def test_replay_in_a_fresh_process_gives_identical_jsonify(tmp_path):
    import json
    import os

    factory = mo.SearchSpaceFactory(toy.paper_space)
    inputs, outputs = factory.get_search_space()
    vs = random_specify(outputs)
    expected = json.dumps(co.jsonify(inputs, outputs), sort_keys=True)
    inputs2, outputs2 = factory.get_search_space()
    specify(outputs2, json.loads(json.dumps(vs)))
    assert json.dumps(co.jsonify(inputs2, outputs2), sort_keys=True) == expected
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", REPLAY_SCRIPT.format(tests=tests_dir), json.dumps(vs)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        )
        assert out.stdout.strip() == expected


CORE_MODULE_NAMES = [
    "deep_architect.core",
    "deep_architect.hyperparameters",
    "deep_architect.modules",
    "deep_architect.searchers.common",
    "deep_architect.searchers.random",
    "deep_architect.searchers.mcts",
    "deep_architect.searchers.smbo_random",
    "deep_architect.searchers.smbo_mcts",
    "deep_architect.searchers.regularized_evolution",
    "deep_architect.searchers.successive_narrowing",
    "deep_architect.surrogates.common",
    "deep_architect.surrogates.dummy",
    "deep_architect.surrogates.hashing",
    "deep_architect.search_logging",
    "deep_architect.utils",
    "deep_architect.pruning",
    "deep_architect.importance",
    "deep_architect.experiment",
    "deep_architect.helpers.compiled_model",
]


def test_core_imports_no_framework():
    code = (
        "import importlib, sys\n"
        "for name in %r: importlib.import_module(name)\n"
        "print([m for m in ('torch', 'tensorflow', 'keras', 'jax', 'sklearn', 'ray', 'graphviz',"
        " 'matplotlib', 'optuna') if m in sys.modules])" % CORE_MODULE_NAMES
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
