"""Flat and hierarchical search spaces (Liu et al., 2018), on the framework-neutral ops.

A level-2 motif is a DAG whose edges pick one of six primitives (or, except on
the chain edge ``i - 1 -> i``, no edge); a level-``l`` motif picks level-``l-1``
motifs. Each node concatenates its incoming edges and mixes them with a 1x1
convolution. Edges of levels above the lowest one decide which lower motifs
(hence which hyperparameters) appear, so they are named ``Mutatable_sub`` for
regularized evolution; lowest-level edges keep the default name.
"""
from __future__ import annotations

from collections.abc import Callable

import deep_architect.modules as mo
import deep_architect.utils as ut
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.hyperparameters import Discrete as D

NUM_PRIMITIVES = 6


def _conv_module(kind: str, base_name: str, kernel_size: int, stride: int,
                 activation_fn: str, filters: int | None = None) -> go.Fragment:
    """A bias-free convolution module named ``<base_name>_<k>x<k>``."""
    # Hyperparameter order (filters first) fixes the order of the value lists.
    hyperps = {} if filters is None else {"filters": filters}
    hyperps.update(kernel_size=kernel_size, stride=stride, activation_fn=activation_fn)

    def compile_fn(fw, di, dh):
        conv, layers = fw.conv2d(di["in"], dh.get("filters"), dh["kernel_size"], dh["stride"],
                                 use_bias=False, kind=kind)

        def apply(d, training):
            return {"out": fw.activation(conv(d["in"], training), dh["activation_fn"])}
        return apply, layers
    return go.module("%s_%dx%d" % (base_name, kernel_size, kernel_size), compile_fn, hyperps)


def conv2d(filters: int, kernel_size: int, stride: int = 1,
           activation_fn: str = "linear") -> go.Fragment:
    """Convolution without bias, ``'SAME'`` padding (module ``Conv2D_<k>x<k>``)."""
    return _conv_module("standard", "Conv2D", kernel_size, stride, activation_fn, filters)


def conv2d_cell(filters: int, kernel_size: int, stride: int = 1) -> go.Fragment:
    """Batch norm, then convolution with ReLU."""
    return mo.siso_sequential([go.batch_normalization(),
                               conv2d(filters, kernel_size, stride, "relu")])


def depthwise_conv2d(kernel_size: int, stride: int = 1,
                     activation_fn: str = "linear") -> go.Fragment:
    """Depthwise convolution (module ``DepthwiseConv2D_<k>x<k>``)."""
    return _conv_module("depthwise", "DepthwiseConv2D", kernel_size, stride, activation_fn)


def depthwise_conv2d_cell(kernel_size: int, stride: int = 1) -> go.Fragment:
    """Depthwise convolution with ReLU, then batch norm."""
    return mo.siso_sequential([depthwise_conv2d(kernel_size, stride, "relu"),
                               go.batch_normalization()])


def separable_conv2d(filters: int, kernel_size: int, stride: int = 1,
                     activation_fn: str = "linear") -> go.Fragment:
    """Separable convolution (module ``SeparableConv2D_<k>x<k>``)."""
    return _conv_module("separable", "SeparableConv2D", kernel_size, stride, activation_fn,
                        filters)


def separable_conv2d_cell(filters: int, kernel_size: int, stride: int = 1) -> go.Fragment:
    """Separable convolution with ReLU, then batch norm."""
    return mo.siso_sequential([separable_conv2d(filters, kernel_size, stride, "relu"),
                               go.batch_normalization()])


def max_pooling(pool_size: int, stride: int = 1) -> go.Fragment:
    """Max pooling, ``'SAME'`` padding (module ``MaxPooling2D_<k>x<k>``)."""
    return go.module("MaxPooling2D_%dx%d" % (pool_size, pool_size), go.MAX_POOL2D,
                     {"kernel_size": pool_size, "stride": stride})


def average_pooling(pool_size: int, stride: int = 1) -> go.Fragment:
    """Average pooling, ``'SAME'`` padding (module ``AveragePooling2D_<k>x<k>``)."""
    return go.module("AveragePooling2D_%dx%d" % (pool_size, pool_size), go.AVG_POOL2D,
                     {"kernel_size": pool_size, "stride": stride})


def global_average_pooling() -> go.Fragment:
    """Global average pooling (module ``GlobalAveragePooling2D``)."""
    return go.module("GlobalAveragePooling2D", go.GLOBAL_AVG_POOL, {})


def dense(units: int) -> go.Fragment:
    """Dense layer (module ``Dense``)."""
    return go.module("Dense", go.FC_LAYER, {"num_units": units})


def concat(num_inputs: int) -> go.Fragment:
    """Channel concatenation of ``in0 ...`` (module ``ConcatCombiner``)."""
    return go.module("ConcatCombiner", go.CONCAT, {}, [f"in{i}" for i in range(num_inputs)])


def combine_with_concat(num_inputs: int, channels: int) -> go.Fragment:
    """Concatenation followed by a 1x1 convolution cell to ``channels``."""
    return mo.siso_sequential([concat(num_inputs), conv2d_cell(channels, 1)])


