"""Regenerates the bundled NAS-Bench-201-style table on 8x8 digits.

Every unique architecture of :func:`~.nb201_space.nb201_net` (value lists that
build the same network share one fingerprint and are trained once) is trained
with a fixed small budget for each seed; the table records validation and test
accuracy, training time and parameter count per seed.

Usage::

    python -m deep_architect.contrib.benchmarks.generate_nb201_digits --jobs 2

Progress is appended to ``<out>.partial.jsonl`` as architectures finish, so an
interrupted run picks up where it stopped when started again with the same
arguments. The finished table is written atomically to ``--out``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import deep_architect.modules as mo
import deep_architect.utils as ut
from deep_architect.analysis import fingerprint
from deep_architect.contrib.benchmarks.nb201_space import OPS, nb201_net
from deep_architect.contrib.benchmarks.tabular import (
    BUNDLED_TABLE_PATH,
    TABLE_FORMAT,
    TRAINING_BUDGET,
)
from deep_architect.specify import enumerate_value_lists, specify


def digits_splits() -> dict:
    """The fixed train / validation / test split of scikit-learn's digits (NCHW float32)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = data.target.astype(np.int64)
    order = np.random.RandomState(0).permutation(len(labels))
    n_train, n_val = TRAINING_BUDGET["num_train"], TRAINING_BUDGET["num_validation"]
    parts = {
        "train": order[:n_train],
        "validation": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    return {name: (images[idx], labels[idx]) for name, idx in parts.items()}


def train_and_evaluate(value_list: list, seed: int, splits: dict) -> dict:
    """Trains one architecture with the table's budget and returns its figures."""
    import torch

    from deep_architect.helpers.pytorch_support import PyTorchModel

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    generator = np.random.RandomState(seed)
    inputs, outputs = mo.SearchSpaceFactory(table_space).get_search_space()
    specify(outputs, value_list)
    x_train, y_train = (torch.from_numpy(a) for a in splits["train"])
    model = PyTorchModel(inputs, outputs, {"in": x_train[:2]})
    optimizer = torch.optim.Adam(model.parameters(), lr=TRAINING_BUDGET["learning_rate"])
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = TRAINING_BUDGET["batch_size"]
    start = time.perf_counter()
    model.train()
    for _ in range(TRAINING_BUDGET["epochs"]):
        order = torch.from_numpy(generator.permutation(len(y_train)))
        for k in range(0, len(order), batch):
            idx = order[k : k + batch]
            optimizer.zero_grad()
            loss = loss_fn(model({"in": x_train[idx]})["out"], y_train[idx])
            loss.backward()
            optimizer.step()
    training_time = time.perf_counter() - start
    model.eval()
    figures = {"training_time": training_time}
    with torch.no_grad():
        for name in ["validation", "test"]:
            x, y = (torch.from_numpy(a) for a in splits[name])
            predictions = model({"in": x})["out"].argmax(dim=1)
            figures[name + "_accuracy"] = float((predictions == y).float().mean())
    figures["num_parameters"] = sum(p.numel() for p in model.parameters())
    return figures


def table_space() -> mo.Fragment:
    """The space of the bundled table: :func:`nb201_net` at the budget's size."""
    return nb201_net(TRAINING_BUDGET["num_cells"], TRAINING_BUDGET["channels"])


def unique_architectures() -> dict:
    """Fingerprint -> the first value list (in enumeration order) that builds it."""
    factory = mo.SearchSpaceFactory(table_space)
    unique = {}
    for vs in enumerate_value_lists(table_space):
        inputs, outputs = factory.get_search_space()
        specify(outputs, vs)
        unique.setdefault(fingerprint(inputs, outputs), vs)
    return unique


_SPLITS = None


def _work(task: tuple) -> tuple:
    global _SPLITS
    if _SPLITS is None:
        _SPLITS = digits_splits()
    fp, value_list, seed = task
    return fp, seed, train_and_evaluate(value_list, seed, _SPLITS)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--seeds", type=int, default=2, help="training seeds per architecture")
    parser.add_argument("--out", default=BUNDLED_TABLE_PATH, help="table to write (.json.gz)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train only the first N unique architectures (for a trial run)")
    args = parser.parse_args(argv)

    unique = unique_architectures()
    fps = list(unique)[: args.limit]
    print("%d value lists, %d unique architectures" % (len(OPS) ** 6, len(unique)), flush=True)
    partial_path = args.out + ".partial.jsonl"
    done = {}
    if os.path.exists(partial_path):
        with open(partial_path, encoding="utf-8") as f:
            for line in f:
                if line.endswith("\n"):  # a line cut by a kill is retrained
                    record = json.loads(line)
                    done[(record["fingerprint"], record["seed"])] = record["figures"]
    # Seed by seed, so that an interrupted run has whole seeds done first.
    tasks = [(fp, unique[fp], s) for s in range(args.seeds) for fp in fps if (fp, s) not in done]
    print("%d trainings to run, %d already done" % (len(tasks), len(done)), flush=True)
    start = time.time()
    with open(partial_path, "a", encoding="utf-8") as log, ProcessPoolExecutor(args.jobs) as pool:
        for k, (fp, seed, figures) in enumerate(pool.map(_work, tasks, chunksize=8), 1):
            done[(fp, seed)] = figures
            log.write(json.dumps({"fingerprint": fp, "seed": seed, "figures": figures}) + "\n")
            log.flush()
            if k % 200 == 0 or k == len(tasks):
                rate = k / (time.time() - start)
                print("%d/%d trainings, %.1f per second" % (k, len(tasks), rate), flush=True)
    entries = {}
    for fp in fps:
        runs = [done[(fp, s)] for s in range(args.seeds)]
        entries[fp] = {
            "value_list": unique[fp],
            "num_parameters": runs[0]["num_parameters"],
            **{key: [r[key] for r in runs] for key in
               ["validation_accuracy", "test_accuracy", "training_time"]},
        }
    table = {
        "format": TABLE_FORMAT,
        "space": "deep_architect.contrib.benchmarks.nb201_space:nb201_net",
        "budget": TRAINING_BUDGET,
        "seeds": list(range(args.seeds)),
        "entries": entries,
    }
    text = json.dumps(table, separators=(",", ":"), sort_keys=True)
    ut.write_atomically(args.out, lambda f: f.write(gzip.compress(text.encode("utf-8"))),
                        binary=True)
    print("wrote %s (%d architectures)" % (args.out, len(entries)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
