"""Crash-recovery stress test: the master is SIGKILLed at random moments and rerun.

After each search completes, the folder must hold every evaluation exactly
once, intact, and the restored searcher must have issued every sample once and
received every result once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from search_loop_toys import SEARCHER_KINDS, score_of, search_space

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.search_loop import run_search

TESTS_FOLDERPATH = os.path.dirname(os.path.abspath(__file__))
_SCRIPT = "import sys, search_loop_toys as t; t.crash_test_main(*sys.argv[1:])"


def _start_master(folderpath, search_name, num_samples, sleep, executor_kind, searcher_kind):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [TESTS_FOLDERPATH] + ([environment["PYTHONPATH"]] if "PYTHONPATH" in environment else []))
    command = [sys.executable, "-c", _SCRIPT, folderpath, search_name, str(num_samples),
               str(sleep), executor_kind, searcher_kind]
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _check_search_folder(folderpath, search_name, num_samples, searcher_kind):
    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    assert not os.path.exists(os.path.join(search_folderpath, "REDONE")), \
        "an evaluation started again after its results were logged"
    evaluations = sl.get_all_evaluations_folderpath(folderpath, search_name)
    assert sorted(os.listdir(evaluations)) == sorted(f"x{i}" for i in range(num_samples))
    issuers = set()
    for i, log in enumerate(sl.read_search_folder(search_folderpath)):
        # Sample k went to evaluation k: no sample was lost or issued twice.
        token = log["config"]["searcher_evaluation_token"]
        assert token["sample_index"] == i
        # A searcher on the public base also numbers its tokens, one issuer throughout.
        assert token.get("sample_id", i) == i
        issuers.add(token.get("issuer"))
        assert log["results"]["evaluation_id"] == i
        assert log["results"]["validation_accuracy"] == score_of(i)
    assert len(issuers) == 1
    starts = [int(line) for line in ut.read_textfile(os.path.join(search_folderpath, "STARTS"))]
    assert set(starts) == set(range(num_samples))
    # Reloading the final journal gives a searcher that saw everything exactly once.
    searcher = SEARCHER_KINDS[searcher_kind](search_space)
    results = run_search(searcher, lambda: None, num_samples, folderpath,
                         search_name, show_progress=False)
    assert len(results) == num_samples
    assert searcher.num_sampled == num_samples
    assert sorted(searcher.updates) == [[i, score_of(i)] for i in range(num_samples)]
    return len(starts) - num_samples


def _num_starts(folderpath, search_name):
    filepath = os.path.join(sl.get_search_folderpath(folderpath, search_name), "STARTS")
    return len(ut.read_textfile(filepath)) if os.path.exists(filepath) else 0


def _wait_for_new_evaluation(master, folderpath, search_name, num_starts_before):
    # Waiting for an evaluation to start puts the kill inside the search loop
    # rather than inside the interpreter's start-up.
    deadline = time.monotonic() + 30
    while master.poll() is None and time.monotonic() < deadline:
        if _num_starts(folderpath, search_name) > num_starts_before:
            return
        time.sleep(0.01)


def _kill_repeatedly(tmp_path, min_kills, num_samples, sleep, executor_kind, max_delay, seed,
                    searcher_kind="files"):
    """Runs searches, killing the master at random moments, until ``min_kills`` kills."""
    rng = random.Random(seed)
    folderpath = str(tmp_path)
    num_kills = num_searches = num_reruns = 0
    while num_kills < min_kills:
        search_name = f"search{num_searches}"
        while True:
            num_starts_before = _num_starts(folderpath, search_name)
            master = _start_master(folderpath, search_name, num_samples, sleep, executor_kind,
                                   searcher_kind)
            # One kill in four may also land in start-up or recovery.
            if rng.random() < 0.75:
                _wait_for_new_evaluation(master, folderpath, search_name, num_starts_before)
            try:
                _, stderr = master.communicate(timeout=rng.uniform(0, max_delay))
            except subprocess.TimeoutExpired:
                master.send_signal(signal.SIGKILL)
                master.communicate()
                num_kills += 1
                continue
            assert master.returncode == 0, stderr.decode()
            break
        num_reruns += _check_search_folder(folderpath, search_name, num_samples, searcher_kind)
        num_searches += 1
    return num_kills, num_searches, num_reruns


def test_master_killed_at_random_moments_in_process(tmp_path):
    num_kills, num_searches, num_reruns = _kill_repeatedly(
        tmp_path, min_kills=22, num_samples=30, sleep=0.03, executor_kind="in_process",
        max_delay=0.5, seed=7)
    assert num_kills >= 22 and num_searches >= 1
    # Some kills landed during an evaluation, whose re-run the checks above accepted.
    assert num_reruns >= 1


def test_master_killed_with_process_pool_workers(tmp_path):
    num_kills, num_searches, _ = _kill_repeatedly(
        tmp_path, min_kills=3, num_samples=12, sleep=0.1, executor_kind="process",
        max_delay=1.0, seed=3)
    assert num_kills >= 3 and num_searches >= 1


def test_master_killed_with_the_searcher_state_in_the_journal(tmp_path):
    # The searcher's state dict lives in the checkpoint, continued by
    # an event log; kills land between and during checkpoints.
    num_kills, num_searches, num_reruns = _kill_repeatedly(
        tmp_path, min_kills=15, num_samples=30, sleep=0.03, executor_kind="in_process",
        max_delay=0.5, seed=11, searcher_kind="dict")
    assert num_kills >= 15 and num_searches >= 1
