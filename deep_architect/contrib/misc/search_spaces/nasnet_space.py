"""NASNet-A-like search space (Zoph et al., 2018), on the framework-neutral ops.

The graph has two inputs, ``in0`` (images) and ``in1`` (the total number of
training steps, which schedules drop path; a number or a tensor), and two
outputs, ``out0`` (auxiliary logits) and ``out1`` (logits). All normal
cells share one design and all reduction cells another.

Unlike the original, no module-level state is used: the shared drop-path
keep probability and the total-steps output live in a :class:`NasnetContext`
created by each :func:`generate_search_space` call. The hidden-state choices
``<kind>_in_<node>_<k>_sub`` decide the wiring (hence the order in which the
operation hyperparameters are met), so they carry ``'sub'`` for regularized
evolution; operation choices keep their original names.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.hyperparameters import Discrete as D

relu, batch_normalization, add = go.relu, go.batch_normalization, go.add


class NasnetContext:
    """Per-space shared objects (what the original kept in module globals).

    Attributes:
        hp_sharer: Holds ``drop_path_keep_prob`` (``D([0.7])``), shared by all drop paths.
        total_steps: The output carrying the graph input ``in1`` to the drop paths.
    """

    def __init__(self, total_steps: co.Output) -> None:
        self.total_steps = total_steps
        self.hp_sharer = hp.HyperparameterSharer()
        self.hp_sharer.register("drop_path_keep_prob",
                                lambda: D([0.7], name="drop_path_keep_prob"))


def SP1_ops(name: str | None = None, reduction: bool = False) -> hp.Discrete:
    """The operation hyperparameter (reduction cells lack the dilated convolution)."""
    ops = ["none", "depth_sep3", "depth_sep5", "depth_sep7", "avg3", "max3",
           "dilated_3x3_rate_2", "1x7_7x1"]
    return D([op for op in ops if not (reduction and op.startswith("dilated"))], name=name)


def wrap_relu_batch_norm(op: go.Fragment) -> go.Fragment:
    """ReLU, ``op``, batch norm."""
    return mo.siso_sequential([relu(), op, batch_normalization()])


def conv_op(filters: int, filter_size: int, stride: int, dilation_rate: int,
            spatial_separable: bool) -> go.Fragment:
    """A convolution, or a 1xk then kx1 pair when ``spatial_separable``."""
    if spatial_separable:
        return mo.siso_sequential([
            go.conv2d(D([filters]), D([[1, filter_size]]), D([[1, stride]])),
            batch_normalization(), relu(),
            go.conv2d(D([filters]), D([[filter_size, 1]]), D([[stride, 1]])),
        ])
    return go.conv2d(D([filters]), D([filter_size]), D([stride]),
                     h_dilation_rate=D([dilation_rate]))


def full_conv_op(filters: int, filter_size: int, stride: int, dilation_rate: int,
                 spatial_separable: bool) -> go.Fragment:
    """``conv_op`` inside a 1x1 bottleneck (as in AmoebaNet), each step relu-op-bn."""
    reduced = int(3 * filters / 8) if filter_size == 3 and spatial_separable \
        else int(filters / 4)
    if reduced < 1:
        return wrap_relu_batch_norm(
            conv_op(filters, filter_size, stride, dilation_rate, spatial_separable))
    return mo.siso_sequential([
        wrap_relu_batch_norm(go.conv2d(D([reduced]), D([1]))),
        wrap_relu_batch_norm(
            conv_op(reduced, filter_size, stride, dilation_rate, spatial_separable)),
        wrap_relu_batch_norm(go.conv2d(D([filters]), D([1]))),
    ])


def _check_filters_compile(filters: int, stride: int):
    def compile_fn(fw, di, dh):
        x = di["in"]
        if fw.channels(x) == filters and stride == 1:
            return (lambda d, training: {"out": d["in"]}), []
        conv, layers = fw.conv2d(x, filters, 1, stride)
        return (lambda d, training: {"out": conv(d["in"], training)}), layers
    return compile_fn


def check_filters(filters: int, stride: int = 1) -> go.Fragment:
    """1x1 convolution only if the channels differ from ``filters`` or ``stride > 1``."""
    return go.module("CheckFilters", _check_filters_compile(filters, stride), {})


def pool_op(filters: int, filter_size: int, stride: int, pool_type: str) -> go.Fragment:
    """Pooling (``'avg'``, ``'max'`` or ``'min'``) then :func:`check_filters`."""
    pool = {"avg": go.avg_pool2d, "max": go.max_pool2d, "min": go.min_pool2d}[pool_type]
    return mo.siso_sequential([pool(D([filter_size]), D([stride])), check_filters(filters)])


def separable_conv_op(filters: int, filter_size: int, stride: int) -> go.Fragment:
    """Two relu-separable convolution-bn blocks, the second with stride 1."""
    return mo.siso_sequential([
        wrap_relu_batch_norm(go.separable_conv2d(D([filters]), D([filter_size]), D([stride]))),
        wrap_relu_batch_norm(go.separable_conv2d(D([filters]), D([filter_size]), D([1]))),
    ])


def _drop_path_compile(cell_ratio: float):
    def compile_fn(fw, di, dh):
        fn, layers = fw.drop_path(di["in0"], cell_ratio * (1.0 - dh["keep_prob"]))
        return (lambda d, training: {"out": fn(d["in0"], d["in1"], training)}), layers
    return compile_fn


def drop_path(cell_ratio: float, context: NasnetContext) -> go.Fragment:
    """Scheduled drop path (module ``DropPath``; inputs ``in0`` value, ``in1`` total steps).

    During training, the probability of dropping the branch grows linearly from 0
    to ``cell_ratio * (1 - keep_prob)`` over ``in1`` training steps (forward passes).
    """
    return go.module("DropPath", _drop_path_compile(cell_ratio),
                     {"keep_prob": context.hp_sharer.get("drop_path_keep_prob")},
                     ["in0", "in1"])


class MISOIdentity(co.Module):
    """Two inputs (``in0``, ``in1``), one output equal to ``in0``.

    Args:
        scope: Scope to register in (default scope if ``None``).
        name: Base name (default ``MISOIdentity``).
    """

    def __init__(self, scope: co.Scope | None = None, name: str | None = None) -> None:
        co.Module.__init__(self, scope, name)
        self._register(["in0", "in1"], ["out"], {})

    def _compile(self) -> None:
        pass

    def _forward(self) -> None:
        self.outputs["out"].val = self.inputs["in0"].val


def miso_optional(fn: Callable, h_opt: go.HyperparameterLike) -> go.Fragment:
    """Substitution module ``MISOOptional``.

    It becomes ``fn()`` if ``h_opt`` is truthy, else :class:`MISOIdentity`.
    """
    return mo.substitution_module(
        "MISOOptional", lambda dh: fn() if dh["opt"] else MISOIdentity().get_io(),
        {"opt": h_opt}, ["in0", "in1"], ["out"])


def _op_fns(filters: int, stride: int) -> dict:
    return {
        "none": lambda: check_filters(filters, stride),
        "conv1": lambda: wrap_relu_batch_norm(go.conv2d(D([filters]), D([1]), D([stride]))),
        "conv3": lambda: full_conv_op(filters, 3, stride, 1, False),
        "depth_sep3": lambda: separable_conv_op(filters, 3, stride),
        "depth_sep5": lambda: separable_conv_op(filters, 5, stride),
        "depth_sep7": lambda: separable_conv_op(filters, 7, stride),
        "dilated_3x3_rate_2": lambda: full_conv_op(filters, 3, stride, 2, False),
        "dilated_3x3_rate_4": lambda: full_conv_op(filters, 3, stride, 4, False),
        "dilated_3x3_rate_6": lambda: full_conv_op(filters, 3, stride, 6, False),
        "1x3_3x1": lambda: full_conv_op(filters, 3, stride, 1, True),
        "1x7_7x1": lambda: full_conv_op(filters, 7, stride, 1, True),
        "avg2": lambda: pool_op(filters, 2, stride, "avg"),
        "avg3": lambda: pool_op(filters, 3, stride, "avg"),
        "max2": lambda: pool_op(filters, 2, stride, "max"),
        "max3": lambda: pool_op(filters, 3, stride, "max"),
        "min2": lambda: pool_op(filters, 2, stride, "min"),
    }


def intermediate_node_fn(reduction: bool, input_id: int, node_id: int, op_num: int,
                         filters: int, cell_ratio: float, cell_ops: Sequence,
                         context: NasnetContext) -> go.Fragment:
    """The chosen operation on one hidden state, followed by drop path unless it is ``none``.

    The stride is 2 in reduction cells when the input is one of the two cell inputs.
    """
    stride = 2 if reduction and input_id < 2 else 1
    h_op = cell_ops[node_id * 2 + op_num]
    h_is_not_none = co.DependentHyperparameter(lambda dh: dh["op"] != "none", {"op": h_op})
    op_inputs, op_outputs = mo.siso_or(_op_fns(filters, stride), h_op)
    drop_inputs, drop_outputs = miso_optional(lambda: drop_path(cell_ratio, context),
                                              h_is_not_none)
    drop_inputs["in0"].connect(op_outputs["out"])
    drop_inputs["in1"].connect(context.total_steps)
    return op_inputs, drop_outputs


def concat(num_ins: int) -> go.Fragment:
    """Channel concatenation (module ``Concat``)."""
    return go.concat(num_ins)


def _factorized_reduction_compile(add_relu: bool):
    def compile_fn(fw, di, dh):
        x, ref = di["in0"], di["in1"]
        height, target_height = fw.spatial(x)[0], fw.spatial(ref)[0]
        target_channels = fw.channels(ref)
        layers, steps = [], []
        if height != target_height:
            half = target_channels // 2
            # Two 1x1 convolutions on pixel grids offset by one, concatenated.
            conv1, objs1 = fw.conv2d(x, half, 1, 2, padding="VALID")
            conv2, objs2 = fw.conv2d(x, target_channels - half, 1, 2, padding="VALID")
            layers += objs1 + objs2
            steps.append(lambda y, t: fw.concat([conv1(y, t), conv2(fw.shift(y), t)]))
        elif fw.channels(x) != target_channels:
            conv, objs = fw.conv2d(x, target_channels, 1)
            layers += objs
            steps.append(conv)
        if steps:
            bn, objs = fw.batch_norm(ref)
            layers += objs
            steps.append(bn)
        if add_relu:
            steps.insert(0, lambda y, t: fw.activation(y, "relu"))

        def apply(d, training):
            y = d["in0"]
            for step in steps:
                y = step(y, training)
            return {"out": y}
        return apply, layers
    return compile_fn


def maybe_factorized_reduction(add_relu: bool = False) -> go.Fragment:
    """Brings ``in0`` to the height and channels of ``in1`` (module ``MaybeFactorizedReduction``).

    Halves the resolution with a factorized reduction if the heights differ, else
    uses a 1x1 convolution if the channels differ, else passes ``in0`` through.
    """
    return go.module("MaybeFactorizedReduction", _factorized_reduction_compile(add_relu), {},
                     ["in0", "in1"])


def combine_unused(num_ins: int) -> go.Fragment:
    """Concatenates the unused hidden states, each first matched to the last one's shape."""
    identities = [mo.identity() for _ in range(num_ins)]
    reductions = [maybe_factorized_reduction() for _ in range(num_ins)]
    concat_inputs, concat_outputs = concat(num_ins)
    last_outputs = identities[-1][1]
    inputs = {}
    for i, ((id_inputs, id_outputs), (red_inputs, red_outputs)) in enumerate(
            zip(identities, reductions)):
        red_inputs["in0"].connect(id_outputs["out"])
        red_inputs["in1"].connect(last_outputs["out"])
        concat_inputs["in%d" % i].connect(red_outputs["out"])
        inputs["in%d" % i] = id_inputs["in"]
    return inputs, concat_outputs


