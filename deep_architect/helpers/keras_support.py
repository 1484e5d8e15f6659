"""Keras 3 helpers (any Keras backend: tensorflow, torch, jax).

A :class:`KerasModule`'s ``compile_fn(input_values, hyperp_values)`` creates its
Keras layers and returns ``forward_fn(input_values) -> {output_name: value}``.
The usual way to get a model is one symbolic pass on a ``keras.Input``::

    inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
    sp.random_specify(outputs)
    x = keras.Input((64,))
    co.forward({inputs["in"]: x})
    model = keras.Model(inputs=x, outputs=outputs["out"].val)

The model is then a plain Keras model (``fit``, ``save("m.keras")``, ...). This
file does not import Keras itself: the layers come from user code.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import deep_architect.modules as mo
import deep_architect.specify as sp
from deep_architect.helpers._common import (
    CompileFnModule,
    forward_dict,
    layer_module_function,
    module_function,
    runnable_graph,
    siso_module_function,
)

__all__ = ["KerasModule", "keras_module", "siso_keras_module",
           "siso_keras_module_from_keras_layer_fn", "KerasRandomModel"]


class KerasModule(CompileFnModule):
    """A basic module computed with Keras layers.

    ``compile_fn(input_values, hyperp_values)`` creates the module's layers and
    returns ``forward_fn(input_values) -> {output_name: value}``; it is called
    once, at the first forward, with the actual input tensors.

    The constructor takes ``(name, compile_fn, name_to_hyperp, input_names,
    output_names, scope=None)``, like every helper's module class.
    """


keras_module = module_function(KerasModule, "keras_module")
siso_keras_module = siso_module_function(KerasModule, "siso_keras_module")
siso_keras_module_from_keras_layer_fn = layer_module_function(
    KerasModule, "siso_keras_module_from_keras_layer_fn",
    lambda module, layer: lambda di: {"out": layer(di["in"])},
    """A single-layer module: compile creates ``layer_fn(**hyperp_values)``.

Example:
    >>> import keras  # doctest: +SKIP
    >>> dense = siso_keras_module_from_keras_layer_fn(  # doctest: +SKIP
    ...     keras.layers.Dense, {"units": D([64, 128]), "activation": "relu"})""",
    "Keras layer class or factory (a lambda can fix some arguments); the module's "
    "default name is ``layer_fn.__name__`` (``M.Dense-<i>``).")


class KerasRandomModel:
    """A search space instance specified with given or random values, callable on dicts.

    The space is built with ``buffer_io(*search_space_fn())`` (no scope reset).

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` fragment per call.
        hyperp_value_lst: Values to replay with ``specify``; when ``None`` the
            space is specified at random and the drawn values are kept.

    Attributes:
        inputs: The buffered input dict.
        outputs: The buffered output dict.
        hyperp_value_lst: The values that specify this instance.
    """

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 hyperp_value_lst: list | None = None) -> None:
        self.inputs, self.outputs = mo.buffer_io(*search_space_fn())
        if hyperp_value_lst is None:
            self.hyperp_value_lst = sp.random_specify(self.outputs)
        else:
            sp.specify(self.outputs, hyperp_value_lst)
            self.hyperp_value_lst = hyperp_value_lst
        self.inputs, self.outputs, self._module_seq = runnable_graph(
            self.inputs, self.outputs, type(self).__name__)

    def forward(self, input_name_to_val: Mapping[str, Any]) -> dict[str, Any]:
        """Runs the graph on ``{input_name: value}``; returns ``{output_name: value}``."""
        return forward_dict(self.inputs, self.outputs, input_name_to_val, self._module_seq)

    def get_hyperp_values(self) -> list:
        """The value list that specifies this instance."""
        return self.hyperp_value_lst
