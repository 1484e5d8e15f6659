"""Looking architectures up in a precomputed table instead of training them.

A table maps the :func:`~deep_architect.analysis.fingerprint` of every unique
architecture of one search space to figures measured by training it: the
accuracies and training time of each seed and the parameter count. With a
:class:`TabularEvaluator` any searcher runs thousands of evaluations in
seconds, which is what searcher comparisons and regression tests need.

The bundled table (:data:`BUNDLED_TABLE_PATH`) covers
:func:`~deep_architect.contrib.benchmarks.generate_nb201_digits.table_space`,
a NAS-Bench-201-style cell on 8x8 digits trained with :data:`TRAINING_BUDGET`;
``python -m deep_architect.contrib.benchmarks.generate_nb201_digits`` rebuilds it.

Example:
    >>> import deep_architect.modules as mo
    >>> from deep_architect.specify import specify
    >>> from deep_architect.contrib.benchmarks.generate_nb201_digits import table_space
    >>> evaluator = TabularEvaluator()
    >>> inputs, outputs = mo.SearchSpaceFactory(table_space).get_search_space()
    >>> specify(outputs, ["nor_conv_3x3"] * 6)
    >>> results = evaluator.eval(inputs, outputs)
    >>> sorted(results)  # doctest: +NORMALIZE_WHITESPACE
    ['fingerprint', 'num_parameters', 'test_accuracy', 'training_time',
     'validation_accuracy']
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Mapping
from typing import Any

import deep_architect.core as co
from deep_architect.analysis import fingerprint
from deep_architect.errors import DeepArchitectError

__all__ = [
    "TABLE_FORMAT",
    "BUNDLED_TABLE_PATH",
    "TRAINING_BUDGET",
    "load_table",
    "TabularEvaluator",
]

TABLE_FORMAT = "deep_architect.tabular.v1"
BUNDLED_TABLE_PATH = os.path.join(os.path.dirname(__file__), "nb201_digits.json.gz")

#: The fixed budget every architecture of the bundled table was trained with.
TRAINING_BUDGET = {
    "dataset": "sklearn.datasets.load_digits (8x8), split by numpy RandomState(0)",
    "num_train": 1000,
    "num_validation": 397,
    "num_cells": 1,
    "channels": 4,
    "epochs": 3,
    "batch_size": 100,
    "learning_rate": 0.05,
    "optimizer": "Adam",
    "threads": 1,
}

_PER_SEED_KEYS = ("validation_accuracy", "test_accuracy", "training_time")
_cache: dict = {}


def load_table(path: str = BUNDLED_TABLE_PATH) -> dict:
    """Reads a table written by the generator (gzip-compressed JSON), checking its shape.

    Tables are cached per path: loading the bundled one twice costs nothing.

    Raises:
        DeepArchitectError: If the file is missing, not a gzip JSON table, or
            of another format version; the message names the file.
    """
    key = os.path.abspath(path)
    if key in _cache:
        return _cache[key]
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            table = json.load(f)
    except FileNotFoundError:
        raise DeepArchitectError("load_table: no table at %s" % path) from None
    except (OSError, ValueError, EOFError) as e:
        raise DeepArchitectError(
            "load_table: %s is not a gzip-compressed JSON table (%s)" % (path, e)
        ) from None
    if not isinstance(table, dict) or table.get("format") != TABLE_FORMAT:
        found = table.get("format") if isinstance(table, dict) else type(table).__name__
        raise DeepArchitectError(
            "load_table: %s has format %r; expected %r" % (path, found, TABLE_FORMAT)
        )
    entries = table.get("entries")
    if not isinstance(entries, dict) or not entries:
        raise DeepArchitectError("load_table: %s has no entries" % path)
    for fp, entry in entries.items():
        if not isinstance(entry, dict) or any(
            not isinstance(entry.get(k), list) for k in _PER_SEED_KEYS
        ):
            raise DeepArchitectError(
                "load_table: entry %s of %s lacks the per-seed lists %s"
                % (fp, path, list(_PER_SEED_KEYS))
            )
    _cache[key] = table
    return table


class TabularEvaluator:
    """An evaluator that looks a specified architecture up by its fingerprint.

    Args:
        table_path: The table to read (the bundled one by default).
        seed: Which training seed's figures to return; ``None`` returns the
            mean over the table's seeds.

    Raises:
        DeepArchitectError: From :func:`load_table`, or if ``seed`` is not one
            of the table's seeds.
    """

    def __init__(self, table_path: str = BUNDLED_TABLE_PATH, seed: int | None = None) -> None:
        self.table = load_table(table_path)
        self.table_path = table_path
        seeds = self.table.get("seeds", [])
        if seed is not None and seed not in seeds:
            raise DeepArchitectError(
                "TabularEvaluator: seed %r is not in the table %s (seeds: %s)"
                % (seed, table_path, seeds)
            )
        self.seed_index = None if seed is None else seeds.index(seed)
        self._entries = self.table["entries"]

    def lookup(self, architecture_fingerprint: str) -> dict:
        """Returns the figures of the architecture with this fingerprint.

        Raises:
            DeepArchitectError: If the table has no such architecture.
        """
        entry = self._entries.get(architecture_fingerprint)
        if entry is None:
            raise DeepArchitectError(
                "TabularEvaluator: architecture %s is not in the table %s, which covers %s; "
                "was it sampled from another search space?"
                % (architecture_fingerprint, self.table_path, self.table.get("space"))
            )
        results: dict[str, Any] = {"fingerprint": architecture_fingerprint}
        for key in _PER_SEED_KEYS:
            values = entry[key]
            if self.seed_index is None:
                results[key] = sum(values) / len(values)
            else:
                results[key] = values[self.seed_index]
        results["num_parameters"] = entry["num_parameters"]
        return results

    def eval(self, inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]) -> dict:
        """Returns the table's figures for a specified architecture (no training)."""
        return self.lookup(fingerprint(inputs, outputs))
