"""The framework model of a specified architecture, whatever helper built it.

:func:`compile_model` is what :func:`deep_architect.search_logging.load_architecture`
and :class:`deep_architect.Experiment` use to turn a rebuilt architecture into
a model: the user's ``nn.Module`` for inline PyTorch spaces
(:mod:`~deep_architect.helpers.pytorch_model_space`), a
:class:`~deep_architect.helpers.pytorch_support.PyTorchModel` for graphs of
PyTorch modules, a ``keras.Model`` for graphs of Keras modules. Frameworks are
imported only when the graph holds their modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import deep_architect.core as co
from deep_architect.errors import DeepArchitectError, check

__all__ = ["compile_model"]

_PYTORCH_MODULE = "deep_architect.helpers.pytorch_support"
_KERAS_MODULE = "deep_architect.helpers.keras_support"


def _framework_of(outputs: Mapping[str, co.Output]) -> str | None:
    modules = co.get_modules_with_cond(outputs, lambda m: True)
    for m in modules:
        if callable(getattr(m, "get_model", None)):
            return "inline"
    for m in modules:
        names = {c.__module__ for c in type(m).__mro__}
        if _PYTORCH_MODULE in names:
            return "pytorch"
        if _KERAS_MODULE in names:
            return "keras"
    return None


def compile_model(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output],
                  example_inputs: Mapping[str, Any] | None = None) -> Any:
    """Returns the framework model of a fully specified architecture, or ``None``.

    Args:
        inputs: The architecture's inputs.
        outputs: The architecture's outputs (fully specified).
        example_inputs: Input name to an example value: a tensor for PyTorch
            graphs (it runs one forward pass to create the layers), a
            ``keras.Input`` for Keras graphs. Inline PyTorch spaces need none.

    Returns:
        The model, or ``None`` for a graph of another framework or of PyTorch or
        Keras modules when ``example_inputs`` is not given.

    Raises:
        DeepArchitectError: If the architecture is not specified, or
            ``example_inputs`` does not name exactly the architecture's inputs.
    """
    unassigned = co.get_unassigned_independent_hyperparameters(outputs)
    check(not unassigned, "compile_model: the architecture is not fully specified "
                          "(unassigned: %s)", [h.get_name() for h in unassigned])
    framework = _framework_of(outputs)
    if framework == "inline":
        from deep_architect.helpers.pytorch_model_space import get_model

        return get_model(outputs)
    if framework is None or example_inputs is None:
        return None
    if not (isinstance(example_inputs, Mapping) and example_inputs.keys() == inputs.keys()):
        raise DeepArchitectError(
            "compile_model: example_inputs must be a dict with exactly the input names %s, "
            "got %r" % (sorted(inputs), example_inputs))
    if framework == "pytorch":
        from deep_architect.helpers.pytorch_support import PyTorchModel

        return PyTorchModel(inputs, outputs, example_inputs)
    import keras

    co.forward({inputs[k]: v for k, v in example_inputs.items()})
    return keras.Model(inputs=dict(example_inputs),
                       outputs={k: ox.val for k, ox in outputs.items()})
