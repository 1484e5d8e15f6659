"""Benchmark of GeneticSearcher: crossover vs evolution without it vs random search.

Run with ``python tests/perf/bench_genetic.py`` (``--seeds`` and ``--evaluations``
change the budget). For each problem and searcher, 10 seeds by default; the
table gives, at 50 and at 200 evaluations, the median over seeds of the best
score found so far, its interquartile range, and on how many seeds the
searcher's best beats random search's best on the same seed.

Problems:

* ``count``, ``target``, ``tradeoff``: the three toy objectives over the
  structured space of ``tests/searcher_toys.py`` (1-4 repeated cells with
  optional and or-branches; structural choices change which hyperparameters
  exist);
* ``digits``: a structural space of random-feature networks (1-3 layers of
  chosen width, activation and scale, optional standardisation, ridge penalty)
  whose readout is fitted in closed form on scikit-learn's digits; the score
  is the validation accuracy, deterministic per architecture, so the problem
  measures the searchers and not training noise.

Searchers: ``genetic`` (``GeneticSearcher``, crossover probability 0.5),
``genetic_no_crossover`` (the same with crossover probability 0: aging
evolution with per-hyperparameter mutation), ``evolution`` (the library's
``EvolutionSearcher``, regularized, one mutation per child) and ``random``.
All evolutionary searchers use population 20 and tournaments of 5.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import searcher_toys as st  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.contrib.searchers.genetic import GeneticSearcher  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402
from deep_architect.searchers.regularized_evolution import (  # noqa: E402
    EvolutionSearcher,
    mutatable,
)

D = hp.Discrete
CHECKPOINTS = (50, 200)


# --------------------------------------------------------------------------- digits problem


def digits_space() -> tuple[dict, dict]:
    """Optional standardisation, 1-3 random-feature layers, a ridge readout."""
    def layer() -> tuple[dict, dict]:
        return st.op("Layer", width=D([32, 64, 128, 256]), act=D(["relu", "tanh", "sin"]),
                     scale=D([0.25, 0.5, 1.0, 2.0]))

    return mo.siso_sequential([
        mo.siso_optional(lambda: st.op("Standardize"), D([0, 1])),
        mo.siso_repeat(layer, D([1, 2, 3])),
        st.op("Ridge", alpha=D([1e-3, 1e-2, 1e-1, 1.0, 10.0])),
    ])


class DigitsRandomFeatures:
    """Validation accuracy of a random-feature network with a closed-form ridge readout."""

    def __init__(self) -> None:
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        order = np.random.RandomState(0).permutation(len(X))
        X, y = X[order] / 16.0, y[order]
        self.X_train, self.y_train = X[:1200], y[:1200]
        self.X_val, self.y_val = X[1200:], y[1200:]
        self.cache: dict[str, float] = {}

    def score(self, inputs: dict) -> float:
        arch = st.describe(inputs)
        key = json.dumps(arch)
        if key not in self.cache:
            self.cache[key] = self._score(arch)
        return self.cache[key]

    def _score(self, arch: list[tuple[str, dict[str, Any]]]) -> float:
        train, val = self.X_train, self.X_val
        alpha = 1.0
        for index, (kind, values) in enumerate(arch):
            if kind == "Standardize":
                mean, std = train.mean(0), train.std(0) + 1e-6
                train, val = (train - mean) / std, (val - mean) / std
            elif kind == "Layer":
                weights = np.random.RandomState(index * 1000 + values["width"]).randn(
                    train.shape[1], values["width"]) * values["scale"] / np.sqrt(train.shape[1])
                act = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
                       "sin": np.sin}[values["act"]]
                train, val = act(train @ weights), act(val @ weights)
            else:
                alpha = values["alpha"]
        targets = np.eye(10)[self.y_train]
        gram = train.T @ train + alpha * np.eye(train.shape[1])
        readout = np.linalg.solve(gram, train.T @ targets)
        return float(np.mean((val @ readout).argmax(1) == self.y_val))


# --------------------------------------------------------------------------- runs


def searchers(space_fn: Callable, seed: int) -> dict[str, Any]:
    return {
        "genetic": GeneticSearcher(space_fn, 20, 5, mutation_rate=0.1, crossover_prob=0.5,
                                   rng=seed),
        "genetic_no_crossover": GeneticSearcher(space_fn, 20, 5, mutation_rate=0.1,
                                                crossover_prob=0.0, rng=seed),
        "evolution": EvolutionSearcher(space_fn, mutatable, 20, 5, regularized=True),
        "random": RandomSearcher(space_fn),
    }


def best_curve(searcher: Any, score_fn: Callable[[dict], float], num_evaluations: int
               ) -> list[float]:
    best, curve = -np.inf, []
    for _ in range(num_evaluations):
        inputs, _, _, token = searcher.sample()
        score = score_fn(inputs)
        searcher.update(score, token)
        best = max(best, score)
        curve.append(best)
    return curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--evaluations", type=int, default=max(CHECKPOINTS))
    args = parser.parse_args()
    digits = DigitsRandomFeatures()
    problems = {name: (st.structured_space, lambda inputs, f=f: f(st.describe(inputs)))
                for name, f in st.OBJECTIVES.items()}
    problems["digits"] = (digits_space, digits.score)
    checkpoints = [c for c in CHECKPOINTS if c <= args.evaluations]
    print("best score so far: median [IQR] over %d seeds; wins = seeds beating random"
          % args.seeds)
    for problem, (space_fn, score_fn) in problems.items():
        curves: dict[str, list[list[float]]] = {}
        for seed in range(args.seeds):
            for name in ("genetic", "genetic_no_crossover", "evolution", "random"):
                np.random.seed(seed)
                random.seed(seed)
                co.Scope.reset_default_scope()
                searcher = searchers(space_fn, seed)[name]
                curves.setdefault(name, []).append(
                    best_curve(searcher, score_fn, args.evaluations))
        print("\n%s" % problem)
        for c in checkpoints:
            random_best = [curve[c - 1] for curve in curves["random"]]
            for name, runs in curves.items():
                bests = [curve[c - 1] for curve in runs]
                q1, med, q3 = np.percentile(bests, [25, 50, 75])
                wins = sum(b > r for b, r in zip(bests, random_best, strict=True))
                print("  @%-4d %-22s %8.4f [%7.4f, %7.4f]  wins %d/%d"
                      % (c, name, med, q1, q3, wins, args.seeds))


if __name__ == "__main__":
    main()
