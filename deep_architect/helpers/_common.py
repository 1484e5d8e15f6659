"""Machinery shared by every framework helper (no framework imports here).

All helpers follow the same "compile function" protocol: a module is built from
a ``compile_fn(input_values, hyperp_values)`` that runs once, at the first
forward, with real input values, and returns (framework-specific) a forward
function mapping a dict of input values to a dict of output values. The
framework modules only say what ``compile_fn`` must return.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import deep_architect.core as co
import deep_architect.hyperparameters as hp
from deep_architect.errors import DeepArchitectError, check


class CompileFnModule(co.Module):
    """A basic module whose computation is given by a compile function.

    Subclasses override :meth:`_unpack_compile_result` to validate and store the
    framework-specific result of ``compile_fn`` and return the forward function.

    Args:
        name: Base of the module's scope name (``M.<name>-<i>``).
        compile_fn: ``compile_fn(input_values, hyperp_values)``; called once.
        name_to_hyperp: Local name to hyperparameter; plain values are wrapped
            into single-value ``Discrete`` hyperparameters (which a searcher
            still assigns, taking a slot in the value list).
        input_names: Local names of the inputs, in registration order.
        output_names: Local names of the outputs, in registration order.
        scope: Scope to register in (default scope if ``None``).
    """

    def __init__(self, name: str | None, compile_fn: Callable, name_to_hyperp: Mapping,
                 input_names: Iterable[str], output_names: Iterable[str],
                 scope: co.Scope | None = None) -> None:
        co.Module.__init__(self, scope, name)
        # Lazy %-formatting: these run for every module of every sampled space.
        check(callable(compile_fn), "%s: compile_fn must be callable, got %r",
              self.get_name(), compile_fn)
        check(isinstance(name_to_hyperp, Mapping),
              "%s: name_to_hyperp must be a dict from local names to hyperparameters or "
              "values, got %r", self.get_name(), name_to_hyperp)
        wrapped = {
            local: h if isinstance(h, co.Hyperparameter) else hp.Discrete([h])
            for local, h in name_to_hyperp.items()
        }
        self._register(list(input_names), list(output_names), wrapped)
        self._compile_fn = compile_fn
        self._fn: Callable | None = None

    def _unpack_compile_result(self, result: Any) -> Callable:
        """Validates ``compile_fn``'s result and returns the forward function."""
        check(callable(result),
              f"{self.get_name()}: compile_fn must return a forward function, "
              f"got {type(result).__name__}")
        return result

    def _compile(self) -> None:
        result = self._compile_fn(self._get_input_values(), self._get_hyperp_values())
        self._fn = self._unpack_compile_result(result)

    def _call_forward_fn(self, input_values: dict) -> Any:
        """Calls the forward function (the eager TensorFlow helper adds a keyword)."""
        return self._fn(input_values)

    def _forward(self) -> None:
        output_values = self._call_forward_fn(self._get_input_values())
        check_output_dict(self, output_values)
        self._set_output_values(output_values)


def check_output_dict(module: co.Module, output_values: Any) -> None:
    """Fails unless a forward function returned a dict keyed by the module's outputs."""
    if isinstance(output_values, dict) and output_values.keys() == module.outputs.keys():
        return
    if not isinstance(output_values, dict):
        got = f"a {type(output_values).__name__}"
    else:
        got = f"keys {sorted(output_values)}"
    raise DeepArchitectError(
        f"{module.get_name()}: the forward function must return a dict with keys "
        f"{sorted(module.outputs)}, got {got}")


def check_layer_fn_arguments(layer_fn: Callable, names: Iterable[str]) -> None:
    """Fails early when ``layer_fn`` cannot accept the given keyword names.

    Functions taking ``**kwargs`` (most Keras layers) cannot be checked here; their
    errors surface at compile time through :func:`make_layer`.
    """
    try:
        params = inspect.signature(layer_fn).parameters
    except (TypeError, ValueError):  # builtins / C extensions without a signature
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [k for k, p in params.items()
                if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              inspect.Parameter.KEYWORD_ONLY)]
    unknown = sorted(set(names) - set(accepted))
    check(not unknown, "%s does not accept the hyperparameter name(s) %s; it accepts %s",
          layer_name(layer_fn), unknown, accepted)


