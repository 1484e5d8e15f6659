"""Benchmark of the core: building and random-specifying spaces, and enumeration.

Run with ``bash utils.sh bench`` (or ``python tests/perf/bench_core.py``).

For chains of N cells (a siso_or over 3 ops, a siso_optional and a residual
per cell) it times, in CPU time (``process_time``), building a fresh space
and random-specifying it. The samples are taken in rounds, the sizes taking
turns; per N it prints:

* ``median``: the median over every sample;
* ``best round``: the lowest of the per-round medians. A shared machine may
  alternate, within seconds, between a fast and a slow speed, so the overall
  median depends on how the slow periods fell; the best round is the figure
  for the machine running at full speed (the calibration loop printed first
  shows the machine's speed);
* ``mean``: the average over every sample, which also charges the cyclic
  garbage collector's periodic pauses (the median leaves most of them out).

The sizes take turns round by round, so that all of them see the same mix of
the machine's fast and slow periods. Before each round the garbage left by the
previous one is collected, untimed, so that no size pays for another's; within
a round the collector runs as it would in a search loop.

Then the growth ratios t(256)/t(64) (linear growth gives 4) and the median
time to enumerate the paper space's 25,008 architectures.
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time

import numpy as np

# This checkout's package and test helpers, even when the environment has
# another checkout installed in editable mode (side-by-side comparisons).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import toy  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.searchers.common import enumerate_value_lists, random_specify  # noqa: E402

SIZES = (4, 16, 64, 256)


def cpu_times(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return times


def reference_loop_us():
    """CPU time of a fixed pure-Python loop: shows how fast the machine runs right now."""

    def loop():
        d = {}
        for i in range(1000):
            d[i] = i

    return 1e6 * statistics.median(cpu_times(loop, 200))


def sampler(num_cells):
    """Returns a function that builds and random-specifies a fresh chain of cells."""
    factory = mo.SearchSpaceFactory(lambda: toy.cell_chain_space(num_cells))

    def sample():
        inputs, outputs = factory.get_search_space()
        random_specify(outputs)
        return outputs

    return sample


def time_sampling(num_rounds):
    """Returns, per N, ``(median, best round median, mean)`` in seconds."""
    samplers = {n: sampler(n) for n in SIZES}
    round_sizes = {n: 20 if n <= 64 else 10 for n in SIZES}
    rounds = {n: [] for n in SIZES}
    for _ in range(num_rounds):
        for n in SIZES:
            # Untimed: garbage left by the previous size is not charged to this one,
            # and a few samples bring the heap back to a search loop's steady state.
            gc.collect()
            cpu_times(samplers[n], round_sizes[n] // 2)
            rounds[n].append(cpu_times(samplers[n], round_sizes[n]))
    figures = {}
    for n, per_round in rounds.items():
        everything = [t for r in per_round for t in r]
        figures[n] = (
            statistics.median(everything),
            min(statistics.median(r) for r in per_round),
            statistics.mean(everything),
        )
    return figures


def main():
    np.random.seed(0)
    print(
        "calibration loop: %.0f us (lower is faster; compare it between runs)" % reference_loop_us()
    )
    print("build + random_specify of a chain of N cells, ms per sample (CPU time)")
    print("%6s %9s %9s %11s %9s" % ("N", "modules", "median", "best round", "mean"))
    results = time_sampling(num_rounds=8)
    for n in SIZES:
        outputs = sampler(n)()
        num_modules = len(co.get_modules_with_cond(outputs, lambda m: True))
        median, best, mean = (1e3 * t for t in results[n])
        print("%6d %9d %9.3f %11.3f %9.3f" % (n, num_modules, median, best, mean))
    for label, i in (("median", 0), ("best round", 1), ("mean", 2)):
        print(
            "growth t(256)/t(64), %-10s = %.2f  (target <= 4.4)"
            % (label, results[256][i] / results[64][i])
        )
    print(
        "N=256: median %.2f ms, best round %.2f ms per sample (target <= 15 ms)"
        % (1e3 * results[256][0], 1e3 * results[256][1])
    )
    print("calibration loop again: %.0f us" % reference_loop_us())
    t = statistics.median(
        cpu_times(lambda: sum(1 for _ in enumerate_value_lists(toy.paper_space)), 7)
    )
    count = sum(1 for _ in enumerate_value_lists(toy.paper_space))
    print("enumerate paper space: %d architectures in %.3f s (target <= 3 s)" % (count, t))


if __name__ == "__main__":
    main()
