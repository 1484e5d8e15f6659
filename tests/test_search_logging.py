"""Tests for deep_architect.search_logging: layout, formats, crash safety, readers."""
from __future__ import annotations

import json
import os
import shutil
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "original_logs")


def _files_under(folderpath):
    out = []
    for root, _, files in os.walk(folderpath):
        out.extend(os.path.relpath(os.path.join(root, f), folderpath) for f in files)
    return sorted(out)


# ---------------------------------------------------------------------------
# Layout and formats
# ---------------------------------------------------------------------------


def test_path_helpers():
    j = os.path.join
    assert sl.get_search_folderpath("logs", "s") == j("logs", "s")
    assert sl.get_search_data_folderpath("logs", "s") == j("logs", "s", "search_data")
    assert sl.get_all_evaluations_folderpath("logs", "s") == j("logs", "s", "evaluations")
    assert sl.get_evaluation_folderpath("logs", "s", 12) == j("logs", "s", "evaluations", "x12")
    assert sl.get_evaluation_data_folderpath("logs", "s", 0) == j(
        "logs", "s", "evaluations", "x0", "eval_data"
    )


def test_search_logger_layout_and_file_formats(tmp_path):
    logger = sl.SearchLogger(str(tmp_path / "logs"), "run")
    ev = logger.get_evaluation_logger(3)
    ev.log_config([0, 2, "relu"], {"tree_hist": [1]})
    ev.log_results({"validation_accuracy": 0.5, "num_parameters": 10})
    search = str(tmp_path / "logs" / "run")
    assert sorted(os.listdir(search)) == ["evaluations", "search_data"]
    assert _files_under(search) == ["evaluations/x3/config.json", "evaluations/x3/results.json"]
    assert os.path.isdir(os.path.join(search, "evaluations", "x3", "eval_data"))
    with open(ev.config_filepath) as f:
        text = f.read()
    expected = {"hyperp_value_lst": [0, 2, "relu"], "searcher_evaluation_token": {"tree_hist": [1]}}
    assert text == json.dumps(expected, indent=4)
    assert list(json.loads(text)) == ["hyperp_value_lst", "searcher_evaluation_token"]
    assert ev.read_config() == expected
    assert ev.read_results() == {"validation_accuracy": 0.5, "num_parameters": 10}
    assert ev.get_evaluation_folderpath() == os.path.join(search, "evaluations", "x3")
    assert ev.get_evaluation_data_folderpath() == os.path.join(
        search, "evaluations", "x3", "eval_data"
    )
    assert logger.get_search_folderpath() == search
    assert logger.get_search_data_folderpath() == os.path.join(search, "search_data")
    assert logger.get_all_evaluations_folderpath() == os.path.join(search, "evaluations")


def test_written_files_match_the_original_format_byte_for_byte(tmp_path):
    original = os.path.join(FIXTURE, "cifar", "mcts_run", "evaluations", "x0")
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    config = sl.read_evaluation_folder(original)["config"]
    ev.log_config(config["hyperp_value_lst"], config["searcher_evaluation_token"])
    ev.log_results(sl.read_evaluation_folder(original)["results"])
    for name in ["config.json", "results.json"]:
        with (
            open(os.path.join(original, name)) as f1,
            open(os.path.join(ev.evaluation_folderpath, name)) as f2,
        ):
            assert f1.read().rstrip("\n") == f2.read()


def test_create_search_folderpath_flags(tmp_path):
    folder = str(tmp_path)
    search = os.path.join(folder, "s")
    with pytest.raises(DeepArchitectError, match="exclude each other"):
        sl.create_search_folderpath(folder, "s", abort_if_exists=True, delete_if_exists=True)
    sl.create_search_folderpath(folder, "s", abort_if_exists=True)
    assert sorted(os.listdir(search)) == ["evaluations", "search_data"]
    marker = os.path.join(search, "search_data", "state.json")
    open(marker, "w").close()
    sl.create_search_folderpath(folder, "s")  # reused as is
    assert os.path.exists(marker)
    with pytest.raises(DeepArchitectError, match="already exists"):
        sl.create_search_folderpath(folder, "s", abort_if_exists=True)
    sl.create_search_folderpath(folder, "s", delete_if_exists=True)
    assert not os.path.exists(marker)
    with pytest.raises(DeepArchitectError, match="parent folder"):
        sl.create_search_folderpath(os.path.join(folder, "a", "b"), "s")
    sl.create_search_folderpath(os.path.join(folder, "a", "b"), "s", create_parent_folders=True)
    assert os.path.isdir(os.path.join(folder, "a", "b", "s", "evaluations"))


