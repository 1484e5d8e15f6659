"""Ranges, pruning and Optuna's samplers: the code of the "Optuna-style search" page.

No deep-learning framework is needed: the "training" is a made-up learning
curve, so the whole search runs in a few seconds.
"""

import math
import os
import tempfile

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.visualization as vi
from deep_architect.importance import param_importances
from deep_architect.pruning import EvaluationPruned, MedianPruner
from deep_architect.search_loop import run_search
from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable
from deep_architect.specify import random_specify


# [ranges]
def layer():
    # A placeholder layer carrying a width (log-scaled integers) and a dropout rate.
    return mo.hyperparameter_aggregator(
        {"units": hp.Int(4, 128, log=True, name="units"),
         "dropout": hp.Float(0.0, 0.5, name="dropout")}, name="Layer")


def search_space():
    return mo.siso_sequential([
        mo.siso_repeat(layer, hp.Int(1, 3, name="num_layers")),
        mo.hyperparameter_aggregator(
            {"optimizer": hp.Discrete(["adam", "sgd"], name="optimizer"),
             "lr": hp.Float(1e-5, 1e-1, log=True, name="lr")},
            name="Training"),
    ])


np.random.seed(0)
inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
values = random_specify(outputs)
print("one architecture:", values)
# [ranges]


# [evaluator]
def values_of(outputs):
    """The hyperparameter values of every placeholder module, by module name."""
    return {m.get_name(): {k: h.get_value() for k, h in m.hyperps.items()}
            for m in mo.get_hyperparameter_aggregators(outputs)}


class CurveEvaluator:
    """A made-up training run: accuracy rises towards a ceiling set by the choices."""

    def eval(self, inputs, outputs, reporter):
        modules = values_of(outputs)
        training = next(v for name, v in modules.items() if "Training" in name)
        layers = [v for name, v in modules.items() if "Layer" in name]
        ceiling = 0.6 + 0.3 * min(1.0, sum(math.log2(v["units"]) for v in layers) / 12)
        ceiling -= sum(v["dropout"] for v in layers) / 10
        speed = 0.2 if training["optimizer"] == "adam" else 0.08
        speed *= math.exp(-abs(math.log10(training["lr"]) + 3))
        accuracy = 0.0
        for epoch in range(20):
            accuracy = ceiling * (1 - math.exp(-speed * (epoch + 1)))
            reporter.report(accuracy, epoch)
            if reporter.should_prune():
                raise EvaluationPruned()
        return {"validation_accuracy": accuracy}
# [evaluator]


folderpath = tempfile.mkdtemp()

# [pruning]
searcher = EvolutionSearcher(search_space, mutatable, 10, 3, regularized=True, rng=0)
results = run_search(searcher, CurveEvaluator(), 30, folderpath, "evolution",
                     pruner=MedianPruner(n_startup=5, n_warmup_steps=3), show_progress=False)
pruned = [r for r in results if r.get("pruned")]
steps = sum(r.get("pruned_at_step", 19) + 1 for r in results)
print("pruned %d of %d evaluations; %d of %d epochs trained"
      % (len(pruned), len(results), steps, 20 * len(results)))
# [pruning]

# [optuna]
import optuna  # noqa: E402

from deep_architect.contrib.searchers.optuna_searcher import (  # noqa: E402
    OptunaSearcher,
    suggest_architecture,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)
searcher = OptunaSearcher(search_space, sampler=optuna.samplers.TPESampler(seed=0))
results = run_search(searcher, CurveEvaluator(), 30, folderpath, "tpe",
                     pruner=MedianPruner(n_startup=5, n_warmup_steps=3), show_progress=False)
print("TPE best: %.3f" % max(r["validation_accuracy"] for r in results))
print("parameters of the best trial:", sorted(searcher.study.best_trial.params))
# [optuna]


# [suggest]
def objective(trial):
    inputs, outputs, values = suggest_architecture(trial, search_space)
    modules = values_of(outputs)
    return sum(math.log2(v["units"]) for name, v in modules.items() if "Layer" in name)


study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=20)
print("Optuna's own loop, best value: %.2f" % study.best_value)
# [suggest]

# [plots]
search_folderpath = sl.get_search_folderpath(folderpath, "tpe")
importances = param_importances(search_folderpath, search_space_fn=search_space)
print("most important:", next(iter(importances)))
vi.plot_optimization_history(search_folderpath, fpath=os.path.join(folderpath, "history.png"))
vi.plot_param_importances(search_folderpath, search_space_fn=search_space,
                          fpath=os.path.join(folderpath, "importances.png"))
# [plots]
assert co.is_specified(outputs)
