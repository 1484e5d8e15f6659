"""Keras 3 implementation of the framework layer API (NHWC tensors).

Works with symbolic ``keras.Input`` tensors (build a ``keras.Model`` from one
``co.forward`` pass) and with eager tensors, on any Keras backend. Layer
functions return ``(fn, layers)`` with ``fn(x, training)``; ``training=None``
lets Keras decide (e.g. from ``model(x, training=True)``). The TensorFlow
backends reuse these functions with the ``is_training`` protocol
(``tensorflow_eager_ops``).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import keras
import numpy as np
from keras import layers, ops

import deep_architect.helpers.keras_support as hke
from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.contrib.deep_learning_backend import general_ops
from deep_architect.contrib.deep_learning_backend.general_ops import InitFn, IntOrPair, Tensor
from deep_architect.errors import check

Layer = tuple  # (fn(x, training), list of keras layers)


def make_module(name: str, compile_fn: Callable, name_to_hyperp: dict,
                input_names: list, output_names: list) -> tuple:
    """Wraps a compile function returning ``(apply, layers)`` into a ``KerasModule``."""
    def keras_compile_fn(di, dh):
        apply, _ = compile_fn(di, dh)
        return lambda d: apply(d, None)
    return hke.KerasModule(name, keras_compile_fn, name_to_hyperp, input_names,
                           output_names).get_io()


def _padding(padding: str) -> str:
    padding = str(padding).lower()
    check(padding in ("same", "valid"), f"padding must be 'SAME' or 'VALID', got {padding!r}")
    return padding


def _size(v):
    return tuple(int(e) for e in v) if isinstance(v, (list, tuple)) else int(v)


def channels(x: Tensor) -> int:
    """Number of channels (features for rank-2 inputs)."""
    return int(x.shape[-1])


def spatial(x: Tensor) -> tuple:
    """``(height, width)`` of an NHWC tensor."""
    return int(x.shape[1]), int(x.shape[2])


def _call(layer) -> Callable:
    return lambda y, training: layer(y)


def conv2d(x: Tensor, filters: int | None, kernel: IntOrPair, stride: IntOrPair = 1,
           dilation: IntOrPair = 1, use_bias: bool = True, padding: str = "SAME",
           kind: str = "standard", depth_multiplier: int = 1,
           kernel_init: InitFn | None = None) -> Layer:
    """Keras convolution layer; the arguments are described in ``general_ops``."""
    args = dict(kernel_size=_size(kernel), strides=_size(stride), padding=_padding(padding),
                dilation_rate=_size(dilation), use_bias=bool(use_bias))
    if kind == "standard":
        init = {} if kernel_init is None else {"kernel_initializer": _initializer(kernel_init)}
        layer = layers.Conv2D(int(filters), **args, **init)
    elif kind == "depthwise":
        layer = layers.DepthwiseConv2D(depth_multiplier=int(depth_multiplier), **args)
    else:
        check(kind == "separable", f"unknown convolution kind {kind!r}")
        layer = layers.SeparableConv2D(int(filters), depth_multiplier=int(depth_multiplier),
                                       **args)
    return _call(layer), [layer]


def pool2d(x: Tensor, kind: str, kernel: IntOrPair, stride: IntOrPair = 1,
           padding: str = "SAME") -> Layer:
    """Max, average or min pooling."""
    args = dict(pool_size=_size(kernel), strides=_size(stride), padding=_padding(padding))
    if kind == "avg":
        layer = layers.AveragePooling2D(**args)
        return _call(layer), [layer]
    check(kind in ("max", "min"), f"pooling kind must be 'max', 'avg' or 'min', got {kind!r}")
    layer = layers.MaxPooling2D(**args)
    if kind == "max":
        return _call(layer), [layer]
    return (lambda y, training: ops.negative(layer(ops.negative(y)))), [layer]


def batch_norm(x: Tensor) -> Layer:
    """Batch normalization over the last axis (momentum 0.9, epsilon 1e-5)."""
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    return (lambda y, training: layer(y, training=training)), [layer]


def dropout(x: Tensor, rate: float) -> Layer:
    """Dropout with drop probability ``rate``."""
    layer = layers.Dropout(float(rate))
    return (lambda y, training: layer(y, training=training)), [layer]


def _initializer(init_fn):
    return lambda shape, dtype=None: ops.cast(ops.convert_to_tensor(init_fn(tuple(shape))),
                                              dtype or "float32")


def dense(x: Tensor, units: int, kernel_init: InitFn | None = None,
          bias_init: InitFn | None = None) -> Layer:
    """Dense layer over the flattened input.

    ``kernel_init(shape)`` / ``bias_init(shape)`` return arrays of shape
    ``(in_features, units)`` / ``(units,)``.
    """
    inits = {"kernel_initializer": kernel_init, "bias_initializer": bias_init}
    layer = layers.Dense(int(units), **{k: _initializer(f) for k, f in inits.items() if f})
    return (lambda y, training: layer(flatten(y))), [layer]


class ScheduledDropPath(layers.Layer):
    """Scheduled drop path: drops whole examples of a branch during training.

    The drop probability grows linearly with the number of training calls, from 0
    to ``final_drop_prob`` after ``total_steps`` calls (``total_steps``: a scalar
    or a tensor whose largest entry is used, e.g. one value per example).
    """

    def __init__(self, final_drop_prob: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.final_drop_prob = float(final_drop_prob)
        self.seed_generator = keras.random.SeedGenerator()
        self.step = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                    name="step")

    def call(self, x, total_steps, training=None):
        """Drops whole examples of ``x`` with the scheduled probability (training only)."""
        if not training or self.final_drop_prob <= 0.0:
            return x
        self.step.assign_add(1.0)
        budget = ops.maximum(ops.max(ops.cast(total_steps, "float32")), 1.0)
        progress = ops.minimum(self.step / budget, 1.0)
        keep_prob = ops.cast(1.0 - progress * self.final_drop_prob, x.dtype)
        shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
        noise = keras.random.uniform(shape, dtype=x.dtype, seed=self.seed_generator)
        return x / keep_prob * ops.floor(keep_prob + noise)

    def compute_output_shape(self, x_shape, total_steps_shape):
        """The shape of ``x``: dropping examples keeps it."""
        return x_shape


def drop_path(x: Tensor, final_drop_prob: float) -> Layer:
    """Scheduled drop-path layer; its ``fn(x, total_steps, training)`` takes the step budget."""
    layer = ScheduledDropPath(final_drop_prob)

    def fn(y, total_steps, training):
        if isinstance(total_steps, (int, float)):
            # Keras layers accept only tensors (or arrays) as positional arguments.
            total_steps = np.asarray(total_steps, "float32")
        return layer(y, total_steps, training=training)
    return fn, [layer]


_ACTIVATIONS = {
    "relu": ops.relu, "relu6": ops.relu6, "elu": ops.elu, "softplus": ops.softplus,
    "tanh": ops.tanh, "sigmoid": ops.sigmoid, "linear": lambda x: x,
    "crelu": lambda x: ops.concatenate([ops.relu(x), ops.relu(ops.negative(x))], axis=-1),
}


activation = general_ops.named_op(
    _ACTIVATIONS, "nonlinearity",
    "Applies the activation called ``name`` (see ``general_ops.nonlinearity``).")
global_pool = general_ops.named_op(
    {"avg": lambda x: ops.mean(x, axis=(1, 2)), "max": lambda x: ops.max(x, axis=(1, 2))},
    "global pooling", "Average (``'avg'``) or max (``'max'``) over the spatial axes, giving "
    "``[batch, channels]``.")


def flatten(x: Tensor) -> Tensor:
    """Flattens all axes but the batch axis."""
    if len(x.shape) == 2:
        return x
    return ops.reshape(x, (-1, math.prod(int(d) for d in x.shape[1:])))


def concat(xs: Sequence) -> Tensor:
    """Concatenates along the channel (last) axis."""
    return ops.concatenate(list(xs), axis=-1)


def slice_channels(x: Tensor, num_channels: int) -> Tensor:
    """The first ``num_channels`` channels."""
    return x[..., :num_channels]


def shift(x: Tensor) -> Tensor:
    """Shifts the image one pixel up and left, zero-filling the bottom row and right column."""
    return ops.pad(x[:, 1:, 1:, :], [[0, 0], [0, 1], [0, 1], [0, 0]])


func_dict = general_ops.bound_func_dict(be.KERAS)