def test_search_logger_defaults_abort_if_exists(tmp_path):
    sl.SearchLogger(str(tmp_path), "s")
    with pytest.raises(DeepArchitectError, match="already exists"):
        sl.SearchLogger(str(tmp_path), "s")
    sl.SearchLogger(str(tmp_path), "s", abort_if_exists=False)
    sl.SearchLogger(str(tmp_path), "s", abort_if_exists=False, delete_if_exists=True)


def test_evaluation_logger_flags_and_standalone_use(tmp_path):
    with pytest.raises(DeepArchitectError, match="does not exist"):
        sl.EvaluationLogger(str(tmp_path), "s", 0, abort_if_notexists=True)
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)  # creates parents, not search_data
    assert os.path.isdir(ev.evaluation_data_folderpath)
    assert not os.path.exists(os.path.join(str(tmp_path), "s", "search_data"))
    with pytest.raises(DeepArchitectError, match="already exists"):
        sl.EvaluationLogger(str(tmp_path), "s", 0, abort_if_exists=True)
    sl.EvaluationLogger(str(tmp_path), "s", 0, abort_if_notexists=True)
    with pytest.raises(DeepArchitectError, match="non-negative int"):
        sl.EvaluationLogger(str(tmp_path), "s", -1)


def test_write_once_and_config_before_results(tmp_path):
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    assert not ev.config_exists() and not ev.results_exist()
    with pytest.raises(DeepArchitectError, match="before its config"):
        ev.log_results({"validation_accuracy": 1.0})
    assert not ev.results_exist()
    with pytest.raises(DeepArchitectError, match="no config"):
        ev.read_config()
    ev.log_config([1], {})
    with pytest.raises(DeepArchitectError, match="written only once"):
        ev.log_config([2], {})
    assert ev.read_config()["hyperp_value_lst"] == [1]
    with pytest.raises(DeepArchitectError, match="must be a dict"):
        ev.log_results([0.5])
    ev.log_results({"validation_accuracy": 0.5})
    with pytest.raises(DeepArchitectError, match="written only once"):
        ev.log_results({"validation_accuracy": 0.7})
    assert ev.read_results() == {"validation_accuracy": 0.5}


def test_numpy_values_are_converted_and_unserialisable_values_refused(tmp_path):
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    ev.log_config([np.int64(3), np.float32(0.5)], {"node": np.int32(2)})
    ev.log_results({"acc": np.float64(0.25), "curve": np.arange(3)})
    assert ev.read_config() == {
        "hyperp_value_lst": [3, 0.5],
        "searcher_evaluation_token": {"node": 2},
    }
    assert ev.read_results() == {"acc": 0.25, "curve": [0, 1, 2]}
    ev2 = sl.EvaluationLogger(str(tmp_path), "s", 1)
    with pytest.raises(DeepArchitectError, match="not JSON serialisable"):
        ev2.log_config([object()], {})
    assert not ev2.config_exists()


# Non-finite floats are written as strings (strict JSON), so they do not round-trip.
json_scalars = (st.none() | st.booleans() | st.integers()
                | st.floats(allow_nan=False, allow_infinity=False) | st.text())
