"""TensorFlow 2 helpers, graph style (the TF1 helper's API mapped to TF2).

A :class:`TensorflowModule`'s ``compile_fn(input_values, hyperp_values)`` returns
either ``forward_fn`` or ``(forward_fn, train_feed, eval_feed)``. In TF2 the two
feed dicts map non-trainable ``tf.Variable`` "switches" (a dropout rate, a
batch-norm flag), keyed by ``variable.ref()`` because TF2 variables are
unhashable, to their values for training and for evaluation; apply them with
:func:`assign_feed`. No sessions or placeholders: run ``core.forward`` once
eagerly (this creates every variable), then trace the training step with
``tf.function`` -- or let :class:`TensorflowModel` do both.

Example:
    >>> import keras  # doctest: +SKIP
    >>> import deep_architect.helpers.tensorflow_support as htf  # doctest: +SKIP
    >>> dense = htf.siso_tensorflow_module_from_tensorflow_op_fn(  # doctest: +SKIP
    ...     keras.layers.Dense, {"units": 64})
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import deep_architect.core as co
from deep_architect.errors import check
from deep_architect.helpers._common import layer_module_function, siso_module_function
from deep_architect.helpers._tensorflow_common import (
    TensorflowModelBase,
    VariableRecordingModule,
    accepts_training,
    assign_feed,
    get_num_trainable_parameters,
)

__all__ = ["TensorflowModule", "siso_tensorflow_module",
           "siso_tensorflow_module_from_tensorflow_op_fn", "get_feed_dicts", "assign_feed",
           "get_num_trainable_parameters", "TensorflowModel"]


class TensorflowModule(VariableRecordingModule):
    """A basic module computed with TensorFlow.

    ``compile_fn(input_values, hyperp_values)`` returns ``forward_fn`` or the
    3-tuple ``(forward_fn, train_feed, eval_feed)``; the dicts are stored as
    ``self.train_feed`` / ``self.eval_feed`` (empty when not given).

    The constructor takes ``(name, compile_fn, name_to_hyperp, input_names,
    output_names, scope=None)``, like every helper's module class.
    """

    train_feed: dict = {}
    eval_feed: dict = {}
    #: Training mode, set by :class:`TensorflowModel` calls (``training=...``) and
    #: passed as ``training`` to the Keras layers of single-layer modules.
    is_training = True

    def _unpack_compile_result(self, result: Any) -> Callable:
        if not isinstance(result, tuple):
            return super()._unpack_compile_result(result)
        check(len(result) == 3,
              f"{self.get_name()}: a tuple returned by compile_fn must be "
              f"(forward_fn, train_feed, eval_feed), got {len(result)} elements")
        forward_fn, train_feed, eval_feed = result
        check(isinstance(train_feed, Mapping) and isinstance(eval_feed, Mapping),
              f"{self.get_name()}: train_feed and eval_feed must be dicts, got "
              f"{type(train_feed).__name__} and {type(eval_feed).__name__}")
        self.train_feed, self.eval_feed = dict(train_feed), dict(eval_feed)
        return super()._unpack_compile_result(forward_fn)


def _training_layer_result(module: TensorflowModule, layer: Any) -> Callable:
    # Dropout and batch normalisation follow the module's training mode.
    if accepts_training(layer):
        return lambda di: {"out": layer(di["in"], training=module.is_training)}
    return lambda di: {"out": layer(di["in"])}


siso_tensorflow_module = siso_module_function(TensorflowModule, "siso_tensorflow_module")
siso_tensorflow_module_from_tensorflow_op_fn = layer_module_function(
    TensorflowModule, "siso_tensorflow_module_from_tensorflow_op_fn", _training_layer_result,
    """A single-layer module: compile creates ``layer_fn(**hyperp_values)``.

A layer whose ``call`` takes ``training`` (dropout, batch normalisation)
gets the module's :attr:`TensorflowModule.is_training`, which
``TensorflowModel(...)(x, training=...)`` sets.""",
    "Layer class or factory (e.g. ``keras.layers.Dense``).")


def get_feed_dicts(outputs: Mapping[str, co.Output]) -> tuple[dict, dict]:
    """Merges the train and eval feeds of every module reachable from ``outputs``.

    Returns:
        ``(train_feed, eval_feed)``; for a variable in several modules, the module
        met later in the backward traversal wins.
    """
    train_feed: dict = {}
    eval_feed: dict = {}

    def collect(m):
        train_feed.update(getattr(m, "train_feed", {}))
        eval_feed.update(getattr(m, "eval_feed", {}))

    co.traverse_backward(outputs, collect)
    return train_feed, eval_feed


class TensorflowModel(TensorflowModelBase):
    """A specified graph as a ``tf.Module`` whose calls run through ``tf.function``.

    The constructor runs one eager pass (creating every variable); then
    ``model(input_name_to_val, training=...)`` assigns the train or eval feeds and
    runs the traced graph. ``model.trainable_variables`` lists the graph's
    variables for ``tf.GradientTape``.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        init_input_name_to_val: One example value per input name.
    """

    use_tf_function = True
