"""Benchmark of the core: building and random-specifying spaces, and enumeration.

Run with ``bash utils.sh bench`` (or ``python tests/perf/bench_core.py``).
Prints, for chains of N cells (a siso_or over 3 ops, a siso_optional and a
residual per cell), the median CPU time (process_time, which other processes
disturb less than wall time) to build a fresh space and random-specify it,
the number of modules, and the growth ratio t(256)/t(64) (linear growth
gives 4); then the median time to enumerate the paper space's 25,008
architectures.
"""

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import toy  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.searchers.common import enumerate_value_lists, random_specify  # noqa: E402


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def reference_loop_us():
    """CPU time of a fixed pure-Python loop: shows how loaded the machine was."""

    def loop():
        d = {}
        for i in range(1000):
            d[i] = i

    return 1e6 * median_time(loop, 200)


def main():
    np.random.seed(0)
    print(
        "reference loop: %.0f us (about 30-40 us on an idle 2-core machine; larger means load)"
        % reference_loop_us()
    )
    print("build + random_specify of a chain of N cells (median over repeats)")
    print("%6s %9s %12s" % ("N", "modules", "ms/sample"))
    results = {}
    for n in (4, 16, 64, 256):
        factory = mo.SearchSpaceFactory(lambda n=n: toy.cell_chain_space(n))

        def sample(factory=factory):
            inputs, outputs = factory.get_search_space()
            random_specify(outputs)
            return outputs

        outputs = sample()
        num_modules = len(co.get_modules_with_cond(outputs, lambda m: True))
        results[n] = median_time(sample, 200 if n <= 64 else 60)
        print("%6d %9d %12.3f" % (n, num_modules, 1e3 * results[n]))
    print("growth t(256)/t(64) = %.2f  (target <= 4.4)" % (results[256] / results[64]))
    print("N=256: %.2f ms per sample (target <= 15 ms)" % (1e3 * results[256]))
    t = median_time(lambda: sum(1 for _ in enumerate_value_lists(toy.paper_space)), 7)
    count = sum(1 for _ in enumerate_value_lists(toy.paper_space))
    print("enumerate paper space: %d architectures in %.3f s (target <= 3 s)" % (count, t))


if __name__ == "__main__":
    main()
