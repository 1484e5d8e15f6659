"""Smoke tests of examples/framework_starters: each script samples, trains, reports.

main_keras.py runs inside the per-backend Keras checks (test_helpers_keras.py).
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTERS = {"main_pytorch.py": "torch",
            "main_tensorflow.py": "tensorflow", "main_sklearn.py": "sklearn"}


@pytest.mark.parametrize("script", sorted(STARTERS))
def test_starter_reports_a_validation_accuracy_per_architecture(script):
    if importlib.util.find_spec(STARTERS[script]) is None:
        pytest.skip(f"{STARTERS[script]} is not installed")
    args = ["--num_samples", "1"] + ([] if script == "main_sklearn.py" else ["--num_epochs", "1"])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    env.pop("KERAS_BACKEND", None)  # the default backend (tensorflow) is what main_tensorflow needs
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "framework_starters", script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    pattern = r"^architecture \d+: validation accuracy ([0-9.]+)"
    accuracies = [float(a) for a in re.findall(pattern, proc.stdout, re.M)]
    assert len(accuracies) == 1, proc.stdout
    assert all(0.0 <= a <= 1.0 for a in accuracies)
