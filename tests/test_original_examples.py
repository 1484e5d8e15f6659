"""The original DeepArchitect's example mains run unchanged.

The scripts in ``tests/original_examples`` use the original's framework-specific
paths (``contrib.misc.search_spaces.tensorflow.dnn``, ``.cnn2d``) and its
TensorFlow classification evaluator without choosing a backend. Each runs in
its own process (the Keras backend is fixed per process), with
``KERAS_BACKEND`` unset or ``tensorflow``; they all start at once to keep the
wall time down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import deep_architect.search_logging as sl

pytest.importorskip("tensorflow")

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "original_examples")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = {"num_samples": 2, "max_eval_time_in_minutes": 0.5, "log_output_to_terminal": 0,
          "folderpath": "logs", "search_name": "debug", "delete_if_exists": 1, "use_gpu": 0,
          "abort_if_exists": 0}


def _start(script, args, cwd, keras_backend):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, EXAMPLES]),
               TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("KERAS_BACKEND", None)
    if keras_backend is not None:
        env["KERAS_BACKEND"] = keras_backend
    os.makedirs(cwd, exist_ok=True)
    return subprocess.Popen([sys.executable, os.path.join(EXAMPLES, script)] + args, cwd=cwd,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(process, name):
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, f"{name} failed:\n{output[-6000:]}"
    return output


def _results(cwd):
    logs = sl.read_search_folder(os.path.join(cwd, "logs", "debug"))
    return [log["results"] for log in logs]


def test_original_example_mains_run_unchanged(tmp_path):
    config = str(tmp_path / "config.json")
    with open(config, "w") as f:
        json.dump(CONFIG, f)
    config_args = ["--config_filepath", config]
    running = {
        "mnist (KERAS_BACKEND unset)": _start("mnist/main.py", [], tmp_path / "m1", None),
        "mnist (KERAS_BACKEND=tensorflow)": _start("mnist/main.py", [], tmp_path / "m2",
                                                   "tensorflow"),
        "mnist_with_logging": _start("mnist_with_logging/main.py", config_args,
                                     tmp_path / "log", None),
        "benchmarks": _start("benchmarks/sample_all.py", ["1"], tmp_path / "bench", "tensorflow"),
    }
    # simplest_multiworker: the master logs the configurations, then two workers evaluate.
    multi = tmp_path / "multi"
    _finish(_start("simplest_multiworker/master.py", config_args, multi, "tensorflow"), "master")
    workers = [_start("simplest_multiworker/worker.py",
                      config_args + ["--worker_id", str(i), "--num_workers", "2"], multi, None)
               for i in range(2)]
    for i, worker in enumerate(workers):
        _finish(worker, f"worker {i}")
    outputs = {name: _finish(process, name) for name, process in running.items()}

    for results in (_results(multi), _results(tmp_path / "log")):
        assert len(results) == 2
        assert all(0.0 <= r["validation_accuracy"] <= 1.0 for r in results)
    assert all("test_accuracy" in r for r in _results(tmp_path / "log"))
    graphs = os.listdir(sl.get_evaluation_data_folderpath(str(tmp_path / "log" / "logs"),
                                                          "debug", 0))
    assert graphs, "mnist_with_logging drew no graph"
    for name in ("mnist (KERAS_BACKEND unset)", "mnist (KERAS_BACKEND=tensorflow)"):
        assert outputs[name].count("validation accuracy") >= 8, outputs[name][-3000:]
    assert outputs["benchmarks"].count(" ok") == 6, outputs["benchmarks"]
