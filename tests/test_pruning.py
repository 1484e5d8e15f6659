"""Tests of deep_architect.pruning: pruners, the reporter, and pruning inside run_search."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pruning_toys import (
    NUM_STEPS,
    CurveEvaluator,
    EveryOtherPruner,
    WaitForPruningEvaluator,
    curve_space,
)

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.pruning import (
    INTERMEDIATE_VALUES_FILENAME,
    Curve,
    HyperbandPruner,
    MedianPruner,
    Reporter,
    SuccessiveHalvingPruner,
    read_curve,
    read_curves,
)
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher

TESTS_FOLDERPATH = os.path.dirname(os.path.abspath(__file__))


def finished(i, values, pruned=False):
    return Curve(i, dict(enumerate(values)), finished=True, pruned=pruned)


def test_median_pruner_waits_for_startup_and_warmup_and_ignores_pruned():
    done = [finished(i, [v, v, v]) for i, v in enumerate([0.2, 0.4, 0.6])]
    low = Curve(9, {0: 0.1, 1: 0.3})
    assert MedianPruner(n_startup=3).should_prune(low, done)
    assert not MedianPruner(n_startup=4).should_prune(low, done)
    assert not MedianPruner(n_startup=3, n_warmup_steps=2).should_prune(low, done)
    assert not MedianPruner(n_startup=3, interval_steps=2).should_prune(low, done)
    assert not MedianPruner(n_startup=3).should_prune(Curve(9, {0: 0.5, 1: 0.45}), done)
    # Pruned and running evaluations are not part of the reference.
    others = done + [finished(5, [0.0, 0.0], pruned=True), Curve(6, {0: 0.0, 1: 0.0})]
    assert MedianPruner(n_startup=3).should_prune(Curve(9, {0: 0.35, 1: 0.35}), others)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12), st.floats(0, 1))
def test_median_pruner_keeps_whatever_beats_every_completed_curve(finals, own):
    done = [finished(i, [v, v]) for i, v in enumerate(finals)]
    curve = Curve(99, {0: own, 1: own})
    if own > max(finals):
        assert not MedianPruner(n_startup=1).should_prune(curve, done)
    if own < min(finals):
        assert MedianPruner(n_startup=1).should_prune(curve, done)


def test_successive_halving_decides_once_per_rung():
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    assert [pruner.rung_step(k) for k in range(4)] == [1, 2, 4, 8]
    rivals = [Curve(i, {0: v, 1: v, 2: v}) for i, v in enumerate([0.5, 0.6, 0.7])]
    assert pruner.should_prune(Curve(9, {0: 0.1, 1: 0.4}), rivals)      # rung 1, 4th of 4
    assert not pruner.should_prune(Curve(9, {0: 0.1, 1: 0.65}), rivals)  # 2nd of 4
    assert not pruner.should_prune(Curve(9, {0: 0.1}), rivals)          # before rung 1
    assert not pruner.should_prune(Curve(9, {1: 0.1, 2: 0.1, 3: 0.1}), rivals)  # between rungs
    # The first evaluation to reach a rung has no rival and goes on.
    assert not pruner.should_prune(Curve(9, {0: 0.0, 1: 0.0}), [])


def test_hyperband_brackets_compare_only_their_own_evaluations():
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    assert pruner.num_brackets == 3
    assert [pruner.brackets[b].rung_step(0) for b in range(3)] == [1, 3, 9]
    strong_elsewhere = [Curve(i, {0: 1.0, 1: 1.0}) for i in (1, 2, 4, 5)]
    assert not pruner.should_prune(Curve(3, {0: 0.0, 1: 0.0}), strong_elsewhere)
    strong_same = [Curve(i, {0: 1.0, 1: 1.0}) for i in (0, 6, 9)]
    assert pruner.should_prune(Curve(3, {0: 0.0, 1: 0.0}), strong_same)
    with pytest.raises(DeepArchitectError, match="reduction_factor"):
        HyperbandPruner(reduction_factor=1)
    with pytest.raises(DeepArchitectError, match="n_startup"):
        MedianPruner(n_startup=-1)
    with pytest.raises(DeepArchitectError, match="min_resource"):
        SuccessiveHalvingPruner(min_resource=0)


def test_reporter_appends_lines_and_readers_survive_a_torn_last_line(tmp_path):
    folder = tmp_path / "x3"
    folder.mkdir()
    reporter = Reporter(str(folder), attempt=1)
    assert not reporter.should_prune()
    reporter.report(0.25, 0)
    reporter.report(np.float32(0.5), 1)
    with open(folder / INTERMEDIATE_VALUES_FILENAME, "a") as f:
        f.write('{"step": 2, "val')  # a writer killed mid-line
    assert read_curve(str(folder)).values == {0: 0.25, 1: 0.5}
    # A new attempt starts a new curve; the old lines are kept in the file.
    Reporter(str(folder), attempt=1).report(0.75, 0)
    assert read_curve(str(folder)).values == {0: 0.75}
    lines = (folder / INTERMEDIATE_VALUES_FILENAME).read_text().count('"step"')
    assert lines == 4
    assert [c.evaluation_id for c in read_curves(str(tmp_path))] == [3]
    with pytest.raises(DeepArchitectError, match="finite number"):
        reporter.report(float("nan"), 3)
    with pytest.raises(DeepArchitectError, match="non-negative int"):
        reporter.report(0.5, -1)
    with pytest.raises(DeepArchitectError, match="before reporting any value"):
        Reporter(str(folder), attempt=2).pruned_results()


class RecordingSearcher(RandomSearcher):
    """Random search that remembers what update received."""

    def __init__(self, search_space_fn):
        RandomSearcher.__init__(self, search_space_fn)
        self.received = []

    def observe(self, val, token):
        self.received.append(val)


def read_logs(folderpath, search_name):
    return sl.read_search_folder(sl.get_search_folderpath(folderpath, search_name))


def test_pruned_evaluations_are_logged_marked_and_scored_by_their_last_value(tmp_path):
    np.random.seed(1)
    searcher = RecordingSearcher(curve_space)
    results = run_search(searcher, CurveEvaluator, 20, str(tmp_path), "s",
                         show_progress=False, pruner=MedianPruner(n_startup=3, n_warmup_steps=3))
    pruned = [r for r in results if r.get("pruned")]
    assert 3 <= len(pruned) < 20
    evaluations = sl.get_all_evaluations_folderpath(str(tmp_path), "s")
    for i, r in enumerate(results):
        curve = read_curve(os.path.join(evaluations, f"x{i}"))
        assert curve.pruned == bool(r.get("pruned"))
        last = curve.values[curve.last_step]
        assert r["validation_accuracy"] == last
        if r.get("pruned"):
            assert r["pruned_at_step"] == curve.last_step < NUM_STEPS - 1
            assert curve.last_step >= 3
    assert searcher.received == [r["validation_accuracy"] for r in results]


class OldStyleEvaluator:
    def eval(self, inputs, outputs):
        return {"validation_accuracy": 0.5}


class KeywordsEvaluator:
    def eval(self, inputs, outputs, **kwargs):
        kwargs["reporter"].report(0.5, 0)
        return {"validation_accuracy": 0.5}


def test_evaluators_without_a_reporter_argument_work_unchanged(tmp_path):
    np.random.seed(0)
    results = run_search(RandomSearcher(curve_space), OldStyleEvaluator, 3,
                         str(tmp_path), "old", show_progress=False, pruner=MedianPruner())
    assert [r["validation_accuracy"] for r in results] == [0.5] * 3
    evaluations = sl.get_all_evaluations_folderpath(str(tmp_path), "old")
    assert not os.path.exists(os.path.join(evaluations, "x0", INTERMEDIATE_VALUES_FILENAME))
    run_search(RandomSearcher(curve_space), KeywordsEvaluator, 1,
               str(tmp_path), "kw", show_progress=False)
    evaluations = sl.get_all_evaluations_folderpath(str(tmp_path), "kw")
    assert read_curve(os.path.join(evaluations, "x0")).values == {0: 0.5}


def test_two_pool_workers_see_each_others_reports(tmp_path):
    np.random.seed(0)
    with ProcessExecutor(num_workers=2) as executor:
        results = run_search(RandomSearcher(curve_space), WaitForPruningEvaluator,
                             4, str(tmp_path), "pool", executor=executor, show_progress=False,
                             pruner=EveryOtherPruner())
    assert [bool(r.get("pruned")) for r in results] == [False, True, False, True]
    assert all(r["pid"] != os.getpid() for r in results if not r.get("pruned"))


def test_pruning_resumes_after_the_master_is_killed(tmp_path):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [TESTS_FOLDERPATH] + ([environment["PYTHONPATH"]] if "PYTHONPATH" in environment else []))
    command = [sys.executable, "-c",
               "import sys, pruning_toys as t; t.resume_test_main(*sys.argv[1:])",
               str(tmp_path), "resumed", "8"]
    master = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE)
    evaluations = sl.get_all_evaluations_folderpath(str(tmp_path), "resumed")
    # Kill once evaluation 3 has reported a few values (so it is mid-way).
    target = os.path.join(evaluations, "x3", INTERMEDIATE_VALUES_FILENAME)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and master.poll() is None:
        if os.path.exists(target) and open(target).read().count('"step"') >= 3:
            break
        time.sleep(0.005)
    master.send_signal(signal.SIGKILL)
    master.communicate()
    killed_results = os.path.join(evaluations, "x3", "results.json")
    assert not os.path.exists(killed_results)
    master = subprocess.Popen(command, env=environment, stderr=subprocess.PIPE)
    _, stderr = master.communicate(timeout=120)
    assert master.returncode == 0, stderr.decode()
    logs = read_logs(str(tmp_path), "resumed")
    assert len(logs) == 8
    # The rerun of evaluation 3 started a second attempt in the same file.
    lines = [json.loads(line) for line in open(target) if line.strip().endswith("}")]
    assert sum("attempt" in line for line in lines) == 2
    # Every pruned evaluation was below the median of the completed ones at its step.
    curves = read_curves(evaluations)
    for curve in curves:
        if curve.pruned:
            step = curve.last_step
            assert step >= 2
            reference = [c.best_up_to(step) for c in curves
                         if c.finished and not c.pruned and c.evaluation_id != curve.evaluation_id]
            assert curve.best_up_to(step) <= max(reference)
    assert any(c.pruned for c in curves)
