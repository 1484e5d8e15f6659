"""Benchmark of the space analysis, deduplication and the bundled tabular benchmark.

Run with ``python tests/perf/bench_analysis.py`` (``bash utils.sh bench`` runs
it with the defaults). Four parts:

1. ``space_size``: median time to count the paper space (25,008
   architectures), a chain of 30 cells (10**30 architectures) and the
   NAS-Bench-201-style space, next to the time to enumerate the paper space.
2. Deduplication: for each searcher, the fraction of 200 samples of the paper
   space whose architecture (fingerprint) was already sampled, i.e. the
   trainings ``run_search(..., dedup=True)`` avoids.
3. Table lookups: evaluations per second of ``TabularEvaluator`` (fingerprint
   plus lookup) and of a whole random search step.
4. Searcher regression on the table: running best validation accuracy of
   random, MCTS, SMBO and regularized evolution, ``--seeds`` seeds (default
   50) x ``--evaluations`` (default 300), with 95% confidence half-widths,
   and the curves drawn to ``--plot`` if given.
5. Zero-cost proxies on the table: Spearman and Kendall correlation of each
   proxy, computed on one batch of 64 training digits, with the mean
   validation accuracy of ``--proxy-archs`` (default 200) architectures drawn
   from the table.
6. One-shot on the table: Kendall and Spearman correlation of weight-sharing
   accuracy (a supernet of the per-edge form trained single-path,
   ``--oneshot-epochs`` epochs, default 300) with the table's accuracy over the
   same 200 architectures, next to the parameter count's
   (``contrib/benchmarks/oneshot_correlation.py``; about half a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import toy  # noqa: E402

import deep_architect.modules as mo  # noqa: E402
from deep_architect.analysis import fingerprint, space_size  # noqa: E402
from deep_architect.contrib.benchmarks import searcher_regression as sr  # noqa: E402
from deep_architect.contrib.benchmarks.generate_nb201_digits import table_space  # noqa: E402
from deep_architect.contrib.benchmarks.tabular import TabularEvaluator  # noqa: E402
from deep_architect.searchers.common import enumerate_value_lists  # noqa: E402
from deep_architect.specify import specify  # noqa: E402


def _median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench_space_size() -> None:
    print("== space_size (CPU seconds, median)")
    chain = lambda: toy.cell_chain_space(30)  # noqa: E731
    rows = [
        ("paper space", toy.paper_space, 20),
        ("30-cell chain", chain, 20),
        ("NB201-style cell", table_space, 3),
    ]
    for name, fn, repeats in rows:
        seconds = _median_seconds(lambda fn=fn: space_size(fn), repeats)
        print("  %-18s size %-34s count %.4f s" % (name, "{:,}".format(space_size(fn)),
                                                   seconds))
    enumeration = _median_seconds(
        lambda: sum(1 for _ in enumerate_value_lists(toy.paper_space)), 3)
    print("  paper space enumerated in %.4f s (for comparison)" % enumeration)


def bench_dedup(num_samples: int = 200) -> None:
    print("== duplicates among %d samples of the paper space (trainings dedup avoids)"
          % num_samples)
    for name, make in sr.SEARCHERS.items():
        fractions = []
        for seed in range(5):
            searcher = make(toy.paper_space, seed)
            seen = set()
            duplicates = 0
            for _ in range(num_samples):
                inputs, outputs, _, token = searcher.sample()
                fp = fingerprint(inputs, outputs)
                duplicates += fp in seen
                seen.add(fp)
                # A fixed pseudo-random score per architecture, so that model-based
                # searchers concentrate (and repeat themselves) as in a real search.
                searcher.update(int(fp[:2], 16) / 255.0, token)
            fractions.append(duplicates / num_samples)
        print("  %-10s %5.1f%% (median of 5 seeds; min %.1f%%, max %.1f%%)"
              % (name, 100 * statistics.median(fractions), 100 * min(fractions),
                 100 * max(fractions)))


def bench_lookups(evaluator: TabularEvaluator) -> None:
    print("== tabular lookups")
    searcher = sr.SEARCHERS["random"](table_space, 0)
    samples = [searcher.sample() for _ in range(300)]
    start = time.process_time()
    for inputs, outputs, _, _ in samples:
        evaluator.eval(inputs, outputs)
    lookup = (time.process_time() - start) / len(samples)
    start = time.process_time()
    for _ in range(300):
        inputs, outputs, _, token = searcher.sample()
        searcher.update(evaluator.eval(inputs, outputs)["validation_accuracy"], token)
    step = (time.process_time() - start) / 300
    print("  eval (fingerprint + lookup): %.0f us; random-search step: %.2f ms "
          "(%.0f evaluations per second)" % (lookup * 1e6, step * 1e3, 1 / step))


def bench_regression(evaluator: TabularEvaluator, seeds: int, evaluations: int,
                     plot: str | None) -> None:
    print("== searchers on the table: %d seeds x %d evaluations" % (seeds, evaluations))
    start = time.time()
    curves = sr.compare_searchers(num_seeds=seeds, num_evaluations=evaluations,
                                  evaluator=evaluator)
    checkpoints = [n for n in (25, 50, 100, 200, 300, evaluations) if n <= evaluations]
    checkpoints = sorted(set(checkpoints))
    print("  %-10s" % "evals" + "".join("%17d" % n for n in checkpoints))
    for name, rows in sr.summarize(curves, checkpoints).items():
        print("  %-10s" % name + "".join("  %.4f +- %.4f" % rows[n] for n in checkpoints))
    entries = evaluator.table["entries"].values()
    best = max(np.mean(e["validation_accuracy"]) for e in entries)
    print("  best mean validation accuracy in the table: %.4f (%d architectures); %.0f s"
          % (best, len(evaluator.table["entries"]), time.time() - start))
    if plot:
        sr.plot_curves(curves, plot)
        print("  curves drawn to", plot)


def bench_proxies(evaluator: TabularEvaluator, num_archs: int) -> None:
    import torch
    from scipy.stats import kendalltau, spearmanr

    from deep_architect.contrib.benchmarks.generate_nb201_digits import digits_splits
    from deep_architect.zero_cost.evaluator import ZeroCostEvaluator
    from deep_architect.zero_cost.proxies import PROXIES

    print("== zero-cost proxies vs the table's accuracy (%d architectures)" % num_archs)
    torch.set_num_threads(1)
    images, labels = digits_splits()["train"]
    batch = (torch.from_numpy(images[:64]), torch.from_numpy(labels[:64]))
    proxies = sorted(PROXIES)
    zero_cost = ZeroCostEvaluator(proxies, batch, num_classes=10)
    entries = evaluator.table["entries"]
    chosen = np.random.RandomState(0).choice(sorted(entries), num_archs, replace=False)
    scores = {p: [] for p in proxies}
    accuracies = []
    start = time.process_time()
    for fp in chosen:
        inputs, outputs = mo.SearchSpaceFactory(table_space).get_search_space()
        specify(outputs, entries[fp]["value_list"])
        for p, v in zero_cost.eval(inputs, outputs).items():
            scores[p].append(v)
        accuracies.append(np.mean(entries[fp]["validation_accuracy"]))
    seconds = (time.process_time() - start) / num_archs
    for p in proxies:
        values = np.nan_to_num(np.asarray(scores[p], dtype=float), nan=-np.inf)
        print("  %-10s spearman %+.3f  kendall %+.3f"
              % (p, spearmanr(values, accuracies)[0], kendalltau(values, accuracies)[0]))
    print("  all proxies of one architecture: %.3f CPU seconds" % seconds)


def bench_oneshot(num_archs: int, epochs: int) -> None:
    import torch

    from deep_architect.contrib.benchmarks.oneshot_correlation import measure

    print("== one-shot (weight sharing) vs the table's accuracy (%d architectures, "
          "supernet %d epochs)" % (num_archs, epochs))
    torch.set_num_threads(1)
    result = measure(num_archs, epochs, seed=0, progress=lambda line: None)
    for label, key in [("one-shot", "one_shot"), ("parameters", "num_parameters"),
                       ("seed 0 vs 1", "table_seed")]:
        print("  %-11s spearman %+.3f  kendall %+.3f"
              % (label, result[key]["spearman_rho"], result[key]["kendall_tau"]))
    print("  supernet trained in %.1f s, architectures scored in %.1f s"
          % (result["train_seconds"], result["score_seconds"]))


def main() -> None:
    """Runs every part (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--evaluations", type=int, default=300)
    parser.add_argument("--plot", default=None)
    parser.add_argument("--proxy-archs", type=int, default=200)
    parser.add_argument("--oneshot-epochs", type=int, default=300)
    args = parser.parse_args()
    bench_space_size()
    bench_dedup()
    evaluator = TabularEvaluator()
    bench_lookups(evaluator)
    bench_regression(evaluator, args.seeds, args.evaluations, args.plot)
    bench_proxies(evaluator, args.proxy_archs)
    bench_oneshot(args.proxy_archs, args.oneshot_epochs)


if __name__ == "__main__":
    main()
