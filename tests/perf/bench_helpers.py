"""Benchmark: PyTorchModel against a hand-written nn.Sequential.

For chains of N dense+ReLU layers (width 128, batch 64, CPU, one thread) prints
the steady-state forward time of the compiled PyTorchModel divided by that of an
``nn.Sequential`` holding the very same layer objects (target <= 1.05), and the
compile time (search-space construction and specification, then the
PyTorchModel constructor, whose first forward compiles every module), which
should grow linearly with N.

Run: ``python tests/perf/bench_helpers.py`` (or ``bash utils.sh bench``).
"""
from __future__ import annotations

import gc
import statistics
import time

import torch
from torch import nn

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.modules as mo
from deep_architect.searchers.common import random_specify

WIDTH = 128
BATCH = 64
ROUNDS = 61
ROUND_SECONDS = 0.05  # per side and round: long enough that GC pauses average out


def chain(num_layers):
    layers = []
    for _ in range(num_layers):
        layers.append(hpt.siso_pytorch_module_from_pytorch_layer_fn(
            nn.Linear, {"in_features": WIDTH, "out_features": WIDTH}))
        layers.append(hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {}))
    return mo.siso_sequential(layers)


def compile_model(num_layers, x, repeats=3):
    """The model, and the fastest specify and compile times of ``repeats`` fresh builds.

    A single build may catch one of the garbage collector's full passes (tens
    of milliseconds with PyTorch loaded), which would move between sizes
    from run to run; the collector starts each build from a clean slate.
    """
    specify_times, compile_times = [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        inputs, outputs = mo.SearchSpaceFactory(lambda: chain(num_layers)).get_search_space()
        random_specify(outputs)
        specified = time.perf_counter()
        model = hpt.PyTorchModel(inputs, outputs, {"in": x})
        compile_times.append(time.perf_counter() - specified)
        specify_times.append(specified - start)
    return model, min(specify_times), min(compile_times)


def time_calls(fn, num_calls):
    start = time.perf_counter()
    for _ in range(num_calls):
        fn()
    return time.perf_counter() - start


def forward_ratio(model, sequential, x):
    """Median over rounds of (model time / sequential time), measured side by side."""
    inputs = {"in": x}
    num_calls = max(1, round(ROUND_SECONDS / time_calls(lambda: sequential(x), 1)))
    ratios, model_times = [], []
    for r in range(ROUNDS):
        # Alternate which one runs first so drifts in machine load cancel out.
        if r % 2:
            t_seq = time_calls(lambda: sequential(x), num_calls)
            t_model = time_calls(lambda: model(inputs), num_calls)
        else:
            t_model = time_calls(lambda: model(inputs), num_calls)
            t_seq = time_calls(lambda: sequential(x), num_calls)
        ratios.append(t_model / t_seq)
        model_times.append(t_model / num_calls)
    return statistics.median(ratios), statistics.median(model_times)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.randn(BATCH, WIDTH)
    print(f"chain of N Linear({WIDTH},{WIDTH})+ReLU layers, batch {BATCH}, 1 CPU thread; "
          f"median of {ROUNDS} side-by-side rounds of ~{ROUND_SECONDS * 1e3:.0f} ms each")
    print(f"{'N':>5} {'fwd ratio':>10} {'fwd ms':>8} {'specify ms':>11} "
          f"{'compile ms':>11} {'compile us/layer':>17}")
    compile_model(4, x)  # warm-up: PyTorch initialises lazily on its first layers
    worst = 0.0
    for n in (4, 16, 64, 256):
        model, specify_s, compile_s = compile_model(n, x)
        model.eval()
        sequential = nn.Sequential(*hpt.get_pytorch_modules(model.outputs)).eval()
        with torch.no_grad():
            assert torch.equal(model({"in": x})["out"], sequential(x))
            for _ in range(3):  # warm-up
                model({"in": x})
                sequential(x)
            ratio, fwd_s = forward_ratio(model, sequential, x)
        worst = max(worst, ratio)
        print(f"{n:>5} {ratio:>10.3f} {fwd_s * 1e3:>8.2f} {specify_s * 1e3:>11.1f} "
              f"{compile_s * 1e3:>11.1f} {compile_s / n * 1e6:>17.0f}")
    print(f"worst forward ratio {worst:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
