"""Scoring architectures with the weights they inherit from a trained supernet.

After a supernet has been trained one path at a time (``sample_path`` before
each step: "random search with weight sharing", single-path one-shot), any
architecture of the space can be scored without training: set its path and
measure it on validation data. :class:`WeightSharingEvaluator` does this
behind the ordinary evaluator interface, so every searcher and
:func:`~deep_architect.search_loop.run_search` work unchanged.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.oneshot import Supernet, WeightSharingEvaluator
    >>> def space():
    ...     return mo.siso_sequential([
    ...         mo.siso_optional(lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...             torch.nn.Tanh, {}), hp.Bool()),
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...             torch.nn.Linear, {"in_features": 3, "out_features": 2})])
    >>> net = Supernet(space, {"in": torch.zeros(2, 3)})
    >>> evaluator = WeightSharingEvaluator(net, (torch.randn(8, 3), torch.randint(2, (8,))))
    >>> inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    >>> from deep_architect.searchers.common import specify
    >>> specify(outputs, [3, 2, 1])
    >>> sorted(evaluator.eval(inputs, outputs))
    ['validation_accuracy', 'validation_loss']
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

import deep_architect.core as co
from deep_architect.errors import check
from deep_architect.oneshot.supernet import Supernet

__all__ = ["WeightSharingEvaluator"]


class WeightSharingEvaluator:
    """An evaluator that scores an architecture on a supernet path, without training.

    Args:
        supernet: A (trained) supernet of the space the searcher samples from.
        data: Validation data: one batch ``(inputs, targets)`` or an iterable
            of such batches; inputs a tensor (single-input spaces) or a dict.
        loss_fn: ``loss_fn(outputs, targets)``; cross-entropy by default.
        batch_norm_statistics: ``"batch"`` runs the path in training mode under
            ``no_grad`` (batch norms normalise with the batch's statistics, the
            usual choice for weight sharing, where running statistics mix every
            path; their running averages are updated as a side effect);
            ``"running"`` uses evaluation mode.
    """

    def __init__(self, supernet: Supernet, data: Any,
                 loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
                 batch_norm_statistics: str = "batch") -> None:
        check(isinstance(supernet, Supernet),
              f"WeightSharingEvaluator: supernet must be a deep_architect.oneshot.Supernet, "
              f"got {type(supernet).__name__}")
        check(batch_norm_statistics in ("batch", "running"),
              f"WeightSharingEvaluator: batch_norm_statistics must be 'batch' or 'running', "
              f"got {batch_norm_statistics!r}")
        self.supernet = supernet
        is_one_batch = isinstance(data, tuple) and len(data) == 2 and isinstance(
            data[1], torch.Tensor)
        self.batches = [data] if is_one_batch else list(data)
        check(self.batches, "WeightSharingEvaluator: data holds no batch")
        self.loss_fn = torch.nn.functional.cross_entropy if loss_fn is None else loss_fn
        self.batch_norm_statistics = batch_norm_statistics

    def eval(self, inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]
             ) -> dict[str, Any]:
        """Scores the architecture specified in ``(inputs, outputs)`` on the supernet.

        Returns:
            ``{"validation_accuracy": ..., "validation_loss": ...}``.
        """
        return self.eval_values(self.supernet.value_list_of(outputs))

    def eval_values(self, hyperp_value_lst: list) -> dict[str, Any]:
        """Scores the architecture of a value list (same results as :meth:`eval`)."""
        net = self.supernet
        previous_path, was_training = net.path, net.training
        net.set_path(hyperp_value_lst)
        net.train(self.batch_norm_statistics == "batch")
        correct = total = 0
        loss_sum = 0.0
        try:
            with torch.no_grad():
                for x, y in self.batches:
                    out = net.predict(x)
                    check(isinstance(out, torch.Tensor),
                          f"WeightSharingEvaluator: the space has outputs {net.output_names}; "
                          f"scoring needs a single output")
                    loss_sum += float(self.loss_fn(out, y)) * len(y)
                    correct += int((out.argmax(dim=1) == y).sum())
                    total += len(y)
        finally:
            net._runtime.path = previous_path
            net.train(was_training)
        return {"validation_accuracy": correct / total, "validation_loss": loss_sum / total}
