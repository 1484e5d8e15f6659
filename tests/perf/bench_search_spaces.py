"""Benchmark: the paper-sized contrib search spaces on the PyTorch backend.

For each space: time to build and randomly specify one architecture (mean of a
few samples; NAS-Bench samples rejected as invalid are counted), the value-list
length, and the time to compile the PyTorch model and run one forward pass on
a batch of 8 CIFAR-sized (3x32x32) images, with its parameter count.
Run: ``python tests/perf/bench_search_spaces.py``.
"""
from __future__ import annotations

import random
import time

import numpy as np
import torch

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.contrib.misc.search_spaces.catalog import search_space_fns

NUM_SAMPLES = 3
SPACES = search_space_fns("paper")


def sample(space_fn):
    """One valid random architecture and the number of rejected attempts."""
    rejected = 0
    while True:
        inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        try:
            return inputs, outputs, seco.random_specify(outputs), rejected
        except ValueError:
            rejected += 1


def main():
    torch.set_num_threads(1)
    np.random.seed(0)
    random.seed(0)
    be.set_backend(be.PYTORCH)
    x = torch.randn(8, 3, 32, 32)
    print("%-13s %10s %8s %9s %12s %11s" % (
        "space", "sample_s", "values", "rejected", "compile+fwd", "parameters"))
    for name, space_fn in SPACES.items():
        start = time.perf_counter()
        samples = [sample(space_fn) for _ in range(NUM_SAMPLES)]
        sample_time = (time.perf_counter() - start) / NUM_SAMPLES
        inputs, outputs, vs, _ = samples[0]
        feed = {"in": x} if "in" in inputs else {"in0": x, "in1": torch.tensor(1e5)}
        start = time.perf_counter()
        model = hpt.PyTorchModel(inputs, outputs, feed)
        model.eval()
        with torch.no_grad():
            model(feed)
        run_time = time.perf_counter() - start
        print("%-13s %10.3f %8d %9d %12.2f %11d" % (
            name, sample_time, len(vs), sum(s[3] for s in samples), run_time,
            sum(p.numel() for p in model.parameters())))


if __name__ == "__main__":
    main()
