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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import deep_architect.core as co
import deep_architect.modules as mo
import deep_architect.specify as sp
from deep_architect.helpers._common import CompileFnModule, forward_dict, layer_fn_module

__all__ = ["KerasModule", "keras_module", "siso_keras_module",
           "siso_keras_module_from_keras_layer_fn", "KerasRandomModel"]


class KerasModule(CompileFnModule):
    """A basic module computed with Keras layers.

    Args:
        name: Base of the scope name (``M.<name>-<i>``).
        compile_fn: ``compile_fn(input_values, hyperp_values)`` returning
            ``forward_fn(input_values) -> {output_name: value}``; called once, at
            the first forward, with the actual input tensors.
        name_to_hyperp: Local name to hyperparameter (plain values are wrapped in
            single-value ``Discrete`` hyperparameters).
        input_names: Input local names.
        output_names: Output local names.
        scope: Scope to register in (default scope if ``None``).
    """


def keras_module(name: str | None, compile_fn: Callable, name_to_hyperp: Mapping,
                 input_names: Iterable[str], output_names: Iterable[str],
                 scope: co.Scope | None = None) -> tuple[dict, dict]:
    """Creates a :class:`KerasModule` and returns its ``(inputs, outputs)``."""
    return KerasModule(name, compile_fn, name_to_hyperp, input_names, output_names,
                       scope).get_io()


def siso_keras_module(name: str | None, compile_fn: Callable, name_to_hyperp: Mapping,
                      scope: co.Scope | None = None) -> tuple[dict, dict]:
    """A :class:`KerasModule` with input ``'in'`` and output ``'out'``."""
    return keras_module(name, compile_fn, name_to_hyperp, ["in"], ["out"], scope)


def siso_keras_module_from_keras_layer_fn(layer_fn: Callable, name_to_hyperp: Mapping,
                                          scope: co.Scope | None = None,
                                          name: str | None = None) -> tuple[dict, dict]:
    """A single-layer module: compile creates ``layer_fn(**hyperp_values)``.

    Example:
        >>> import keras  # doctest: +SKIP
        >>> dense = siso_keras_module_from_keras_layer_fn(  # doctest: +SKIP
        ...     keras.layers.Dense, {"units": D([64, 128]), "activation": "relu"})

    Args:
        layer_fn: Keras layer class or factory (a lambda can fix some arguments).
        name_to_hyperp: Keyword name to hyperparameter or value.
        scope: Scope to register in (default scope if ``None``).
        name: Module base name; defaults to ``layer_fn.__name__`` (``M.Dense-<i>``).

    Returns:
        ``(inputs, outputs)`` with ``'in'`` and ``'out'``.
    """
    def compile_result(layer):
        return lambda di: {"out": layer(di["in"])}

    return layer_fn_module(KerasModule, layer_fn, name_to_hyperp, scope, name,
                           compile_result).get_io()


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
        plan = co.ExecutionPlan(self.inputs, self.outputs)
        plan.check_runnable(type(self).__name__)
        self._module_seq = plan.modules

    def forward(self, input_name_to_val: Mapping[str, Any]) -> dict[str, Any]:
        """Runs the graph on ``{input_name: value}``; returns ``{output_name: value}``."""
        return forward_dict(self.inputs, self.outputs, input_name_to_val, self._module_seq)

    def get_hyperp_values(self) -> list:
        """The value list that specifies this instance."""
        return self.hyperp_value_lst
