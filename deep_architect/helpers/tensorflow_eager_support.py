"""TensorFlow 2 eager helpers: modules with an ``is_training`` switch.

Eager execution is TensorFlow 2's default, so nothing needs enabling. A
:class:`TensorflowEagerModule`'s forward function is called as
``forward_fn(input_values, is_training=module.is_training)``; flip the mode of a
whole graph with :func:`set_is_training`. :class:`TensorflowEagerModel` wraps a
specified graph as a ``tf.Module`` with ``trainable_variables``.

Example:
    >>> import keras  # doctest: +SKIP
    >>> import deep_architect.helpers.tensorflow_eager_support as htfe  # doctest: +SKIP
    >>> drop = htfe.siso_tensorflow_eager_module_from_tensorflow_op_fn(  # doctest: +SKIP
    ...     keras.layers.Dropout, {"rate": 0.5})  # gets training=is_training
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import deep_architect.core as co
from deep_architect.helpers._common import layer_module_function, siso_module_function
from deep_architect.helpers._tensorflow_common import (
    TensorflowModelBase,
    VariableRecordingModule,
    accepts_training,
    get_num_trainable_parameters,
)

__all__ = ["TensorflowEagerModule", "set_is_training", "siso_tensorflow_eager_module",
           "siso_tensorflow_eager_module_from_tensorflow_op_fn",
           "get_num_trainable_parameters", "TensorflowEagerModel"]


class TensorflowEagerModule(VariableRecordingModule):
    """A basic module computed eagerly with TensorFlow.

    ``compile_fn(input_values, hyperp_values)`` returns
    ``forward_fn(input_values, is_training) -> {output_name: value}``.

    The constructor takes ``(name, compile_fn, name_to_hyperp, input_names,
    output_names, scope=None)``, like every helper's module class.

    Attributes:
        is_training: Passed to the forward function; ``True`` initially.
    """

    is_training = True

    def _call_forward_fn(self, input_values: dict) -> Any:
        return self._fn(input_values, is_training=self.is_training)


def set_is_training(outputs: Mapping[str, co.Output], is_training: bool) -> None:
    """Sets ``is_training`` on every reachable module that has that attribute."""
    def set_mode(m):
        if hasattr(m, "is_training"):
            m.is_training = is_training

    co.traverse_backward(outputs, set_mode)


def _training_layer_result(module: TensorflowEagerModule, layer: Any) -> Callable:
    if accepts_training(layer):
        return lambda di, is_training: {"out": layer(di["in"], training=is_training)}
    return lambda di, is_training: {"out": layer(di["in"])}


siso_tensorflow_eager_module = siso_module_function(TensorflowEagerModule,
                                                    "siso_tensorflow_eager_module")
siso_tensorflow_eager_module_from_tensorflow_op_fn = layer_module_function(
    TensorflowEagerModule, "siso_tensorflow_eager_module_from_tensorflow_op_fn",
    _training_layer_result,
    """A single-layer module: compile creates ``layer_fn(**hyperp_values)``.

The layer is called with ``training=is_training`` when its ``call`` accepts a
``training`` argument (dropout, batch normalisation), without it otherwise.""",
    "Layer class or factory (e.g. ``keras.layers.Dropout``).")


class TensorflowEagerModel(TensorflowModelBase):
    """A specified graph as a ``tf.Module`` called eagerly (dict in, dict out).

    The constructor runs one pass on ``init_input_name_to_val`` (creating every
    variable); ``model(input_name_to_val, training=...)`` sets ``is_training`` on
    the modules and runs the graph. ``model.trainable_variables`` lists the graph's
    variables. Wrap a training step in ``tf.function`` for speed if wanted.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        init_input_name_to_val: One example value per input name.
    """
