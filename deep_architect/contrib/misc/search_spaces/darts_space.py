"""The DARTS cell (Liu et al., ICLR 2019) as a search space of PyTorch modules.

A cell reads two states (the outputs of the two previous cells), maps each to
``channels`` channels (ReLU, 1x1 convolution, batch norm), and computes four
intermediate nodes; node ``j`` sums one operation per earlier state (the two
inputs and nodes ``0 .. j-1``), and the cell outputs the concatenation of the
four nodes. Each of the 14 edges chooses among :data:`OPS` through an
:class:`~deep_architect.oneshot.InputEdge` hyperparameter, shared by every cell
of the network (as DARTS shares one cell design).

To a discrete searcher this is an ordinary space (every edge an independent
7-way choice; ``'none'`` removes an edge). A supernet compiled from it is the
DARTS supernet, and ``derive(top_k_inputs=2)`` reads the cell off with the
paper's rule of two inputs per node.

The network for 8x8 digits is a stem convolution, ``num_cells`` cells (stride
1: the images are too small to reduce), global average pooling and a linear
classifier. This module imports PyTorch.

Example:
    >>> import torch
    >>> from deep_architect.oneshot import Supernet
    >>> net = Supernet(lambda: darts_network(num_cells=1, channels=2),
    ...                {"in": torch.zeros(2, 1, 8, 8)})
    >>> len(net.arch_parameters()), net({"in": torch.zeros(3, 1, 8, 8)})["out"].shape
    (14, torch.Size([3, 10]))
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

import deep_architect.core as co
import deep_architect.helpers.pytorch_support as hpt
import deep_architect.modules as mo
from deep_architect.oneshot.input_edge import InputEdge

OPS = ["sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "max_pool_3x3", "avg_pool_3x3",
       "skip_connect", "none"]
"""The seven candidate operations of the DARTS cell, ``'none'`` last."""

NUM_NODES = 4
"""Intermediate nodes per cell."""


class Zero(nn.Module):
    """The ``'none'`` operation: zeros shaped like the input."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Returns ``x * 0``."""
        return x.mul(0.0)


def _sep_conv(c: int, k: int, affine: bool) -> nn.Module:
    """Two (ReLU, depthwise kxk, pointwise, batch norm) stacks, as in DARTS."""
    layers = []
    for _ in range(2):
        layers += [nn.ReLU(), nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                   nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=affine)]
    return nn.Sequential(*layers)


def _dil_conv(c: int, affine: bool) -> nn.Module:
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, padding=2, dilation=2, groups=c,
                                              bias=False),
                         nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=affine))


def make_op(name: str, channels: int, affine: bool = False) -> nn.Module:
    """The ``nn.Module`` of one candidate operation (stride 1, shape preserving).

    Args:
        name: One of :data:`OPS`.
        channels: Input and output channels.
        affine: Whether batch norms learn a scale and shift (DARTS searches without).
    """
    makers: dict[str, Callable[[], nn.Module]] = {
        "sep_conv_3x3": lambda: _sep_conv(channels, 3, affine),
        "sep_conv_5x5": lambda: _sep_conv(channels, 5, affine),
        "dil_conv_3x3": lambda: _dil_conv(channels, affine),
        "max_pool_3x3": lambda: nn.MaxPool2d(3, stride=1, padding=1),
        "avg_pool_3x3": lambda: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
        "skip_connect": nn.Identity,
        "none": Zero,
    }
    return makers[name]()


def _layer(make: Callable[[], nn.Module], name: str) -> mo.Fragment:
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(make, {}, name=name)


def relu_conv_bn(c_in: int, c_out: int, affine: bool = False) -> mo.Fragment:
    """ReLU, 1x1 convolution, batch norm: maps a cell input to the cell's width."""
    return _layer(lambda: nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, 1, bias=False),
                                        nn.BatchNorm2d(c_out, affine=affine)), "ReLUConvBN")


def _combine(num_inputs: int, name: str, fn: Callable[[list], torch.Tensor]) -> mo.Fragment:
    names = ["in%d" % i for i in range(num_inputs)]

    def compile_fn(di, dh):
        return (lambda di: {"out": fn([di[k] for k in names])}), []
    return hpt.pytorch_module(name, compile_fn, {}, names, ["out"])


def edge_hyperparameters() -> list[list[InputEdge]]:
    """One :class:`InputEdge` per edge: ``edges[j][i]`` feeds node ``j`` from state ``i``."""
    return [[InputEdge(OPS, node=j, name="edge_%d_%d" % (j, i)) for i in range(j + 2)]
            for j in range(NUM_NODES)]


def cell(s0: co.Output, s1: co.Output, edges: list[list[InputEdge]], c_prev_prev: int,
         c_prev: int, channels: int, affine: bool = False) -> co.Output:
    """Wires one cell after the outputs ``s0`` (two cells back) and ``s1`` (previous).

    Returns:
        The cell's output (``NUM_NODES * channels`` channels).
    """
    states = []
    for source, c_in in ((s0, c_prev_prev), (s1, c_prev)):
        p_in, p_out = relu_conv_bn(c_in, channels, affine)
        source.connect(p_in["in"])
        states.append(p_out["out"])
    for j in range(NUM_NODES):
        a_in, a_out = _combine(len(states), "Add", sum)
        for i, state in enumerate(states):
            ops = {op: (lambda op=op: _layer(lambda: make_op(op, channels, affine), op))
                   for op in OPS}
            e_in, e_out = mo.siso_or(ops, edges[j][i], name="Edge")
            state.connect(e_in["in"])
            e_out["out"].connect(a_in["in%d" % i])
        states.append(a_out["out"])
    c_in, c_out = _combine(NUM_NODES, "Concat", lambda xs: torch.cat(xs, dim=1))
    for i, state in enumerate(states[2:]):
        state.connect(c_in["in%d" % i])
    return c_out["out"]


def darts_network(num_cells: int = 2, channels: int = 8, num_classes: int = 10,
                  in_channels: int = 1, affine: bool = False) -> mo.Fragment:
    """A stem, ``num_cells`` cells sharing one design, pooling and a classifier.

    Args:
        num_cells: Number of stacked cells.
        channels: Width of every node.
        num_classes: Outputs of the classifier.
        in_channels: Channels of the input images (1 for digits).
        affine: Whether batch norms learn a scale and shift.

    Returns:
        ``(inputs, outputs)`` with input ``'in'`` (N, in_channels, H, W) and
        output ``'out'`` (N, num_classes).
    """
    edges = edge_hyperparameters()
    stem_in, stem_out = _layer(
        lambda: nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                              nn.BatchNorm2d(channels)), "Stem")
    s0 = s1 = stem_out["out"]
    c_prev_prev = c_prev = channels
    for _ in range(num_cells):
        s0, s1 = s1, cell(s0, s1, edges, c_prev_prev, c_prev, channels, affine)
        c_prev_prev, c_prev = c_prev, NUM_NODES * channels
    head_in, head_out = _layer(
        lambda: nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                              nn.Linear(NUM_NODES * channels, num_classes)), "Head")
    s1.connect(head_in["in"])
    return stem_in, head_out
