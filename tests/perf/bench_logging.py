"""Benchmark of search logging, graph drawing and the HTML report.

Run as a script (``python tests/perf/bench_logging.py``); prints one figure per
line and exits 0. Sizes are small so that it runs in seconds on a busy machine.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings

# This checkout's package and the tests' toy modules.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

import toy  # noqa: E402

import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
import deep_architect.report as rp  # noqa: E402
import deep_architect.search_logging as sl  # noqa: E402
import deep_architect.visualization as vi  # noqa: E402
from deep_architect.searchers.common import random_specify  # noqa: E402

NUM_EVALUATIONS = 300
NUM_CELLS = 32


def chain():
    cell = lambda: toy.op(
        "Layer", units=hp.Discrete([16, 32, 64]), act=hp.Discrete(["relu", "tanh"])
    )
    return mo.siso_sequential([cell() for _ in range(NUM_CELLS)])


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main():
    root = tempfile.mkdtemp()
    try:
        logger = sl.SearchLogger(root, "bench")

        def write():
            for i in range(NUM_EVALUATIONS):
                ev = logger.get_evaluation_logger(i)
                ev.log_config(list(range(2 * NUM_CELLS)), {"i": i})
                ev.log_results({"validation_accuracy": i / NUM_EVALUATIONS, "num_parameters": i})

        fsync_seconds = [0.0]
        real_fsync = os.fsync

        def timed_fsync(fd):
            start = time.perf_counter()
            real_fsync(fd)
            fsync_seconds[0] += time.perf_counter() - start

        # Every config and results file is fsynced before it gets its name; how
        # much of the time that is depends on the disk, so it is shown apart.
        os.fsync = timed_fsync
        cpu = time.process_time()
        try:
            _, dt = timed(write)
        finally:
            os.fsync = real_fsync
        cpu = time.process_time() - cpu
        print(f"log config+results: {NUM_EVALUATIONS / dt:.0f} evaluations/s ({dt:.2f} s total, "
              f"of which fsync {fsync_seconds[0]:.2f} s; without it "
              f"{NUM_EVALUATIONS / (dt - fsync_seconds[0]):.0f} evaluations/s); "
              f"CPU {1e6 * cpu / NUM_EVALUATIONS:.0f} us per evaluation")
        logs, dt = timed(lambda: sl.read_search_folder(logger.get_search_folderpath()))
        assert len(logs) == NUM_EVALUATIONS
        print(f"read_search_folder: {1e3 * dt:.1f} ms for {NUM_EVALUATIONS} evaluations")

        _, outputs = mo.SearchSpaceFactory(chain).get_search_space()
        random_specify(outputs)
        folder = os.path.join(root, "drawings")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, dt = timed(
                lambda: vi.draw_graph(
                    outputs, out_folderpath=folder, print_to_screen=False, format=[]
                )
            )
            print(f"draw_graph DOT source, {NUM_CELLS} modules: {1e3 * dt:.1f} ms")
            if shutil.which("dot"):
                _, dt = timed(
                    lambda: vi.draw_graph(
                        outputs, out_folderpath=folder, print_to_screen=False, format="svg"
                    )
                )
                print(f"draw_graph SVG with dot, {NUM_CELLS} modules: {1e3 * dt:.0f} ms")
            else:
                print("draw_graph SVG: skipped (no 'dot' program)")

        analysis_seconds = [0.0]
        real_analysis_plots = rp._analysis_plots

        def timed_analysis_plots(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real_analysis_plots(*args, **kwargs)
            finally:
                analysis_seconds[0] += time.perf_counter() - start

        # The optimization history and the importances are newer than the two
        # progress plots; their share is shown apart to compare with older runs.
        rp._analysis_plots = timed_analysis_plots
        try:
            _, dt = timed(lambda: rp.generate_report(logger.get_search_folderpath()))
        finally:
            rp._analysis_plots = real_analysis_plots
        print(f"HTML report, {NUM_EVALUATIONS} evaluations (4 plots, no drawings): {dt:.2f} s, "
              f"of which {analysis_seconds[0]:.2f} s for the history and importance plots")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
