"""Zero-cost proxies: hand-computed values, invariances, the model left unchanged, bad input."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402
from deep_architect.zero_cost import (  # noqa: E402
    PROXIES,
    ProxyFilteredSearcher,
    ZeroCostEvaluator,
    build_model,
    compute_proxy,
)

W1 = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])  # 2 -> 3
W2 = np.array([[1.0, -0.5, 0.25], [-2.0, 0.5, 1.0]])  # 3 -> 2
X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0], [2.0, 1.0]])
Y = np.array([0, 1, 1, 0])


def two_layer(relu=True):
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU() if relu else nn.Identity(),
                        nn.Linear(3, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[2].weight.copy_(torch.tensor(W2))
    return net


def batch():
    return torch.tensor(X, dtype=torch.float32), torch.tensor(Y)


def by_hand_gradients():
    """Forward and backward of the mean cross-entropy of the ReLU net, in NumPy."""
    h = X @ W1.T
    a = np.maximum(h, 0)
    z = a @ W2.T
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dz = (p - np.eye(2)[Y]) / len(X)
    dW2 = dz.T @ a
    dh = (dz @ W2) * (h > 0)
    dW1 = dh.T @ X
    return h, dh, z, dz, dW1, dW2


def test_grad_norm_snip_fisher_match_the_formulas_written_out():
    h, dh, z, dz, dW1, dW2 = by_hand_gradients()
    net, b = two_layer(), batch()
    assert compute_proxy("grad_norm", net, b) == pytest.approx(
        np.linalg.norm(dW1) + np.linalg.norm(dW2), rel=1e-5)
    assert compute_proxy("snip", net, b) == pytest.approx(
        np.abs(dW1 * W1).sum() + np.abs(dW2 * W2).sum(), rel=1e-5)
    fisher = sum((0.5 * (a * g) ** 2).mean(0).sum() for a, g in [(h, dh), (z, dz)])
    assert compute_proxy("fisher", net, b) == pytest.approx(fisher, rel=1e-5)


def test_synflow_of_a_linear_chain_is_twice_the_path_sum():
    # R = 1^T |W2| |W1| 1; each layer contributes sum(|W| * dR/d|W|) = R.
    expected = 2 * np.ones(2) @ np.abs(W2) @ np.abs(W1) @ np.ones(2)
    assert compute_proxy("synflow", two_layer(relu=False), batch()) == pytest.approx(expected)
    # Absolute weights and ones make every ReLU input positive: the same value.
    assert compute_proxy("synflow", two_layer(relu=True), batch()) == pytest.approx(expected)


def test_synflow_ignores_batch_norm_statistics_and_the_batch_values():
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.BatchNorm1d(3), nn.Linear(3, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[2].weight.copy_(torch.tensor(W2))
        net[1].running_mean.fill_(5.0)
        net[1].running_var.fill_(9.0)
        net[1].weight.fill_(3.0)
    expected = 2 * np.ones(2) @ np.abs(W2) @ np.abs(W1) @ np.ones(2)
    assert compute_proxy("synflow", net, (torch.randn(5, 2), None)) == pytest.approx(expected)


def test_grasp_matches_an_explicit_hessian():
    net, b = two_layer(), batch()
    x, y = b

    def loss_of(flat):
        w1, w2 = flat[:6].reshape(3, 2), flat[6:].reshape(2, 3)
        return nn.functional.cross_entropy(torch.relu(x @ w1.T) @ w2.T, y)

    flat = torch.tensor(np.concatenate([W1.ravel(), W2.ravel()]), dtype=torch.float32)
    g = torch.autograd.functional.jacobian(loss_of, flat)
    hessian = torch.autograd.functional.hessian(loss_of, flat)
    expected = float(-(flat * (hessian @ g)).sum())
    assert compute_proxy("grasp", net, b) == pytest.approx(expected, rel=1e-4, abs=1e-7)


def test_jacob_cov_of_a_linear_net_has_rank_one_correlations():
    # Every example has the same Jacobian: correlations all 1, eigenvalues n and 0 (n - 1 times).
    n, k = len(X), 1e-5
    expected = -(math.log(n + k) + 1 / (n + k) + (n - 1) * (math.log(k) + 1 / k))
    assert compute_proxy("jacob_cov", two_layer(relu=False), batch()) == pytest.approx(
        expected, rel=1e-6)


def test_jacob_cov_with_relu_matches_per_example_jacobians():
    rng = np.random.default_rng(0)
    w1, w2, x = rng.normal(size=(4, 5)), rng.normal(size=(3, 4)), rng.normal(size=(6, 5))
    net = nn.Sequential(nn.Linear(5, 4, bias=False), nn.ReLU(), nn.Linear(4, 3, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(w1))
        net[2].weight.copy_(torch.tensor(w2))
    jac = np.stack([w1.T @ np.diag(h > 0) @ w2.T @ np.ones(3) for h in x @ w1.T])
    v = np.clip(np.linalg.eigvalsh(np.corrcoef(jac)), 0, None)
    expected = -np.sum(np.log(v + 1e-5) + 1 / (v + 1e-5))
    value = compute_proxy("jacob_cov", net, (torch.tensor(x, dtype=torch.float32), None))
    assert value == pytest.approx(expected, rel=1e-4)


def test_naswot_is_the_log_determinant_of_the_hamming_kernel():
    net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(2))
    x = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
    # Codes 11, 10, 01: K = [[2, 1, 1], [1, 2, 0], [1, 0, 2]], det 4.
    assert compute_proxy("naswot", net, (x, None)) == pytest.approx(math.log(4.0))


@settings(max_examples=20, deadline=None)
@given(st.permutations(range(6)), st.integers(0, 2**16))
def test_naswot_does_not_depend_on_the_batch_order(order, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(6, 2, generator=gen)
    net = two_layer()
    a = compute_proxy("naswot", net, (x, None))
    b = compute_proxy("naswot", net, (x[list(order)], None))
    assert a == pytest.approx(b, abs=1e-9)


def test_num_params_and_flops_count_by_hand():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4))
    assert compute_proxy("num_params", net, batch()) == 2 * 3 + 3 + 3 * 4 + 4
    # One example: 2 * (2*3 + 3*4) multiply-adds; biases and ReLU are not counted.
    assert compute_proxy("flops", net, batch()) == 2 * (2 * 3 + 3 * 4)


def snapshot(net):
    return ({k: (v.clone(), v.dtype) for k, v in net.state_dict().items()},
            [None if p.grad is None else p.grad.clone() for p in net.parameters()],
            [p.requires_grad for p in net.parameters()],
            [{k: v for k, v in vars(m).items() if not k.startswith("_")} for m in net.modules()],
            list(net.parameters()),
            [len(m._forward_hooks) for m in net.modules()])


def assert_same(a, b):
    (sa, ga, ra, ma, pa, ha), (sb, gb, rb, mb, pb, hb) = a, b
    assert sa.keys() == sb.keys()
    for k in sa:
        assert sa[k][1] == sb[k][1] and torch.equal(sa[k][0], sb[k][0]), k
    assert all((x is None and y is None) or torch.equal(x, y) for x, y in zip(ga, gb))
    assert ra == rb and ma == mb and ha == hb
    assert all(x is y for x, y in zip(pa, pb))


@pytest.mark.parametrize("name", sorted(PROXIES))
def test_every_proxy_leaves_the_model_unchanged(name):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Dropout(0.5), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
    net[1].eval()  # mixed modes must survive
    net[5].bias.requires_grad_(False)
    net(torch.randn(2, 1, 8, 8)).sum().backward()  # existing gradients must survive
    x, y = torch.randn(6, 1, 8, 8), torch.arange(6) % 10
    out_before = net.eval()(x).detach()
    net.train()
    net[1].eval()
    before = snapshot(net)
    value = compute_proxy(name, net, (x, y))
    assert isinstance(value, float) and math.isfinite(value)
    assert_same(before, snapshot(net))
    assert torch.equal(net.eval()(x).detach(), out_before)


def digits_space():
    return mo.siso_sequential([
        hpt.siso_pytorch_module_from_pytorch_layer_fn(
            nn.Linear, {"in_features": 64, "out_features": hp.Discrete([4, 16, 64])}),
        hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {}),
        hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.LazyLinear, {"out_features": 10}),
    ])


def test_evaluator_returns_every_proxy_of_a_specified_architecture():
    inputs, outputs = digits_space()
    specify(outputs, [10, 64, 64])
    values = ZeroCostEvaluator(sorted(PROXIES), (8, 64)).eval(inputs, outputs)
    assert sorted(values) == sorted(PROXIES)
    assert all(isinstance(v, float) and math.isfinite(v) for v in values.values())


def test_proxies_leave_a_compiled_pytorch_model_unchanged():
    inputs, outputs = digits_space()
    specify(outputs, [10, 64, 64])
    x, y = torch.randn(8, 64), torch.arange(8) % 10
    model = build_model(inputs, outputs, x)
    before = snapshot(model)
    out_before = model({"in": x})["out"].detach()
    for name in sorted(PROXIES):
        compute_proxy(name, model, (x, y))
        assert_same(before, snapshot(model))
    assert torch.equal(model({"in": x})["out"].detach(), out_before)


def test_zero_cost_evaluator_drives_run_search(tmp_path):
    np.random.seed(0)
    results = run_search(RandomSearcher(digits_space), ZeroCostEvaluator(["synflow", "naswot"],
                                                                         (16, 64)),
                         4, str(tmp_path), "zc", metric="synflow", show_progress=False)
    assert len(results) == 4 and all(set(r) >= {"synflow", "naswot"} for r in results)
    assert all(r["synflow"] > 0 for r in results)


def test_bad_input_gets_messaged_errors():
    no_params = nn.Sequential(nn.ReLU())
    for name in ["synflow", "snip", "grasp", "grad_norm", "fisher"]:
        with pytest.raises(DeepArchitectError, match="no linear or convolution layer"):
            compute_proxy(name, no_params, batch())
    with pytest.raises(DeepArchitectError, match="expected a PyTorch model"):
        compute_proxy("snip", object(), batch())
    with pytest.raises(DeepArchitectError, match="unknown zero-cost proxy 'synflw'"):
        compute_proxy("synflw", two_layer(), batch())
    with pytest.raises(DeepArchitectError, match="needs labels"):
        compute_proxy("snip", two_layer(), (batch()[0], None))
    with pytest.raises(DeepArchitectError, match="no rectifier"):
        compute_proxy("naswot", two_layer(relu=False), batch())
    with pytest.raises(DeepArchitectError, match="unknown proxies"):
        ZeroCostEvaluator(["snip", "accuracy"], (4, 64))
    from sklearn.preprocessing import StandardScaler

    from deep_architect.helpers.sklearn_support import siso_sklearn_module_from_sklearn_fn
    inputs, outputs = siso_sklearn_module_from_sklearn_fn(StandardScaler, {})
    random_specify(outputs)
    with pytest.raises(DeepArchitectError, match="need a PyTorch architecture.*SklearnModule"):
        ZeroCostEvaluator(["snip"], (4, 64)).eval(inputs, outputs)


def test_proxy_filtered_searcher_hands_out_the_best_candidate_and_updates_every_token(tmp_path):
    inner = RandomSearcher(digits_space)
    issued, updated = [], []
    sample, update = inner.sample, inner.update

    def recording_sample():
        result = sample()
        issued.append((result[3]["sample_id"], result[2]))
        return result

    inner.sample = recording_sample
    inner.update = lambda v, t: (updated.append((t["sample_id"], v)), update(v, t))[1]
    searcher = ProxyFilteredSearcher(inner, "num_params", 5, (8, 64), rejected_value=-1.0)
    np.random.seed(1)
    for i in range(3):
        _, _, vs, token = searcher.sample()
        hidden = [v[2] for _, v in issued[5 * i:5 * i + 5]]
        assert vs[2] == max(hidden) and token["proxy_value"] == 65 * max(hidden) + 10 * max(
            hidden) + 10
        searcher.update(0.5, token)
    assert sorted(i for i, _ in updated) == [i for i, _ in issued] == list(range(15))
    assert sum(v == 0.5 for _, v in updated) == 3 and sum(v == -1.0 for _, v in updated) == 12
    assert searcher.num_scored == 15


def test_proxy_filtered_searcher_state_resumes_the_same_samples(tmp_path):
    def make():
        return ProxyFilteredSearcher(RandomSearcher(digits_space), "synflow", 3, (8, 64))
    np.random.seed(0)
    a = make()
    for _ in range(2):
        a.update(0.1, a.sample()[3])
    a.save_state(str(tmp_path))
    expected = [a.sample()[2:] for _ in range(2)]
    b = make()
    b.load_state(str(tmp_path))
    assert [b.sample()[2:] for _ in range(2)] == expected


def test_zero_cost_package_imports_no_framework():
    code = ("import sys, deep_architect.zero_cost, deep_architect.hardware\n"
            "import deep_architect.searchers.constrained, deep_architect.searchers.wrapper\n"
            "print([m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["proxies", "evaluator", "filtered_searcher"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module("deep_architect.zero_cost." + name)
    np.random.seed(0)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_proxy_filtered_searcher_passes_check_searcher():
    from deep_architect.testing import check_searcher

    check_searcher(lambda fn: ProxyFilteredSearcher(RandomSearcher(fn, rng=1), "synflow", 3,
                                                    (8, 64)), digits_space)
