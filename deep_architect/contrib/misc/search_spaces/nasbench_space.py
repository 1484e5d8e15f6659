"""NAS-Bench-101-like cells (Ying et al., 2019), on the framework-neutral ops.

A cell is a DAG over vertex 0 (input), intermediate vertices ``1 ... n`` and
vertex ``n + 1`` (output); each pair ``i < j`` has a connection bit and each
intermediate vertex an operation. Every cell of a space shares one design.

Difference from the original: vertices that are not on a path from the input
to the output are pruned, as NAS-Bench-101 does, instead of rejecting the whole
cell. The original rejected about 99% of random samples, so random search could
not run; with pruning about two thirds are valid. The substitution still raises
``ValueError`` (searchers resample) when the output is unreachable, when only the
direct input-output edge reaches it, or when more than 9 edges remain.
Connection bits decide which vertices (hence which operation hyperparameters)
exist, so they are named ``in_<i>_<j>_sub`` for regularized evolution.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.hyperparameters import Discrete as D

MAX_EDGES = 9


def _keep_paths(edges: list, output_vertex: int) -> list:
    """The edges lying on some path from vertex 0 to ``output_vertex`` (sorted)."""
    edges = sorted(edges)
    from_input = {0}
    for i, j in edges:
        if i in from_input:
            from_input.add(j)
    to_output = {output_vertex}
    for i, j in reversed(edges):
        if j in to_output:
            to_output.add(i)
    on_path = from_input & to_output
    return [(i, j) for i, j in edges if i in on_path and j in on_path]


def _vertex_channels(edges: list, num_nodes: int, channels: int) -> dict:
    """Channels per intermediate vertex: the output's inputs split ``channels``."""
    output_vertex = num_nodes + 1
    feeding = sorted(i for i, j in edges if j == output_vertex and i != 0)
    c = len(feeding)
    vertex_channels = {v: channels // c + (1 if rank < channels % c else 0)
                       for rank, v in enumerate(feeding)}
    for v in range(num_nodes, 0, -1):
        successors = [j for i, j in edges if i == v]
        if successors and v not in vertex_channels:
            vertex_channels[v] = max(vertex_channels[j] for j in successors)
    return vertex_channels


def cell(input_fn: Callable, node_fn: Callable, output_fn: Callable,
         h_connections: Sequence, num_nodes: int, channels: int) -> go.Fragment:
    """Substitution module ``NasbenchCell`` building a cell from its connection bits.

    Args:
        input_fn: ``input_fn(channels)`` returns the projection of the cell input
            used on each edge leaving the input vertex.
        node_fn: ``node_fn(num_inputs, node_id, channels)`` returns a vertex
            (inputs ``in0 ...``); ``node_id`` is the vertex number minus one.
        output_fn: ``output_fn(num_inputs)`` returns the output combiner.
        h_connections: One bit per vertex pair, ``itertools.combinations`` order.
        num_nodes: Number of intermediate vertices.
        channels: Output channels of the cell.

    Returns:
        The ``(inputs, outputs)`` fragment of the substitution module.
    """
    output_vertex = num_nodes + 1
    pairs = list(itertools.combinations(range(num_nodes + 2), 2))

    def substitution_fn(dh):
        chosen = [(i, j) for i, j in pairs if dh["%d_%d" % (i, j)]]
        edges = _keep_paths(chosen, output_vertex)
        if not edges:
            raise ValueError("nasbench cell: no path from the input to the output vertex")
        if all(i == 0 for i, j in edges if j == output_vertex):
            raise ValueError("nasbench cell: only the direct input-output edge reaches the "
                             "output vertex")
        if len(edges) > MAX_EDGES:
            raise ValueError(f"nasbench cell: {len(edges)} edges on input-output paths, "
                             f"at most {MAX_EDGES} allowed")
        vertex_channels = _vertex_channels(edges, num_nodes, channels)
        cell_inputs, cell_outputs = mo.identity()
        nodes = {v: node_fn(sum(1 for _, j in edges if j == v), v - 1, vertex_channels[v])
                 for v in sorted(vertex_channels)}
        out_inputs, out_outputs = output_fn(sum(1 for i, j in edges
                                                if j == output_vertex and i != 0))
        next_free = dict.fromkeys(list(nodes) + [output_vertex], 0)
        direct = None
        for i, j in edges:
            if i == 0:
                proj_inputs, source = input_fn(
                    channels if j == output_vertex else vertex_channels[j])
                proj_inputs["in"].connect(cell_outputs["out"])
            else:
                source = nodes[i][1]
            if j == output_vertex and i == 0:
                direct = source
                continue
            target = out_inputs if j == output_vertex else nodes[j][0]
            target["in%d" % next_free[j]].connect(source["out"])
            next_free[j] += 1
        if direct is None:
            return cell_inputs, out_outputs
        add_inputs, add_outputs = add(2)
        add_inputs["in0"].connect(out_outputs["out"])
        add_inputs["in1"].connect(direct["out"])
        return cell_inputs, add_outputs

    name_to_hyperp = {"%d_%d" % pair: h for pair, h in zip(pairs, h_connections)}
    return mo.substitution_module("NasbenchCell", substitution_fn, name_to_hyperp,
                                  ["in"], ["out"])