json_values = st.recursive(
    json_scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(), c, max_size=3),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(json_scalars, max_size=5),
            st.dictionaries(st.text(), json_values, max_size=3),
            st.dictionaries(st.text(), json_values, max_size=3),
        ),
        max_size=4,
    )
)
def test_readers_return_what_was_written(tmp_path_factory, evaluations):
    folder = str(tmp_path_factory.mktemp("logs"))
    logger = sl.SearchLogger(folder, "s")
    for i, (vs, token, results) in enumerate(evaluations):
        ev = logger.get_evaluation_logger(i)
        ev.log_config(vs, token)
        ev.log_results(results)
    logs = sl.read_search_folder(logger.get_search_folderpath())
    assert logs == [
        {"config": {"hyperp_value_lst": vs, "searcher_evaluation_token": tok}, "results": res}
        for vs, tok, res in evaluations
    ]


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------


def _write(logger, i, acc, with_results=True):
    ev = logger.get_evaluation_logger(i)
    ev.log_config([i], {"i": i})
    if with_results:
        ev.log_results({"validation_accuracy": acc})
    return ev


def test_read_search_folder_orders_numerically_and_stops_at_gap(tmp_path):
    logger = sl.SearchLogger(str(tmp_path), "s")
    for i in [11, 2, 0, 10, 1, 3, 4, 5, 6, 7, 8, 9, 13]:
        _write(logger, i, i / 100)
    logs = sl.read_search_folder(logger.get_search_folderpath())
    assert [log["config"]["hyperp_value_lst"][0] for log in logs] == list(range(12))
    assert sl.list_evaluation_ids(logger.get_search_folderpath()) == list(range(12)) + [13]


def test_empty_search_and_not_a_search_folder(tmp_path):
    logger = sl.SearchLogger(str(tmp_path), "s")
    assert sl.read_search_folder(logger.get_search_folderpath()) == []
    assert not sl.is_search_log_folder(logger.get_search_folderpath())
    with pytest.raises(DeepArchitectError, match="not a search folder.*evaluations"):
        sl.read_search_folder(str(tmp_path))
    with pytest.raises(DeepArchitectError, match="no search folder"):
        sl.read_search_folder(str(tmp_path / "missing"))
    with pytest.raises(DeepArchitectError, match="no evaluation folder"):
        sl.read_evaluation_folder(str(tmp_path / "missing"))


def test_original_fixture_reads_back_unchanged(tmp_path):
    root = str(tmp_path / "original_logs")
    shutil.copytree(FIXTURE, root)
    before = {p: open(os.path.join(root, p)).read() for p in _files_under(root)}
    mcts = os.path.join(root, "cifar", "mcts_run")
    random_run = os.path.join(root, "cifar", "random_run")
    assert sl.recursive_list_log_folders(root) == [mcts, random_run]
    assert sl.recursive_list_log_folders(mcts) == [mcts]
    # x2 was interrupted between config and results.
    with pytest.raises(FileNotFoundError, match="x2.*results.json"):
        sl.read_search_folder(mcts)
    logs = sl.read_search_folder(mcts, tolerant=True)
    assert [sorted(log) for log in logs] == [["config", "results"]] * 2 + [["config"]]
    assert logs[0]["config"] == {
        "hyperp_value_lst": [0, 2, 1, 5, 4, 4],
        "searcher_evaluation_token": {"tree_hist": [1], "rollout_hist": [1, 0, 0]},
    }
    assert logs[1]["results"]["validation_accuracy"] == 0.90625
    assert logs[1]["config"]["hyperp_value_lst"][-1] == "relu"
    assert sl.get_incomplete_evaluation_ids(mcts) == [2]
    assert sl.read_search_folder(random_run) == [
        {
            "config": {"hyperp_value_lst": [1, 0], "searcher_evaluation_token": {}},
            "results": {"validation_accuracy": 0.5},
        }
    ]
    # Nothing was modified by reading.
    assert {p: open(os.path.join(root, p)).read() for p in _files_under(root)} == before


def test_recursive_read_search_folders(tmp_path):
    for name in ["b", "a", ".hidden"]:
        logger = sl.SearchLogger(str(tmp_path / "group"), name)
        _write(logger, 0, 0.1)
        _write(logger, 1, 0.2)
    nested = sl.SearchLogger(str(tmp_path / "group" / "deeper"), "c")
    _write(nested, 0, 0.3)
    out = sl.recursive_read_search_folders(str(tmp_path))
    group = str(tmp_path / "group")
    assert [d["search_folderpath"] for d in out] == [
        os.path.join(group, "a"),
        os.path.join(group, "b"),
        os.path.join(group, "deeper", "c"),
    ]
    assert [d["num_logs"] for d in out] == [2, 2, 1]
    assert out[2]["log_lst"][0]["results"] == {"validation_accuracy": 0.3}


