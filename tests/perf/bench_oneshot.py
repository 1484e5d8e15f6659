"""Benchmarks of deep_architect.oneshot (one CPU thread throughout).

1. Step time: a DARTS training step (mixture forward, backward, SGD on weights
   and logits) of the Supernet compiled from the DARTS cell space against a
   hand-written DARTS supernet of the same network (mixed ops as a weighted sum
   over an ``nn.ModuleList``, as in the paper), batch 64 of 8x8 digits; median
   of the per-round time ratios, the two run side by side (target <= 1.15).
2. Peak memory of one training step, each in a fresh process: peak resident
   memory above the level before the step (``/proc/self/clear_refs``; glibc
   told to map every block above 64 KiB, so freed tensors leave the resident
   set): Supernet mixture vs hand-written (target <= 1.1), single path vs
   the ``PyTorchModel`` of the same child (target <= 1.3).
3. Coverage: each contrib search space made of PyTorch modules (tiny sizes),
   compiled to a supernet and run forward, or the messaged error.
4. DARTS on digits: the example's debug config end to end (wall time, the
   retrained accuracy of the derived architecture, the random median).
5. Weight sharing: a supernet trained one path per step, then 20 random
   architectures scored with inherited weights (architectures per second)
   and trained stand-alone with the example's retraining; Kendall tau
   between the two rankings.

Run: ``python tests/perf/bench_oneshot.py`` (or ``bash utils.sh bench``);
``--only step,memory,coverage,darts,sharing`` picks sections.
"""
from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)

import deep_architect.modules as mo  # noqa: E402
from deep_architect.contrib.misc.search_spaces import darts_space as ds  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.oneshot import Supernet, WeightSharingEvaluator  # noqa: E402
from deep_architect.searchers.common import random_specify  # noqa: E402

BATCH = 64
NUM_CELLS, CHANNELS = 2, 8
EXAMPLE = os.path.join(REPO, "examples", "oneshot")


# ---------------------------------------------------------------- the hand-written supernet

class MixedOp(nn.Module):
    """Every candidate on one edge, summed with the softmax weights."""

    def __init__(self, c):
        super().__init__()
        self._ops = nn.ModuleList([ds.make_op(op, c) for op in ds.OPS])

    def forward(self, x, weights):
        return sum(w * op(x) for w, op in zip(weights, self._ops))


def relu_conv_bn(c_in, c_out):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, 1, bias=False),
                         nn.BatchNorm2d(c_out, affine=False))


class Cell(nn.Module):
    def __init__(self, c_prev_prev, c_prev, c):
        super().__init__()
        self.pre0, self.pre1 = relu_conv_bn(c_prev_prev, c), relu_conv_bn(c_prev, c)
        self._ops = nn.ModuleList([MixedOp(c) for j in range(4) for _ in range(j + 2)])

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for _ in range(4):
            node = sum(self._ops[offset + i](h, weights[offset + i])
                       for i, h in enumerate(states))
            offset += len(states)
            states.append(node)
        return torch.cat(states[2:], dim=1)


class HandWrittenDarts(nn.Module):
    """The DARTS supernet of ``darts_space.darts_network`` written directly."""

    def __init__(self, num_cells, c):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        cells, c_prev_prev, c_prev = [], c, c
        for _ in range(num_cells):
            cells.append(Cell(c_prev_prev, c_prev, c))
            c_prev_prev, c_prev = c_prev, 4 * c
        self.cells = nn.ModuleList(cells)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * c, 10))
        self.alphas = nn.Parameter(1e-3 * torch.randn(14, len(ds.OPS)))

    def forward(self, x):
        weights = torch.softmax(self.alphas, dim=-1)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, weights)
        return self.head(s1)


def space():
    return ds.darts_network(NUM_CELLS, CHANNELS)


def digits_batch(n=BATCH):
    from deep_architect.contrib.misc.datasets.loaders import load_digits

    x, y = load_digits(one_hot=False, data_format="NCHW")[:2]
    return torch.as_tensor(x[:n]), torch.as_tensor(y[:n])


def step_fn(model, predict, x, y):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(predict(x), y).backward()
        opt.step()
    return step


def models():
    torch.manual_seed(0)
    x, y = digits_batch()
    hand = HandWrittenDarts(NUM_CELLS, CHANNELS)
    supernet = Supernet(space, {"in": x[:2]})
    assert sum(p.numel() for p in hand.parameters()) == sum(
        p.numel() for p in supernet.parameters())
    return hand, supernet, x, y


# ---------------------------------------------------------------- 1. step time

