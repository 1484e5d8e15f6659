"""Runs the examples in the docstrings of the core modules."""
from __future__ import annotations

import doctest
import importlib

import pytest

import deep_architect.core as co

CORE_MODULES = [
    "deep_architect.errors",
    "deep_architect.core",
    "deep_architect.core._naming",
    "deep_architect.core._graph",
    "deep_architect.core._traversal",
    "deep_architect.core._execution",
    "deep_architect.hyperparameters",
    "deep_architect.modules",
    "deep_architect.specify",
    "deep_architect.utils._cli",
    "deep_architect.utils._files",
    "deep_architect.utils._units",
    "deep_architect.utils._timing",
    "deep_architect.searchers.base",
    "deep_architect.searchers.random",
    "deep_architect.searchers.warm_start",
    "deep_architect.testing",
    "deep_architect.analysis.size",
    "deep_architect.analysis.fingerprint",
    "deep_architect.pruning",
    "deep_architect.pruning.base",
    "deep_architect.pruning.median",
    "deep_architect.pruning.successive_halving",
    "deep_architect.pruning.hyperband",
    "deep_architect.importance",
]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_docstring_examples_run(name):
    co.Scope.reset_default_scope()
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
