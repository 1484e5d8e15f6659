"""Benchmark of deep_architect.search_loop.run_search.

Prints:

* throughput of N evaluations (default 200) of a 0.5 s sleep evaluator with 1
  and 2 workers, for the process pool and for Ray, and the 2-worker speed-up
  (target >= 1.8x); wall time includes starting the workers (Ray itself is
  started before timing, as a cluster would be);
* loop overhead per evaluation with a 0 s evaluator in-process (target <= 5 ms),
  on the default temporary folder and, when available, on tmpfs (/dev/shm),
  which separates the cost of the fsync calls that make logged files durable;
  once with RandomSearcher (checkpointed after every sample) and once with a
  searcher without save_state, which separates the cost of its checkpoints.

Usage: python tests/perf/bench_search_loop.py [--num_evaluations N] [--sleep S] [--skip_ray]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.search_loop import is_failed_results, run_search
from deep_architect.searchers.random import RandomSearcher


def search_space():
    return mo.siso_sequential(
        [mo.siso_optional(mo.identity, hp.Discrete([0, 1])) for _ in range(4)])


class SleepEvaluator:
    def __init__(self, seconds):
        self.seconds = seconds

    def eval(self, inputs, outputs):
        if self.seconds > 0:  # even sleep(0) yields the CPU, which is not loop overhead
            time.sleep(self.seconds)
        return {"validation_accuracy": 0.5}


class SleepEvaluatorFactory:
    """Picklable zero-argument factory, as run_search expects."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self):
        return SleepEvaluator(self.seconds)


class RandomSearcherWithoutState(RandomSearcher):
    """Restored by replaying results: isolates the loop from the searcher's checkpoints."""

    def save_state(self, folderpath):
        raise NotImplementedError


def timed_search(executor, num_evaluations, sleep, parent_folderpath=None,
                 searcher_class=RandomSearcher):
    """Seconds taken by a fresh search of ``num_evaluations`` evaluations."""
    folderpath = tempfile.mkdtemp(dir=parent_folderpath)
    try:
        start = time.perf_counter()
        results = run_search(searcher_class(search_space),
                             SleepEvaluatorFactory(sleep), num_evaluations, folderpath, "bench",
                             executor=executor, show_progress=False)
        elapsed = time.perf_counter() - start
        assert len(results) == num_evaluations and not any(map(is_failed_results, results))
        return elapsed
    finally:
        shutil.rmtree(folderpath)


def report_scaling(name, make_executor, num_evaluations, sleep):
    times = {k: timed_search(make_executor(k), num_evaluations, sleep) for k in (1, 2)}
    for k, seconds in times.items():
        print(f"{name:>12}, {k} worker(s): {num_evaluations} x {sleep} s evaluations in "
              f"{seconds:6.1f} s = {num_evaluations / seconds:5.2f} evaluations/s")
    print(f"{name:>12}: speed-up with 2 workers {times[1] / times[2]:.2f}x (target >= 1.8x)")


def report_overhead(num_evaluations):
    folders = [("default temporary folder", None)]
    if os.path.isdir("/dev/shm"):
        folders.append(("tmpfs /dev/shm", "/dev/shm"))
    for label, parent in folders:
        for searcher_class, what in [(RandomSearcher, "RandomSearcher, checkpointed"),
                                     (RandomSearcherWithoutState, "searcher without state")]:
            seconds = timed_search(None, num_evaluations, 0.0, parent, searcher_class)
            print(f"in-process loop overhead ({label}, {what}): "
                  f"{1000 * seconds / num_evaluations:.2f} ms per evaluation over "
                  f"{num_evaluations} evaluations (target <= 5 ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num_evaluations", type=int, default=200)
    parser.add_argument("--sleep", type=float, default=0.5)
    parser.add_argument("--skip_ray", action="store_true")
    args = parser.parse_args()
    report_overhead(args.num_evaluations)
    report_scaling("process pool", lambda k: ProcessExecutor(num_workers=k),
                   args.num_evaluations, args.sleep)
    if args.skip_ray:
        return
    try:
        import ray
    except ImportError:
        print("ray is not installed; skipping the Ray figures")
        return
    from deep_architect.executors.ray_cluster import RayExecutor

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        report_scaling("ray", lambda k: RayExecutor(num_workers=k), args.num_evaluations,
                       args.sleep)
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
