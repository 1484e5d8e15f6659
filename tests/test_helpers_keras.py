"""Tests of deep_architect.helpers.keras_support on each Keras backend.

Each backend runs tests/helpers_keras_checks.py in its own process, because
Keras chooses its backend once per process (KERAS_BACKEND); that script also
runs examples/framework_starters/main_keras.py.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

# find_spec, not importorskip: importing Keras here would cost seconds for nothing.
if importlib.util.find_spec("keras") is None or importlib.util.find_spec("sklearn") is None:
    pytest.skip("needs keras and scikit-learn", allow_module_level=True)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


@pytest.mark.parametrize("backend", ["tensorflow", "torch", "jax"])
def test_keras_helper_on_backend(backend, tmp_path):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"Keras backend {backend} is not installed")
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, os.path.join(HERE, "helpers_keras_checks.py"),
                           str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert f"keras checks passed on {backend}" in proc.stdout
    assert "architecture 0: validation accuracy" in proc.stdout  # the Keras framework starter


def test_importing_the_keras_helper_does_not_import_a_framework():
    code = ("import sys, deep_architect.helpers.keras_support\n"
            "bad = [m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