def layer_fn_module(module_cls: type, layer_fn: Callable, name_to_hyperp: Mapping,
                    scope: co.Scope | None, name: str | None,
                    compile_result: Callable[[Any, Any], Any]) -> CompileFnModule:
    """Builds a single-input single-output module around one layer object.

    At compile time the layer is created with ``layer_fn(**hyperp_values)`` and
    ``compile_result(module, layer)`` gives what the framework's ``compile_fn``
    returns.

    Args:
        module_cls: The helper's module class.
        layer_fn: Layer class or factory; called with the hyperparameter values.
        name_to_hyperp: Keyword name of ``layer_fn`` to hyperparameter or value.
        scope: Scope to register in (default scope if ``None``).
        name: Module base name; defaults to ``layer_fn.__name__``.
        compile_result: Maps the module and its created layer to the compile
            function's result.

    Returns:
        The new module.
    """
    check(callable(layer_fn), "layer_fn must be callable, got %r", layer_fn)
    check_layer_fn_arguments(layer_fn, name_to_hyperp)

    def compile_fn(di, dh):
        return compile_result(module, make_layer(module, layer_fn, dh))

    module = module_cls(name if name is not None else layer_name(layer_fn), compile_fn,
                        name_to_hyperp, ["in"], ["out"], scope)
    return module


# Each helper exposes the same three constructor functions around its module
# class; they are made here once, named and documented for the helper's module.

def _public(fn: Callable, module_cls: type, name: str, doc: str) -> Callable:
    """Gives ``fn`` the name, module and docstring of a public helper function."""
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = module_cls.__module__
    fn.__doc__ = doc
    return fn


def module_function(module_cls: type, name: str) -> Callable[..., tuple[dict, dict]]:
    """The helper's ``<framework>_module`` function for ``module_cls``.

    Args:
        module_cls: The helper's module class.
        name: The function's public name.

    Returns:
        ``fn(name, compile_fn, name_to_hyperp, input_names, output_names, scope=None)``,
        which creates a ``module_cls`` and returns its ``(inputs, outputs)``.
    """
    def module_fn(name: str | None, compile_fn: Callable, name_to_hyperp: Mapping,
                  input_names: Iterable[str], output_names: Iterable[str],
                  scope: co.Scope | None = None) -> tuple[dict, dict]:
        return module_cls(name, compile_fn, name_to_hyperp, input_names, output_names,
                          scope).get_io()
    return _public(module_fn, module_cls, name, f"""\
Creates a :class:`{module_cls.__name__}` and returns its ``(inputs, outputs)``.

Args:
    name: Base of the module's scope name.
    compile_fn: The compile function (see :class:`{module_cls.__name__}`).
    name_to_hyperp: Local name to hyperparameter or value.
    input_names: Input local names.
    output_names: Output local names.
    scope: Scope to register in (default scope if ``None``).
""")


def siso_module_function(module_cls: type, name: str) -> Callable[..., tuple[dict, dict]]:
    """The helper's ``siso_<framework>_module`` function for ``module_cls``.

    Args:
        module_cls: The helper's module class.
        name: The function's public name.

    Returns:
        ``fn(name, compile_fn, name_to_hyperp, scope=None)``, which creates a
        ``module_cls`` with input ``'in'`` and output ``'out'`` and returns its
        ``(inputs, outputs)``.
    """
    def siso_module_fn(name: str | None, compile_fn: Callable, name_to_hyperp: Mapping,
                       scope: co.Scope | None = None) -> tuple[dict, dict]:
        return module_cls(name, compile_fn, name_to_hyperp, ["in"], ["out"], scope).get_io()
    return _public(siso_module_fn, module_cls, name, f"""\
A :class:`{module_cls.__name__}` with input ``'in'`` and output ``'out'``.

Args:
    name: Base of the module's scope name.
    compile_fn: The compile function (see :class:`{module_cls.__name__}`).
    name_to_hyperp: Local name to hyperparameter or value.
    scope: Scope to register in (default scope if ``None``).

Returns:
    ``(inputs, outputs)``.
""")


