"""Benchmark of pruning: evaluation steps saved by the median pruner.

On the toy learning-curve problem of ``tests/pruning_toys.py`` (a repeat
count, a ceiling and a log-scaled learning rate; 30 steps per evaluation),
random search samples the same architectures with and without pruning (the
random searcher ignores scores), so the runs differ only in the evaluations
the pruner stops. For each seed it prints the total evaluation steps of both
runs, the saving, and whether both found the same best architecture.

Target: >= 40% fewer steps, same best architecture, on every seed.

Usage: python tests/perf/bench_pruning.py [--num_evaluations N] [--seeds K]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import numpy as np  # noqa: E402
import pruning_toys as pt  # noqa: E402

import deep_architect.search_logging as sl  # noqa: E402
from deep_architect.pruning import MedianPruner, read_curves  # noqa: E402
from deep_architect.search_loop import run_search  # noqa: E402
from deep_architect.searchers.random import RandomSearcher  # noqa: E402


def run(seed: int, num_evaluations: int, pruner: object, folderpath: str, name: str) -> tuple:
    """Returns (total steps, value list of the best completed evaluation, its score)."""
    np.random.seed(seed)
    results = run_search(RandomSearcher(pt.curve_space), pt.CurveEvaluator,
                         num_evaluations, folderpath, name, show_progress=False, pruner=pruner)
    curves = read_curves(sl.get_all_evaluations_folderpath(folderpath, name))
    steps = sum(c.last_step + 1 for c in curves)
    logs = sl.read_search_folder(sl.get_search_folderpath(folderpath, name))
    completed = [i for i, r in enumerate(results) if not r.get("pruned")]
    best = max(completed, key=lambda i: results[i]["validation_accuracy"])
    return steps, logs[best]["config"]["hyperp_value_lst"], results[best]["validation_accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--num_evaluations", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    pruner = MedianPruner(n_startup=5, n_warmup_steps=5)
    savings, same = [], []
    print(f"median pruning, {args.num_evaluations} evaluations x {pt.NUM_STEPS} steps, "
          f"MedianPruner(n_startup=5, n_warmup_steps=5)")
    print("seed  steps(no pruning)  steps(pruning)  saving  same best  best score")
    with tempfile.TemporaryDirectory() as folderpath:
        for seed in range(args.seeds):
            full, full_best, full_score = run(seed, args.num_evaluations, None, folderpath,
                                              f"full{seed}")
            pruned, pruned_best, pruned_score = run(seed, args.num_evaluations, pruner,
                                                    folderpath, f"pruned{seed}")
            savings.append(1 - pruned / full)
            same.append(full_best == pruned_best)
            print(f"{seed:4d}  {full:17d}  {pruned:14d}  {savings[-1]:6.1%}  {str(same[-1]):9s}"
                  f"  {full_score:.4f} / {pruned_score:.4f}")
    print(f"median saving {statistics.median(savings):.1%} (min {min(savings):.1%}); "
          f"same best architecture on {sum(same)}/{len(same)} seeds")


if __name__ == "__main__":
    main()