def bench_step(rounds=9, steps_per_round=2):
    hand, supernet, x, y = models()
    steps = {"hand": step_fn(hand, hand, x, y),
             "supernet": step_fn(supernet, supernet.predict, x, y)}
    for step in steps.values():
        step()
    ratios, times = [], {"hand": [], "supernet": []}
    for r in range(rounds):
        order = ["hand", "supernet"] if r % 2 else ["supernet", "hand"]
        for name in order:  # alternating which goes first cancels drifts in machine load
            start = time.perf_counter()
            for _ in range(steps_per_round):
                steps[name]()
            times[name].append((time.perf_counter() - start) / steps_per_round)
        ratios.append(times["supernet"][-1] / times["hand"][-1])
    print(f"step time, DARTS network ({NUM_CELLS} cells x {CHANNELS} channels, 14 edges x "
          f"{len(ds.OPS)} ops), batch {BATCH}, median of {rounds} rounds:")
    print(f"  hand-written {statistics.median(times['hand']) * 1e3:.1f} ms, Supernet "
          f"{statistics.median(times['supernet']) * 1e3:.1f} ms, ratio "
          f"{statistics.median(ratios):.3f} (target <= 1.15)")


# ---------------------------------------------------------------- 2. peak memory

def _status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    raise RuntimeError(key)


def measure_memory(kind):
    """Runs in a child process: peak KiB of one training step of ``kind``."""
    hand, supernet, x, y = models()
    values = supernet.sample_path(np.random.default_rng(0))
    supernet.clear_path()
    if kind == "hand":
        step = step_fn(hand, hand, x, y)
    elif kind == "supernet":
        step = step_fn(supernet, supernet.predict, x, y)
    elif kind == "path":
        supernet.set_path(values)
        step = step_fn(supernet, supernet.predict, x, y)
    else:
        child = supernet.child(values)
        step = step_fn(child, lambda v: child({"in": v})["out"], x, y)
    del hand
    peaks = []
    for _ in range(4):
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets the peak resident set to the current one
        before = _status_kib("VmRSS:")
        step()
        peaks.append(_status_kib("VmHWM:") - before)
    print(json.dumps(statistics.median(peaks[1:])))  # the first step allocates the grads


def bench_memory():
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0",
               OMP_NUM_THREADS="1")
    peaks = {}
    for kind in ["hand", "supernet", "path", "child"]:
        out = subprocess.run([sys.executable, __file__, "--memory-child", kind], env=env,
                             capture_output=True, text=True, check=True).stdout
        peaks[kind] = json.loads(out.strip().splitlines()[-1])
    print(f"peak memory of one training step (KiB above the level before it), batch {BATCH}:")
    print(f"  mixture: hand-written {peaks['hand']}, Supernet {peaks['supernet']}, ratio "
          f"{peaks['supernet'] / peaks['hand']:.3f} (target <= 1.1)")
    print(f"  single path: Supernet.set_path {peaks['path']}, PyTorchModel of the child "
          f"{peaks['child']}, ratio {peaks['path'] / peaks['child']:.3f} (target <= 1.3)")


# ---------------------------------------------------------------- 3. coverage

def contrib_spaces():
    """The tiny contrib spaces of the contrib tests, plus the DARTS network on RGB images."""
    sys.path.insert(0, os.path.join(REPO, "tests", "contrib"))
    from test_search_spaces import SPACES

    return dict(SPACES, darts=lambda: ds.darts_network(1, 4, in_channels=3))


def measure_coverage(name):
    """Runs in a child process: compiles one space, prints one line."""
    from deep_architect.contrib.deep_learning_backend import backend as be

    x = torch.randn(2, 3, 16, 16)
    fn = contrib_spaces()[name]
    start = time.perf_counter()
    with be.use_backend(be.PYTORCH):
        inputs = mo.SearchSpaceFactory(fn).get_search_space()[0]
        feed = {"in": x} if "in" in inputs else {"in0": x, "in1": torch.tensor(1000.0)}
        status = "mixture"
        try:
            try:
                net = Supernet(fn, feed)
            except DeepArchitectError as e:
                if "different shapes" not in str(e):
                    raise
                status = "allow_shape_mismatch: " + re.sub(r"\s+", " ", str(e))[:100]
                net = Supernet(fn, feed, allow_shape_mismatch=True)
            shapes = {k: tuple(v.shape) for k, v in net(feed).items()}
            print(f"ok, {len(net.decisions)} decisions, {len(net.layers)} layers, "
                  f"{time.perf_counter() - start:.1f} s, outputs {shapes}; {status}")
        except (DeepArchitectError, ValueError) as e:
            print(f"error: {re.sub(chr(10), ' ', str(e))[:200]}")


