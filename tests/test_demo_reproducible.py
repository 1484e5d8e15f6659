"""A seeded demo is reproducible end to end.

Two runs of ``examples/mnist_with_logging`` with its debug config (seed 0)
log the same value lists and the same results; only timings differ, and the
searcher's instance id in each token (drawn from the OS on purpose: it tells a
searcher's own tokens from those of another instance).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                       "mnist_with_logging")

pytest.importorskip("tensorflow")


def _without_timings(x):
    if isinstance(x, dict):
        return {k: _without_timings(v) for k, v in x.items() if "time" not in k
                and k != "issuer"}
    return x


def _logs(cwd):
    evaluations = os.path.join(cwd, "logs", "mnist", "debug", "evaluations")
    logs = []
    for name in sorted(os.listdir(evaluations)):
        for filename in ("config.json", "results.json"):
            with open(os.path.join(evaluations, name, filename)) as f:
                logs.append(_without_timings(json.load(f)))
    return logs


def test_two_seeded_demo_runs_log_the_same_search(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    env.pop("KERAS_BACKEND", None)
    config = os.path.join(EXAMPLE, "configs", "debug.json")
    runs = []
    for i in range(2):
        cwd = tmp_path / f"run{i}"
        cwd.mkdir()
        runs.append((cwd, subprocess.Popen(
            [sys.executable, os.path.join(EXAMPLE, "main.py"), "--config_filepath", config],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    for _, process in runs:
        output, _ = process.communicate(timeout=900)
        assert process.returncode == 0, output[-4000:]
    first, second = (_logs(cwd) for cwd, _ in runs)
    assert len(first) == 6  # three evaluations
    assert first == second
    # The architectures differ from each other: the searcher did sample.
    assert len({json.dumps(log["hyperp_value_lst"]) for log in first[::2]}) > 1
