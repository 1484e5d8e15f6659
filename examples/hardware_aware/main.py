"""Hardware-aware search on digits: validation accuracy against latency on this CPU.

Run from the repository root:

    python examples/hardware_aware/main.py \\
        --config_filepath examples/hardware_aware/configs/debug.json

Three steps:

1. **Latency table.** A :class:`~deep_architect.hardware.LatencyTable` times
   every basic module of ``--num_table_architectures`` random architectures of
   the contrib ``dnn`` space on this machine (one thread, warm-up, median of
   repeats) and saves it as JSON. A later run reuses the file and measures only
   the modules it has not seen.
2. **Search.** :class:`~deep_architect.searchers.nsga2.NSGA2Searcher` keeps a
   Pareto front of (validation accuracy, predicted latency); with
   ``max_latency_ms`` set, a
   :class:`~deep_architect.searchers.constrained.ConstrainedSearcher` in front
   of it rejects over-budget architectures before they are trained.
   :func:`~deep_architect.search_loop.run_search` logs every evaluation; each
   result also holds ``num_parameters`` and ``penalized_accuracy``
   (:func:`~deep_architect.hardware.latency_penalty` with ``latency_target_ms``).
3. **Report.** The front is read back with
   :func:`~deep_architect.search_logging.read_pareto_front` and the HTML report
   (with its Pareto plot) is written into the search folder.

Config keys: ``dataset`` (``"digits"``), ``num_samples``, ``population_size``,
``num_epochs``, ``num_table_architectures``, ``latency_table_filepath``,
``latency_batch_size``, ``latency_target_ms``, ``max_latency_ms`` (``null``
for no hard budget), ``folderpath``, ``search_name``, ``delete_if_exists``,
``seed``.
"""
from __future__ import annotations

import os
import shutil

import numpy as np

import deep_architect.search_logging as sl
import deep_architect.utils as ut

OBJECTIVES = {"validation_accuracy": "max", "latency_ms": "min"}


def search_space_fn():
    from deep_architect.contrib.misc.search_spaces import dnn

    return dnn.dnn_net(10)


def measure_table(cfg):
    """Loads the latency table (if its file exists) and measures random architectures."""
    import deep_architect.modules as mo
    from deep_architect.hardware import LatencyTable
    from deep_architect.searchers.common import random_specify

    table = LatencyTable((64,), filepath=cfg["latency_table_filepath"],
                         batch_size=cfg["latency_batch_size"], num_threads=1)
    before = len(table)
    for _ in range(cfg["num_table_architectures"]):
        inputs, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
        random_specify(outputs)
        table.predict(inputs, outputs)
    table.save()
    print("latency table: %d entries (%d loaded, %d measured now) in %s"
          % (len(table), before, table.num_measured, cfg["latency_table_filepath"]))
    return table


class Evaluator:
    """Trains on digits, then adds the predicted latency and the penalized accuracy."""

    def __init__(self, cfg, table):
        from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
        from deep_architect.contrib.misc.datasets.loaders import load_dataset
        from deep_architect.contrib.misc.evaluators.pytorch.classification import (
            SimpleClassifierEvaluator,
        )

        X_train, y_train, X_val, y_val, _, _ = load_dataset(cfg["dataset"], flatten=True)
        self.trainer = SimpleClassifierEvaluator(
            InMemoryDataset(X_train, y_train, True), InMemoryDataset(X_val, y_val, False), 10,
            None, max_num_training_epochs=cfg["num_epochs"], log_output_to_terminal=False,
            batch_size=64)
        self.table = table
        self.target = cfg["latency_target_ms"]

    def eval(self, inputs, outputs):
        from deep_architect.hardware import latency_penalty

        results = self.trainer.eval(inputs, outputs)
        results["latency_ms"] = self.table.predict(inputs, outputs)
        results["penalized_accuracy"] = latency_penalty(
            results["validation_accuracy"], results["latency_ms"], self.target)
        return results


def main(cfg):
    from deep_architect.contrib.deep_learning_backend import backend
    from deep_architect.report import generate_report
    from deep_architect.search_loop import run_search
    from deep_architect.searchers.constrained import ConstrainedSearcher
    from deep_architect.searchers.nsga2 import NSGA2Searcher
    from deep_architect.searchers.regularized_evolution import mutatable

    backend.set_backend(backend.PYTORCH)
    np.random.seed(cfg["seed"])
    import torch

    torch.manual_seed(cfg["seed"])
    search_folderpath = sl.get_search_folderpath(cfg["folderpath"], cfg["search_name"])
    if cfg["delete_if_exists"] and os.path.isdir(search_folderpath):
        shutil.rmtree(search_folderpath)
    table = measure_table(cfg)

    searcher = NSGA2Searcher(search_space_fn, OBJECTIVES, mutatable, cfg["population_size"],
                             rng=cfg["seed"])
    if cfg.get("max_latency_ms") is not None:
        searcher = ConstrainedSearcher(
            searcher, table.predict, cfg["max_latency_ms"],
            rejected_value={"validation_accuracy": 0.0, "latency_ms": cfg["max_latency_ms"]})
    results = run_search(searcher, Evaluator(cfg, table), cfg["num_samples"], cfg["folderpath"],
                         cfg["search_name"], metric=list(OBJECTIVES), show_progress=False)
    table.save()  # entries measured during the search
    for i, r in enumerate(results):
        print("evaluation %d: validation accuracy %.4f, latency %.3f ms, %d parameters"
              % (i, r["validation_accuracy"], r["latency_ms"], r["num_parameters"]))
    if isinstance(searcher, ConstrainedSearcher):
        print("hard budget %.3f ms: %d architectures rejected before training"
              % (cfg["max_latency_ms"], searcher.num_rejected))
    front = sl.read_pareto_front(search_folderpath, OBJECTIVES)
    print("Pareto front (%d of %d):" % (len(front), len(results)))
    for f in sorted(front, key=lambda f: f["results"]["latency_ms"]):
        print("  x%d: validation accuracy %.4f, latency %.3f ms"
              % (f["evaluation_id"], f["results"]["validation_accuracy"],
                 f["results"]["latency_ms"]))
    index = generate_report(search_folderpath, metric="validation_accuracy",
                            objectives=OBJECTIVES)
    print("report: %s" % index)


if __name__ == "__main__":
    main(ut.get_config())
