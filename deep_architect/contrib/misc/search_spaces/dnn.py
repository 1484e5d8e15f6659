"""Fully connected networks (the original ``search_spaces/tensorflow/dnn.py``).

Built on the framework-neutral ops, so a space compiles to the backend chosen
with ``deep_learning_backend.backend.set_backend``. Inputs of rank > 2 (images)
are flattened by the first affine layer.

Hyperparameters named ``Mutatable_sub`` change which searchable
hyperparameters come after them (repeat counts, optional layers), so
regularized evolution re-draws the values after a mutated one.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend import general_ops as go
from deep_architect.hyperparameters import Discrete as D

InitFn = Callable[[tuple], np.ndarray]


def constant_initializer(c: float) -> InitFn:
    """Initialiser filling an array of the requested shape with ``c``."""
    return lambda shape: np.full(shape, c, dtype=np.float32)


def truncated_normal_initializer(stddev: float) -> InitFn:
    """Initialiser drawing N(0, stddev^2), redrawing values beyond two deviations."""
    def init_fn(shape):
        values = np.random.normal(0.0, stddev, size=shape)
        outside = np.abs(values) > 2 * stddev
        while outside.any():
            values[outside] = np.random.normal(0.0, stddev, size=int(outside.sum()))
            outside = np.abs(values) > 2 * stddev
        return values.astype(np.float32)
    return init_fn


def xavier_initializer_affine(gain: float = 1.0) -> InitFn:
    """Initialiser uniform in ``±gain * sqrt(6 / (n + m))`` for an ``(n, m)`` weight matrix."""
    def init_fn(shape):
        n, m = shape
        limit = gain * np.sqrt(6.0 / (n + m))
        return np.random.uniform(-limit, limit, size=shape).astype(np.float32)
    return init_fn


relu = go.relu
dropout = go.dropout
batch_normalization = go.batch_normalization
nonlinearity = go.nonlinearity


def affine(h_num_hidden: go.HyperparameterLike, h_W_init_fn: go.HyperparameterLike,
           h_b_init_fn: go.HyperparameterLike) -> go.Fragment:
    """Dense layer (module ``Affine``) whose weights come from initialiser hyperparameters."""
    compile_fn = go.siso_compile_fn(lambda fw, x, dh: fw.dense(
        x, dh["num_hidden"], kernel_init=dh["W_init_fn"], bias_init=dh["b_init_fn"]))
    return go.module("Affine", compile_fn, {
        "num_hidden": h_num_hidden, "W_init_fn": h_W_init_fn, "b_init_fn": h_b_init_fn})


def affine_simplified(h_num_hidden: go.HyperparameterLike) -> go.Fragment:
    """Flatten + dense layer with default initialisation (module ``AffineSimplified``)."""
    compile_fn = go.siso_compile_fn(lambda fw, x, dh: fw.dense(x, dh["num_hidden"]))
    return go.module("AffineSimplified", compile_fn, {"num_hidden": h_num_hidden})


def dnn_cell(h_num_hidden: go.HyperparameterLike, h_nonlin_name: go.HyperparameterLike,
             h_swap: go.HyperparameterLike, h_opt_drop: go.HyperparameterLike,
             h_opt_bn: go.HyperparameterLike,
             h_drop_keep_prob: go.HyperparameterLike) -> go.Fragment:
    """Affine layer, nonlinearity, then optional dropout and batch norm in either order."""
    return mo.siso_sequential([
        affine_simplified(h_num_hidden),
        nonlinearity(h_nonlin_name),
        mo.siso_permutation([
            lambda: mo.siso_optional(lambda: dropout(h_drop_keep_prob), h_opt_drop),
            lambda: mo.siso_optional(batch_normalization, h_opt_bn),
        ], h_swap),
    ])


def dnn_net(num_classes: int) -> go.Fragment:
    """One or two DNN cells sharing their nonlinearity and layout, then a linear classifier."""
    h_nonlin_name = D(["relu", "relu6", "crelu", "elu", "softplus"], name="Mutatable")
    h_swap = D([0, 1], name="Mutatable_sub")
    h_opt_drop = D([0, 1], name="Mutatable_sub")
    h_opt_bn = D([0, 1], name="Mutatable_sub")
    return mo.siso_sequential([
        mo.siso_repeat(lambda: dnn_cell(
            D([64, 128, 256, 512, 1024]), h_nonlin_name, h_swap, h_opt_drop, h_opt_bn,
            D([0.25, 0.5, 0.75])), D([1, 2], name="Mutatable_sub")),
        affine_simplified(D([num_classes])),
    ])
