"""DARTS: learning a supernet's mixture logits by gradient descent (Liu et al., ICLR 2019).

Each :meth:`DartsTrainer.step` takes one step on the logits with a validation
batch, then one step on the weights with a training batch (the bi-level
alternation of the paper). The logit gradient is first-order by default (the
validation loss at the current weights); with ``second_order=True`` it is the
gradient at the weights after one virtual SGD step on the training batch,
whose Hessian-vector product is approximated by finite differences.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.oneshot import DartsTrainer, Supernet
    >>> def space():
    ...     act = mo.siso_or([
    ...         lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.Tanh, {}),
    ...         lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {})],
    ...         hp.Discrete([0, 1]))
    ...     return mo.siso_sequential([act, hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...         torch.nn.Linear, {"in_features": 3, "out_features": 1})])
    >>> net = Supernet(space, {"in": torch.zeros(2, 3)})
    >>> trainer = DartsTrainer(net, torch.optim.SGD(net.weight_parameters(), lr=0.1),
    ...                        torch.optim.Adam(net.arch_parameters(), lr=0.01),
    ...                        torch.nn.functional.mse_loss)
    >>> batch = (torch.randn(8, 3), torch.randn(8, 1))
    >>> sorted(trainer.step(batch, batch))
    ['train_loss', 'val_loss']
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

from deep_architect.errors import check
from deep_architect.oneshot.supernet import Supernet

__all__ = ["DartsTrainer"]

Batch = tuple[Any, Any]
"""``(inputs, targets)``; inputs a tensor (single-input spaces) or a dict by input name."""


class DartsTrainer:
    """Alternates logit steps on validation data and weight steps on training data.

    Args:
        supernet: The supernet to train (in mixture mode: no path set).
        w_optimizer: Optimiser of ``supernet.weight_parameters()``.
        alpha_optimizer: Optimiser of ``supernet.arch_parameters()``.
        loss_fn: ``loss_fn(outputs, targets) -> scalar tensor``; ``outputs`` is the
            output tensor for single-output spaces, else the dict of outputs.
        second_order: Use the unrolled (finite-difference) logit gradient.
        unrolled_lr: Learning rate of the virtual step (default: the weight
            optimiser's first learning rate).
        grad_clip: Maximum norm of the weight gradient (``None``: no clipping).
    """

    def __init__(self, supernet: Supernet, w_optimizer: torch.optim.Optimizer,
                 alpha_optimizer: torch.optim.Optimizer,
                 loss_fn: Callable[[Any, Any], torch.Tensor], second_order: bool = False,
                 unrolled_lr: float | None = None, grad_clip: float | None = None) -> None:
        check(isinstance(supernet, Supernet),
              f"DartsTrainer: supernet must be a deep_architect.oneshot.Supernet, got "
              f"{type(supernet).__name__}")
        self.supernet = supernet
        self.w_optimizer = w_optimizer
        self.alpha_optimizer = alpha_optimizer
        self.loss_fn = loss_fn
        self.second_order = second_order
        self.unrolled_lr = (w_optimizer.param_groups[0]["lr"] if unrolled_lr is None
                            else unrolled_lr)
        self.grad_clip = grad_clip

    def loss(self, batch: Batch) -> torch.Tensor:
        """The loss of the supernet's current forward on ``(inputs, targets)``."""
        check(isinstance(batch, tuple | list) and len(batch) == 2,
              f"DartsTrainer: a batch must be a pair (inputs, targets), got "
              f"{type(batch).__name__}")
        x, y = batch
        return self.loss_fn(self.supernet.predict(x), y)

    def step(self, train_batch: Batch, val_batch: Batch | None) -> dict[str, float]:
        """One logit step on ``val_batch``, then one weight step on ``train_batch``.

        Args:
            train_batch: ``(inputs, targets)`` for the weights.
            val_batch: ``(inputs, targets)`` for the logits, or ``None`` for a
                weight step only (warming the weights up before the logits
                learn keeps parameter-free operations from winning early).

        Returns:
            ``{"val_loss": ..., "train_loss": ...}`` (before the steps; no
            ``val_loss`` without ``val_batch``).
        """
        check(self.supernet.path is None,
              "DartsTrainer.step: the supernet runs a single path; call clear_path() first")
        losses = {}
        if val_batch is not None:
            losses["val_loss"] = self._alpha_step(train_batch, val_batch)
        self.w_optimizer.zero_grad()
        train_loss = self.loss(train_batch)
        train_loss.backward()
        if self.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(self.supernet.weight_parameters(), self.grad_clip)
        self.w_optimizer.step()
        losses["train_loss"] = train_loss.item()
        return losses

    def _alpha_step(self, train_batch: Batch, val_batch: Batch) -> float:
        self.alpha_optimizer.zero_grad()
        if self.second_order:
            val_loss = self._unrolled_alpha_grads(train_batch, val_batch)
        else:
            val_loss = self.loss(val_batch)
            val_loss.backward()
        self.alpha_optimizer.step()
        return val_loss.item()

    def epoch(self, train_batches: Iterable[Batch], val_batches: Iterable[Batch] | None
              ) -> dict[str, float]:
        """Steps over paired batches (weights only if ``val_batches`` is ``None``).

        Returns:
            The mean losses.
        """
        train_batches = list(train_batches)
        check(train_batches, "DartsTrainer.epoch: no batches")
        pairs = zip(train_batches, [None] * len(train_batches) if val_batches is None
                    else val_batches)
        totals: dict[str, float] = {}
        n = 0
        for train_batch, val_batch in pairs:
            for k, v in self.step(train_batch, val_batch).items():
                totals[k] = totals.get(k, 0.0) + v
            n += 1
        return {k: v / n for k, v in totals.items()}

    def _unrolled_alpha_grads(self, train_batch: Batch, val_batch: Batch) -> torch.Tensor:
        """Sets the logits' gradients to the second-order DARTS approximation.

        With ``w' = w - xi * dL_train/dw``: ``dL_val(w')/da - xi * H v`` where
        ``v = dL_val(w')/dw'`` and ``H v`` is the finite difference
        ``(dL_train(w + e v)/da - dL_train(w - e v)/da) / 2e``.
        """
        weights = self.supernet.weight_parameters()
        alphas = self.supernet.arch_parameters()
        xi = self.unrolled_lr
        originals = [w.detach().clone() for w in weights]
        train_grads = _grads(self.loss(train_batch), weights)
        try:
            with torch.no_grad():
                for w, g in zip(weights, train_grads, strict=True):
                    w.sub_(xi * g)
            val_loss = self.loss(val_batch)
            grads = _grads(val_loss, alphas + weights)
            alpha_grads, v = grads[:len(alphas)], grads[len(alphas):]
            eps = 0.01 / (torch.cat([g.flatten() for g in v]).norm() + 1e-12)
            hessian_terms = []
            for sign in (1.0, -1.0):
                with torch.no_grad():
                    for w, w0, g in zip(weights, originals, v, strict=True):
                        w.copy_(w0 + sign * eps * g)
                hessian_terms.append(_grads(self.loss(train_batch), alphas))
        finally:
            with torch.no_grad():
                for w, w0 in zip(weights, originals, strict=True):
                    w.copy_(w0)
        for a, g, plus, minus in zip(alphas, alpha_grads, *hessian_terms, strict=True):
            a.grad = g - xi * (plus - minus) / (2 * eps)
        return val_loss


def _grads(loss: torch.Tensor, params: list[torch.Tensor]) -> list[torch.Tensor]:
    """Gradients of ``loss`` for ``params``, zeros where a parameter is unused."""
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads, strict=True)]