def cell_input_fn(filters: int) -> go.Fragment:
    """Hidden states 0 (previous-previous cell, matched to state 1) and 1 (previous cell)."""
    prev_inputs, prev_outputs = mo.identity()
    cur_inputs, cur_outputs = wrap_relu_batch_norm(go.conv2d(D([filters]), D([1])))
    red_inputs, red_outputs = maybe_factorized_reduction(add_relu=True)
    red_inputs["in0"].connect(prev_outputs["out"])
    red_inputs["in1"].connect(cur_outputs["out"])
    return ({"in0": prev_inputs["in"], "in1": cur_inputs["in"]},
            {"out0": red_outputs["out"], "out1": cur_outputs["out"]})


def cell(input_fn: Callable, node_fn: Callable, combine_fn: Callable,
         unused_combine_fn: Callable, num_nodes: int, hyperparameters: Sequence) -> go.Fragment:
    """Substitution module ``Cell`` (inputs ``in0``, ``in1``; output ``out``).

    ``hyperparameters[2 * i + k]`` chooses the hidden state feeding input ``k`` of
    node ``i`` (key ``'<i>_<k>'``); ``node_fn(state, i, k)`` transforms it and
    ``combine_fn()`` adds the two; unused states are combined by ``unused_combine_fn(n)``.
    """
    def substitution_fn(dh):
        cell_inputs, cell_outputs = input_fn()
        states = [cell_outputs["out0"], cell_outputs["out1"]]
        used = [False] * (num_nodes + 2)
        for i in range(num_nodes):
            chosen = [dh["%d_%d" % (i, k)] for k in (0, 1)]
            ops = [node_fn(state, i, k) for k, state in enumerate(chosen)]
            comb_inputs, comb_outputs = combine_fn()
            for k, (state, (op_inputs, op_outputs)) in enumerate(zip(chosen, ops)):
                op_inputs["in"].connect(states[state])
                comb_inputs["in%d" % k].connect(op_outputs["out"])
                used[state] = True
            states.append(comb_outputs["out"])
        unused = [s for s, was_used in zip(states, used) if not was_used]
        unused_inputs, unused_outputs = unused_combine_fn(len(unused))
        for k, state in enumerate(unused):
            unused_inputs["in%d" % k].connect(state)
        return cell_inputs, unused_outputs

    name_to_hyperp = {"%d_%d" % (i // 2, i % 2): h for i, h in enumerate(hyperparameters)}
    return mo.substitution_module("Cell", substitution_fn, name_to_hyperp, ["in0", "in1"],
                                  ["out"])


def create_cell_generator(num_nodes: int, reduction: bool,
                          context: NasnetContext) -> Callable[[int, float], go.Fragment]:
    """Creates the hyperparameters shared by all cells of one kind.

    Returns:
        ``generate(filters, cell_ratio)`` building a cell of that kind.
    """
    prefix = "reduction" if reduction else "normal"
    cell_ops = [SP1_ops("%s_op_%d_%d" % (prefix, i // 2, i % 2), reduction)
                for i in range(2 * num_nodes)]
    connections = [D(list(range(i // 2 + 2)), name="%s_in_%d_%d_sub" % (prefix, i // 2, i % 2))
                   for i in range(2 * num_nodes)]

    def generate(filters: int, cell_ratio: float):
        return cell(lambda: cell_input_fn(filters),
                    lambda input_id, node_id, op_num: intermediate_node_fn(
                        reduction, input_id, node_id, op_num, filters, cell_ratio, cell_ops,
                        context),
                    lambda: add(2), combine_unused, num_nodes, connections)
    return generate


def stem(filters: int) -> go.Fragment:
    """3x3 convolution and batch norm."""
    return mo.siso_sequential([go.conv2d(D([filters]), D([3])), batch_normalization()])


def _global_conv_compile(fw, di, dh):
    conv, layers = fw.conv2d(di["in"], dh["num_filters"], list(fw.spatial(di["in"])),
                             use_bias=False, padding="VALID")
    return (lambda d, training: {"out": conv(d["in"], training)}), layers


def global_convolution(h_num_filters: go.HyperparameterLike) -> go.Fragment:
    """Convolution whose kernel covers the whole input (module ``GlobalConv2D``)."""
    return go.module("GlobalConv2D", _global_conv_compile, {"num_filters": h_num_filters})


def aux_logits(num_classes: int = 10) -> go.Fragment:
    """Auxiliary head: 5x5/3 average pooling, 1x1 and global convolutions, dense."""
    return mo.siso_sequential([
        relu(), go.avg_pool2d(D([5]), D([3]), D(["VALID"])),
        go.conv2d(D([128]), D([1])), batch_normalization(), relu(),
        global_convolution(D([768])), batch_normalization(), relu(),
        go.flatten(), go.fc_layer(D([num_classes])),
    ])


def generate_search_space(num_nodes_per_cell: int, num_normal_cells: int,
                          num_reduction_cells: int, init_filters: int,
                          stem_multiplier: float, num_classes: int = 10) -> go.Fragment:
    """The NASNet network: stem, cells, an auxiliary head and the classifier.

    Reduction cells (each doubling the filters) are spread among the normal cells.
    """
    stem_inputs, stem_outputs = stem(int(init_filters * stem_multiplier))
    steps_inputs, steps_outputs = mo.identity()
    context = NasnetContext(steps_outputs["out"])
    normal_cell_fn = create_cell_generator(num_nodes_per_cell, False, context)
    reduction_cell_fn = create_cell_generator(num_nodes_per_cell, True, context)

    total_cells = num_normal_cells + num_reduction_cells
    reduction_before = {int((r + 1) / (num_reduction_cells + 1) * num_normal_cells)
                        for r in range(num_reduction_cells)}
    aux_idx = int(num_reduction_cells / (num_reduction_cells + 1) * num_normal_cells) - 1
    states = [stem_outputs, stem_outputs]
    outputs = {}
    filters = init_filters

    def connect(cell_fragment):
        cell_inputs, cell_outputs = cell_fragment
        cell_inputs["in0"].connect(states[-2]["out"])
        cell_inputs["in1"].connect(states[-1]["out"])
        states.append(cell_outputs)

    for i in range(num_normal_cells):
        if i in reduction_before:
            filters *= 2
            connect(reduction_cell_fn(filters, (len(states) - 1) / total_cells))
        connect(normal_cell_fn(filters, (len(states) - 1) / total_cells))
        if i == aux_idx:
            aux_inputs, aux_outputs = aux_logits(num_classes)
            aux_inputs["in"].connect(states[-1]["out"])
            outputs["out0"] = aux_outputs["out"]
    _, final_outputs = mo.siso_sequential([
        (None, states[-1]), relu(), go.global_pool2d(), go.dropout(D([1.0])),
        go.fc_layer(D([num_classes]))])
    outputs["out1"] = final_outputs["out"]
    return {"in0": stem_inputs["in"], "in1": steps_inputs["in"]}, outputs


class SSF_NasnetA(mo.SearchSpaceFactory):
    """The paper's space: 5-node cells, 18 normal and 2 reduction cells, 36 filters."""

    def __init__(self, num_classes: int = 10) -> None:
        mo.SearchSpaceFactory.__init__(
            self, lambda: generate_search_space(5, 18, 2, 36, 3.0, num_classes))
