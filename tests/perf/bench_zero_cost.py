"""Benchmark: zero-cost proxies and latency tables, measured on this machine.

Sections (``--sections``, default all):

* ``correlation``: trains ``--num_archs`` random architectures of the contrib
  ``dnn`` space on digits for ``--epochs`` epochs each (Adam, batch 64) and
  reports the Spearman and Kendall correlation of every proxy (on a random
  batch of 64 training images) with the validation accuracy, plus each proxy's
  speed (architectures per second, compile excluded).
* ``filter``: proxy-filtered random search (``--filter_proxy``, 10 candidates
  per training) vs plain random search, ``--num_trainings`` trainings each,
  over ``--num_seeds`` seeds: best validation accuracy found (median).
* ``latency``: for ``--num_latency_archs`` random architectures of the contrib
  ``cnn2d`` space on 1x8x8 digits (batch ``--batch_size``, 1 thread), latency
  predicted by a :class:`~deep_architect.hardware.LatencyTable` vs measured end
  to end, both medians of repeats, with the ``--timer`` clock (``cpu``: the
  thread's CPU time, robust to other processes; ``wall``); Spearman and median
  relative error.

Run: ``python tests/perf/bench_zero_cost.py [--num_archs 50] [--sections latency]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import deep_architect.modules as mo  # noqa: E402
import deep_architect.searchers.common as seco  # noqa: E402
from deep_architect.contrib.deep_learning_backend import backend as be  # noqa: E402
from deep_architect.contrib.misc.datasets.loaders import load_digits  # noqa: E402
from deep_architect.contrib.misc.search_spaces import cnn2d, dnn  # noqa: E402
from deep_architect.hardware import LatencyTable  # noqa: E402
from deep_architect.hyperparameters import Discrete as D  # noqa: E402
from deep_architect.zero_cost import PROXIES, build_model, compute_proxy  # noqa: E402


def dnn_space():
    return dnn.dnn_net(10)


def cnn_space():
    return mo.siso_sequential([
        cnn2d.conv_net(D([1, 2])), cnn2d.spatial_squeeze(D(["max", "avg"]), D([10]))])


def sample(space_fn):
    def attempt():
        inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        return inputs, outputs, seco.random_specify(outputs)
    return seco.sample_until_valid(attempt)


def rebuild(space_fn, vs):
    inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
    seco.specify(outputs, vs)
    return inputs, outputs


def train(space_fn, vs, data, epochs, seed):
    """Validation accuracy after ``epochs`` epochs of Adam (lr 1e-3, batch 64)."""
    X_train, y_train, X_val, y_val = data
    torch.manual_seed(seed)
    model = build_model(*rebuild(space_fn, vs), X_train[:64])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(X_train), generator=gen).split(64):
            loss = torch.nn.functional.cross_entropy(model({"in": X_train[idx]})["out"],
                                                     y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return float((model({"in": X_val})["out"].argmax(1) == y_val).float().mean())


def digits(flatten):
    X_train, y_train, X_val, y_val, _, _ = load_digits(flatten=flatten, one_hot=False,
                                                        data_format="NCHW")
    return (torch.tensor(X_train), torch.tensor(y_train), torch.tensor(X_val),
            torch.tensor(y_val))


def proxy_values(space_fn, vs, batch, seed):
    """Every proxy of one architecture (fresh initialisation from ``seed``) and its seconds."""
    torch.manual_seed(seed)
    model = build_model(*rebuild(space_fn, vs), batch[0])
    values, seconds = {}, {}
    for name in PROXIES:
        start = time.perf_counter()
        values[name] = compute_proxy(name, model, batch)
        seconds[name] = time.perf_counter() - start
    return values, seconds


def correlation(args):
    data = digits(flatten=True)
    batch = (data[0][:64], data[1][:64])
    np.random.seed(args.seed)
    archs = [sample(dnn_space)[2] for _ in range(args.num_archs)]
    start = time.perf_counter()
    accs = [train(dnn_space, vs, data, args.epochs, args.seed + i) for i, vs in enumerate(archs)]
    train_seconds = (time.perf_counter() - start) / len(archs)
    results = [proxy_values(dnn_space, vs, batch, args.seed + i) for i, vs in enumerate(archs)]
    print("correlation: %d dnn architectures, %d epochs each on digits (%.2f s per training); "
          "validation accuracy median %.3f, range %.3f-%.3f"
          % (len(archs), args.epochs, train_seconds, np.median(accs), min(accs), max(accs)))
    print("%-11s %9s %9s %15s" % ("proxy", "spearman", "kendall", "archs_per_s"))
    for name in PROXIES:
        vals = np.array([r[0][name] for r in results])
        vals = np.where(np.isfinite(vals), vals, np.nanmin(vals[np.isfinite(vals)]) - 1)
        rho = stats.spearmanr(vals, accs).statistic
        tau = stats.kendalltau(vals, accs).statistic
        speed = 1.0 / np.median([r[1][name] for r in results])
        print("%-11s %9.3f %9.3f %15.1f" % (name, rho, tau, speed))


def filtered_vs_random(args):
    from deep_architect.searchers.random import RandomSearcher
    from deep_architect.zero_cost import ProxyFilteredSearcher

    data = digits(flatten=True)
    batch = (data[0][:64], data[1][:64])
    best = {"random": [], "filtered": []}
    for seed in range(args.num_seeds):
        for kind in best:
            np.random.seed(seed)
            searcher = RandomSearcher(dnn_space)
            if kind == "filtered":
                searcher = ProxyFilteredSearcher(searcher, args.filter_proxy, 10, batch,
                                                 seed=seed)
            accs = []
            for i in range(args.num_trainings):
                _, _, vs, token = searcher.sample()
                accs.append(train(dnn_space, vs, data, args.epochs, seed * 1000 + i))
                searcher.update(accs[-1], token)
            best[kind].append(max(accs))
    print("filter: %s-filtered (10 candidates) vs random, %d trainings of %d epochs, %d seeds"
          % (args.filter_proxy, args.num_trainings, args.epochs, args.num_seeds))
    for kind, values in best.items():
        print("  %-8s best validation accuracy: median %.4f (per seed %s)"
              % (kind, np.median(values), " ".join("%.3f" % v for v in values)))


def latency(args):
    be.set_backend(be.PYTORCH)
    table = LatencyTable((1, 8, 8), batch_size=args.batch_size, num_threads=1,
                         num_warmup=10, num_repeats=15, timer=args.timer)
    np.random.seed(args.seed)
    load_before = os.getloadavg()[0]
    predicted, measured = [], []
    start = time.perf_counter()
    for _ in range(args.num_latency_archs):
        vs = sample(cnn_space)[2]
        predicted.append(table.predict(*rebuild(cnn_space, vs)))
        measured.append(table.measure_end_to_end(*rebuild(cnn_space, vs)))
    predicted, measured = np.array(predicted), np.array(measured)
    rel = np.abs(predicted - measured) / measured
    print("latency (%s clock): %d cnn2d architectures, batch %d of 1x8x8, 1 thread, %d table "
          "entries, %.1f s in all; load average before %.1f, after %.1f"
          % (args.timer, len(measured), args.batch_size, len(table), time.perf_counter() - start,
             load_before, os.getloadavg()[0]))
    print("  measured ms: median %.3f (range %.3f-%.3f); predicted ms: median %.3f"
          % (np.median(measured), measured.min(), measured.max(), np.median(predicted)))
    print("  spearman %.3f  median relative error %.1f%%  (90th percentile %.1f%%)"
          % (stats.spearmanr(predicted, measured).statistic, 100 * np.median(rel),
             100 * np.percentile(rel, 90)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", default="correlation,filter,latency")
    parser.add_argument("--num_archs", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--num_trainings", type=int, default=10)
    parser.add_argument("--num_seeds", type=int, default=3)
    parser.add_argument("--filter_proxy", default="synflow")
    parser.add_argument("--num_latency_archs", type=int, default=30)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--timer", default="cpu", choices=["cpu", "wall"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    be.set_backend(be.PYTORCH)
    for section in args.sections.split(","):
        {"correlation": correlation, "filter": filtered_vs_random, "latency": latency}[section](
            args)


if __name__ == "__main__":
    main()
