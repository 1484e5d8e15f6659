"""Genetic CNN search space (Xie and Yuille, 2017), on the framework-neutral ops.

Each stage is a DAG over ``num_nodes`` numbered nodes whose edges ``i -> j``
(``i < j``) are bits. The bits only rewire nodes made of fixed-size layers, so
they never change which searchable hyperparameters follow: they keep their
original names (no ``'sub'``) and evolution mutates them one at a time.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.hyperparameters import Discrete as D


def _pairs(num_nodes: int) -> list:
    return list(itertools.combinations(range(1, num_nodes + 1), 2))


def genetic_stage(input_fn: Callable, node_fn: Callable, output_fn: Callable,
                  h_connections: Sequence, num_nodes: int) -> go.Fragment:
    """Substitution module ``GeneticStage`` wiring one stage from its connection bits.

    Args:
        input_fn: Returns the SISO input node.
        node_fn: ``node_fn(num_inputs)`` returns a node with inputs ``in0 ...``.
        output_fn: ``output_fn(num_inputs)`` returns the output node.
        h_connections: One bit per pair ``i < j`` in ``itertools.combinations`` order.
        num_nodes: Number of intermediate nodes.

    Returns:
        The ``(inputs, outputs)`` fragment of the substitution module.
    """
    pairs = _pairs(num_nodes)

    def substitution_fn(dh):
        edges = [(i, j) for i, j in pairs if dh["%d_%d" % (i, j)]]
        if not edges:
            return input_fn()
        in_degree = {k: sum(1 for _, j in edges if j == k) for k in range(1, num_nodes + 1)}
        out_degree = {k: sum(1 for i, _ in edges if i == k) for k in range(1, num_nodes + 1)}
        existing = [k for k in in_degree if in_degree[k] or out_degree[k]]
        in_inputs, in_outputs = input_fn()
        nodes = {k: node_fn(max(in_degree[k], 1)) for k in existing}
        sinks = [k for k in existing if out_degree[k] == 0]
        out_inputs, out_outputs = output_fn(len(sinks))
        next_free = dict.fromkeys(existing, 0)
        next_out = 0
        for i in existing:
            node_inputs, node_outputs = nodes[i]
            if in_degree[i] == 0:
                node_inputs["in0"].connect(in_outputs["out"])
            if out_degree[i] == 0:
                out_inputs["in%d" % next_out].connect(node_outputs["out"])
                next_out += 1
            for j in (j for a, j in edges if a == i):
                nodes[j][0]["in%d" % next_free[j]].connect(node_outputs["out"])
                next_free[j] += 1
        return in_inputs, out_outputs

    name_to_hyperp = {"%d_%d" % pair: h for pair, h in zip(pairs, h_connections)}
    return mo.substitution_module("GeneticStage", substitution_fn, name_to_hyperp,
                                  ["in"], ["out"])


def intermediate_node_fn(num_inputs: int, filters: int) -> go.Fragment:
    """Sum of the inputs, 3x3 convolution, batch norm, ReLU."""
    return mo.siso_sequential([go.add(num_inputs), go.conv2d(D([filters]), D([3])),
                               go.batch_normalization(), go.relu()])


def generate_stage(stage_num: int, num_nodes: int, filters: int, filter_size: int) -> go.Fragment:
    """One stage with fresh connection bits ``H.<stage>_in_<i>_<j>-k``."""
    h_connections = [hp.Bool(name="%d_in_%d_%d" % (stage_num, i, j))
                     for i, j in _pairs(num_nodes)]
    return genetic_stage(
        lambda: mo.siso_sequential([go.conv2d(D([filters]), D([filter_size])),
                                    go.batch_normalization(), go.relu()]),
        lambda num_inputs: intermediate_node_fn(num_inputs, filters),
        lambda num_inputs: intermediate_node_fn(num_inputs, filters),
        h_connections, num_nodes)


def generate_search_space(nodes_per_stage: Sequence[int], filters_per_stage: Sequence[int],
                          filter_size_per_stage: Sequence[int],
                          num_classes: int = 10) -> go.Fragment:
    """Stages separated by 3x3/2 max pooling, then flatten, dense 1024, dropout, dense."""
    fragments = []
    for stage_num, (num_nodes, filters, filter_size) in enumerate(
            zip(nodes_per_stage, filters_per_stage, filter_size_per_stage)):
        fragments += [generate_stage(stage_num, num_nodes, filters, filter_size),
                      go.max_pool2d(D([3]), D([2]), D(["SAME"]))]
    fragments += [go.flatten(), go.fc_layer(D([1024])), go.dropout(D([0.5])),
                  go.fc_layer(D([num_classes]))]
    return mo.siso_sequential(fragments)


class SSF_Genetic(mo.SearchSpaceFactory):
    """The paper's space: stages of 3, 4 and 5 nodes with 64, 128, 256 filters, 5x5 inputs."""

    def __init__(self, num_classes: int = 10) -> None:
        mo.SearchSpaceFactory.__init__(self, lambda: generate_search_space(
            [3, 4, 5], [64, 128, 256], [5, 5, 5], num_classes))
