"""TensorFlow 2 machinery shared by the graph-style and eager TensorFlow helpers.

TensorFlow 2 has no global collection of trainable variables, so each module
records the variables created while it compiles and runs its first forward pass
(Keras layers create their weights lazily, on their first call).
"""
from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Any

import tensorflow as tf

import deep_architect.core as co
from deep_architect.helpers._common import (
    CompileFnModule,
    forward_dict,
    modules_in_forward_order,
    runnable_graph,
)

# Compiled TensorFlow modules, weakly held, for get_num_trainable_parameters().
_compiled_modules: weakref.WeakSet = weakref.WeakSet()


class VariableRecordingModule(CompileFnModule):
    """A compile-function module that records the TensorFlow variables it creates.

    Attributes:
        tf_variables: After the first forward, the variables created by
            ``compile_fn`` and the first forward pass, in creation order.
    """

    def forward(self) -> None:
        """Like ``Module.forward``; the first call records the created variables."""
        if self._is_compiled:
            self._forward()
            return
        created = []

        def record(next_creator, **kwargs):
            var = next_creator(**kwargs)
            created.append(var)
            return var

        with tf.variable_creator_scope(record):
            co.Module.forward(self)
        self.tf_variables = created
        _compiled_modules.add(self)


def accepts_training(layer: Any) -> bool:
    """Whether ``layer``'s ``call`` takes a ``training`` argument (dropout, batch norm)."""
    import inspect

    call = getattr(layer, "call", layer)
    try:
        params = inspect.signature(call).parameters
    except (TypeError, ValueError):  # no introspectable signature
        return False
    return "training" in params


def get_num_trainable_parameters(outputs: Mapping[str, co.Output] | None = None) -> int:
    """Counts the scalar trainable parameters of compiled TensorFlow modules.

    Args:
        outputs: Count over the modules reachable backwards from these outputs.
            When ``None``, count over every TensorFlow module compiled in the
            current default scope (i.e. since the last scope reset, which the
            search-space factory does on every new search space).

    Returns:
        The number of scalars in the trainable variables (shared ones counted once).
    """
    if outputs is None:
        modules = [m for m in list(_compiled_modules) if m.scope is co.Scope.default_scope]
    else:
        modules = modules_in_forward_order(outputs)
    return sum(math.prod(v.shape) for v in _unique_variables(modules) if v.trainable)


def _unique_variables(modules: list[co.Module]) -> list[tf.Variable]:
    seen: set[int] = set()
    variables = []
    for m in modules:
        for v in getattr(m, "tf_variables", ()):
            if id(v) not in seen:
                seen.add(id(v))
                variables.append(v)
    return variables


class TensorflowModelBase(tf.Module):
    """A specified graph of TensorFlow modules as a ``tf.Module``.

    The constructor runs one eager forward pass on ``init_input_name_to_val`` (which
    compiles every module and builds every Keras layer); the created variables are
    then tracked, so ``trainable_variables`` works with ``tf.GradientTape`` and
    optimisers. Calling the model sets the modules' training mode (the eager
    helper's ``is_training`` and the graph helper's train/eval feeds) and runs the
    graph, through ``tf.function`` when ``use_tf_function`` is true.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        init_input_name_to_val: One example value per input name.
    """

    use_tf_function = False

    def __init__(self, inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output],
                 init_input_name_to_val: Mapping[str, Any]) -> None:
        super().__init__()
        self._graph_inputs, self._graph_outputs, self._module_seq = runnable_graph(
            inputs, outputs, type(self).__name__)
        self._call(init_input_name_to_val, False)
        self.graph_variables = _unique_variables(self._module_seq)
        # The training flag is a Python bool, so tf.function traces once per mode.
        # The graph code is plain Python without tensor-dependent branches, so
        # AutoGraph (slow to convert the library on every trace) is not needed.
        self._run = (tf.function(self._call, autograph=False, reduce_retracing=True)
                     if self.use_tf_function else self._call)

    def _call(self, input_name_to_val: Mapping[str, Any], training: bool) -> dict[str, Any]:
        for m in self._module_seq:
            if hasattr(m, "is_training"):
                m.is_training = training
            feed = getattr(m, "train_feed" if training else "eval_feed", None)
            if feed:
                assign_feed(feed)
        return forward_dict(self._graph_inputs, self._graph_outputs, input_name_to_val,
                            self._module_seq)

    def __call__(self, input_name_to_val: Mapping[str, Any],
                 training: bool = False) -> dict[str, Any]:
        """Runs the graph on ``{input_name: value}``; returns ``{output_name: value}``.

        Args:
            input_name_to_val: One value per input name (all required).
            training: Training mode (dropout active, batch statistics, train feeds).
        """
        return self._run(input_name_to_val, training)


def assign_feed(feed: Mapping[Any, Any]) -> None:
    """Assigns each value of ``feed`` to its variable (the TF2 form of a feed dict).

    Args:
        feed: Maps ``variable.ref()`` (TF2 variables are unhashable, so their
            references are the keys) to the value the variable must take.
    """
    for key, value in feed.items():
        var = key.deref() if hasattr(key, "deref") else key
        var.assign(value)
