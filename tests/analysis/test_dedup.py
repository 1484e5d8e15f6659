"""run_search(dedup=True) and Deduplicator never evaluate one architecture twice."""

from __future__ import annotations

import os

import pytest
from toy import op

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.analysis import Deduplicator
from deep_architect.analysis.dedup import DEDUPLICATED_KEY
from deep_architect.errors import DeepArchitectError
from deep_architect.search_loop import is_failed_results, run_search
from deep_architect.searchers.random import RandomSearcher


def two_shapes_space():
    """Eight value lists, two architectures: an identity, or an identity then Pass."""
    return mo.siso_sequential([
        mo.siso_optional(mo.identity, hp.Bool()),
        mo.siso_or([mo.identity, mo.identity], hp.Bool()),
        mo.siso_optional(lambda: op("Pass"), hp.Bool()),
    ])


class CountingEvaluator:
    """Scores by architecture and leaves one file per call in ``folder``."""

    def __init__(self, folder, fail=False):
        self.folder = folder
        self.fail = fail

    def eval(self, inputs, outputs):
        n = len(os.listdir(self.folder))
        open(os.path.join(self.folder, "call%d" % n), "w").close()
        if self.fail:
            raise RuntimeError("this evaluation breaks")
        names = [m.get_name() for m in _modules(outputs)]
        return {"validation_accuracy": 1.0 if any("Pass" in n for n in names) else 0.5}


def _modules(outputs):
    import deep_architect.core as co

    return co.get_modules_with_cond(outputs, lambda m: True)


class RecordingSearcher(RandomSearcher):
    def __init__(self, *args, **kwargs):
        RandomSearcher.__init__(self, *args, **kwargs)
        self.updates = []

    def update(self, val, token):
        self.updates.append(val)
        RandomSearcher.update(self, val, token)


def test_run_search_trains_each_architecture_once(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    searcher = RecordingSearcher(two_shapes_space, rng=0)
    results = run_search(searcher, CountingEvaluator(str(calls)), 12, str(tmp_path),
                         "s", dedup=True, show_progress=False)
    assert len(os.listdir(calls)) == 2
    reused = [r for r in results if DEDUPLICATED_KEY in r]
    assert len(reused) == 10
    trained = {i for i, r in enumerate(results) if DEDUPLICATED_KEY not in r}
    assert {r[DEDUPLICATED_KEY] for r in reused} <= trained
    for r in reused:
        assert r["validation_accuracy"] == results[r[DEDUPLICATED_KEY]]["validation_accuracy"]
    assert searcher.updates == [r["validation_accuracy"] for r in results]
    # The marker is in the evaluation's folder on disk, not only in memory.
    logged = sl.read_search_folder(str(tmp_path / "s"))
    assert sum(DEDUPLICATED_KEY in e["results"] for e in logged) == 10


def test_without_dedup_every_sample_is_trained(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    run_search(RandomSearcher(two_shapes_space, rng=0), CountingEvaluator(str(calls)), 6,
               str(tmp_path), "s", show_progress=False)
    assert len(os.listdir(calls)) == 6


def test_dedup_survives_a_resume(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    evaluator = CountingEvaluator(str(calls))
    run_search(RandomSearcher(two_shapes_space, rng=1), evaluator, 5, str(tmp_path), "s",
               dedup=True, show_progress=False)
    first = len(os.listdir(calls))
    run_search(RandomSearcher(two_shapes_space, rng=2), evaluator, 20, str(tmp_path), "s",
               dedup=True, show_progress=False)
    assert first <= 2 and len(os.listdir(calls)) == 2


def test_duplicates_of_running_evaluations_wait_on_two_workers(tmp_path):
    from deep_architect.executors.process_pool import ProcessExecutor

    calls = tmp_path / "calls"
    calls.mkdir()
    results = run_search(RecordingSearcher(two_shapes_space, rng=3),
                         CountingEvaluator(str(calls)), 10, str(tmp_path), "s", dedup=True,
                         executor=ProcessExecutor(2), show_progress=False)
    assert len(os.listdir(calls)) == 2
    assert sum(DEDUPLICATED_KEY in r for r in results) == 8


def test_failed_evaluations_are_not_reused(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    results = run_search(RandomSearcher(lambda: mo.identity(), rng=0),
                         CountingEvaluator(str(calls), fail=True), 3, str(tmp_path), "s",
                         dedup=True, show_progress=False)
    assert all(is_failed_results(r) for r in results)
    assert len(os.listdir(calls)) == 3


def test_dedup_must_be_a_bool(tmp_path):
    with pytest.raises(DeepArchitectError, match="dedup must be True or False"):
        run_search(RandomSearcher(two_shapes_space), CountingEvaluator(str(tmp_path)), 1,
                   str(tmp_path), "s", dedup="yes", show_progress=False)


def test_deduplicator_in_a_hand_written_loop():
    searcher = RandomSearcher(two_shapes_space, rng=0)
    dedup = Deduplicator()
    trainings = 0
    for _ in range(20):
        inputs, outputs, _, token = searcher.sample()
        results = dedup.lookup(inputs, outputs)
        if results is None:
            trainings += 1
            results = {"validation_accuracy": 0.5}
            dedup.add(inputs, outputs, results)
        searcher.update(results["validation_accuracy"], token)
    assert trainings == len(dedup) == 2 and dedup.num_reused == 18