def layer_module_function(module_cls: type, name: str,
                          compile_result: Callable[[Any, Any], Any], summary: str,
                          layer_fn_doc: str) -> Callable[..., tuple[dict, dict]]:
    """The helper's single-layer module function (``siso_..._from_..._fn``).

    Args:
        module_cls: The helper's module class.
        name: The function's public name.
        compile_result: ``compile_result(module, layer)`` gives the compile
            function's result for the created layer (see :func:`layer_fn_module`).
        summary: The docstring's text before its ``Args`` section.
        layer_fn_doc: The description of the ``layer_fn`` argument.

    Returns:
        ``fn(layer_fn, name_to_hyperp, scope=None, name=None)`` returning the
        new module's ``(inputs, outputs)``.
    """
    def layer_module_fn(layer_fn: Callable, name_to_hyperp: Mapping,
                        scope: co.Scope | None = None,
                        name: str | None = None) -> tuple[dict, dict]:
        return layer_fn_module(module_cls, layer_fn, name_to_hyperp, scope, name,
                               compile_result).get_io()
    return _public(layer_module_fn, module_cls, name, f"""\
{summary}

Args:
    layer_fn: {layer_fn_doc}
    name_to_hyperp: Keyword name of ``layer_fn`` to hyperparameter or value.
    scope: Scope to register in (default scope if ``None``).
    name: Module base name; defaults to ``layer_fn.__name__``.

Returns:
    ``(inputs, outputs)`` with ``'in'`` and ``'out'``.
""")


def runnable_graph(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output],
                   owner: str) -> tuple[dict, dict, list[co.Module]]:
    """Copies a graph's input and output dicts and computes its module sequence.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        owner: The model class name, for the error message.

    Returns:
        ``(inputs, outputs, module_seq)``: plain-dict copies and the modules in
        execution order.

    Raises:
        DeepArchitectError: If the outputs cannot be computed from the inputs.
    """
    inputs, outputs = dict(inputs), dict(outputs)
    plan = co.ExecutionPlan(inputs, outputs)
    plan.check_runnable(owner)
    return inputs, outputs, plan.modules


def make_layer(module: co.Module, layer_fn: Callable, hyperp_values: dict) -> Any:
    """Calls ``layer_fn(**hyperp_values)``, turning argument errors into messaged ones.

    ``ValueError`` is converted too: searchers reserve it for "invalid architecture,
    resample", and a layer rejecting its arguments is a configuration mistake.
    """
    try:
        return layer_fn(**hyperp_values)
    except (TypeError, ValueError) as e:
        raise DeepArchitectError(
            f"{module.get_name()}: {layer_name(layer_fn)}(**{hyperp_values}) failed: {e}"
        ) from e


def layer_name(layer_fn: Callable) -> str:
    """The default module name for a layer function (its ``__name__``)."""
    return getattr(layer_fn, "__name__", type(layer_fn).__name__)


def modules_in_forward_order(outputs: Mapping[str, co.Output]) -> list[co.Module]:
    """Modules reachable backwards from ``outputs``, each once, producers first.

    The order of :meth:`deep_architect.core.ExecutionPlan.of_outputs`, the one
    the graph runs in.
    """
    return co.ExecutionPlan.of_outputs(outputs).modules


def forward_dict(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output],
                 input_name_to_val: Mapping[str, Any], module_seq: list | None) -> dict:
    """Runs ``core.forward`` on a dict keyed by input names; returns output values.

    Args:
        inputs: The graph's input dict.
        outputs: The graph's output dict.
        input_name_to_val: One value per name of ``inputs`` (all required).
        module_seq: Cached module evaluation sequence, or ``None`` to compute it.

    Returns:
        ``{output_name: value}``.
    """
    if not (isinstance(input_name_to_val, Mapping) and input_name_to_val.keys() == inputs.keys()):
        raise DeepArchitectError(f"expected a dict with exactly the input names "
                                 f"{sorted(inputs)}, got {input_name_to_val!r:.200}")
    co.forward({inputs[k]: v for k, v in input_name_to_val.items()}, module_seq)
    return {k: o.val for k, o in outputs.items()}
