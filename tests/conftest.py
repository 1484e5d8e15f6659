"""Shared pytest configuration."""

import os
import sys

import pytest

# Lets tests import the helpers in this folder (toy.py) by module name.
sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _fresh_default_scope():
    """Gives every test a fresh default scope, so names start from 0."""
    import deep_architect.core as co

    co.Scope.reset_default_scope()
    yield
    co.Scope.reset_default_scope()
