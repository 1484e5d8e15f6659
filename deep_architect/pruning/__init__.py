"""Stopping unpromising evaluations early from their intermediate results.

An evaluator that accepts a ``reporter`` argument in ``eval(inputs, outputs,
reporter)`` gets a :class:`Reporter` from the search loop. It calls
``reporter.report(value, step)`` as training progresses and stops when
``reporter.should_prune()`` says so, by raising :class:`EvaluationPruned`.
Evaluators whose ``eval`` takes only ``(inputs, outputs)`` are called exactly as
before.

Every report is appended to ``intermediate_values.jsonl`` in the evaluation's
folder as it arrives. A pruner decides from those files alone (the running
evaluation's curve against the curves of the others), inside the process that
runs the evaluation: in the search's process, in a pool worker or in a Ray task
on a machine sharing the search folder, and equally after the search was killed
and resumed. No database server is involved.

Example:
    >>> import tempfile
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.search_loop import run_search
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> def space():
    ...     return mo.hyperparameter_aggregator({"rate": hp.Float(0.1, 1.0)})
    >>> class Evaluator:
    ...     def eval(self, inputs, outputs, reporter):
    ...         rate = outputs["out"].get_module().get_hyperps()["rate"].get_value()
    ...         for step in range(10):
    ...             reporter.report(rate * step, step)
    ...             if reporter.should_prune():
    ...                 raise EvaluationPruned()
    ...         return {"validation_accuracy": rate * 9}
    >>> results = run_search(RandomSearcher(space), Evaluator, 8, tempfile.mkdtemp(),
    ...                      "demo", pruner=MedianPruner(n_startup=2), show_progress=False)
    >>> len(results), any(r.get("pruned") for r in results)
    (8, True)
"""
from __future__ import annotations

from deep_architect.pruning.base import (
    INTERMEDIATE_VALUES_FILENAME,
    PRUNED_KEY,
    Curve,
    EvaluationPruned,
    Pruner,
    Reporter,
    read_curve,
    read_curves,
)
from deep_architect.pruning.hyperband import HyperbandPruner
from deep_architect.pruning.median import MedianPruner
from deep_architect.pruning.successive_halving import SuccessiveHalvingPruner

__all__ = [
    "INTERMEDIATE_VALUES_FILENAME",
    "PRUNED_KEY",
    "Curve",
    "EvaluationPruned",
    "Pruner",
    "Reporter",
    "read_curve",
    "read_curves",
    "MedianPruner",
    "SuccessiveHalvingPruner",
    "HyperbandPruner",
]
