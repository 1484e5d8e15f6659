"""Framework-neutral ops: each returns a graph fragment for the chosen backend.

Every op is written once here, as a *neutral compile function*
``compile_fn(fw, di, dh) -> (apply, framework_objects)`` where ``fw`` is the
per-framework ops module (its layer API: ``conv2d``, ``pool2d``, ``batch_norm``,
``dense``, ``dropout``, ``drop_path`` build layers from an example input;
``activation``, ``global_pool``, ``flatten``, ``concat``, ``slice_channels``,
``shift``, ``channels``, ``spatial`` act on tensors), ``di``/``dh`` are the input
and hyperparameter values, and ``apply(di, training)`` returns the output
values. :func:`module` turns such a function into a module of the backend's
helper (``PyTorchModule``, ``KerasModule`` or ``TensorflowEagerModule``).

The layer functions take an example input ``x`` first; ``conv2d(x, filters,
kernel, stride=1, dilation=1, use_bias=True, padding="SAME", kind="standard",
depth_multiplier=1, kernel_init=None)`` builds a convolution whose ``kind`` is
``'standard'``, ``'depthwise'`` or ``'separable'``; ``kernel_init(shape)``
(standard kind only) returns an array of shape ``(kernel_height, kernel_width,
in_channels, filters)``.

Every op takes a keyword-only ``backend`` (default: the one given to
``backend.set_backend``). Plain values given for hyperparameters are wrapped
into single-value ``Discrete`` hyperparameters, as in every helper.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.errors import DeepArchitectError, check

Fragment = tuple  # (inputs dict, outputs dict)
NeutralCompileFn = Callable[[Any, dict, dict], tuple]
HyperparameterLike = Any  # a Hyperparameter, or a plain value (wrapped into D([value]))
Tensor = Any  # a framework tensor (torch.Tensor, KerasTensor, tf.Tensor, ...)
IntOrPair = int | Sequence[int]  # square size, or [height, width]
InitFn = Callable[[tuple], Any]  # shape -> array of that shape


def named_op(table: Mapping[str, Callable[[Tensor], Tensor]], what: str,
             doc: str) -> Callable[[Tensor, str], Tensor]:
    """A framework's ``op(x, name)`` applying ``table[name]`` to the tensor ``x``.

    Each framework's ops module builds its ``activation`` and ``global_pool``
    this way from its own table, so the name check is written once.

    Args:
        table: Name to tensor function.
        what: What the names are, for the error message (e.g. ``"nonlinearity"``).
        doc: The op's docstring.

    Returns:
        The op; it raises :class:`~deep_architect.errors.DeepArchitectError` for an
        unknown name, listing the known ones.
    """
    def op(x: Tensor, name: str) -> Tensor:
        fn = table.get(name)
        if fn is None:
            raise DeepArchitectError(f"unknown {what} {name!r}; expected one of {sorted(table)}")
        return fn(x)
    op.__doc__ = doc
    return op


def module(name: str, compile_fn: NeutralCompileFn, name_to_hyperp: Mapping,
           input_names: Sequence[str] = ("in",), output_names: Sequence[str] = ("out",),
           backend: int | None = None) -> Fragment:
    """Builds a module of the backend's helper from a neutral compile function.

    Args:
        name: Module base name (scope name ``M.<name>-<i>``).
        compile_fn: ``compile_fn(fw, di, dh) -> (apply, objects)``; ``apply(di,
            training)`` returns a dict of output values; ``objects`` lists the
            framework layers created (needed by PyTorch to find parameters).
        name_to_hyperp: Local name to hyperparameter (or plain value).
        input_names: Input local names.
        output_names: Output local names.
        backend: Backend constant, or ``None`` for the backend set.

    Returns:
        The ``(inputs, outputs)`` fragment of the new module.
    """
    fw = be.ops_module(backend)
    return fw.make_module(name, lambda di, dh: compile_fn(fw, di, dh), dict(name_to_hyperp),
                          list(input_names), list(output_names))


def siso_compile_fn(make_layer: Callable) -> NeutralCompileFn:
    """Neutral compile function of a SISO op made of one layer.

    Args:
        make_layer: ``make_layer(fw, x, dh)`` returns ``(fn, objects)`` with
            ``fn(x, training)``, where ``x`` is the module's input value.

    Returns:
        A neutral compile function for :func:`module`.
    """
    def compile_fn(fw, di, dh):
        fn, objects = make_layer(fw, di["in"], dh)
        return (lambda d, training: {"out": fn(d["in"], training)}), objects
    return compile_fn


def _tensor_fn(fn: Callable) -> NeutralCompileFn:
    """Neutral compile function of a parameter-free SISO op ``fn(fw, x, dh)``."""
    return siso_compile_fn(lambda fw, x, dh: ((lambda y, training: fn(fw, y, dh)), []))


def _conv_args(dh: dict) -> dict:
    return {"stride": dh.get("stride", 1), "dilation": dh.get("dilation_rate", 1),
            "use_bias": dh.get("use_bias", True), "padding": dh.get("padding", "SAME")}


# Neutral compile functions, shared by the constructors below and by search spaces
# that register the same computation under another module name.
CONV2D = siso_compile_fn(lambda fw, x, dh: fw.conv2d(
    x, dh["num_filters"], dh["filter_width"], **_conv_args(dh)))
SEPARABLE_CONV2D = siso_compile_fn(lambda fw, x, dh: fw.conv2d(
    x, dh["num_filters"], dh["filter_width"], kind="separable",
    depth_multiplier=dh.get("depth_multiplier", 1), **_conv_args(dh)))
DEPTHWISE_CONV2D = siso_compile_fn(lambda fw, x, dh: fw.conv2d(
    x, None, dh["filter_width"], kind="depthwise",
    depth_multiplier=dh.get("depth_multiplier", 1), **_conv_args(dh)))
BATCH_NORMALIZATION = siso_compile_fn(lambda fw, x, dh: fw.batch_norm(x))


def _dropout_layer(fw, x, dh):
    keep_prob = dh["keep_prob"]
    check(0.0 < keep_prob <= 1.0, f"dropout: keep_prob must be in (0, 1], got {keep_prob!r}")
    return fw.dropout(x, 1.0 - keep_prob)


DROPOUT = siso_compile_fn(_dropout_layer)
FC_LAYER = siso_compile_fn(lambda fw, x, dh: fw.dense(x, dh["num_units"]))
NONLINEARITY = _tensor_fn(lambda fw, x, dh: fw.activation(x, dh["nonlin_name"]))
RELU = _tensor_fn(lambda fw, x, dh: fw.activation(x, "relu"))
FLATTEN = _tensor_fn(lambda fw, x, dh: fw.flatten(x))
GLOBAL_AVG_POOL = _tensor_fn(lambda fw, x, dh: fw.global_pool(x, "avg"))


def _pool(kind: str) -> NeutralCompileFn:
    return siso_compile_fn(lambda fw, x, dh: fw.pool2d(
        x, kind, dh["kernel_size"], dh.get("stride", 1), dh.get("padding", "SAME")))


MAX_POOL2D, AVG_POOL2D, MIN_POOL2D = _pool("max"), _pool("avg"), _pool("min")


def _multi_input(combine: Callable) -> NeutralCompileFn:
    """Neutral compile function combining inputs ``in0, in1, ...`` (pass-through for one)."""
    def compile_fn(fw, di, dh):
        names = sorted(di, key=lambda k: int(k[2:]))

        def apply(d, training):
            xs = [d[k] for k in names]
            return {"out": xs[0] if len(xs) == 1 else combine(fw, xs)}
        return apply, []
    return compile_fn


ADD = _multi_input(lambda fw, xs: functools.reduce(lambda a, b: a + b, xs))
CONCAT = _multi_input(lambda fw, xs: fw.concat(xs))


def _siso(op: NeutralCompileFn, name: str, name_to_hyperp: Mapping,
          backend: int | None) -> Fragment:
    return module(name, op, name_to_hyperp, backend=backend)


def _combiner(op: NeutralCompileFn, name: str, num_inputs: int,
              backend: int | None) -> Fragment:
    return module(name, op, {}, [f"in{i}" for i in range(num_inputs)], backend=backend)


def dropout(h_keep_prob: HyperparameterLike, *, backend: int | None = None) -> Fragment:
    """Dropout (module ``Dropout``) keeping each unit with probability ``keep_prob``.

    Active only in training mode (``model.train()`` in PyTorch, ``training=True``
    in Keras, ``is_training`` in the TensorFlow backends).
    """
    return _siso(DROPOUT, "Dropout", {"keep_prob": h_keep_prob}, backend)


def conv2d(h_num_filters: HyperparameterLike, h_filter_width: HyperparameterLike,
           h_stride: HyperparameterLike = 1, h_use_bias: HyperparameterLike = True,
           h_dilation_rate: HyperparameterLike = 1, h_padding: HyperparameterLike = "SAME", *,
           backend: int | None = None) -> Fragment:
    """2D convolution (module ``Conv2D``); the first four arguments are the original's.

    ``filter_width``, ``stride`` and ``dilation_rate`` are ints (square) or
    ``[height, width]`` lists; ``padding`` is ``'SAME'`` (TensorFlow semantics,
    also in PyTorch) or ``'VALID'``.
    """
    return _siso(CONV2D, "Conv2D", {
        "num_filters": h_num_filters, "filter_width": h_filter_width, "stride": h_stride,
        "dilation_rate": h_dilation_rate, "use_bias": h_use_bias, "padding": h_padding},
        backend)


def separable_conv2d(h_num_filters: HyperparameterLike, h_filter_width: HyperparameterLike,
                     h_stride: HyperparameterLike = 1, h_dilation_rate: HyperparameterLike = 1,
                     h_depth_multiplier: HyperparameterLike = 1,
                     h_use_bias: HyperparameterLike = True, h_padding: HyperparameterLike = "SAME",
                     *, backend: int | None = None) -> Fragment:
    """Depthwise-separable convolution (module ``SeparableConv2D``)."""
    return _siso(SEPARABLE_CONV2D, "SeparableConv2D", {
        "num_filters": h_num_filters, "filter_width": h_filter_width, "stride": h_stride,
        "dilation_rate": h_dilation_rate, "depth_multiplier": h_depth_multiplier,
        "use_bias": h_use_bias, "padding": h_padding}, backend)


def depthwise_conv2d(h_filter_width: HyperparameterLike, h_stride: HyperparameterLike = 1,
                     h_dilation_rate: HyperparameterLike = 1,
                     h_depth_multiplier: HyperparameterLike = 1,
                     h_use_bias: HyperparameterLike = True, h_padding: HyperparameterLike = "SAME",
                     *, backend: int | None = None) -> Fragment:
    """Depthwise convolution (module ``DepthwiseConv2D``)."""
    return _siso(DEPTHWISE_CONV2D, "DepthwiseConv2D", {
        "filter_width": h_filter_width, "stride": h_stride, "dilation_rate": h_dilation_rate,
        "depth_multiplier": h_depth_multiplier, "use_bias": h_use_bias,
        "padding": h_padding}, backend)


def max_pool2d(h_kernel_size: HyperparameterLike, h_stride: HyperparameterLike = 1,
               h_padding: HyperparameterLike = "SAME", *, backend: int | None = None) -> Fragment:
    """Max pooling (module ``MaxPool2D``)."""
    return _siso(MAX_POOL2D, "MaxPool2D", {
        "kernel_size": h_kernel_size, "stride": h_stride, "padding": h_padding}, backend)


def avg_pool2d(h_kernel_size: HyperparameterLike, h_stride: HyperparameterLike = 1,
               h_padding: HyperparameterLike = "SAME", *, backend: int | None = None) -> Fragment:
    """Average pooling (module ``AvgPool2D``); ``'SAME'`` padding is not counted."""
    return _siso(AVG_POOL2D, "AvgPool2D", {
        "kernel_size": h_kernel_size, "stride": h_stride, "padding": h_padding}, backend)


def min_pool2d(h_kernel_size: HyperparameterLike, h_stride: HyperparameterLike = 1,
               h_padding: HyperparameterLike = "SAME", *, backend: int | None = None) -> Fragment:
    """Min pooling (module ``MinPool2D``)."""
    return _siso(MIN_POOL2D, "MinPool2D", {
        "kernel_size": h_kernel_size, "stride": h_stride, "padding": h_padding}, backend)


def batch_normalization(*, backend: int | None = None) -> Fragment:
    """Batch normalization over channels (module ``BatchNormalization``)."""
    return _siso(BATCH_NORMALIZATION, "BatchNormalization", {}, backend)


def relu(*, backend: int | None = None) -> Fragment:
    """ReLU (module ``ReLU``)."""
    return _siso(RELU, "ReLU", {}, backend)


def nonlinearity(h_nonlin_name: HyperparameterLike, *, backend: int | None = None) -> Fragment:
    """Activation chosen by name (module ``Nonlinearity``).

    Names: ``relu``, ``relu6``, ``crelu`` (doubles the channels), ``elu``,
    ``softplus``, ``tanh``, ``sigmoid``, ``linear``.
    """
    return _siso(NONLINEARITY, "Nonlinearity", {"nonlin_name": h_nonlin_name}, backend)


def global_pool2d(*, backend: int | None = None) -> Fragment:
    """Global average pooling to ``[batch, channels]`` (module ``GlobalAveragePool``)."""
    return _siso(GLOBAL_AVG_POOL, "GlobalAveragePool", {}, backend)


def fc_layer(h_num_units: HyperparameterLike, *, backend: int | None = None) -> Fragment:
    """Dense layer (module ``FCLayer``); inputs of rank > 2 are flattened first."""
    return _siso(FC_LAYER, "FCLayer", {"num_units": h_num_units}, backend)


def flatten(*, backend: int | None = None) -> Fragment:
    """Flattens all but the batch axis (module ``Flatten``)."""
    return _siso(FLATTEN, "Flatten", {}, backend)


def add(num_inputs: int, *, backend: int | None = None) -> Fragment:
    """Sum of inputs ``in0 ... in<n-1>`` (module ``Add``); pass-through for one input."""
    return _combiner(ADD, "Add", num_inputs, backend)


def concat(num_inputs: int, *, backend: int | None = None) -> Fragment:
    """Channel concatenation of ``in0 ... in<n-1>`` (module ``Concat``)."""
    return _combiner(CONCAT, "Concat", num_inputs, backend)


_OPS = (dropout, conv2d, separable_conv2d, depthwise_conv2d, max_pool2d, avg_pool2d,
        min_pool2d, batch_normalization, relu, nonlinearity, global_pool2d, fc_layer,
        flatten, add, concat)


def bound_func_dict(backend: int) -> dict[str, Callable]:
    """The ops of this module bound to ``backend`` (a backend's ``func_dict``)."""
    return {op.__name__: functools.partial(op, backend=backend) for op in _OPS}
