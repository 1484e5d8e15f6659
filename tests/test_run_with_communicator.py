"""run_with_communicator.sh stops with a message when the master dies."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join("examples", "simplest_multiworker", "run_with_communicator.sh")

pytestmark = [pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash"),
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell script")]


def _run(tmp_path, folderpath):
    pytest.importorskip("portalocker")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "num_samples": 2, "folderpath": folderpath, "search_name": "s", "delete_if_exists": 0,
        "abort_if_exists": 1, "max_eval_time_in_minutes": 0.1, "dataset": "digits"}))
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               PYTHONPATH=ROOT, DA_MASTER_JOIN_TIMEOUT="60")
    return subprocess.run(["bash", SCRIPT, str(config), "file", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_master_dying_after_joining_stops_the_workers(tmp_path):
    folderpath = tmp_path / "logs"
    (folderpath / "s").mkdir(parents=True)  # abort_if_exists: the master fails
    done = _run(tmp_path, str(folderpath))
    assert done.returncode == 1
    assert "error: the master failed (status 1); workers stopped" in done.stderr
    assert "already exists" in done.stderr


def test_master_dying_before_joining_is_reported(tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("")  # the mailbox folder cannot be created under a file
    done = _run(tmp_path, str(not_a_folder / "logs"))
    assert done.returncode == 1
    assert "error: the master exited (status 1) before joining" in done.stderr
