"""TensorFlow 2 implementation of the ops: Keras 3 layers in ``TensorflowEagerModule`` objects.

The layer API is the Keras one (``keras_ops``, NHWC); only the module wrapper
differs: the forward function receives ``is_training`` (set with
``htfe.set_is_training``) and passes it to the layers as ``training``, so
dropout, drop-path and batch normalization honour it. Requires Keras with the
TensorFlow backend (the default ``KERAS_BACKEND``).
"""
from __future__ import annotations

from collections.abc import Callable

import deep_architect.helpers.tensorflow_eager_support as htfe
from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.contrib.deep_learning_backend import general_ops
from deep_architect.contrib.deep_learning_backend.keras_ops import (  # noqa: F401
    activation,
    batch_norm,
    channels,
    concat,
    conv2d,
    dense,
    drop_path,
    dropout,
    flatten,
    global_pool,
    pool2d,
    shift,
    slice_channels,
    spatial,
)


def make_module(name: str, compile_fn: Callable, name_to_hyperp: dict,
                input_names: list, output_names: list) -> tuple:
    """Wraps a compile function returning ``(apply, layers)`` into a ``TensorflowEagerModule``."""
    def eager_compile_fn(di, dh):
        apply, _ = compile_fn(di, dh)
        return lambda d, is_training=True: apply(d, bool(is_training))
    return htfe.TensorflowEagerModule(name, eager_compile_fn, name_to_hyperp, input_names,
                                      output_names).get_io()


func_dict = general_ops.bound_func_dict(be.TENSORFLOW_EAGER)
