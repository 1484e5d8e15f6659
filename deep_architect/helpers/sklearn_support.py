"""scikit-learn helpers: search spaces over ``sklearn.pipeline.Pipeline`` s.

Preprocessing steps and estimators are modules; their constructor parameters are
hyperparameters. The value that flows through the graph is the list of estimator
objects chosen so far (the pipeline up to that point): a single-step module
appends its estimator, identities pass the list on, and
:func:`sklearn_feature_union` joins branches with a ``FeatureUnion``.
:func:`get_pipeline` runs the graph and returns a fresh, unfitted ``Pipeline``.

Example:
    >>> import deep_architect.helpers.sklearn_support as hsk
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.specify import random_specify
    >>> from sklearn.decomposition import PCA
    >>> from sklearn.linear_model import LogisticRegression
    >>> def space():
    ...     return mo.siso_sequential([
    ...         mo.siso_optional(lambda: hsk.siso_sklearn_module_from_sklearn_fn(
    ...             PCA, {"n_components": hp.Discrete([8, 16])}), hp.Discrete([0, 1])),
    ...         hsk.siso_sklearn_module_from_sklearn_fn(
    ...             LogisticRegression, {"C": hp.Discrete([0.1, 1.0])})])
    >>> inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    >>> _ = random_specify(outputs)
    >>> type(hsk.get_pipeline(inputs, outputs)).__name__
    'Pipeline'
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import sklearn.base
from sklearn.pipeline import FeatureUnion, Pipeline

import deep_architect.core as co
from deep_architect.errors import check
from deep_architect.helpers._common import (
    CompileFnModule,
    layer_fn_module,
    module_function,
    siso_module_function,
)

__all__ = ["SklearnModule", "sklearn_module", "siso_sklearn_module",
           "siso_sklearn_module_from_sklearn_fn", "sklearn_feature_union", "get_pipeline"]


class SklearnModule(CompileFnModule):
    """A basic module contributing steps to a scikit-learn pipeline.

    ``compile_fn(input_values, hyperp_values)`` returns
    ``forward_fn(input_values) -> {output_name: list_of_estimators}``, where each
    input value is the list of estimators chosen upstream.

    The constructor takes ``(name, compile_fn, name_to_hyperp, input_names,
    output_names, scope=None)``, like every helper's module class.
    """


sklearn_module = module_function(SklearnModule, "sklearn_module")
siso_sklearn_module = siso_module_function(SklearnModule, "siso_sklearn_module")


def siso_sklearn_module_from_sklearn_fn(estimator_fn: Callable, name_to_hyperp: Mapping,
                                        scope: co.Scope | None = None,
                                        name: str | None = None) -> tuple[dict, dict]:
    """A one-step module: compile creates ``estimator_fn(**hyperp_values)``.

    Args:
        estimator_fn: Estimator or transformer class (or factory); the keys of
            ``name_to_hyperp`` are its parameter names (unknown names fail here).
        name_to_hyperp: Parameter name to hyperparameter or value.
        scope: Scope to register in (default scope if ``None``).
        name: Module base name; defaults to ``estimator_fn.__name__``.

    Returns:
        ``(inputs, outputs)`` with ``'in'`` and ``'out'``.
    """
    return layer_fn_module(SklearnModule, estimator_fn, name_to_hyperp, scope, name,
                           lambda module, estimator: lambda di: {"out": [*di["in"], estimator]}
                           ).get_io()


def sklearn_feature_union(num_inputs: int, scope: co.Scope | None = None,
                          name: str | None = None) -> tuple[dict, dict]:
    """Joins branches side by side with a ``FeatureUnion`` (a concatenation).

    The branches' common leading steps stay in front of the union; each branch's
    remaining steps become one pipeline of the union (``"passthrough"`` for a
    branch that adds nothing).

    Args:
        num_inputs: Number of branches (inputs ``'in0'``, ``'in1'``, ...).
        scope: Scope to register in (default scope if ``None``).
        name: Module base name; defaults to ``FeatureUnion``.

    Returns:
        ``(inputs, outputs)`` with ``'in0'``... and ``'out'``.
    """
    check(isinstance(num_inputs, int) and num_inputs >= 1,
          f"sklearn_feature_union: num_inputs must be a positive int, got {num_inputs!r}")
    input_names = [f"in{i}" for i in range(num_inputs)]

    def compile_fn(di, dh):
        def forward_fn(di):
            branches = [di[k] for k in input_names]
            n = _common_prefix_length(branches)
            union = FeatureUnion(_named([_pipeline_or_passthrough(b[n:]) for b in branches]))
            return {"out": [*branches[0][:n], union]}
        return forward_fn

    return sklearn_module(name if name is not None else "FeatureUnion", compile_fn, {},
                          input_names, ["out"], scope)


def _common_prefix_length(step_lists: list[list]) -> int:
    n = 0
    while all(len(s) > n and s[n] is step_lists[0][n] for s in step_lists):
        n += 1
    return n


def _pipeline_or_passthrough(steps: list) -> object:
    if not steps:
        return "passthrough"
    return steps[0] if len(steps) == 1 else Pipeline(_named(steps))


def _named(steps: list) -> list[tuple[str, object]]:
    """Names steps ``<index>_<lowercased class name>`` (unique and readable)."""
    return [(f"{i}_{type(s).__name__.lower()}", s) for i, s in enumerate(steps)]


def get_pipeline(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]) -> Pipeline:
    """Builds the pipeline of a specified single-input single-output space.

    Args:
        inputs: The space's input dict (one input).
        outputs: The space's output dict (one output).

    Returns:
        A new unfitted ``sklearn.pipeline.Pipeline`` (estimators are cloned, so
        every call gives independent objects).
    """
    check(len(inputs) == 1 and len(outputs) == 1,
          f"get_pipeline: expected one input and one output, got inputs {sorted(inputs)} "
          f"and outputs {sorted(outputs)}")
    (ix,), (ox,) = inputs.values(), outputs.values()
    co.forward({ix: []})
    steps = ox.val
    check(isinstance(steps, list) and steps,
          f"get_pipeline: the space produced no estimator (got {steps!r}); it needs at "
          f"least one sklearn module")
    return sklearn.base.clone(Pipeline(_named(steps)))
