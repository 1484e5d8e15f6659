"""An evaluator returning zero-cost proxies instead of trained accuracies.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.common import random_specify
    >>> def space():
    ...     return mo.siso_sequential([
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...             torch.nn.Linear, {"in_features": 4, "out_features": 8}),
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {}),
    ...         hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...             torch.nn.Linear, {"in_features": 8, "out_features": 3})])
    >>> inputs, outputs = space()
    >>> _ = random_specify(outputs)
    >>> evaluator = ZeroCostEvaluator(["num_params", "naswot"], (16, 4), num_classes=3)
    >>> sorted(evaluator.eval(inputs, outputs))
    ['naswot', 'num_params']
    >>> evaluator.eval(inputs, outputs)["num_params"]
    67.0
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from deep_architect.errors import DeepArchitectError, check
from deep_architect.zero_cost.proxies import LOSS_FREE_PROXIES, PROXIES, compute_proxy

__all__ = ["ZeroCostEvaluator", "make_batch", "build_model"]

ShapeOrBatch = Any  # a shape tuple (batch size first), or a batch (x, y)


def make_batch(input_shape_or_batch: ShapeOrBatch, num_classes: int = 10,
               seed: int = 0) -> tuple:
    """Returns a batch ``(x, y)``: the given one, or a random one of the given shape.

    A random batch has standard normal inputs and labels ``0, 1, ..., num_classes - 1``
    repeated, drawn from a private generator (the global PyTorch one is untouched).

    Args:
        input_shape_or_batch: ``(batch_size, *example_shape)`` of ints, or a pair ``(x, y)``.
        num_classes: Number of classes of the random labels.
        seed: Seed of the random inputs.

    Raises:
        DeepArchitectError: If the argument is neither a shape nor a pair.
    """
    import torch

    if (isinstance(input_shape_or_batch, Sequence)
            and all(isinstance(d, int) and not isinstance(d, bool) for d in input_shape_or_batch)):
        shape = tuple(input_shape_or_batch)
        check(len(shape) >= 2 and all(d > 0 for d in shape),
              f"zero-cost input shape must be (batch_size, *example_shape) of positive ints, "
              f"got {shape}")
        check(isinstance(num_classes, int) and num_classes >= 1,
              f"num_classes must be a positive int, got {num_classes!r}")
        gen = torch.Generator().manual_seed(int(seed))
        x = torch.randn(shape, generator=gen)
        return x, torch.arange(shape[0]) % num_classes
    check(isinstance(input_shape_or_batch, tuple | list) and len(input_shape_or_batch) == 2,
          f"expected an input shape (batch_size, ...) or a batch (x, y), got "
          f"{input_shape_or_batch!r:.200}")
    return tuple(input_shape_or_batch)


def build_model(inputs: Mapping, outputs: Mapping, x: Any) -> Any:
    """Compiles a specified architecture into a ``PyTorchModel`` with example input ``x``.

    Args:
        inputs: The architecture's inputs.
        outputs: The architecture's outputs (fully specified).
        x: A tensor for the single input, or a dict keyed by input names.

    Raises:
        DeepArchitectError: If a module of the architecture is a module of
            another framework (Keras, TensorFlow, ...).
    """
    from deep_architect.helpers._common import CompileFnModule, modules_in_forward_order
    from deep_architect.helpers.pytorch_support import PyTorchModel, PyTorchModule

    foreign = [m for m in modules_in_forward_order(outputs)
               if isinstance(m, CompileFnModule) and not isinstance(m, PyTorchModule)]
    if foreign:
        raise DeepArchitectError(
            f"zero-cost proxies and latency tables need a PyTorch architecture; module "
            f"{foreign[0].get_name()} is a {type(foreign[0]).__name__}")
    if not isinstance(x, Mapping):
        check(len(inputs) == 1, f"the architecture has inputs {sorted(inputs)}; give the "
                                f"example input as a dict keyed by these names")
        x = {next(iter(inputs)): x}
    return PyTorchModel(inputs, outputs, x)


def check_proxy_names(proxies: Sequence[str], owner: str) -> list:
    """Returns ``proxies`` as a list after checking every name is a known proxy."""
    check(isinstance(proxies, Sequence) and not isinstance(proxies, str) and len(proxies) > 0,
          f"{owner}: proxies must be a non-empty list of names, got {proxies!r}")
    unknown = [p for p in proxies if p not in PROXIES]
    check(not unknown, f"{owner}: unknown proxies {unknown}; expected names from "
                       f"{sorted(PROXIES)}")
    return list(proxies)


class ZeroCostEvaluator:
    """Scores an architecture with zero-cost proxies (no training).

    ``eval(inputs, outputs)`` compiles the architecture with PyTorch and returns
    ``{proxy_name: value}`` for every requested proxy, so it can be used with
    :func:`~deep_architect.search_loop.run_search` (``metric`` one of the names).
    The batch is fixed at construction, so every architecture sees the same data.

    Args:
        proxies: Names from :data:`~deep_architect.zero_cost.proxies.PROXIES`.
        input_shape_or_batch: ``(batch_size, *example_shape)`` for a random
            batch (see :func:`make_batch`), or a batch ``(x, y)`` of real data.
        num_classes: Classes of the random labels (only with a shape).
        seed: Seed of the random batch.
    """

    def __init__(self, proxies: Sequence[str], input_shape_or_batch: ShapeOrBatch,
                 num_classes: int = 10, seed: int = 0) -> None:
        self.proxies = check_proxy_names(proxies, "ZeroCostEvaluator")
        self.batch = make_batch(input_shape_or_batch, num_classes, seed)
        needs_labels = [p for p in self.proxies if p not in LOSS_FREE_PROXIES]
        check(self.batch[1] is not None or not needs_labels,
              f"ZeroCostEvaluator: proxies {needs_labels} need labels; give a batch (x, y)")

    def eval(self, inputs: Mapping, outputs: Mapping) -> dict[str, float]:
        """Returns ``{proxy_name: value}`` for a specified architecture."""
        model = build_model(inputs, outputs, self.batch[0])
        return {name: compute_proxy(name, model, self.batch) for name in self.proxies}
