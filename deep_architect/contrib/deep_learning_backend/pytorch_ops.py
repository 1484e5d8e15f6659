"""PyTorch implementation of the framework layer API (NCHW tensors).

Layer functions take an example input ``x`` (to read its channel count) and
return ``(fn, modules)`` with ``fn(x, training)``; ``training`` is ignored
because PyTorch modules follow ``.train()`` / ``.eval()`` (``hpt.train``,
``hpt.eval``). ``'SAME'`` padding reproduces TensorFlow's (extra row/column at
the bottom/right), for any input height and width.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

import deep_architect.helpers.pytorch_support as hpt
from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.contrib.deep_learning_backend import general_ops
from deep_architect.contrib.deep_learning_backend.general_ops import InitFn, IntOrPair, Tensor
from deep_architect.errors import check

Layer = tuple  # (fn(x, training), list of nn.Module)


def make_module(name: str, compile_fn: Callable, name_to_hyperp: dict,
                input_names: list, output_names: list) -> tuple:
    """Wraps a compile function returning ``(apply, modules)`` into a ``PyTorchModule``."""
    def pytorch_compile_fn(di, dh):
        apply, modules = compile_fn(di, dh)
        return (lambda d: apply(d, None)), list(modules)
    return hpt.PyTorchModule(name, pytorch_compile_fn, name_to_hyperp, input_names,
                             output_names).get_io()


def _pair(v) -> tuple:
    if isinstance(v, (list, tuple)):
        check(len(v) == 2, f"expected an int or a [height, width] pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple:
    extent = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def _padder(padding: str, kernel, stride, dilation=1, value: float = 0.0) -> Callable:
    """Returns ``pad(x)`` applying TensorFlow-style ``padding`` to an NCHW tensor."""
    padding = str(padding).upper()
    if padding == "VALID":
        return lambda x: x
    check(padding == "SAME", f"padding must be 'SAME' or 'VALID', got {padding!r}")
    (kh, kw), (sh, sw), (dh, dw) = _pair(kernel), _pair(stride), _pair(dilation)

    def pad(x):
        top, bottom = _same_pads(x.shape[2], kh, sh, dh)
        left, right = _same_pads(x.shape[3], kw, sw, dw)
        return F.pad(x, (left, right, top, bottom), value=value)
    return pad


def channels(x: Tensor) -> int:
    """Number of channels (features for rank-2 inputs)."""
    return int(x.shape[1])


def spatial(x: Tensor) -> tuple:
    """``(height, width)`` of an NCHW tensor."""
    return int(x.shape[2]), int(x.shape[3])


def conv2d(x: Tensor, filters: int | None, kernel: IntOrPair, stride: IntOrPair = 1,
           dilation: IntOrPair = 1, use_bias: bool = True, padding: str = "SAME",
           kind: str = "standard", depth_multiplier: int = 1,
           kernel_init: InitFn | None = None) -> Layer:
    """PyTorch convolution layer; the arguments are described in ``general_ops``."""
    c = channels(x)
    pad = _padder(padding, kernel, stride, dilation)
    spatial_args = dict(kernel_size=_pair(kernel), stride=_pair(stride),
                        dilation=_pair(dilation))
    if kind == "standard":
        convs = [nn.Conv2d(c, int(filters), bias=bool(use_bias), **spatial_args)]
        if kernel_init is not None:
            kh, kw = _pair(kernel)
            with torch.no_grad():
                init = torch.as_tensor(kernel_init((kh, kw, c, int(filters))))
                convs[0].weight.copy_(init.permute(3, 2, 0, 1))
    else:
        check(kind in ("depthwise", "separable"), f"unknown convolution kind {kind!r}")
        depthwise = nn.Conv2d(c, c * int(depth_multiplier), groups=c,
                              bias=bool(use_bias) and kind == "depthwise", **spatial_args)
        convs = [depthwise]
        if kind == "separable":
            convs.append(nn.Conv2d(c * int(depth_multiplier), int(filters), 1,
                                   bias=bool(use_bias)))

    def fn(y, training):
        y = pad(y)
        for conv in convs:
            y = conv(y)
        return y
    return fn, convs


def pool2d(x: Tensor, kind: str, kernel: IntOrPair, stride: IntOrPair = 1,
           padding: str = "SAME") -> Layer:
    """Max, average or min pooling; padded cells never count (TensorFlow semantics)."""
    k, s = _pair(kernel), _pair(stride)
    if kind == "avg":
        pad = _padder(padding, k, s)

        def fn(y, training):
            # Dividing by the pooled mask of real cells excludes the padding from the mean.
            ones = torch.ones_like(y[:1, :1])
            return F.avg_pool2d(pad(y), k, s) / F.avg_pool2d(pad(ones), k, s)
        return fn, []
    check(kind in ("max", "min"), f"pooling kind must be 'max', 'avg' or 'min', got {kind!r}")
    sign = 1.0 if kind == "max" else -1.0
    pad = _padder(padding, k, s, value=-math.inf)
    return (lambda y, training: sign * F.max_pool2d(pad(sign * y), k, s)), []


def batch_norm(x: Tensor) -> Layer:
    """Batch normalization (momentum 0.9 in the TensorFlow sense, epsilon 1e-5)."""
    cls = nn.BatchNorm2d if x.dim() == 4 else nn.BatchNorm1d
    bn = cls(channels(x), eps=1e-5, momentum=0.1)
    return (lambda y, training: bn(y)), [bn]


def dropout(x: Tensor, rate: float) -> Layer:
    """Dropout with drop probability ``rate``."""
    layer = nn.Dropout(p=float(rate))
    return (lambda y, training: layer(y)), [layer]


def dense(x: Tensor, units: int, kernel_init: InitFn | None = None,
          bias_init: InitFn | None = None) -> Layer:
    """Dense layer over the flattened input.

    ``kernel_init(shape)`` / ``bias_init(shape)`` return arrays of shape
    ``(in_features, units)`` / ``(units,)``.
    """
    in_features = int(math.prod(x.shape[1:]))
    linear = nn.Linear(in_features, int(units))
    with torch.no_grad():
        if kernel_init is not None:
            linear.weight.copy_(torch.as_tensor(kernel_init((in_features, int(units)))).T)
        if bias_init is not None:
            linear.bias.copy_(torch.as_tensor(bias_init((int(units),))))
    return (lambda y, training: linear(flatten(y))), [linear]


class ScheduledDropPath(nn.Module):
    """Scheduled drop path: drops whole examples of a branch during training.

    The drop probability grows linearly with the number of training forward
    passes, from 0 to ``final_drop_prob`` after ``total_steps`` passes.
    """

    def __init__(self, final_drop_prob: float) -> None:
        super().__init__()
        self.final_drop_prob = float(final_drop_prob)
        self.register_buffer("step", torch.zeros((), dtype=torch.long))

    def forward(self, x, total_steps):
        """Drops whole examples of ``x`` with the scheduled probability (training only)."""
        if not self.training or self.final_drop_prob <= 0.0:
            return x
        self.step += 1
        # total_steps: a number, or a tensor (e.g. one value per example) whose max is used.
        budget = max(float(torch.as_tensor(total_steps).max()), 1.0)
        progress = min(float(self.step) / budget, 1.0)
        keep_prob = 1.0 - progress * self.final_drop_prob
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        mask = torch.floor(keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep_prob * mask


def drop_path(x: Tensor, final_drop_prob: float) -> Layer:
    """Scheduled drop-path layer; its ``fn(x, total_steps, training)`` takes the step budget."""
    layer = ScheduledDropPath(final_drop_prob)
    return (lambda y, total_steps, training: layer(y, total_steps)), [layer]


_ACTIVATIONS = {
    "relu": F.relu, "relu6": F.relu6, "elu": F.elu, "softplus": F.softplus,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda x: x,
    "crelu": lambda x: torch.cat([F.relu(x), F.relu(-x)], dim=1),
}


activation = general_ops.named_op(
    _ACTIVATIONS, "nonlinearity",
    "Applies the activation called ``name`` (see ``general_ops.nonlinearity``).")
global_pool = general_ops.named_op(
    {"avg": lambda x: x.mean(dim=(2, 3)), "max": lambda x: x.amax(dim=(2, 3))},
    "global pooling", "Average (``'avg'``) or max (``'max'``) over the spatial axes, giving "
    "``[batch, channels]``.")


def flatten(x: Tensor) -> Tensor:
    """Flattens all axes but the batch axis."""
    return x.flatten(1)


def concat(xs: Sequence) -> Tensor:
    """Concatenates along the channel axis."""
    return torch.cat(list(xs), dim=1)


def slice_channels(x: Tensor, num_channels: int) -> Tensor:
    """The first ``num_channels`` channels."""
    return x[:, :num_channels]


def shift(x: Tensor) -> Tensor:
    """Shifts the image one pixel up and left, zero-filling the bottom row and right column."""
    return F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))


func_dict = general_ops.bound_func_dict(be.PYTORCH)
