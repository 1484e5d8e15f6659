"""A NAS-Bench-201-style cell space in deep_architect's language, sized for 8x8 digits.

The cell is a DAG over four nodes: node 0 is the cell's input and each later
node ``j`` sums an operation applied to every earlier node ``i``. The six edges
``(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)`` each choose one of
:data:`OPS`; node 3 is the cell's output. One choice per edge is made for the
whole network: every cell of :func:`nb201_net` shares the six hyperparameters,
as in NAS-Bench-201.

The cell's substitution builds only what computes something: ``none`` edges
are left out, edges leaving a node that receives nothing are left out, a sum
of one term is that term, ``skip_connect`` is an identity and sums declare
``commutative_inputs``. Cells that compute the same function through other
edge labels then get the same :func:`~deep_architect.analysis.fingerprint`,
which is how the bundled table merges isomorphic cells.

Example:
    >>> import torch
    >>> import deep_architect.modules as mo
    >>> from deep_architect.helpers.pytorch_support import PyTorchModel
    >>> from deep_architect.specify import specify
    >>> inputs, outputs = mo.SearchSpaceFactory(nb201_net).get_search_space()
    >>> specify(outputs, ["nor_conv_3x3", "skip_connect", "none",
    ...                   "avg_pool_3x3", "nor_conv_1x1", "skip_connect"])
    >>> model = PyTorchModel(inputs, outputs, {"in": torch.zeros(2, 1, 8, 8)})
    >>> model({"in": torch.zeros(5, 1, 8, 8)})["out"].shape
    torch.Size([5, 10])
"""

from __future__ import annotations

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.helpers import pytorch_support as hpt

__all__ = [
    "OPS",
    "EDGES",
    "nb201_cell",
    "nb201_net",
    "live_edges",
    "nb201_edge_cell",
    "nb201_supernet_net",
]

#: The candidate operations of every edge, in value-list order.
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
#: The edges ``(from_node, to_node)``, in the order their choices appear in a value list.
EDGES = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
NUM_NODES = 4


def live_edges(ops: dict) -> list[tuple[int, int]]:
    """Returns the edges that contribute to a node that is fed, given ``{edge: op}``.

    Node 0 is always fed; node ``j`` is fed when some edge ``(i, j)`` with a
    fed ``i`` is not ``none``.
    """
    fed = {0}
    live = []
    for j in range(1, NUM_NODES):
        for i in range(j):
            if i in fed and ops[(i, j)] != "none":
                live.append((i, j))
                fed.add(j)
    return live


def _relu_conv_bn(channels: int, kernel: int, affine: bool = True) -> mo.Fragment:
    def compile_fn(di, dh):
        from torch import nn

        layers = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(channels, affine=affine),
        )
        return (lambda di: {"out": layers(di["in"])}), [layers]

    # The kernel is in the name, not a hyperparameter: a constant would take a
    # slot in every value list. The name of the affine form is the table's.
    name = "ReLUConv%dx%dBN" % (kernel, kernel) + ("" if affine else "NoAffine")
    return hpt.siso_pytorch_module(name, compile_fn, {})


def _avg_pool() -> mo.Fragment:
    def compile_fn(di, dh):
        from torch import nn

        pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        return (lambda di: {"out": pool(di["in"])}), [pool]

    return hpt.siso_pytorch_module("AvgPool3x3", compile_fn, {})


def _op(name: str, channels: int, affine: bool = True) -> mo.Fragment:
    if name == "none":
        return _zero()
    if name == "skip_connect":
        return mo.identity()
    if name == "nor_conv_1x1":
        return _relu_conv_bn(channels, 1, affine)
    if name == "nor_conv_3x3":
        return _relu_conv_bn(channels, 3, affine)
    return _avg_pool()


def _sum(num_inputs: int) -> mo.Fragment:
    def compile_fn(di, dh):
        names = ["in%d" % i for i in range(num_inputs)]

        def forward(di):
            total = di[names[0]]
            for name in names[1:]:
                total = total + di[name]
            return {"out": total}

        return forward, []

    inputs, outputs = hpt.pytorch_module(
        "Sum", compile_fn, {}, ["in%d" % i for i in range(num_inputs)], ["out"]
    )
    outputs["out"].module.commutative_inputs = True
    return inputs, outputs


def _zero() -> mo.Fragment:
    def compile_fn(di, dh):
        return (lambda di: {"out": di["in"] * 0.0}), []

    return hpt.siso_pytorch_module("Zero", compile_fn, {})


def nb201_cell(h_ops: dict, channels: int) -> mo.Fragment:
    """One cell whose edge operations are the hyperparameters ``h_ops`` (edge -> hyperparameter).

    Args:
        h_ops: One hyperparameter per edge of :data:`EDGES`, with values in :data:`OPS`.
        channels: Channels in and out of every operation.
    """

    def substitution_fn(dh: dict) -> mo.Fragment:
        ops = {edge: dh["%d%d" % edge] for edge in EDGES}
        edges = live_edges(ops)
        cell_in, cell_out = mo.identity()
        node_out = {0: cell_out["out"]}
        for j in range(1, NUM_NODES):
            terms = []
            for i, jj in edges:
                if jj == j:
                    op_in, op_out = _op(ops[(i, j)], channels)
                    node_out[i].connect(op_in["in"])
                    terms.append(op_out["out"])
            if len(terms) == 1:
                node_out[j] = terms[0]
            elif terms:
                sum_in, sum_out = _sum(len(terms))
                for k, term in enumerate(terms):
                    term.connect(sum_in["in%d" % k])
                node_out[j] = sum_out["out"]
        if NUM_NODES - 1 not in node_out:
            zero_in, zero_out = _zero()
            cell_out["out"].connect(zero_in["in"])
            node_out[NUM_NODES - 1] = zero_out["out"]
        return cell_in, {"out": node_out[NUM_NODES - 1]}

    return mo.substitution_module(
        "NB201Cell", substitution_fn, {"%d%d" % e: h_ops[e] for e in EDGES}, ["in"], ["out"]
    )