def bench_coverage(memory_limit_gib=6, timeout=600):
    print("coverage: contrib spaces (tiny sizes, PyTorch backend) compiled to a supernet "
          f"(each in a process limited to {memory_limit_gib} GiB and {timeout} s):")
    for name in contrib_spaces():
        code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (%d, %d)); "
                "sys.argv = [%r, '--coverage-child', %r]; sys.path.insert(0, %r); "
                "import bench_oneshot; bench_oneshot.main()"
                % (memory_limit_gib * 2**30, memory_limit_gib * 2**30, __file__, name,
                   os.path.dirname(os.path.abspath(__file__))))
        try:
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  timeout=timeout)
            lines = proc.stdout.strip().splitlines()
            result = lines[-1] if proc.returncode == 0 and lines else (
                "failed (status %d): %s" % (proc.returncode, proc.stderr.strip()[-200:]))
        except subprocess.TimeoutExpired:
            result = "no result within %d s" % timeout
        print(f"  {name:13s} {result}", flush=True)


# ---------------------------------------------------------------- 4. DARTS on digits

def run_example(overrides, folder):
    with open(os.path.join(EXAMPLE, "configs", "debug.json")) as f:
        cfg = dict(json.load(f), **overrides)
    cfg_path = os.path.join(folder, "config.json")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, os.path.join(EXAMPLE, "main.py"),
                          "--config_filepath", cfg_path], cwd=folder, check=True,
                         capture_output=True, text=True).stdout
    return out, time.perf_counter() - start


def bench_darts():
    with tempfile.TemporaryDirectory() as folder:
        out, seconds = run_example({}, folder)
    search = re.search(r"DARTS search: (\d+) epochs in ([\d.]+) s", out)
    compare = re.search(r"derived validation accuracy ([\d.]+) vs random median ([\d.]+) "
                        r"\((\d+) architectures\)", out)
    print("DARTS on digits (examples/oneshot/configs/debug.json):")
    print(f"  wall time {seconds:.1f} s (search {search.group(2)} s for {search.group(1)} "
          f"epochs); retrained validation accuracy {compare.group(1)} vs random median "
          f"{compare.group(2)} of {compare.group(3)}")


# ---------------------------------------------------------------- 5. weight sharing

def load_example():
    spec = importlib.util.spec_from_file_location("oneshot_example",
                                                  os.path.join(EXAMPLE, "main.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_sharing(num_archs=20, epochs=8):
    from scipy.stats import kendalltau

    from deep_architect.contrib.misc.datasets.loaders import load_digits

    example = load_example()
    with open(os.path.join(EXAMPLE, "configs", "debug.json")) as f:
        cfg = json.load(f)
    space_fn = functools.partial(ds.darts_network, cfg["num_cells"], cfg["channels"])
    splits = load_digits(one_hot=False, data_format="NCHW", seed=cfg["seed"])
    x, y = torch.as_tensor(splits[0]), torch.as_tensor(splits[1])
    torch.manual_seed(0)
    supernet = Supernet(space_fn, {"in": x[:2]})
    opt = torch.optim.SGD(supernet.weight_parameters(), lr=0.05, momentum=0.9)
    rng = np.random.RandomState(0)
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in example.batches(x, y, BATCH, rng):
            supernet.sample_path()
            opt.zero_grad()
            nn.functional.cross_entropy(supernet.predict(xb), yb).backward()
            opt.step()
    train_seconds = time.perf_counter() - start
    archs = []
    gen = np.random.default_rng(1)
    for _ in range(num_archs):
        archs.append(random_specify(mo.SearchSpaceFactory(space_fn).get_search_space()[1], gen))
    evaluator = WeightSharingEvaluator(
        supernet, (torch.as_tensor(splits[2]), torch.as_tensor(splits[3])))
    start = time.perf_counter()
    shared = [evaluator.eval_values(v)["validation_accuracy"] for v in archs]
    per_second = num_archs / (time.perf_counter() - start)
    alone = [example.retrain(cfg, space_fn, v, splits)[0]["validation_accuracy"]
             for v in archs]
    tau = kendalltau(shared, alone)
    print(f"weight sharing ({cfg['num_cells']} cell x {cfg['channels']} channels; supernet "
          f"trained {epochs} epochs one path per step in {train_seconds:.1f} s):")
    print(f"  {per_second:.1f} architectures scored per second (validation set of "
          f"{len(splits[3])}); Kendall tau vs stand-alone accuracy over {num_archs} "
          f"architectures {tau.statistic:.3f} (p = {tau.pvalue:.3f})")
    print(f"  shared accuracies {['%.3f' % a for a in shared]}")
    print(f"  stand-alone accuracies {['%.3f' % a for a in alone]}")


SECTIONS = {"step": bench_step, "memory": bench_memory, "coverage": bench_coverage,
            "darts": bench_darts, "sharing": bench_sharing}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--memory-child")
    parser.add_argument("--coverage-child")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.memory_child:
        measure_memory(args.memory_child)
        return
    if args.coverage_child:
        measure_coverage(args.coverage_child)
        return
    for name in args.only.split(","):
        SECTIONS[name]()


if __name__ == "__main__":
    main()