# ---------------------------------------------------------------------------
# Crash safety and bad input
# ---------------------------------------------------------------------------


def test_corrupt_json_is_named_and_rest_stays_readable(tmp_path):
    logger = sl.SearchLogger(str(tmp_path), "s")
    for i in range(3):
        _write(logger, i, i / 10)
    bad = os.path.join(logger.get_all_evaluations_folderpath(), "x1", "results.json")
    with open(bad, "w") as f:
        f.write('{"validation_accuracy": 0.')
    search = logger.get_search_folderpath()
    with pytest.raises(DeepArchitectError, match=r"x1.*results\.json.*not valid JSON"):
        sl.read_search_folder(search)
    with pytest.warns(UserWarning, match="results.json"):
        logs = sl.read_search_folder(search, tolerant=True)
    assert [log.get("results") for log in logs] == [
        {"validation_accuracy": 0.0},
        None,
        {"validation_accuracy": 0.2},
    ]
    x2 = os.path.join(logger.get_all_evaluations_folderpath(), "x2")
    assert sl.read_evaluation_folder(x2)["results"] == {"validation_accuracy": 0.2}


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    ev.log_config([1], {})

    def crash(src, dst):
        raise KeyboardInterrupt  # interrupted after the temporary file was written

    monkeypatch.setattr(os, "link", crash)
    with pytest.raises(KeyboardInterrupt):
        ev.log_results({"validation_accuracy": 1.0})
    monkeypatch.undo()
    # No partial results.json and no temporary file left behind; resume logic sees x0 incomplete.
    assert sorted(os.listdir(ev.evaluation_folderpath)) == ["config.json", "eval_data"]
    assert sl.get_incomplete_evaluation_ids(str(tmp_path / "s")) == [0]
    ev.log_results({"validation_accuracy": 1.0})
    assert sl.get_incomplete_evaluation_ids(str(tmp_path / "s")) == []


def test_racing_writers_exactly_one_config_wins(tmp_path):
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    outcomes = []
    barrier = threading.Barrier(8)

    def writer(k):
        barrier.wait()
        try:
            sl.EvaluationLogger(str(tmp_path), "s", 0).log_config([k] * 2000, {"k": k})
            outcomes.append(k)
        except DeepArchitectError:
            outcomes.append(None)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [k for k in outcomes if k is not None]
    assert len(winners) == 1
    assert ev.read_config() == {
        "hyperp_value_lst": [winners[0]] * 2000,
        "searcher_evaluation_token": {"k": winners[0]},
    }
    assert sorted(os.listdir(ev.evaluation_folderpath)) == ["config.json", "eval_data"]


def test_reader_never_sees_partial_json(tmp_path):
    logger = sl.SearchLogger(str(tmp_path), "s")
    search = logger.get_search_folderpath()
    big = {"curve": list(range(20000))}
    done = threading.Event()
    errors = []

    def reader():
        while not done.is_set():
            try:
                for log in sl.read_search_folder(search, tolerant=True):
                    assert log.get("results", big) == big
            except Exception as e:  # noqa: BLE001 - any failure is a test failure
                errors.append(e)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(15):
        ev = logger.get_evaluation_logger(i)
        ev.log_config([i], {})
        ev.log_results(big)
    done.set()
    t.join()
    assert errors == []
    assert len(sl.read_search_folder(search)) == 15


def test_evaluation_timestamps(tmp_path):
    ev = sl.EvaluationLogger(str(tmp_path), "s", 0)
    assert sl.get_evaluation_timestamps(ev.evaluation_folderpath) == {
        "config": None,
        "results": None,
    }
    ev.log_config([1], {})
    ev.log_results({})
    ts = sl.get_evaluation_timestamps(ev.evaluation_folderpath)
    assert ts["config"] <= ts["results"]
