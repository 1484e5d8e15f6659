"""Shared pytest configuration."""
from __future__ import annotations

import os
import sys

import pytest
from hypothesis import settings

# Lets tests import the helpers in this folder (toy.py) by module name.
sys.path.insert(0, os.path.dirname(__file__))

# Hypothesis' per-example deadline measures the machine's load as much as the
# code: on a shared machine it fails tests at random. Speed is measured in
# tests/perf, not here.
settings.register_profile("deep_architect", deadline=None)
settings.load_profile("deep_architect")


@pytest.fixture(autouse=True)
def _fresh_default_scope():
    """Gives every test a fresh default scope, so names start from 0."""
    import deep_architect.core as co

    co.Scope.reset_default_scope()
    yield
    co.Scope.reset_default_scope()


@pytest.fixture(scope="module")
def one_torch_thread():
    """Runs a test module's PyTorch work on one thread (tiny ops: threads only contend)."""
    torch = pytest.importorskip("torch")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
