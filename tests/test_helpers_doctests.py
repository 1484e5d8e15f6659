"""Runs the docstring examples of the framework helpers and of the one-shot package."""
from __future__ import annotations

import doctest
import importlib

import pytest

import deep_architect.core as co


@pytest.mark.parametrize("name, framework", [
    ("deep_architect.helpers.pytorch_support", "torch"),
    ("deep_architect.helpers.pytorch_model_space", "torch"),
    ("deep_architect.helpers.sklearn_support", "sklearn"),
    ("deep_architect.oneshot.supernet", "torch"),
    ("deep_architect.oneshot.darts", "torch"),
    ("deep_architect.oneshot.weight_sharing", "torch"),
    ("deep_architect.oneshot.input_edge", "numpy"),  # framework-free
    ("deep_architect.contrib.misc.search_spaces.darts_space", "torch"),
    ("deep_architect.contrib.misc.search_spaces.catalog", "numpy"),  # framework-free
    ("deep_architect.contrib.benchmarks.nb201_space", "torch"),
    ("deep_architect.contrib.benchmarks.tabular", "torch"),
])
def test_docstring_examples_run(name, framework):
    pytest.importorskip(framework)
    co.Scope.reset_default_scope()
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
