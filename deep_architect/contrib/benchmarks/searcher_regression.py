r"""Comparing searchers on a tabular benchmark, where every evaluation is a lookup.

Each searcher runs ``num_evaluations`` sample/evaluate/update steps per seed
against a :class:`~.tabular.TabularEvaluator`; the result is, per searcher,
the best validation accuracy found so far after each evaluation (one row per
seed). :func:`summarize` turns those curves into means with confidence bands
and :func:`plot_curves` draws them.

Usage::

    python -m deep_architect.contrib.benchmarks.searcher_regression --seeds 50 --plot c.png
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable

import numpy as np

from deep_architect.contrib.benchmarks.generate_nb201_digits import table_space
from deep_architect.contrib.benchmarks.tabular import TabularEvaluator

__all__ = ["SEARCHERS", "best_so_far", "compare_searchers", "summarize", "plot_curves"]

SearcherFactory = Callable[[Callable, int], object]


def _random(space_fn: Callable, seed: int) -> object:
    from deep_architect.searchers.random import RandomSearcher

    return RandomSearcher(space_fn, rng=seed)


def _mcts(space_fn: Callable, seed: int) -> object:
    from deep_architect.searchers.mcts import MCTSSearcher

    return MCTSSearcher(space_fn, exploration_bonus=0.1, rng=seed)


def _smbo(space_fn: Callable, seed: int) -> object:
    from deep_architect.searchers.smbo_random import SMBOSearcher
    from deep_architect.surrogates.hashing import HashingSurrogate

    return SMBOSearcher(space_fn, HashingSurrogate(2048, 1), 16, 0.1, rng=seed)


def _evolution(space_fn: Callable, seed: int) -> object:
    from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable

    return EvolutionSearcher(space_fn, mutatable, 32, 8, regularized=True, rng=seed)


#: The built-in searchers the regression benchmark runs, with their settings.
SEARCHERS: dict[str, SearcherFactory] = {
    "random": _random,
    "mcts": _mcts,
    "smbo": _smbo,
    "evolution": _evolution,
}


def best_so_far(
    make_searcher: SearcherFactory,
    seed: int,
    num_evaluations: int,
    evaluator: TabularEvaluator,
    metric: str = "validation_accuracy",
) -> np.ndarray:
    """Runs one searcher for one seed; returns the running best of ``metric``."""
    searcher = make_searcher(table_space, seed)
    curve = np.empty(num_evaluations)
    best = -math.inf
    for i in range(num_evaluations):
        inputs, outputs, _, token = searcher.sample()
        value = evaluator.eval(inputs, outputs)[metric]
        searcher.update(value, token)
        best = max(best, value)
        curve[i] = best
    return curve


def compare_searchers(
    searchers: dict[str, SearcherFactory] | None = None,
    num_seeds: int = 50,
    num_evaluations: int = 300,
    evaluator: TabularEvaluator | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, np.ndarray]:
    """Runs every searcher for seeds ``0 .. num_seeds - 1``.

    Returns:
        ``{name: array of shape (num_seeds, num_evaluations)}`` of running bests.
    """
    searchers = SEARCHERS if searchers is None else searchers
    evaluator = TabularEvaluator() if evaluator is None else evaluator
    curves = {}
    for name, make in searchers.items():
        curves[name] = np.stack(
            [best_so_far(make, seed, num_evaluations, evaluator) for seed in range(num_seeds)]
        )
        if progress is not None:
            progress(name)
    return curves


def summarize(curves: dict[str, np.ndarray], at: list[int]) -> dict[str, dict]:
    """Mean running best and a normal 95% confidence half-width at evaluation counts ``at``."""
    summary = {}
    for name, c in curves.items():
        rows = {}
        for n in at:
            column = c[:, n - 1]
            half_width = 1.96 * column.std(ddof=1) / math.sqrt(len(column)) if len(column) > 1 \
                else 0.0
            rows[n] = (float(column.mean()), float(half_width))
        summary[name] = rows
    return summary


def plot_curves(curves: dict[str, np.ndarray], filepath: str, title: str = "") -> None:
    """Draws mean running-best curves with 95% bands to an image file (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, c in curves.items():
        x = np.arange(1, c.shape[1] + 1)
        mean = c.mean(axis=0)
        half = 1.96 * c.std(axis=0, ddof=1) / math.sqrt(c.shape[0]) if c.shape[0] > 1 else 0 * mean
        ax.plot(x, mean, label=name)
        ax.fill_between(x, mean - half, mean + half, alpha=0.2)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best validation accuracy so far")
    ax.set_title(title or "searchers on the NAS-Bench-201-style digits table")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(filepath, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--searchers", default=",".join(SEARCHERS))
    parser.add_argument("--plot", default=None, help="image file for the curves")
    args = parser.parse_args(argv)
    chosen = {name: SEARCHERS[name] for name in args.searchers.split(",")}
    curves = compare_searchers(chosen, args.seeds, args.evaluations,
                               progress=lambda name: print("done:", name, flush=True))
    checkpoints = sorted({n for n in (25, 50, 100, 200, args.evaluations)
                          if n <= args.evaluations})
    print("mean best validation accuracy (95%% CI), %d seeds" % args.seeds)
    print("%-10s" % "evals" + "".join("%18d" % n for n in checkpoints))
    for name, rows in summarize(curves, checkpoints).items():
        print("%-10s" % name + "".join("%11.4f+-%.4f" % rows[n] for n in checkpoints))
    best = max(e["validation_accuracy"] for e in
               TabularEvaluator().table["entries"].values() for e in [_mean_entry(e)])
    print("best validation accuracy in the table: %.4f" % best)
    if args.plot:
        plot_curves(curves, args.plot)
        print("plot:", args.plot)


def _mean_entry(entry: dict) -> dict:
    return {"validation_accuracy": sum(entry["validation_accuracy"])
            / len(entry["validation_accuracy"])}


if __name__ == "__main__":
    main(sys.argv[1:])
