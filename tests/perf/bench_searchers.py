"""Benchmark of the searchers: quality on toy objectives and cost per sample.

Run with ``python tests/perf/bench_searchers.py`` (``bash utils.sh bench`` runs
it). Two parts:

1. Quality: each searcher gets a fixed budget of evaluations on the structured
   toy space of ``tests/searcher_toys.py`` (1-4 repeated cells with optional
   and or-branches) for three objectives over the architecture; the table
   gives the median and interquartile range, over seeds, of the best score
   found. ``>``/``<`` mark a median above/below random search's median by
   more than the larger of the two IQRs divided by 4 (a rough noise level).
2. Cost: median CPU time (``time.process_time``, robust to other processes
   sharing the machine) of one ``sample()`` + ``update()`` on a space of
   about 200 modules after 10, 100 and 1,000 updates, and the same minus
   random search's time (the searcher's own overhead; building and
   specifying a 200-module space is the core's cost, paid by every searcher).
   SMBO searchers reach the checkpoints with ``exploration_prob = 1`` (random
   proposals, still real updates of the surrogate) to keep the run short, and
   their timed samples use ``exploration_prob = 0``; their surrogate refits
   every 100 updates, and the time of one refit is reported separately (it
   grows with the number of observations, as fitting a model must).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# This checkout's package and test helpers (see bench_core.py).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import searcher_toys as st  # noqa: E402

from deep_architect.searchers.mcts import MCTSSearcher  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402
from deep_architect.searchers.regularized_evolution import (  # noqa: E402
    EvolutionSearcher,
    mutatable,
)
from deep_architect.searchers.smbo_mcts import SMBOSearcherWithMCTSOptimizer  # noqa: E402
from deep_architect.searchers.smbo_random import SMBOSearcher  # noqa: E402
from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing  # noqa: E402
from deep_architect.surrogates.hashing import HashingSurrogate  # noqa: E402

SMBO_CANDIDATES = 8
REFIT_INTERVAL = 100  # of the surrogates in the cost table


def quality_searchers(space: Callable) -> dict[str, Callable[[], Any]]:
    return {
        "random": lambda: RandomSearcher(space),
        "mcts": lambda: MCTSSearcher(space, exploration_bonus=1.0),
        "smbo (hashing)": lambda: SMBOSearcher(
            space, HashingSurrogate(4096, 1), SMBO_CANDIDATES, 0.1),
        "smbo_mcts (hashing)": lambda: SMBOSearcherWithMCTSOptimizer(
            space, HashingSurrogate(4096, 1), SMBO_CANDIDATES, 0.1, 10),
        "regularized evolution": lambda: EvolutionSearcher(
            space, mutatable, 16, 4, regularized=True),
    }


def best_found(task: tuple[str, str, int, int]) -> float:
    """Best score found by searcher ``name`` on ``objective`` with ``seed`` and ``budget``."""
    name, objective, seed, budget = task
    np.random.seed(seed)
    random.seed(seed)
    searcher = quality_searchers(st.structured_space)[name]()
    best = -np.inf
    for _ in range(budget):
        inputs, _, _, token = searcher.sample()
        val = st.OBJECTIVES[objective](st.describe(inputs))
        searcher.update(val, token)
        best = max(best, val)
    return best


def quality_table(num_seeds: int, budget: int, jobs: int) -> None:
    print(f"== best score found within {budget} evaluations; median [q25, q75] over "
          f"{num_seeds} seeds (higher is better)")
    names = list(quality_searchers(st.structured_space))
    objectives = list(st.OBJECTIVES)
    tasks = [(name, obj, seed, budget) for name in names for obj in objectives
             for seed in range(num_seeds)]
    with multiprocessing.Pool(jobs) as pool:
        scores = iter(pool.map(best_found, tasks, chunksize=1))
    results = {name: {obj: [next(scores) for _ in range(num_seeds)] for obj in objectives}
               for name in names}
    print(f"{'searcher':<24}" + "".join(f"{obj:>26}" for obj in objectives))
    for name in names:
        cells = []
        for obj in objectives:
            q25, med, q75 = np.percentile(results[name][obj], [25, 50, 75])
            r25, r_med, r75 = np.percentile(results["random"][obj], [25, 50, 75])
            noise = max(q75 - q25, r75 - r25) / 4
            mark = " " if name == "random" or abs(med - r_med) <= noise else (
                ">" if med > r_med else "<")
            cells.append(f"{mark} {med:7.3f} [{q25:6.2f}, {q75:6.2f}]")
        print(f"{name:<24}" + "".join(f"{c:>26}" for c in cells))


class TimedHashingSurrogate(HashingSurrogate):
    """A hashing surrogate that records how long its batched predictions take."""

    def __init__(self) -> None:
        HashingSurrogate.__init__(self, 4096, REFIT_INTERVAL)
        self.predict_times: list[float] = []

    def eval_batch(self, feats_lst: Any) -> list[float]:
        start = time.process_time()
        scores = HashingSurrogate.eval_batch(self, feats_lst)
        self.predict_times.append(time.process_time() - start)
        return scores


def cost_searchers(space: Callable) -> dict[str, Callable[[], Any]]:
    return {
        "random": lambda: RandomSearcher(space),
        "mcts": lambda: MCTSSearcher(space),
        "smbo (hashing)": lambda: SMBOSearcher(
            space, TimedHashingSurrogate(), SMBO_CANDIDATES, 0.0),
        "smbo_mcts (hashing)": lambda: SMBOSearcherWithMCTSOptimizer(
            space, TimedHashingSurrogate(), SMBO_CANDIDATES, 0.0, 10),
        "regularized evolution": lambda: EvolutionSearcher(
            space, mutatable, 64, 16, regularized=True),
        "successive narrowing": lambda: SuccessiveNarrowing(space, 16, 0.5),
    }


def _ms(seconds: list[float]) -> float:
    return 1000 * float(np.median(seconds))


def cost_table(checkpoints: list[int], num_timed: int, num_cells: int) -> None:
    import sklearn.linear_model  # noqa: F401  (imported up front, not inside a timing)

    space = st.many_module_space(num_cells)
    print(f"\n== median CPU ms per sample()+update() on a {4 * num_cells}-module space "
          f"({num_timed} timed calls per checkpoint; 'own' = minus random search)")
    print(f"{'searcher':<24}" + "".join(f"{'after ' + str(c):>14}{'own':>8}"
                                        for c in checkpoints))
    baseline: dict[int, float] = {}
    val_rng = np.random.RandomState(0)
    for name, make in cost_searchers(space).items():
        np.random.seed(0)
        random.seed(0)
        searcher = make()
        surrogate = getattr(searcher, "surr_model", None)
        num_updates = 0
        row, notes = [], []
        for checkpoint in checkpoints:
            if surrogate is not None:
                searcher.exploration_prob = 1.0
            while num_updates < checkpoint:
                searcher.update(float(val_rng.rand()), searcher.sample()[3])
                num_updates += 1
            if surrogate is not None:
                searcher.exploration_prob = 0.0
                surrogate.predict_times.clear()
            times = []
            for _ in range(num_timed):
                start = time.process_time()
                searcher.update(float(val_rng.rand()), searcher.sample()[3])
                times.append(time.process_time() - start)
                num_updates += 1
            baseline.setdefault(checkpoint, _ms(times))
            row.append(f"{_ms(times):14.1f}{_ms(times) - baseline[checkpoint]:8.1f}")
            if surrogate is not None:
                start = time.process_time()
                surrogate._refit()
                refit_ms = 1000 * (time.process_time() - start)
                predict = (f"prediction {_ms(surrogate.predict_times):.1f} ms per "
                           f"surrogate call, " if surrogate.predict_times else "")
                notes.append(f"{'':<26}after {checkpoint}: {predict}refit on "
                             f"{len(surrogate.vals_lst)} observations {refit_ms:.0f} ms "
                             f"(every {REFIT_INTERVAL} updates)")
        print(f"{name:<24}" + "".join(row))
        for note in notes:
            print(note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes for the quality table")
    parser.add_argument("--timed", type=int, default=10)
    parser.add_argument("--cells", type=int, default=50)
    parser.add_argument("--checkpoints", type=int, nargs="*", default=[10, 100, 1000])
    parser.add_argument("--part", choices=["all", "quality", "cost"], default="all")
    args = parser.parse_args()
    if args.part in ("all", "quality"):
        quality_table(args.seeds, args.budget, args.jobs)
    if args.part in ("all", "cost"):
        cost_table(args.checkpoints, args.timed, args.cells)


if __name__ == "__main__":
    main()
