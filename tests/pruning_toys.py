"""A toy learning-curve problem for the pruning tests and benchmark.

Each architecture has a ceiling and a learning rate (ranges); its curve rises
as ``ceiling * (1 - exp(-rate * (step + 1)))``. The module is importable by
name so pool workers, Ray workers and killed-and-resumed subprocesses load it.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from typing import Any

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.executors.common import current_evaluation
from deep_architect.pruning import Curve, EvaluationPruned, Pruner

NUM_STEPS = 30


def curve_space() -> tuple:
    """A repeat count (structural), a ceiling and a log-scaled learning rate."""
    return mo.siso_sequential([
        mo.siso_repeat(mo.identity, hp.Int(1, 3)),
        mo.hyperparameter_aggregator({"ceiling": hp.Float(0.2, 1.0),
                                      "rate": hp.Float(0.05, 1.0, log=True)}),
    ])


def curve_value(ceiling: float, rate: float, step: int) -> float:
    """The toy learning curve."""
    return ceiling * (1.0 - math.exp(-rate * (step + 1)))


class CurveEvaluator:
    """Reports the toy curve step by step and stops when the pruner says so.

    Args:
        num_steps: Steps of a full evaluation.
        sleep: Seconds slept per step (to interleave pool workers).
    """

    def __init__(self, num_steps: int = NUM_STEPS, sleep: float = 0.0) -> None:
        self.num_steps = num_steps
        self.sleep = sleep

    def eval(self, inputs: dict, outputs: dict, reporter: Any) -> dict[str, Any]:
        agg = mo.get_hyperparameter_aggregators(outputs)[0]
        values = {k: h.get_value() for k, h in agg.get_hyperps().items()}
        value = 0.0
        for step in range(self.num_steps):
            time.sleep(self.sleep)
            value = curve_value(values["ceiling"], values["rate"], step)
            reporter.report(value, step)
            if reporter.should_prune():
                raise EvaluationPruned()
        return {"validation_accuracy": value, "num_steps": self.num_steps, "pid": os.getpid()}


class EveryOtherPruner(Pruner):
    """Prunes odd evaluations once an even one has logged a value.

    With two workers, evaluation 1 can only be pruned by reading what
    evaluation 0 logged from the other process.
    """

    def should_prune(self, curve: Curve, others: Sequence[Curve]) -> bool:
        return curve.evaluation_id % 2 == 1 and any(
            c.evaluation_id % 2 == 0 and c.values for c in others)


class WaitForPruningEvaluator:
    """Even evaluations report three values; odd ones report until pruned (30 s at most)."""

    def eval(self, inputs: dict, outputs: dict, reporter: Any) -> dict[str, Any]:
        evaluation_id = current_evaluation().evaluation_id
        num_steps = 3 if evaluation_id % 2 == 0 else 3000
        for step in range(num_steps):
            reporter.report(0.5, step)
            if reporter.should_prune():
                raise EvaluationPruned()
            time.sleep(0.01)
        return {"validation_accuracy": 0.5, "pid": os.getpid()}


def slow_curve_evaluator() -> CurveEvaluator:
    """A picklable factory of evaluators sleeping 20 ms a step."""
    return CurveEvaluator(num_steps=12, sleep=0.02)


def resume_test_main(folderpath: str, search_name: str, num_samples: str) -> None:
    """Entry point of the kill-and-resume subprocess."""
    import numpy as np

    from deep_architect.pruning import MedianPruner
    from deep_architect.search_loop import run_search
    from deep_architect.searchers.random import RandomSearcher

    np.random.seed(0)
    run_search(RandomSearcher(curve_space), slow_curve_evaluator,
               int(num_samples), folderpath, search_name, show_progress=False,
               pruner=MedianPruner(n_startup=2, n_warmup_steps=2))
