"""Convolutional networks (the original ``search_spaces/tensorflow/cnn2d.py``).

Built on the framework-neutral ops (NCHW in PyTorch, NHWC in Keras/TensorFlow).
Hyperparameters named ``Mutatable_sub`` change which searchable
hyperparameters come after them, so regularized evolution re-draws the values
after a mutated one.
"""
from __future__ import annotations

import numpy as np

import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.contrib.misc.search_spaces import dnn
from deep_architect.errors import check
from deep_architect.hyperparameters import Discrete as D


def kaiming2015delving_initializer_conv(gain: float = 1.0) -> go.InitFn:
    """He et al. (2015) initialiser for ``(height, width, in, out)`` convolution kernels.

    Draws N(0, gain^2 * 2 / fan_in) with ``fan_in = height * width * in``.
    """
    def init_fn(shape):
        fan_in = shape[0] * shape[1] * shape[2]
        std = gain * np.sqrt(2.0 / fan_in)
        return np.random.normal(0.0, std, size=shape).astype(np.float32)
    return init_fn


def conv2d(h_num_filters: go.HyperparameterLike, h_filter_width: go.HyperparameterLike,
           h_stride: go.HyperparameterLike, h_use_bias: go.HyperparameterLike) -> go.Fragment:
    """Square convolution with ``'SAME'`` padding and He initialisation (module ``Conv2D``)."""
    compile_fn = go.siso_compile_fn(lambda fw, x, dh: fw.conv2d(
        x, dh["num_filters"], dh["filter_width"], dh["stride"], use_bias=dh["use_bias"],
        kernel_init=kaiming2015delving_initializer_conv()))
    return go.module("Conv2D", compile_fn, {
        "num_filters": h_num_filters, "filter_width": h_filter_width, "stride": h_stride,
        "use_bias": h_use_bias})


def max_pool2d(h_kernel_size: go.HyperparameterLike,
               h_stride: go.HyperparameterLike) -> go.Fragment:
    """Max pooling with ``'SAME'`` padding (module ``MaxPool2D``)."""
    return go.module("MaxPool2D", go.MAX_POOL2D,
                     {"kernel_size": h_kernel_size, "stride": h_stride})


def conv_cell(h_num_filters: go.HyperparameterLike, h_filter_width: go.HyperparameterLike,
              h_swap: go.HyperparameterLike, h_opt_drop: go.HyperparameterLike,
              h_keep_prob: go.HyperparameterLike, stride: int) -> go.Fragment:
    """Convolution, then ReLU and batch norm in either order, then optional dropout."""
    check(stride >= 1, f"conv_cell: stride must be >= 1, got {stride!r}")
    return mo.siso_sequential([
        conv2d(h_num_filters, h_filter_width, D([stride]), D([0])),
        mo.siso_permutation([dnn.relu, dnn.batch_normalization], h_swap),
        mo.siso_optional(lambda: dnn.dropout(h_keep_prob), h_opt_drop),
    ])


def conv_net(h_num_spatial_reductions: go.HyperparameterLike) -> go.Fragment:
    """Repeats [reduction cell (stride 2), 1/2/4/8 normal cells]; cells share their layout."""
    h_swap = D([0, 1])
    h_opt_drop = D([0, 1], name="Mutatable_sub")
    h_keep_prob = D([0.25, 0.5, 0.75, 1.0])

    def cell(stride):
        return conv_cell(D([32, 64, 128, 256, 512]), D([1, 3, 5]), h_swap, h_opt_drop,
                         h_keep_prob, stride)

    return mo.siso_repeat(lambda: mo.siso_sequential([
        cell(2), mo.siso_repeat(lambda: cell(1), D([1, 2, 4, 8], name="Mutatable_sub")),
    ]), h_num_spatial_reductions)


def _spatial_squeeze_compile(fw, di, dh):
    check(dh["pool_op"] in ("max", "avg"),
          f"spatial_squeeze: pool_op must be 'max' or 'avg', got {dh['pool_op']!r}")
    conv, layers = fw.conv2d(di["in"], dh["num_hidden"], 1)

    def apply(d, training):
        return {"out": fw.global_pool(conv(d["in"], training), dh["pool_op"])}
    return apply, layers


def spatial_squeeze(h_pool_op: go.HyperparameterLike,
                    h_num_hidden: go.HyperparameterLike) -> go.Fragment:
    """1x1 convolution to ``num_hidden`` channels, then global max or average pooling.

    Module ``SpatialSqueeze``; the output has shape ``[batch, num_hidden]``.
    """
    return go.module("SpatialSqueeze", _spatial_squeeze_compile,
                     {"pool_op": h_pool_op, "num_hidden": h_num_hidden})
