"""Tests of deep_architect.oneshot.DartsTrainer."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("one_torch_thread")
from torch import nn  # noqa: E402
from torch.func import functional_call  # noqa: E402

import deep_architect.helpers.pytorch_support as hpt  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.oneshot import DartsTrainer, Supernet  # noqa: E402

# Not related by affine maps (tanh and sigmoid are), so the Linear layers cannot
# make one op imitate another.
OPS = {"tanh": torch.tanh, "relu": torch.relu, "square": torch.square}


def layer(fn, **kwargs):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(fn, kwargs)


def planted_space():
    ops = {"tanh": lambda: layer(nn.Tanh), "relu": lambda: layer(nn.ReLU),
           "square": lambda: hpt.siso_pytorch_module(
               "Square", lambda di, dh: ((lambda di: {"out": di["in"] ** 2}), []), {})}
    return mo.siso_sequential([mo.siso_or(ops, hp.Discrete(list(OPS), name="op")),
                               layer(nn.Linear, in_features=3, out_features=1)])


def planted_batches(planted, seed, n=64):
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(3, 1, generator=gen)

    def batch():
        x = 2 * torch.randn(n, 3, generator=gen)
        return x, OPS[planted](x) @ w
    return batch


def make_trainer(seed, second_order=False):
    torch.manual_seed(seed)
    net = Supernet(planted_space, {"in": torch.zeros(2, 3)})
    return DartsTrainer(net, torch.optim.Adam(net.weight_parameters(), lr=0.03),
                        torch.optim.Adam(net.arch_parameters(), lr=0.05),
                        nn.functional.mse_loss, second_order=second_order)


@pytest.mark.parametrize("planted,seed", [("tanh", 0), ("relu", 1), ("square", 2),
                                          ("relu", 3)])
def test_darts_derives_the_planted_op(planted, seed):
    trainer = make_trainer(seed)
    batch = planted_batches(planted, seed)
    for _ in range(150):
        trainer.step(batch(), batch())
    assert trainer.supernet.derive().values[-1] == planted


def test_second_order_derives_the_planted_op():
    trainer = make_trainer(4, second_order=True)
    batch = planted_batches("square", 4)
    for _ in range(150):
        trainer.step(batch(), batch())
    assert trainer.supernet.derive().values[-1] == "square"


def test_second_order_gradient_matches_the_exactly_unrolled_gradient():
    trainer = make_trainer(5, second_order=True)
    net = trainer.supernet
    batch = planted_batches("tanh", 5)
    train, val = batch(), batch()
    names = [n for n, _ in net.named_parameters()]
    params = dict(net.named_parameters())
    weight_names = [n for n in names if not n.startswith("alphas")]

    def loss(p, b):
        return nn.functional.mse_loss(functional_call(net, p, ({"in": b[0]},))["out"], b[1])
    train_grads = torch.autograd.grad(loss(params, train), [params[n] for n in weight_names],
                                      create_graph=True)
    unrolled = dict(params)
    for n, g in zip(weight_names, train_grads):
        unrolled[n] = params[n] - trainer.unrolled_lr * g
    exact = torch.autograd.grad(loss(unrolled, val), [params["alphas.0"]])[0]
    net.zero_grad()
    trainer._unrolled_alpha_grads(train, val)
    assert torch.allclose(net.alphas[0].grad, exact, rtol=1e-2, atol=1e-5)
    assert not torch.allclose(exact, torch.autograd.grad(loss(params, val),
                                                         [params["alphas.0"]])[0])


def test_alphas_learn_from_validation_data_and_weights_from_training_data():
    trainer = make_trainer(6)
    net = trainer.supernet
    trainer.w_optimizer = torch.optim.SGD(net.weight_parameters(), lr=0.0)
    before = [p.detach().clone() for p in net.weight_parameters()]
    batch = planted_batches("relu", 6)
    trainer.step(batch(), batch())
    assert all(torch.equal(a, b) for a, b in zip(before, net.weight_parameters()))
    assert any(a.grad.abs().sum() > 0 for a in net.arch_parameters())


def test_a_step_without_validation_batch_trains_the_weights_only():
    trainer = make_trainer(8)
    net = trainer.supernet
    alphas = [a.detach().clone() for a in net.arch_parameters()]
    weights = [w.detach().clone() for w in net.weight_parameters()]
    batch = planted_batches("relu", 8)
    assert sorted(trainer.epoch([batch(), batch()], None)) == ["train_loss"]
    assert all(torch.equal(a, b) for a, b in zip(alphas, net.arch_parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(weights, net.weight_parameters()))


def test_a_step_on_a_single_path_is_refused():
    trainer = make_trainer(7)
    trainer.supernet.sample_path()
    batch = planted_batches("relu", 7)
    with pytest.raises(DeepArchitectError, match="clear_path"):
        trainer.step(batch(), batch())
