"""Hostile or stale search folders: nothing escapes, nothing piles up."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from search_loop_toys import (
    CountingSearcher,
    StatelessCountingSearcher,
    search_space,
    toy_evaluator,
)

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError
from deep_architect.search_loop import run_search, space_fingerprint
from deep_architect.searchers.random import RandomSearcher


def _run(folder, name, num_samples, space=search_space, searcher=None, **kwargs):
    searcher = CountingSearcher(space) if searcher is None else searcher
    return run_search(searcher, toy_evaluator(), num_samples, str(folder), name,
                      show_progress=False, **kwargs)


def _journal(folder, name):
    return os.path.join(sl.get_search_data_folderpath(str(folder), name), "search_loop")


@pytest.mark.parametrize("name", ["../x", "..", "", "a/../../x", os.path.abspath("/tmp/abs"),
                                  "a//b", None])
def test_search_names_leaving_the_folder_are_rejected(tmp_path, name):
    inside = tmp_path / "inside"
    with pytest.raises(DeepArchitectError, match="search_name .* must be a relative folder"):
        _run(inside, name, 1)
    with pytest.raises(DeepArchitectError, match="must be a relative folder"):
        sl.SearchLogger(str(inside), name)
    assert sorted(os.listdir(tmp_path)) == []


def test_nested_relative_search_names_are_accepted(tmp_path):
    assert len(_run(tmp_path, "bench/rep0", 1)) == 1


def test_journal_temp_file_never_follows_a_planted_symlink(tmp_path):
    _run(tmp_path, "s", 1)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    journal = _journal(tmp_path, "s")
    for name in ("checkpoint.json.tmp", ".checkpoint.json.tmp"):
        os.symlink(victim, os.path.join(journal, name))
    _run(tmp_path, "s", 3)
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_log_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        _run(tmp_path, "s", 1)
    finally:
        os.umask(old)
    evaluation = sl.get_evaluation_folderpath(str(tmp_path), "s", 0)
    for filepath in (os.path.join(evaluation, "config.json"),
                     os.path.join(evaluation, "results.json"),
                     os.path.join(_journal(tmp_path, "s"), "checkpoint.json")):
        assert os.stat(filepath).st_mode & 0o777 == mode, filepath


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_files_of_dead_writers_are_removed_on_resume(tmp_path):
    import socket

    _run(tmp_path, "s", 2)
    host, dead = socket.gethostname(), _dead_pid()
    evaluation = sl.get_evaluation_folderpath(str(tmp_path), "s", 1)
    data = sl.get_evaluation_data_folderpath(str(tmp_path), "s", 1)
    stale = [os.path.join(evaluation, f".tmp-{host}-{dead}-0123456789abcdef.results.json"),
             os.path.join(_journal(tmp_path, "s"),
                          f".tmp-{host}-{dead}-fedcba9876543210.checkpoint.json")]
    kept = [os.path.join(evaluation, f".tmp-{host}-{os.getpid()}-0123456789abcdef.x.json"),
            os.path.join(evaluation, f".tmp-otherhost-{dead}-0123456789abcdef.x.json"),
            os.path.join(data, f".tmp-{host}-{dead}-0123456789abcdef.x.json")]
    for filepath in stale + kept:
        with open(filepath, "w") as f:
            f.write("x" * 1000)
    _run(tmp_path, "s", 3)
    assert [os.path.exists(p) for p in stale] == [False, False]
    assert [os.path.exists(p) for p in kept] == [True, True, True]


def test_non_finite_results_are_written_as_strict_json(tmp_path):
    np = pytest.importorskip("numpy")
    ev = sl.SearchLogger(str(tmp_path), "s").get_evaluation_logger(0)
    ev.log_config([0], {})
    ev.log_results({"acc": 0.5, "loss": math.nan, "curve": [1.0, math.inf, -math.inf],
                    "np": np.float32("nan"), "arr": np.array([np.inf])})

    def reject(constant):
        raise AssertionError(f"non-strict JSON constant {constant}")

    with open(ev.results_filepath) as f:
        strict = json.loads(f.read(), parse_constant=reject)
    assert strict == {"acc": 0.5, "loss": "NaN", "curve": [1.0, "Infinity", "-Infinity"],
                      "np": "NaN", "arr": ["Infinity"]}


def test_evaluation_files_are_flushed_to_disk(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc") else fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    ev = sl.SearchLogger(str(tmp_path), "s").get_evaluation_logger(0)
    ev.log_config([0], {})
    ev.log_results({"acc": 0.5})
    assert len(synced) == 2
    assert all(".tmp-" in str(path) for path in synced)


def test_results_json_that_is_a_list_is_refused_on_resume(tmp_path):
    _run(tmp_path, "s", 2)
    results = sl.EvaluationLogger(str(tmp_path), "s", 1).results_filepath
    os.remove(results)
    with open(results, "w") as f:
        f.write("[1]")
    with pytest.raises(DeepArchitectError, match=r"results.json' holds a JSON list; expected"):
        _run(tmp_path, "s", 2)


def test_empty_pre_existing_search_folder_becomes_a_search(tmp_path):
    os.makedirs(tmp_path / "s")
    assert len(_run(tmp_path, "s", 2)) == 2
    os.makedirs(tmp_path / "t")
    (tmp_path / "t" / "notes.txt").write_text("mine")
    with pytest.raises(DeepArchitectError, match="exists but is not a search folder"):
        _run(tmp_path, "t", 1)


def test_malformed_journal_is_refused(tmp_path):
    _run(tmp_path, "s", 1)
    with open(os.path.join(_journal(tmp_path, "s"), "checkpoint.json"), "w") as f:
        f.write("[]")
    with pytest.raises(DeepArchitectError, match="journal .* is malformed"):
        _run(tmp_path, "s", 2)


def _other_space():
    return mo.siso_sequential(
        [mo.siso_optional(mo.identity, hp.Discrete([0, 1])) for _ in range(3)]
        + [mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))])


def test_space_fingerprint_is_stable_and_sensitive():
    searcher = CountingSearcher(search_space)
    assert space_fingerprint(search_space, searcher) == space_fingerprint(search_space, searcher)
    assert space_fingerprint(search_space, searcher) != space_fingerprint(_other_space, searcher)
    assert space_fingerprint(search_space, searcher) != space_fingerprint(
        search_space, RandomSearcher(search_space))


@pytest.mark.parametrize("change", ["space", "searcher"])
def test_resuming_with_another_space_or_searcher_is_refused(tmp_path, change):
    _run(tmp_path, "s", 2)
    space = _other_space if change == "space" else search_space
    searcher = RandomSearcher(space) if change == "searcher" else None
    with pytest.raises(DeepArchitectError,
                       match="different search space or searcher type .*resume=False.*"
                             "fresh search_name.*overwrite=True"):
        _run(tmp_path, "s", 4, space=space, searcher=searcher)
    assert len(sl.list_evaluation_ids(sl.get_search_folderpath(str(tmp_path), "s"))) == 2
    # The ways out the message names.
    assert len(_run(tmp_path, "t", 1, space=space, searcher=searcher)) == 1
    assert len(_run(tmp_path, "s", 1, space=space, searcher=searcher, overwrite=True)) == 1
    assert len(_run(tmp_path, "s", 1, searcher=CountingSearcher(search_space),
                    resume=False)) == 1
    aside = [name for name in os.listdir(tmp_path) if name.startswith("s.")]
    assert len(aside) == 1
    assert sl.list_evaluation_ids(os.path.join(tmp_path, aside[0])) == [0]


def test_resuming_a_searcher_without_save_state_warns_and_replays(tmp_path):
    _run(tmp_path, "s", 2, searcher=StatelessCountingSearcher(search_space))
    searcher = StatelessCountingSearcher(search_space)
    with pytest.warns(UserWarning, match="has no save_state; resuming search 's' by replaying "
                                         "its 2 logged results"):
        _run(tmp_path, "s", 3, searcher=searcher)
    assert len(searcher.updates) == 3


def test_misspelt_metric_stops_the_search(tmp_path):
    with pytest.raises(DeepArchitectError,
                       match=r"evaluation 0 returned no 'val_acc' entry \(keys: .*"
                             r"'validation_accuracy'.*misspelt"):
        _run(tmp_path, "s", 5, metric="val_acc")
    evaluations = sl.get_all_evaluations_folderpath(str(tmp_path), "s")
    assert os.listdir(evaluations) == ["x0"]
