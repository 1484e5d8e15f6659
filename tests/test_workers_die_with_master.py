"""Pool workers die within about a second of their master being SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

_EVALUATOR = '''
import os, time
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo

def space():
    return mo.siso_optional(mo.identity, hp.Bool())

class Sleeper:
    def eval(self, inputs, outputs):
        with open(os.path.join(os.environ["PID_FOLDER"], str(os.getpid())), "w"):
            pass
        time.sleep(120)
        return {"validation_accuracy": 0.5}
'''

_MASTER = '''
import sys
import sleeper
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher

if __name__ == "__main__":
    run_search(RandomSearcher(sleeper.space), sleeper.Sleeper, 4, sys.argv[1], "s",
               executor=ProcessExecutor(num_workers=2), show_progress=False)
'''


def _is_running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: fall back to signal 0 (a zombie counts as running)
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_die_within_a_second_of_a_sigkilled_master(tmp_path):
    (tmp_path / "sleeper.py").write_text(textwrap.dedent(_EVALUATOR))
    (tmp_path / "master.py").write_text(textwrap.dedent(_MASTER))
    pid_folder = tmp_path / "pids"
    pid_folder.mkdir()
    env = dict(os.environ, PID_FOLDER=str(pid_folder),
               PYTHONPATH=os.pathsep.join([str(tmp_path)] + sys.path))
    master = subprocess.Popen([sys.executable, str(tmp_path / "master.py"),
                               str(tmp_path / "logs")], env=env)
    try:
        deadline = time.monotonic() + 120
        while len(os.listdir(pid_folder)) < 2:
            assert master.poll() is None, "the master exited early"
            assert time.monotonic() < deadline, "the workers never started evaluating"
            time.sleep(0.05)
        workers = [int(name) for name in os.listdir(pid_folder)]
        assert all(_is_running(pid) for pid in workers)
        master.send_signal(signal.SIGKILL)
        master.wait()
        killed_at = time.monotonic()
        while any(_is_running(pid) for pid in workers) and time.monotonic() < killed_at + 5:
            time.sleep(0.02)
        gone_after = time.monotonic() - killed_at
        assert not any(_is_running(pid) for pid in workers), "workers outlived their master"
        assert gone_after < 1.5, f"workers took {gone_after:.2f} s to die"
    finally:
        if master.poll() is None:
            master.kill()
            master.wait()
        for name in os.listdir(pid_folder):
            if _is_running(int(name)):
                os.kill(int(name), signal.SIGKILL)
