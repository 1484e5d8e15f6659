"""Benchmark of the search loop's cost per evaluation with every built-in searcher.

Run with ``python tests/perf/bench_loop_overhead.py`` (``bash utils.sh bench``
runs it with the defaults). Each searcher drives ``run_search`` in this
process with a no-op evaluator on a space of 20 binary choices, so the time is
the loop's and the searcher's: sampling, journal, logging, updating. SMBO runs
with one candidate per sample (its machinery) and with four (each candidate is
a full random architecture, built and scored). For each
number of evaluations N (default 1,000 and 10,000) it prints the mean time per
evaluation over the whole search (wall clock and CPU time of this process;
target <= 2 ms), how that CPU time splits between the searcher's own
``sample`` / ``update`` and the loop around it, the median gap between two
consecutive evaluations, and the mean over the last tenth divided by the mean
over the first tenth (about 1 when the cost per evaluation does not grow with
the search).

To compare two checkouts side by side, run this file from each, alternately
(it imports the checkout it belongs to)::

    python tests/perf/bench_loop_overhead.py --num_evaluations 1000 3000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT]

import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.mcts import MCTSSearcher  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402
from deep_architect.searchers.regularized_evolution import (  # noqa: E402
    EvolutionSearcher,
    mutatable,
)
from deep_architect.searchers.smbo_mcts import SMBOSearcherWithMCTSOptimizer  # noqa: E402
from deep_architect.searchers.smbo_random import SMBOSearcher  # noqa: E402
from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing  # noqa: E402
from deep_architect.surrogates.dummy import DummySurrogate  # noqa: E402


def space():
    """20 binary choices."""
    return mo.siso_sequential(
        [mo.siso_optional(mo.identity, hp.Discrete([0, 1])) for _ in range(20)])


SEARCHERS = {
    "random": lambda n: RandomSearcher(space, rng=0),
    "mcts": lambda n: MCTSSearcher(space, rng=0),
    # A cheap surrogate: the loop is measured, not a model's fitting time.
    # With one candidate, SMBO builds what random search builds, so the row
    # shows its own machinery; each further candidate costs one more random
    # architecture (the algorithm builds every candidate it scores).
    "smbo": lambda n: SMBOSearcher(space, DummySurrogate(), 1, 0.1, rng=0),
    "smbo_mcts": lambda n: SMBOSearcherWithMCTSOptimizer(space, DummySurrogate(), 1, 0.1, 10,
                                                         rng=0),
    "smbo_4_candidates": lambda n: SMBOSearcher(space, DummySurrogate(), 4, 0.1, rng=0),
    "smbo_mcts_4_candidates": lambda n: SMBOSearcherWithMCTSOptimizer(
        space, DummySurrogate(), 4, 0.1, 10, rng=0),
    "evolution": lambda n: EvolutionSearcher(space, mutatable, 100, 25, regularized=True,
                                             rng=0),
    "successive_narrowing": lambda n: SuccessiveNarrowing(space, n, 0.5, rng=0),
}


class TimestampEvaluator:
    """Scores 0.5 and records when each evaluation ran."""

    def __init__(self):
        self.times = []

    def eval(self, inputs, outputs):
        self.times.append(time.perf_counter())
        return {"validation_accuracy": 0.5}


class SearcherClock:
    """Adds up the CPU time spent inside a searcher's ``sample`` and ``update``."""

    def __init__(self, searcher):
        self.seconds = 0.0
        for method_name in ("sample", "update"):
            setattr(searcher, method_name, self._timed(getattr(searcher, method_name)))

    def _timed(self, method):
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - start
        return timed


def measure(name, num_evaluations, parent_folderpath=None):
    """Wall and CPU seconds of a fresh search, searcher CPU seconds, evaluation timestamps."""
    searcher = SEARCHERS[name](num_evaluations)
    clock = SearcherClock(searcher)
    evaluator = TimestampEvaluator()
    folderpath = tempfile.mkdtemp(dir=parent_folderpath)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        results = run_search(searcher, evaluator, num_evaluations, folderpath, "bench",
                             show_progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert len(results) == num_evaluations
    finally:
        shutil.rmtree(folderpath)
    return wall, cpu, clock.seconds, evaluator.times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num_evaluations", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--searchers", nargs="+", default=list(SEARCHERS))
    parser.add_argument("--parent_folder", default=None,
                        help="where the search folders go (default: the temporary folder; "
                             "/dev/shm leaves out the disk's fsync time)")
    args = parser.parse_args()
    print(f"{'searcher':>21} {'N':>6} {'wall ms/eval':>12} {'cpu ms/eval':>11} "
          f"{'searcher cpu':>12} {'loop cpu':>8} {'median gap ms':>13} {'last/first tenth':>16}")
    for n in args.num_evaluations:
        for name in args.searchers:
            wall, cpu, searcher_cpu, times = measure(name, n, args.parent_folder)
            gaps = [b - a for a, b in zip(times, times[1:])]
            tenth = max(1, len(gaps) // 10)
            growth = statistics.mean(gaps[-tenth:]) / statistics.mean(gaps[:tenth])
            print(f"{name:>21} {n:>6} {1000 * wall / n:>12.2f} {1000 * cpu / n:>11.2f} "
                  f"{1000 * searcher_cpu / n:>12.2f} {1000 * (cpu - searcher_cpu) / n:>8.2f} "
                  f"{1000 * statistics.median(gaps):>13.2f} {growth:>16.2f}", flush=True)
    print("target: <= 2 ms per evaluation over 10,000 evaluations, flat (last/first ~ 1); "
          "'searcher cpu' is the time inside sample and update, 'loop cpu' the rest; "
          "SMBO scores num_samples candidates per sample, each a full random architecture, "
          "so its rows grow by about one random search's 'searcher cpu' per extra candidate")


if __name__ == "__main__":
    main()
