"""Zero-cost proxies: scores of an untrained PyTorch network computed from one batch.

Each proxy takes a model (a :class:`~deep_architect.helpers.pytorch_support.PyTorchModel`
or any ``torch.nn.Module``) and a batch ``(x, y)`` (``x`` a tensor, or for a
``PyTorchModel`` a tensor fed to its single input or a dict keyed by input
names; ``y`` integer class labels, needed only by the loss-based proxies) and
returns one float, higher meaning "predicted to train better":

* ``grad_norm``: sum over weight tensors of the Euclidean norm of the loss gradient.
* ``snip``: sum of ``|dL/dw * w|`` (Lee et al., 2019).
* ``grasp``: ``-sum(w * (H g))`` with ``g`` the loss gradient and ``H`` the
  Hessian (Wang et al., 2020).
* ``fisher``: for the output ``a`` of every linear/convolution layer, the sum
  over channels of ``0.5 * mean_batch((sum_spatial a * dL/da)^2)`` (Turner et al., 2020).
* ``synflow``: ``sum(w * dR/dw)`` where ``R`` is the sum of the outputs of the
  network with absolute-valued weights on an all-ones input, in double
  precision, with batch normalization made the identity (Tanaka et al., 2020).
* ``jacob_cov``: ``-sum(log(v + k) + 1 / (v + k))``, ``k = 1e-5``, over the
  eigenvalues ``v`` of the correlation matrix of the per-example input
  Jacobians (Mellor et al., 2020, first version).
* ``naswot``: log-determinant of ``K[i, j] = N_A - hamming(c_i, c_j)`` where
  ``c_i`` is the binary code (pre-activation > 0) of example ``i`` at every
  rectifier-like activation (Mellor et al., ICML 2021).
* ``num_params``: number of parameters.
* ``flops``: floating-point operations of one forward pass of one example, as
  counted by ``torch.utils.flop_counter`` (a multiply-add counts 2).

"Weights" are the ``weight`` tensors of linear and convolution layers, as in
the reference implementation of Abdelfattah et al. (ICLR 2021); the loss is
cross-entropy. The gradient-based proxies and ``jacob_cov`` run the model in
training mode, as that implementation does (so dropout makes them random and
batch normalization uses the batch's statistics); ``synflow``, ``naswot`` and
``flops`` run it in inference mode. Every proxy leaves the model exactly as it was: parameter and
buffer values and dtypes, gradients, ``requires_grad`` flags and train/eval
modes are restored afterwards, and no hook is left behind.

Example:
    >>> import torch
    >>> from deep_architect.zero_cost.proxies import compute_proxy
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor([[1.0, -2.0], [3.0, 4.0]]))
    >>> compute_proxy("synflow", net, (torch.zeros(3, 2), None))  # sum of |w|
    10.0
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from deep_architect.errors import DeepArchitectError, check

__all__ = ["PROXIES", "LOSS_FREE_PROXIES", "compute_proxy", "preserved_model"]

#: Proxies that need no labels (``y`` may be ``None``).
LOSS_FREE_PROXIES = ("synflow", "jacob_cov", "naswot", "num_params", "flops")

_JACOB_COV_K = 1e-5


def _torch():
    import torch  # lazily: this package is importable without PyTorch
    return torch


def check_model(model: Any, proxy: str) -> None:
    """Fails with a message unless ``model`` is a ``torch.nn.Module``."""
    torch = _torch()
    if not isinstance(model, torch.nn.Module):
        raise DeepArchitectError(
            f"zero-cost proxy {proxy!r}: expected a PyTorch model (torch.nn.Module, e.g. a "
            f"PyTorchModel), got {type(model).__module__}.{type(model).__name__}")


def _is_pytorch_model(model: Any) -> bool:
    # Compared by name so that this module does not import the helper eagerly.
    return type(model).__name__ == "PyTorchModel" and hasattr(model, "inputs")


def _feed(model: Any, x: Any) -> Any:
    if _is_pytorch_model(model) and not isinstance(x, Mapping):
        check(len(model.inputs) == 1,
              f"zero-cost proxies: the model has inputs {sorted(model.inputs)}; give x as a "
              f"dict keyed by these names")
        return {next(iter(model.inputs)): x}
    return x


def _logits(model: Any, x: Any) -> Any:
    out = model(_feed(model, x))
    if isinstance(out, Mapping):
        if "out" in out:
            return out["out"]
        check(len(out) == 1, f"zero-cost proxies: the model has outputs {sorted(out)}; "
                             f"expected one output or one named 'out'")
        return next(iter(out.values()))
    return out


def _first_tensor(x: Any) -> Any:
    return next(iter(x.values())) if isinstance(x, Mapping) else x


def _map_tensors(x: Any, fn: Callable) -> Any:
    return {k: fn(v) for k, v in x.items()} if isinstance(x, Mapping) else fn(x)


def _weighted_layers(model: Any) -> list:
    torch = _torch()
    kinds = (torch.nn.Linear, torch.nn.modules.conv._ConvNd)
    return [m for m in model.modules() if isinstance(m, kinds) and m.weight is not None]


def _weights(model: Any, proxy: str) -> list:
    weights = [m.weight for m in _weighted_layers(model)]
    check(weights, f"zero-cost proxy {proxy!r}: the model has no linear or convolution layer "
                   f"with weights (nothing to score; {type(model).__name__} has "
                   f"{sum(p.numel() for p in model.parameters())} parameters)")
    return weights


@contextlib.contextmanager
def preserved_model(model: Any) -> Iterator[None]:
    """Restores the model's parameters, buffers, gradients, modes and settings on exit.

    Parameter objects stay the same (optimisers holding them keep working);
    their data, dtype, gradient and ``requires_grad`` flag are put back. Buffer
    tensors are put back as the same objects with their original values.

    Args:
        model: A ``torch.nn.Module``.
    """
    torch = _torch()
    modules = list(model.modules())
    # Public attributes hold the modes and settings such as a norm layer's eps.
    attributes = [{k: v for k, v in vars(m).items() if not k.startswith("_")} for m in modules]
    params = [(p, p.detach().clone(), None if p.grad is None else p.grad.detach().clone(),
               p.requires_grad) for p in model.parameters()]
    buffers = [(m, dict(m._buffers), {k: None if b is None else b.detach().clone()
                                      for k, b in m._buffers.items()}) for m in modules]
    try:
        yield
    finally:
        with torch.no_grad():
            for p, data, grad, requires_grad in params:
                p.data = data
                p.grad = grad
                p.requires_grad_(requires_grad)
            for m, originals, values in buffers:
                for k, b in originals.items():
                    if b is not None:
                        b.copy_(values[k])
                m._buffers.clear()
                m._buffers.update(originals)
        for m, attrs in zip(modules, attributes):
            m.__dict__.update(attrs)


def _loss(model: Any, batch: tuple, proxy: str) -> Any:
    torch = _torch()
    x, y = batch
    check(y is not None, f"zero-cost proxy {proxy!r} needs labels: give the batch as (x, y)")
    logits = _logits(model, x)
    return torch.nn.functional.cross_entropy(logits, torch.as_tensor(y, dtype=torch.long))


def _zero_grads(model: Any) -> None:
    for p in model.parameters():
        p.grad = None


def _gradients(model: Any, batch: tuple, proxy: str) -> tuple:
    weights = _weights(model, proxy)
    _zero_grads(model)
    model.train()
    _loss(model, batch, proxy).backward()
    return weights, [w.grad if w.grad is not None else w.detach() * 0 for w in weights]


def grad_norm(model: Any, batch: tuple) -> float:
    """Sum over weight tensors of the norm of the loss gradient."""
    weights, grads = _gradients(model, batch, "grad_norm")
    return float(sum(g.norm() for g in grads))


def snip(model: Any, batch: tuple) -> float:
    """Sum of ``|dL/dw * w|`` over the weights."""
    weights, grads = _gradients(model, batch, "snip")
    return float(sum((g * w.detach()).abs().sum() for w, g in zip(weights, grads)))


def grasp(model: Any, batch: tuple) -> float:
    """``-sum(w * H g)``, the Hessian-gradient product computed by double backpropagation."""
    torch = _torch()
    weights = _weights(model, "grasp")
    _zero_grads(model)
    model.train()
    first = torch.autograd.grad(_loss(model, batch, "grasp"), weights, allow_unused=True)
    first = [torch.zeros_like(w) if g is None else g.detach() for w, g in zip(weights, first)]
    second = torch.autograd.grad(_loss(model, batch, "grasp"), weights, create_graph=True,
                                 allow_unused=True)
    z = sum((g * f).sum() for g, f in zip(second, first) if g is not None)
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        return 0.0  # the loss is linear in every weight: the Hessian term vanishes
    hg = torch.autograd.grad(z, weights, allow_unused=True)
    return float(-sum((w.detach() * h).sum() for w, h in zip(weights, hg) if h is not None))


def fisher(model: Any, batch: tuple) -> float:
    """Fisher information of the activations of linear and convolution layers."""
    layers = _weighted_layers(model)
    _weights(model, "fisher")
    activations: list = []

    def keep(module, inputs, output):
        output.retain_grad()
        activations.append(output)

    handles = [m.register_forward_hook(keep) for m in layers]
    try:
        _zero_grads(model)
        model.train()
        _loss(model, batch, "fisher").backward()
    finally:
        for h in handles:
            h.remove()
    total = 0.0
    for a in activations:
        if a.grad is None:
            continue
        prod = (a * a.grad).detach()
        per_channel = prod.sum(dim=tuple(range(2, prod.dim()))) if prod.dim() > 2 else prod
        total += float((0.5 * per_channel.pow(2).mean(dim=0)).sum())
    return total


def synflow(model: Any, batch: tuple) -> float:
    """Synaptic flow: ``sum(w * dR/dw)`` for the absolute-valued network on ones."""
    torch = _torch()
    weights = _weights(model, "synflow")
    model.double()
    model.eval()  # dropout off; batch normalization is made the identity below
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._NormBase):
                _make_identity_norm(m)
        for p in model.parameters():
            p.abs_()
    _zero_grads(model)
    inputs = _map_tensors(
        batch[0], lambda v: torch.ones((1,) + tuple(v.shape[1:]), dtype=torch.float64))
    torch.sum(_logits(model, inputs)).backward()
    return float(sum((w.detach() * w.grad).sum() for w in weights if w.grad is not None))


def _make_identity_norm(m: Any) -> None:
    if m.running_mean is not None:
        m.running_mean.zero_()
        m.running_var.fill_(1.0)
    m.track_running_stats = m.running_mean is not None
    m.eps = 0.0
    if m.affine:
        m.weight.fill_(1.0)
        m.bias.zero_()


def jacob_cov(model: Any, batch: tuple) -> float:
    """Score of the correlations between the per-example input Jacobians."""
    torch = _torch()
    x = _first_tensor(batch[0])
    check(x.shape[0] >= 2, "zero-cost proxy 'jacob_cov' needs a batch of at least 2 examples, "
                           "got %d", x.shape[0])
    model.train()
    x = x.detach().clone().requires_grad_(True)
    # With several inputs, the Jacobian is taken with respect to the first one.
    inputs = {**batch[0], next(iter(batch[0])): x} if isinstance(batch[0], Mapping) else x
    out = _logits(model, inputs)
    (grad,) = torch.autograd.grad(out.sum(), x, allow_unused=True)
    check(grad is not None, "zero-cost proxy 'jacob_cov': the output does not depend on the input")
    jac = grad.reshape(grad.shape[0], -1).double().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(jac)
    if not np.all(np.isfinite(corr)):
        return float("nan")  # a constant Jacobian row: correlation undefined
    v = np.clip(np.linalg.eigvalsh(corr), 0.0, None)
    return float(-np.sum(np.log(v + _JACOB_COV_K) + 1.0 / (v + _JACOB_COV_K)))


def _rectifier_functions() -> tuple:
    torch = _torch()
    F = torch.nn.functional
    return (F.relu, F.relu_, torch.relu, torch.relu_, torch.Tensor.relu, torch.Tensor.relu_,
            F.relu6, F.leaky_relu, F.leaky_relu_, F.elu, F.elu_, F.selu, F.celu, F.gelu,
            F.silu, F.softplus, F.hardtanh, F.hardtanh_)


def _binary_codes(model: Any, x: Any) -> Any:
    torch = _torch()
    functions = _rectifier_functions()
    codes: list = []

    class Recorder(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func in functions and args and isinstance(args[0], torch.Tensor):
                codes.append((args[0].detach() > 0).reshape(args[0].shape[0], -1))
            return func(*args, **(kwargs or {}))

    model.eval()  # the codes of an example must not depend on the rest of the batch
    with torch.no_grad(), Recorder():
        _logits(model, x)
    check(codes, "zero-cost proxy 'naswot': the model applies no rectifier-like activation "
                 "(relu, relu6, elu, gelu, ...), so there are no binary codes")
    return torch.cat(codes, dim=1).double()


def naswot(model: Any, batch: tuple) -> float:
    """Log-determinant of the Hamming kernel of the binary activation codes."""
    c = _binary_codes(model, batch[0])
    k = c @ c.T + (1.0 - c) @ (1.0 - c).T
    _, logdet = np.linalg.slogdet(k.numpy())
    return float(logdet)


def num_params(model: Any, batch: tuple) -> float:
    """Number of parameters (the batch is not used)."""
    return float(sum(p.numel() for p in model.parameters()))


def flops(model: Any, batch: tuple) -> float:
    """Floating-point operations of one forward pass on the first example."""
    torch = _torch()
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    first = _map_tensors(batch[0], lambda v: v[:1])
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        _logits(model, first)
    return float(counter.get_total_flops())


#: Proxy name to function ``fn(model, batch) -> float``.
PROXIES: dict[str, Callable[[Any, tuple], float]] = {
    "synflow": synflow, "snip": snip, "grasp": grasp, "grad_norm": grad_norm,
    "fisher": fisher, "jacob_cov": jacob_cov, "naswot": naswot,
    "num_params": num_params, "flops": flops,
}


def compute_proxy(name: str, model: Any, batch: tuple) -> float:
    """Computes one proxy, leaving ``model`` unchanged.

    Args:
        name: A key of :data:`PROXIES`.
        model: A ``torch.nn.Module`` (e.g. a ``PyTorchModel``).
        batch: ``(x, y)``; ``y`` may be ``None`` for :data:`LOSS_FREE_PROXIES`.

    Returns:
        The proxy's value (NaN for ``jacob_cov`` when a Jacobian is constant).

    Raises:
        DeepArchitectError: For an unknown proxy, a model that is not a PyTorch
            module, a model without weights for a weight-based proxy, or a
            batch that does not fit the proxy.
    """
    check(name in PROXIES, f"unknown zero-cost proxy {name!r}; expected one of {sorted(PROXIES)}")
    check_model(model, name)
    check(isinstance(batch, tuple | list) and len(batch) == 2,
          f"zero-cost proxy {name!r}: batch must be a pair (x, y), got {type(batch).__name__}")
    torch = _torch()
    with preserved_model(model), torch.enable_grad():
        return PROXIES[name](model, tuple(batch))
