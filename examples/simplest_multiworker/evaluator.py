"""The evaluator of the workers: PyTorch training of a classifier on a small dataset."""
from __future__ import annotations

import os

from search_space import num_classes

from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_dataset
from deep_architect.contrib.misc.evaluators.pytorch.classification import (
    SimpleClassifierEvaluator,
)


def get_evaluator(config, worker_name):
    """Builds the evaluator described by ``config`` for the worker called ``worker_name``.

    Args:
        config: The example's configuration (keys ``dataset``,
            ``max_eval_time_in_minutes`` and optionally ``max_num_training_epochs``).
        worker_name: Names the worker's model folder under ``temp/``.
    """
    X_train, y_train, X_val, y_val, _, _ = load_dataset(config["dataset"], flatten=True)
    return SimpleClassifierEvaluator(
        InMemoryDataset(X_train, y_train, True), InMemoryDataset(X_val, y_val, False),
        num_classes, os.path.join("temp", worker_name),
        max_eval_time_in_minutes=config["max_eval_time_in_minutes"],
        max_num_training_epochs=config.get("max_num_training_epochs", 200),
        log_output_to_terminal=False)


class EvaluatorFactory:
    """Zero-argument, picklable evaluator factory for ``run_search`` workers."""

    def __init__(self, config):
        self.config = config

    def __call__(self):
        return get_evaluator(self.config, f"worker_pid{os.getpid()}")
