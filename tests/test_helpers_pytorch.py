"""Tests of deep_architect.helpers.pytorch_support."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402

D = hp.Discrete


def linear(h_units):
    def compile_fn(di, dh):
        layer = nn.Linear(di["in"].shape[1], dh["units"])
        return (lambda di: {"out": layer(di["in"])}), [layer]
    return hpt.siso_pytorch_module("Linear", compile_fn, {"units": h_units})


def relu():
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {})


def add():
    def compile_fn(di, dh):
        return (lambda di: {"out": di["in0"] + di["in1"]}), []
    return hpt.pytorch_module("Add", compile_fn, {}, ["in0", "in1"], ["out"])


def two_dense_space(num_classes=10):
    return mo.siso_sequential([
        mo.siso_repeat(lambda: mo.siso_sequential([
            linear(D([16, 32])),
            relu(),
            mo.siso_optional(lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(
                nn.Dropout, {"p": D([0.1, 0.5])}), D([0, 1])),
        ]), D([1, 2])),
        linear(D([num_classes])),
    ])


def build(space_fn, vs=None, batch=4, features=64):
    inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
    if vs is None:
        vs = random_specify(outputs)
    else:
        specify(outputs, vs)
    model = hpt.PyTorchModel(inputs, outputs, {"in": torch.zeros(batch, features)})
    return model, inputs, outputs, vs


def test_constants_are_wrapped_and_take_a_slot_in_the_value_list():
    inputs, outputs = hpt.siso_pytorch_module_from_pytorch_layer_fn(
        nn.Linear, {"in_features": 3, "out_features": D([4, 5])})
    module = outputs["out"].get_module()
    assert module.get_name() == "M.Linear-0"
    assert list(module.hyperps) == ["in_features", "out_features"]
    assert isinstance(module.hyperps["in_features"], hp.Discrete)
    assert module.hyperps["in_features"].vs == [3]
    assert len(random_specify(outputs)) == 2


def test_model_matches_core_forward_and_is_a_real_module():
    model, inputs, outputs, vs = build(two_dense_space)
    assert isinstance(model, nn.Module)
    hooked = []
    model.register_forward_hook(lambda m, args, out: hooked.append(out["out"].shape))
    model.eval()
    x = torch.randn(5, 64)
    with torch.no_grad():
        got = model({"in": x})["out"]
        co.forward({inputs["in"]: x})
    assert got.shape == (5, 10)
    assert hooked == [(5, 10)]  # the standard nn.Module.__call__ (with hooks) is kept
    assert torch.equal(got, outputs["out"].val)


def test_parameters_are_an_ordered_list_without_duplicates():
    def shared_space():
        layer = nn.Linear(64, 64)  # the same nn.Module used by two graph modules

        def compile_fn(di, dh):
            return (lambda di: {"out": layer(di["in"])}), [layer]
        return mo.siso_sequential([hpt.siso_pytorch_module("Shared", compile_fn, {}),
                                   hpt.siso_pytorch_module("Shared", compile_fn, {}),
                                   linear(D([10]))])
    model, _, outputs, _ = build(shared_space)
    params = hpt.parameters(outputs)
    assert isinstance(params, list)
    assert len(params) == 4 and len({id(p) for p in params}) == 4
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert params[0] in params and nn.Parameter(torch.zeros(1)) not in params
    modules = hpt.get_pytorch_modules(outputs)
    assert isinstance(modules, list) and len(modules) == 2
    torch.optim.Adam(hpt.parameters(outputs), lr=1e-3)  # the original's sets were rejected


def test_state_dict_keys_are_stable_for_the_same_value_list():
    model_a, _, _, vs = build(two_dense_space)
    model_b, _, _, _ = build(two_dense_space, vs)
    assert list(model_a.state_dict()) == list(model_b.state_dict())
    assert list(model_a.state_dict())[:2] == ["0.weight", "0.bias"]
    model_b.load_state_dict(model_a.state_dict())


def test_to_train_eval_and_graph_utilities():
    model, _, outputs, _ = build(
        lambda: mo.siso_sequential([linear(D([32])), hpt.siso_pytorch_module_from_pytorch_layer_fn(
            nn.Dropout, {"p": 0.5})]), vs=[0.5, 32])
    dropout = hpt.get_pytorch_modules(outputs)[1]
    model.eval()
    assert not dropout.training
    model.train()
    assert dropout.training
    hpt.eval(outputs)
    assert not dropout.training
    hpt.train(outputs)
    assert dropout.training
    model.to(torch.float64)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert model({"in": torch.zeros(2, 64, dtype=torch.float64)})["out"].dtype == torch.float64
    hpt.to(outputs, torch.float32)
    hpt.cpu(outputs)
    assert all(p.dtype == torch.float32 for p in hpt.parameters(outputs))


def test_sgd_steps_lower_the_loss_on_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_digits()
    x = torch.tensor(data.data[:512] / 16.0, dtype=torch.float32)
    y = torch.tensor(data.target[:512])
    torch.manual_seed(0)
    model, _, _, _ = build(two_dense_space, vs=[10, 1, 0, 32])
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(20):
        loss = nn.functional.cross_entropy(model({"in": x})["out"], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]


def test_intermediate_values_are_freed_during_forward():
    refs = []

    def probe():
        def compile_fn(di, dh):
            def forward_fn(di):
                out = di["in"] * 2.0
                refs.append(weakref.ref(out))
                return {"out": out}
            return forward_fn, []
        return hpt.siso_pytorch_module("Probe", compile_fn, {})

    def space():
        residual = mo.siso_residual(probe, probe, add)  # a fan-out and a join
        return mo.siso_sequential([probe(), probe(), residual, probe()])

    model, _, _, _ = build(space, vs=[])
    refs.clear()
    with torch.no_grad():
        result = model({"in": torch.ones(2, 64)})["out"]
        gc.collect()
        alive = [r() is not None for r in refs]
    assert alive == [False] * 4 + [True]  # add's output is not probed
    assert refs[-1]() is result
    assert torch.equal(result, torch.full((2, 64), 32.0))


def test_chains_of_single_layers_run_as_one_step_and_free_their_values():
    refs = []

    class Probe(nn.Module):
        def forward(self, x):
            out = x * 2.0
            refs.append(weakref.ref(out))
            return out

    def probe():
        return hpt.siso_pytorch_module_from_pytorch_layer_fn(Probe, {})

    def space():
        # Two fused runs of plain layers around a fan-out and a join.
        residual = mo.siso_residual(probe, probe, add)
        return mo.siso_sequential([probe(), probe(), probe(), residual, probe(), probe()])

    model, _, _, _ = build(space, vs=[])
    plain_steps = [step for step in model._plan.steps if step[1] is not None]
    assert len(model._plan.steps) == 5  # [3 probes], probe, probe, add, [2 probes]
    assert len(plain_steps) == 4
    refs.clear()
    with torch.no_grad():
        result = model({"in": torch.ones(2, 64)})["out"]
        gc.collect()
        alive = [r() is not None for r in refs]
    assert alive == [False] * 6 + [True]
    assert torch.equal(result, torch.full((2, 64), 2.0**3 * 2 * 2.0**2 * 2))


def test_multi_input_and_multi_output_modules():
    def split():
        def compile_fn(di, dh):
            return (lambda di: {"out0": di["in"][:, :32], "out1": di["in"][:, 32:]}), []
        return hpt.pytorch_module("Split", compile_fn, {}, ["in"], ["out0", "out1"])

    def space():
        s_in, s_out = split()
        a_in, a_out = add()
        s_out["out0"].connect(a_in["in0"])
        s_out["out1"].connect(a_in["in1"])
        return mo.siso_sequential([(s_in, a_out), mo.siso_residual(
            lambda: linear(D([32])), mo.identity, add)])

    model, _, _, _ = build(space, vs=[32])
    x = torch.randn(3, 64)
    summed = x[:, :32] + x[:, 32:]
    lin = hpt.get_pytorch_modules(model.outputs)[0]
    with torch.no_grad():
        assert torch.allclose(model({"in": x})["out"], lin(summed) + summed)


def test_plain_core_modules_inside_a_model_run_through_their_own_forward():
    class Double(co.Module):
        def __init__(self):
            co.Module.__init__(self)
            self._register(["in"], ["out"], {})

        def _compile(self):
            pass

        def _forward(self):
            self.outputs["out"].val = 2 * self.inputs["in"].val

    model, _, _, _ = build(lambda: mo.siso_sequential([Double().get_io(), relu()]), vs=[])
    x = torch.randn(2, 64)
    assert torch.equal(model({"in": x})["out"], torch.relu(2 * x))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["linear", "relu", "identity", "residual"]),
                min_size=1, max_size=8))
def test_model_equals_sequential_core_forward(kinds):
    def block(kind):
        if kind == "linear":
            return linear(D([64]))
        if kind == "relu":
            return relu()
        if kind == "identity":
            return mo.identity()
        return mo.siso_residual(relu, mo.identity, add)

    co.Scope.reset_default_scope()
    model, inputs, outputs, _ = build(lambda: mo.siso_sequential([block(k) for k in kinds]))
    x = torch.randn(3, 64)
    with torch.no_grad():
        got = model({"in": x})["out"]
        co.forward({inputs["in"]: x})
    assert torch.equal(got, outputs["out"].val)


def test_exported_program_runs_without_deep_architect(tmp_path):
    model, _, _, _ = build(lambda: mo.siso_sequential([linear(D([32])), relu(), linear(D([10]))]),
                           vs=[10, 32])
    model.eval()
    x = torch.randn(4, 64)
    program = torch.export.export(model, ({"in": x},))
    path = tmp_path / "model.pt2"
    torch.export.save(program, str(path))
    expected = model({"in": x})["out"]
    torch.save({"x": x, "expected": expected.detach()}, str(tmp_path / "io.pt"))
    script = (
        "import sys, torch\n"
        "sys.modules['deep_architect'] = None  # any import of the library now fails\n"
        f"m = torch.export.load({str(path)!r}).module()\n"
        f"io = torch.load({str(tmp_path / 'io.pt')!r})\n"
        "assert torch.allclose(m({'in': io['x']})['out'], io['expected'], atol=1e-6)\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env,
                   timeout=120)


def test_compile_fn_returning_the_wrong_shape_is_reported():
    bad = hpt.siso_pytorch_module("Bad", lambda di, dh: (lambda di: {"out": di["in"]}), {})
    with pytest.raises(DeepArchitectError, match=r"M\.Bad-0.*pair"):
        co.forward({bad[0]["in"]: torch.zeros(1, 2)})
    co.Scope.reset_default_scope()
    not_modules = hpt.siso_pytorch_module(
        "Bad", lambda di, dh: ((lambda di: {"out": di["in"]}), ["layer"]), {})
    with pytest.raises(DeepArchitectError, match="list of torch.nn.Module"):
        co.forward({not_modules[0]["in"]: torch.zeros(1, 2)})


def test_forward_fn_returning_wrong_keys_is_reported():
    bad = hpt.siso_pytorch_module("Bad", lambda di, dh: ((lambda di: {"output": 1}), []), {})
    with pytest.raises(DeepArchitectError, match=r"M\.Bad-0.*keys \['out'\].*\['output'\]"):
        co.forward({bad[0]["in"]: torch.zeros(1, 2)})


def test_unknown_layer_argument_is_reported_at_construction():
    with pytest.raises(DeepArchitectError, match="Linear.*'unit'"):
        hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.Linear, {"unit": 3})


def test_forward_before_assignment_and_missing_inputs_are_reported():
    inputs, outputs = mo.SearchSpaceFactory(two_dense_space).get_search_space()
    with pytest.raises(DeepArchitectError, match="unassigned|no value"):
        hpt.PyTorchModel(inputs, outputs, {"in": torch.zeros(2, 64)})
    model, _, _, _ = build(two_dense_space)
    with pytest.raises(DeepArchitectError, match=r"input names \['in'\]"):
        model({"x": torch.zeros(2, 64)})
