"""Machine instructions per build + random_specify sample, counted with valgrind.

Run with ``bash utils.sh bench`` (or ``python tests/perf/bench_core_instructions.py``).

CPU times on a shared machine swing with the load of its neighbours; the
number of instructions a sample executes does not. This script runs the
sampling loop of ``bench_core.py`` under ``valgrind --tool=cachegrind``
twice per size (with few and with many samples; the difference cancels
interpreter start-up) and prints instructions per sample for N = 64 and 256
cells, and their ratio (a linear algorithm gives 4.0). The cyclic garbage
collector is off in the measured process so the count is reproducible; hash
randomisation and BLAS threads are pinned for the same reason. Without
valgrind on the PATH it says so and exits 0.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SAMPLER = """
import gc, sys
sys.path[:0] = [{tests!r}, {root!r}]
gc.disable()
import numpy as np
import toy
import deep_architect.modules as mo
from deep_architect.searchers.common import random_specify
np.random.seed(0)
factory = mo.SearchSpaceFactory(lambda: toy.cell_chain_space(int(sys.argv[1])))
keep = []
for _ in range(1 + int(sys.argv[2])):
    inputs, outputs = factory.get_search_space()
    random_specify(outputs)
    keep.append(outputs)
"""

FEW, MANY = 2, 12


def instructions(num_cells: int, num_samples: int) -> int:
    code = SAMPLER.format(tests=os.path.dirname(HERE), root=ROOT)
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-c",
        code,
        str(num_cells),
        str(num_samples),
    ]
    if shutil.which("setarch"):
        # Fixed addresses: object hashes, hence dict probing, repeat exactly.
        command = ["setarch", "-R"] + command
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    match = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if match is None:
        raise RuntimeError("no instruction count in valgrind's output:\n" + proc.stderr[-2000:])
    return int(match.group(1).replace(",", ""))


def main() -> None:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: instruction counts skipped")
        return
    per_sample = {}
    for n in (64, 256):
        few, many = instructions(n, FEW), instructions(n, MANY)
        per_sample[n] = (many - few) / (MANY - FEW)
        print("N=%3d cells: %.2f M instructions per sample" % (n, per_sample[n] / 1e6))
    print("growth in instructions, N=256 / N=64 = %.2f  (linear: 4.0)"
          % (per_sample[256] / per_sample[64]))


if __name__ == "__main__":
    main()