def _edge_key(out_node_id: int, in_node_id: int) -> str:
    return ut.json_object_to_json_string({"out_node_id": out_node_id, "in_node_id": in_node_id})


def create_motif_hyperp(motif_info: dict) -> dict:
    """Edge hyperparameters ``{level: [motif dict, ...]}``; see the module docstring.

    Args:
        motif_info: ``{level: {'num_nodes': n, 'num_motifs': m}}``.

    Returns:
        For each level, ``m`` dicts mapping edge keys to hyperparameters: the
        chain edge takes ``1 ... prev``, other edges ``0 ... prev`` (0: no edge),
        where ``prev`` is the number of choices one level below.
    """
    lowest = min(motif_info)
    hyperps = {}
    prev = NUM_PRIMITIVES
    for level in sorted(motif_info):
        name = None if level == lowest else "Mutatable_sub"
        num_nodes = motif_info[level]["num_nodes"]
        hyperps[level] = [
            {_edge_key(i, j): D(list(range(1 if j == i - 1 else 0, prev + 1)), name=name)
             for i in range(1, num_nodes) for j in range(i)}
            for _ in range(motif_info[level]["num_motifs"])]
        prev = motif_info[level]["num_motifs"]
    return hyperps


def _primitive(operation: int, channels: int):
    return {
        1: lambda: conv2d_cell(channels, 1),
        2: lambda: depthwise_conv2d_cell(3),
        3: lambda: separable_conv2d_cell(channels, 3),
        4: lambda: max_pooling(3),
        5: lambda: average_pooling(3),
        6: mo.identity,
    }[operation]()


def create_motif(dh: dict, full_hparam_dict: dict, motif_info: dict, level: int,
                 num_channels: int) -> go.Fragment:
    """A primitive (level 1, ``dh = {'operation': o}``) or a motif substitution module.

    For level >= 2, ``dh`` is the motif's dict of edge hyperparameters, so every
    use of the same motif shares its design.
    """
    if level == 1:
        return _primitive(dh["operation"], num_channels)
    num_nodes = motif_info[level]["num_nodes"]

    def substitution_fn(values):
        node_inputs, first_outputs = mo.identity()
        node_outputs = [first_outputs]
        for i in range(1, num_nodes):
            incoming = []
            for j in range(i):
                op = values[_edge_key(i, j)]
                if op > 0:
                    sub_dh = ({"operation": op} if level == 2
                              else full_hparam_dict[level - 1][op - 1])
                    sub_inputs, sub_outputs = create_motif(
                        sub_dh, full_hparam_dict, motif_info, level - 1, num_channels)
                    sub_inputs["in"].connect(node_outputs[j]["out"])
                    incoming.append(sub_outputs)
            comb_inputs, comb_outputs = combine_with_concat(len(incoming), num_channels)
            for k, sub_outputs in enumerate(incoming):
                comb_inputs["in%d" % k].connect(sub_outputs["out"])
            node_outputs.append(comb_outputs)
        if level == 2:
            return mo.siso_sequential([(node_inputs, node_outputs[-1]),
                                       conv2d_cell(num_channels, 1)])
        return node_inputs, node_outputs[-1]

    return mo.substitution_module("Motif_Level_%d" % level, substitution_fn, dh,
                                  ["in"], ["out"])


def _skeleton(motif_fn: Callable, num_classes: int, c0: int):
    return mo.siso_sequential([
        conv2d_cell(c0, 3), motif_fn(c0),
        separable_conv2d(c0, 3), motif_fn(c0),
        separable_conv2d(2 * c0, 3, stride=2), motif_fn(2 * c0),
        separable_conv2d(c0, 3), motif_fn(2 * c0),
        separable_conv2d(4 * c0, 3, stride=2), motif_fn(4 * c0),
        separable_conv2d(c0, 3), motif_fn(4 * c0),
        separable_conv2d(8 * c0, 3, stride=2),
        global_average_pooling(), dense(num_classes),
    ])


def _motif_space(motif_info: dict, num_classes: int, c0: int):
    full_hparam_dict = create_motif_hyperp(motif_info)
    top = max(motif_info)
    return _skeleton(lambda channels: create_motif(
        full_hparam_dict[top][0], full_hparam_dict, motif_info, top, channels), num_classes, c0)


def flat_search_space(num_classes: int, c0: int = 64) -> go.Fragment:
    """One level-2 motif of 11 nodes, shared by the six motif positions."""
    return _motif_space({2: {"num_nodes": 11, "num_motifs": 1}}, num_classes, c0)


def hierarchical_search_space(num_classes: int, c0: int = 64) -> go.Fragment:
    """Six level-2 motifs of 4 nodes combined by one level-3 motif of 5 nodes."""
    return _motif_space({2: {"num_nodes": 4, "num_motifs": 6},
                         3: {"num_nodes": 5, "num_motifs": 1}}, num_classes, c0)