def _stem(channels: int) -> mo.Fragment:
    def compile_fn(di, dh):
        from torch import nn

        layers = nn.Sequential(
            nn.Conv2d(di["in"].shape[1], channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )
        return (lambda di: {"out": layers(di["in"])}), [layers]

    return hpt.siso_pytorch_module("Stem%d" % channels, compile_fn, {})


def _head(num_classes: int) -> mo.Fragment:
    def compile_fn(di, dh):
        from torch import nn

        channels = di["in"].shape[1]
        layers = nn.Sequential(
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(channels, num_classes),
        )
        return (lambda di: {"out": layers(di["in"])}), [layers]

    return hpt.siso_pytorch_module("Head%d" % num_classes, compile_fn, {})


def nb201_net(num_cells: int = 2, channels: int = 8, num_classes: int = 10) -> mo.Fragment:
    """A stem, ``num_cells`` cells sharing one choice per edge, and a classifier head.

    Args:
        num_cells: Number of stacked cells (all with the same edge operations).
        channels: Width of the stem and of every cell.
        num_classes: Number of logits.

    Returns:
        The ``(inputs, outputs)`` of the space: input ``"in"`` takes NCHW
        images, output ``"out"`` gives logits.
    """
    h_ops = {edge: hp.Discrete(OPS) for edge in EDGES}
    return mo.siso_sequential(
        [_stem(channels)]
        + [nb201_cell(h_ops, channels) for _ in range(num_cells)]
        + [_head(num_classes)]
    )


def nb201_edge_cell(h_ops: dict, channels: int) -> mo.Fragment:
    """The cell of :func:`nb201_cell` with one choice (a ``siso_or``) per edge.

    Every edge is built, ``none`` as a zero: a supernet expands each edge into
    five branches instead of expanding the cell into :math:`5^6` of them. The
    convolutions' batch norms have no affine parameters (as in NAS-Bench-201's
    weight-sharing runs): normalising a zero input with batch statistics gives
    zero, so an edge leaving a node that receives nothing adds nothing, and a
    path computes the function of the cell :func:`nb201_cell` prunes.

    Args:
        h_ops: One hyperparameter per edge of :data:`EDGES`, with values in :data:`OPS`.
        channels: Channels in and out of every operation.
    """
    cell_in, cell_out = mo.identity()
    node_out = {0: cell_out["out"]}
    for j in range(1, NUM_NODES):
        terms = []
        for i in range(j):
            branches = {op: (lambda op=op: _op(op, channels, affine=False)) for op in OPS}
            edge_in, edge_out = mo.siso_or(branches, h_ops[(i, j)], name="Edge%d%d" % (i, j))
            node_out[i].connect(edge_in["in"])
            terms.append(edge_out["out"])
        if len(terms) == 1:
            node_out[j] = terms[0]
        else:
            sum_in, sum_out = _sum(len(terms))
            for k, term in enumerate(terms):
                term.connect(sum_in["in%d" % k])
            node_out[j] = sum_out["out"]
    return cell_in, {"out": node_out[NUM_NODES - 1]}


def nb201_supernet_net(num_cells: int = 2, channels: int = 8,
                       num_classes: int = 10) -> mo.Fragment:
    """:func:`nb201_net` with one choice per edge, the form a supernet expands.

    Its value lists are those of :func:`nb201_net` (the six edge operations in
    :data:`EDGES` order, shared by every cell): a hyperparameter aggregator
    after the head holds the six hyperparameters, so searchers and supernets
    meet them in that order. Specify :func:`nb201_net` with the same list to
    look the architecture up in a table.

    Example:
        >>> import torch
        >>> from deep_architect.oneshot import Supernet
        >>> net = Supernet(lambda: nb201_supernet_net(1, 4), {"in": torch.zeros(2, 1, 8, 8)})
        >>> values = ["nor_conv_3x3", "skip_connect", "none",
        ...           "avg_pool_3x3", "nor_conv_1x1", "skip_connect"]
        >>> net.set_path(values)
        >>> net({"in": torch.zeros(5, 1, 8, 8)})["out"].shape
        torch.Size([5, 10])
    """
    h_ops = {edge: hp.Discrete(OPS) for edge in EDGES}
    return mo.siso_sequential(
        [_stem(channels)]
        + [nb201_edge_cell(h_ops, channels) for _ in range(num_cells)]
        + [_head(num_classes),
           mo.hyperparameter_aggregator({"%d%d" % e: h_ops[e] for e in EDGES}, name="Edges")]
    )
