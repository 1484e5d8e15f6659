"""Runs examples/simplest_multiworker (PyTorch on the bundled digits) with a tiny budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

import deep_architect.search_logging as sl

pytest.importorskip("torch")
pytest.importorskip("portalocker")

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPOSITORY, "examples", "simplest_multiworker")


def _config(tmp_path, num_samples):
    config = {"num_samples": num_samples, "folderpath": str(tmp_path / "logs"),
              "search_name": "multiworker_simplest", "delete_if_exists": 1,
              "abort_if_exists": 0, "max_eval_time_in_minutes": 0.01,
              "max_num_training_epochs": 1, "dataset": "digits"}
    config_filepath = str(tmp_path / "config.json")
    with open(config_filepath, "w") as f:
        json.dump(config, f)
    return config, config_filepath


def _start(tmp_path, script, *args):
    # Run from a scratch folder: the evaluators write their models under temp/.
    environment = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
                       + os.environ["PATH"])
    return subprocess.Popen([sys.executable, os.path.join(EXAMPLE, script)] + list(args),
                            cwd=str(tmp_path), env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _finish(process):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr.decode()[-3000:]
    return stdout.decode()


def _check_logs(config, search_name):
    logs = sl.read_search_folder(sl.get_search_folderpath(config["folderpath"], search_name))
    assert len(logs) == config["num_samples"]
    for log in logs:
        assert 0.0 <= log["results"]["validation_accuracy"] <= 1.0
        assert log["results"]["num_parameters"] > 0


def test_master_then_worker(tmp_path):
    config, config_filepath = _config(tmp_path, 2)
    _finish(_start(tmp_path, "master.py", "--config_filepath", config_filepath))
    assert len(os.listdir(sl.get_all_evaluations_folderpath(
        config["folderpath"], config["search_name"]))) == 2
    _finish(_start(tmp_path, "worker.py", "--config_filepath", config_filepath,
                   "--worker_id", "0", "--num_workers", "1"))
    _check_logs(config, config["search_name"])
    data = sl.get_evaluation_data_folderpath(config["folderpath"], config["search_name"], 0)
    assert os.listdir(data), "the master draws each graph into eval_data"


def test_file_communicator_variant(tmp_path):
    config, config_filepath = _config(tmp_path, 2)
    script = "search_with_communicator.py"
    args = ["--config_filepath", config_filepath, "--comm", "file", "--num_procs", "2"]
    master = _start(tmp_path, script, *args)
    mailboxes = os.path.join(config["folderpath"], config["search_name"] + "_file_comm")
    while not os.path.exists(os.path.join(mailboxes, "init")):
        assert master.poll() is None, master.communicate()[1].decode()
        time.sleep(0.01)
    worker = _start(tmp_path, script, *args)
    assert "evaluations: 2" in _finish(master)
    _finish(worker)
    _check_logs(config, config["search_name"])


def test_run_search_variant(tmp_path):
    config, config_filepath = _config(tmp_path, 2)
    output = _finish(_start(tmp_path, "search_with_executor.py", "--config_filepath",
                            config_filepath, "--executor", "in_process"))
    assert "evaluations: 2, failed: 0" in output
    _check_logs(config, config["search_name"] + "_run_search")