def _truncated_sum(fw, di, dh):
    names = sorted(di, key=lambda k: int(k[2:]))
    num_channels = min(fw.channels(di[k]) for k in names)

    def apply(d, training):
        xs = [fw.slice_channels(d[k], num_channels) for k in names]
        total = xs[0]
        for x in xs[1:]:
            total = total + x
        return {"out": total}
    return apply, []


def add(num_inputs: int) -> go.Fragment:
    """Sum of ``in0 ...`` after truncating each to the smallest channel count (``Add``)."""
    return go.module("Add", _truncated_sum, {}, [f"in{i}" for i in range(num_inputs)])


def concat(num_ins: int) -> go.Fragment:
    """Channel concatenation (module ``Concat``)."""
    return go.concat(num_ins)


def conv_bn_relu(filters: int, filter_size: int) -> go.Fragment:
    """Convolution, batch norm, ReLU."""
    return mo.siso_sequential([go.conv2d(D([filters]), D([filter_size])),
                               go.batch_normalization(), go.relu()])


def intermediate_node_fn(num_inputs: int, node_id: int, filters: int,
                         cell_ops: Sequence) -> go.Fragment:
    """Truncating sum, then the vertex's operation (1x1 / 3x3 conv or 3x3 max pool), BN, ReLU."""
    return mo.siso_sequential([
        add(num_inputs),
        mo.siso_or({
            "conv1": lambda: go.conv2d(D([filters]), D([1])),
            "conv3": lambda: go.conv2d(D([filters]), D([3])),
            "max3": lambda: go.max_pool2d(D([3])),
        }, cell_ops[node_id]),
        go.batch_normalization(),
        go.relu(),
    ])


def create_cell_generator(num_nodes: int) -> Callable:
    """Creates the shared cell hyperparameters; returns ``generate(filters)`` building a cell."""
    h_connections = [hp.Bool(name="in_%d_%d_sub" % (i, j))
                     for i, j in itertools.combinations(range(num_nodes + 2), 2)]
    cell_ops = [D(["conv1", "conv3", "max3"], name="node_%d" % i) for i in range(num_nodes)]

    def generate(filters: int):
        return cell(lambda channels: conv_bn_relu(channels, 1),
                    lambda num_inputs, node_id, channels: intermediate_node_fn(
                        num_inputs, node_id, channels, cell_ops),
                    concat, h_connections, num_nodes, filters)
    return generate


def stem(num_filters: int = 128) -> go.Fragment:
    """3x3 convolution, batch norm, ReLU."""
    return conv_bn_relu(num_filters, 3)


def generate_search_space(stacks: int, num_cells_per_stack: int, num_nodes_per_cell: int,
                          num_init_filters: int, num_classes: int = 10) -> go.Fragment:
    """The NAS-Bench-101 network: stem, stacks of cells, pooling and a classifier.

    Between the ``stacks`` stacks of cells come 2x2/2 max pooling and doubled
    filters; global average pooling and a dense classifier end the network.
    """
    generate = create_cell_generator(num_nodes_per_cell)
    fragments = [stem(num_init_filters)]
    filters = num_init_filters
    for stack in range(stacks):
        if stack > 0:
            fragments.append(go.max_pool2d(D([2]), D([2])))
            filters *= 2
        fragments += [generate(filters) for _ in range(num_cells_per_stack)]
    fragments += [go.global_pool2d(), go.fc_layer(D([num_classes]))]
    return mo.siso_sequential(fragments)


class SSF_Nasbench(mo.SearchSpaceFactory):
    """The paper's space: 3 stacks of 3 cells with 5 intermediate vertices, 128 filters."""

    def __init__(self, num_classes: int = 10) -> None:
        mo.SearchSpaceFactory.__init__(
            self, lambda: generate_search_space(3, 3, 5, 128, num_classes))
