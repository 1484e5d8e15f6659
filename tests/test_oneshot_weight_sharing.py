"""Tests of single-path training and deep_architect.oneshot.WeightSharingEvaluator."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("one_torch_thread")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402

import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.oneshot import Supernet, WeightSharingEvaluator  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402

D = hp.Discrete


def layer(fn, **kwargs):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(fn, kwargs)


def space():
    act = lambda: mo.siso_or([lambda: layer(nn.Tanh), lambda: layer(nn.ReLU)],  # noqa: E731
                             D([0, 1]))
    return mo.siso_sequential([
        layer(nn.Linear, in_features=4, out_features=8),
        mo.siso_repeat(lambda: mo.siso_sequential([
            act(), layer(nn.Linear, in_features=8, out_features=8)]), D([1, 2, 3])),
        act(), layer(nn.Linear, in_features=8, out_features=3)])


def data(seed=0, n=32):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def supernet():
    torch.manual_seed(0)
    return Supernet(space, {"in": torch.zeros(2, 4)})


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**16))
def test_value_list_of_recovers_the_searchers_list_and_eval_scores_that_path(seed):
    net = supernet()
    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    values = random_specify(outputs, np.random.default_rng(seed))
    assert net.value_list_of(outputs) == values
    evaluator = WeightSharingEvaluator(net, data(), batch_norm_statistics="running")
    results = evaluator.eval(inputs, outputs)
    child = net.child(values).eval()
    x, y = data()
    expected = (child({"in": x})["out"].argmax(dim=1) == y).float().mean().item()
    assert results["validation_accuracy"] == pytest.approx(expected)
    assert net.path is None  # the evaluator leaves the supernet as it found it


def test_value_list_of_rejects_an_architecture_of_another_space():
    net = supernet()
    inputs, outputs = mo.SearchSpaceFactory(
        lambda: mo.siso_optional(mo.identity, D([0, 1], name="other"))).get_search_space()
    random_specify(outputs)
    with pytest.raises(DeepArchitectError, match="not specified from this search space"):
        net.value_list_of(outputs)


def test_single_path_training_improves_the_paths_it_trains():
    net = supernet()
    evaluator = WeightSharingEvaluator(net, [data(1)])
    paths = [net.sample_path() for _ in range(4)]
    net.clear_path()
    before = [evaluator.eval_values(v)["validation_loss"] for v in paths]
    opt = torch.optim.Adam(net.weight_parameters(), lr=0.02)
    x, y = data(1)
    for step in range(40):
        net.set_path(paths[step % len(paths)])
        opt.zero_grad()
        nn.functional.cross_entropy(net.predict(x), y).backward()
        opt.step()
    net.clear_path()
    after = [evaluator.eval_values(v)["validation_loss"] for v in paths]
    assert all(a < b for a, b in zip(after, before))
    assert all(a.grad is None for a in net.arch_parameters())


@pytest.mark.parametrize("kind", ["random", "mcts", "smbo", "evolution"])
def test_a_searcher_searches_the_supernet_through_run_search(kind, tmp_path):
    from searcher_toys import make_searcher

    net = supernet()
    evaluator = WeightSharingEvaluator(net, data())
    searcher = make_searcher(kind, space, rng=np.random.RandomState(0))
    results = run_search(searcher, lambda: evaluator, 6, str(tmp_path), kind,
                         show_progress=False)
    assert len(results) == 6
    assert all(0.0 <= r["validation_accuracy"] <= 1.0 for r in results)


def test_the_evaluator_rejects_what_is_not_a_supernet_or_data():
    with pytest.raises(DeepArchitectError, match="must be a deep_architect.oneshot.Supernet"):
        WeightSharingEvaluator(nn.Linear(2, 2), data())
    with pytest.raises(DeepArchitectError, match="no batch"):
        WeightSharingEvaluator(supernet(), [])


def test_specify_replays_every_sampled_path():
    net = supernet()
    for _ in range(5):
        values = net.sample_path()
        _, outputs = mo.SearchSpaceFactory(space).get_search_space()
        specify(outputs, values)
