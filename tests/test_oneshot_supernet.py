"""Tests of deep_architect.oneshot.Supernet: compilation, exactness, paths, errors."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("one_torch_thread")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.oneshot import Supernet  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402

D = hp.Discrete


def layer(fn, **kwargs):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(fn, kwargs)


def linear(width=4):
    return layer(nn.Linear, in_features=4, out_features=width)


def nested_space():
    """An or inside a repeat inside an or, a shared hyperparameter, a dependent one."""
    h_shared = D([0, 1], name="shared")
    h_bias = D([True, False], name="bias")  # a choice of layers with equal output shapes

    def block():
        inner_or = lambda: mo.siso_or([  # noqa: E731
            lambda: layer(nn.Sigmoid),
            lambda: layer(nn.Linear, in_features=4, out_features=4, bias=h_bias)], D([0, 1]))
        return mo.siso_sequential([
            linear(),
            mo.siso_or([lambda: layer(nn.Tanh), lambda: layer(nn.ReLU),
                        lambda: mo.siso_repeat(inner_or, D([1, 2]))], D([0, 1, 2])),
            mo.siso_optional(linear, h_shared),
            mo.siso_optional(linear, co.DependentHyperparameter(
                lambda d: 1 - d["s"], {"s": h_shared})),
        ])
    return mo.siso_sequential([block(), block()])


def shared_or_space():
    h_op = D(["tanh", "relu"], name="op")
    ops = {"tanh": lambda: layer(nn.Tanh), "relu": lambda: layer(nn.ReLU)}
    return mo.siso_sequential([linear(), mo.siso_or(ops, h_op), linear(), mo.siso_or(ops, h_op)])


def closure_space():
    """Branches that read a port of the enclosing graph they closed over (as NASNet does)."""
    steps_in, steps_out = mo.identity()

    def scaled(fn):
        def compile_fn(di, dh):
            return (lambda di: {"out": fn(di["in0"]) * di["in1"].mean()}), []
        s_in, s_out = hpt.pytorch_module("Scaled", compile_fn, {}, ["in0", "in1"], ["out"])
        steps_out["out"].connect(s_in["in1"])
        return {"in": s_in["in0"]}, s_out

    body_in, body_out = mo.siso_sequential([
        linear(), mo.siso_or([lambda: scaled(torch.tanh), lambda: scaled(torch.relu)],
                             D([0, 1])), linear()])
    two_in, two_out = hpt.pytorch_module(
        "First", lambda di, dh: ((lambda di: {"out": di["in0"]}), []), {}, ["in0", "in1"],
        ["out"])
    body_out["out"].connect(two_in["in0"])
    steps_out["out"].connect(two_in["in1"])
    return {"in": body_in["in"], "steps": steps_in["in"]}, two_out


def supernet(space=nested_space, **kwargs):
    torch.manual_seed(0)
    return Supernet(space, {"in": torch.zeros(3, 4)}, **kwargs)


def one_hot_alphas(net, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for a in net.arch_parameters():
            a.zero_()
            a[int(torch.randint(len(a), (), generator=gen))] = 200.0


def test_parameters_are_partitioned_into_alphas_and_weights():
    net = supernet()
    arch, weights = net.arch_parameters(), net.weight_parameters()
    ids = {id(p) for p in net.parameters()}
    assert {id(p) for p in arch} | {id(p) for p in weights} == ids
    assert not {id(p) for p in arch} & {id(p) for p in weights}
    assert len(arch) == len(net.decisions) > 0


def test_state_dict_keys_and_shapes_are_the_same_for_every_construction():
    first = {k: v.shape for k, v in supernet().state_dict().items()}
    co.Scope.reset_default_scope()
    mo.SearchSpaceFactory(nested_space).get_search_space()  # unrelated objects in between
    assert {k: v.shape for k, v in supernet().state_dict().items()} == first


def test_state_dict_keys_are_the_same_in_other_processes_and_hash_seeds():
    import json
    import os
    import subprocess
    import sys

    here = sorted((k, list(v.shape)) for k, v in supernet().state_dict().items())
    code = (
        "import json, sys; sys.path[:0] = [%r, %r]\n"
        "import test_oneshot_supernet as t\n"
        "print(json.dumps(sorted((k, list(v.shape)) for k, v in "
        "t.supernet().state_dict().items())))\n"
        % (os.path.dirname(os.path.abspath(__file__)),
           os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )
    for seed in ["0", "4242"]:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert [tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])] == here


def test_a_shared_hyperparameter_has_one_alpha_vector():
    net = supernet(shared_or_space)
    assert [h.get_name() for h in net.decisions] == ["H.op-0"]
    assert [tuple(a.shape) for a in net.arch_parameters()] == [(2,)]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**16))
def test_one_hot_mixture_equals_the_derived_child_with_the_same_weights(seed):
    net = supernet()
    one_hot_alphas(net, seed)
    net.eval()
    derived = net.derive()
    child = net.child(derived.values).eval()
    x = torch.randn(5, 4)
    assert torch.allclose(net({"in": x})["out"], child({"in": x})["out"], atol=1e-6)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**16))
def test_a_set_path_forward_equals_the_child_of_that_path(seed):
    net = supernet().eval()
    inputs, outputs = mo.SearchSpaceFactory(nested_space).get_search_space()
    import numpy as np
    values = random_specify(outputs, np.random.default_rng(seed))
    net.set_path(values)
    child = net.child(values).eval()
    x = torch.randn(5, 4)
    assert torch.allclose(net({"in": x})["out"], child({"in": x})["out"], atol=1e-6)


def test_branches_may_read_ports_of_the_enclosing_graph():
    torch.manual_seed(0)
    feed = {"in": torch.randn(3, 4), "steps": torch.full((1,), 2.0)}
    net = Supernet(closure_space, feed).eval()
    for values in ([4, 4, 0, 4, 4], [4, 4, 1, 4, 4]):
        net.set_path(values)
        child = net.child(values).eval()
        assert torch.allclose(net(feed)["out"], child(feed)["out"], atol=1e-6)
    net.clear_path()
    assert net(feed)["out"].shape == (3, 4)


def test_derived_and_sampled_value_lists_replay_on_a_fresh_space():
    net = supernet()
    for values in [net.derive().values, *(net.sample_path() for _ in range(10))]:
        inputs, outputs = mo.SearchSpaceFactory(nested_space).get_search_space()
        specify(outputs, values)
        assert co.is_specified(outputs)


def test_the_mixture_is_differentiable_in_every_alpha_and_paths_leave_alphas_alone():
    net = supernet(shared_or_space)
    net({"in": torch.randn(3, 4)})["out"].sum().backward()
    assert all(a.grad is not None and a.grad.abs().sum() > 0 for a in net.arch_parameters())
    net.zero_grad()
    net.sample_path()
    net({"in": torch.randn(3, 4)})["out"].sum().backward()
    assert all(a.grad is None or a.grad.abs().sum() == 0 for a in net.arch_parameters())


def test_alphas_json_names_values_and_probabilities():
    import json
    alphas = json.loads(json.dumps(supernet(shared_or_space).derive().alphas))
    assert alphas[0]["hyperparameter"] == "H.op-0" and alphas[0]["values"] == ["tanh", "relu"]
    assert sum(alphas[0]["probabilities"]) == pytest.approx(1.0)


def test_a_shape_changing_layer_choice_fails_naming_the_hyperparameter_and_shapes():
    def space():
        return mo.siso_sequential([
            layer(nn.Linear, in_features=4, out_features=D([4, 8], name="width")),
            mo.siso_optional(lambda: layer(nn.ReLU), D([0, 1]))])
    with pytest.raises(DeepArchitectError, match=r"H\.width-0.*\(3, 4\).*\(3, 8\)"):
        supernet(space)
    net = supernet(space, allow_shape_mismatch=True)
    assert net({"in": torch.zeros(2, 4)})["out"].shape[1] in (4, 8)
    net.set_path([1, 4, 8])  # opt, in_features, out_features (traversal from the outputs)
    assert net({"in": torch.zeros(2, 4)})["out"].shape == (2, 8)


@pytest.mark.filterwarnings("ignore:.*duplicate values")
def test_repeated_values_are_rejected_as_indistinguishable():
    with pytest.raises(DeepArchitectError, match=r"H\.twice-0.*repeated"):
        supernet(lambda: mo.siso_optional(linear, D([1, 1], name="twice")))


def test_values_a_substitution_rejects_leave_their_branch_out():
    def space():
        def substitution(dh):
            if dh["n"] == 2:
                raise ValueError("two is invalid")
            return mo.siso_repeat(linear, D([dh["n"]]))
        return mo.substitution_module("Pick", substitution, {"n": D([1, 2, 3])}, ["in"], ["out"])
    net = supernet(space)
    assert net({"in": torch.zeros(2, 4)})["out"].shape == (2, 4)
    assert all(net.sample_path()[0] != 2 for _ in range(10))


def test_an_expansion_beyond_max_pieces_fails_with_a_message():
    def space():
        return mo.siso_repeat(lambda: mo.siso_repeat(linear, D([1, 2, 3])), D([1, 2, 3]))
    with pytest.raises(DeepArchitectError, match="beyond 10 layers and substitutions"):
        supernet(space, max_pieces=10)
    assert len(supernet(space).layers) == 1 * 6 + 2 * 6 + 3 * 6


def test_a_space_without_choices_is_rejected():
    with pytest.raises(DeepArchitectError, match="no choice at all"):
        supernet(lambda: mo.siso_sequential([linear(), layer(nn.ReLU)]))


def test_a_module_of_another_framework_is_rejected_by_name():
    from deep_architect.helpers._common import CompileFnModule

    def space():
        foreign = CompileFnModule("Foreign", lambda di, dh: (lambda di: di), {}, ["in"], ["out"])
        return mo.siso_sequential([foreign.get_io(), mo.siso_optional(linear, D([0, 1]))])
    with pytest.raises(DeepArchitectError, match=r"M\.Foreign-0 is a CompileFnModule"):
        supernet(space)


def test_a_framework_free_module_runs_through_its_own_forward():
    class Double(co.Module):
        def __init__(self):
            super().__init__(name="Double")
            self._register(["in"], ["out"], {})

        def _compile(self):
            pass

        def _forward(self):
            self.outputs["out"].val = 2 * self.inputs["in"].val

    def space():
        return mo.siso_sequential([Double().get_io(), mo.siso_optional(linear, D([0, 1]))])
    net = supernet(space).eval()
    net.set_path([0])
    x = torch.randn(2, 4)
    assert torch.equal(net({"in": x})["out"], 2 * x)


@pytest.mark.parametrize("values", [[], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                                    ["relu"], [7]])
def test_a_value_list_of_another_space_is_rejected_by_set_path(values):
    net = supernet()
    with pytest.raises(DeepArchitectError, match="does not belong to this search space"):
        net.set_path(values)
