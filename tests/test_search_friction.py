"""Friction of a first real search: names in logs, drawings by default."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from search_loop_toys import CountingSearcher, toy_evaluator

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.report as rp
import deep_architect.search_logging as sl
from deep_architect.search_loop import run_search
from deep_architect.specify import specify, specify_and_name


def named_space():
    """Importable (module level), so run_search records it for the report."""
    return mo.siso_sequential([
        mo.siso_optional(mo.identity, hp.Discrete([0, 1], name="use_skip")),
        mo.siso_repeat(mo.identity, hp.Discrete([1, 2], name="depth")),
    ])


def _search(tmp_path, space=named_space, num_samples=3):
    run_search(CountingSearcher(space), toy_evaluator(), num_samples, str(tmp_path), "s",
               show_progress=False)
    return sl.get_search_folderpath(str(tmp_path), "s")


def test_specify_and_name_returns_the_names_in_value_list_order():
    _, outputs = mo.SearchSpaceFactory(named_space).get_search_space()
    # Values go to the hyperparameters in backward traversal order.
    assert specify_and_name(outputs, [2, 1]) == ["H.depth-0", "H.use_skip-0"]


def test_config_logs_hyperparameter_names_beside_the_values(tmp_path):
    folder = _search(tmp_path)
    for log in sl.read_search_folder(folder):
        config = log["config"]
        assert config["hyperp_names"] == ["H.depth-0", "H.use_skip-0"]
        assert len(config["hyperp_value_lst"]) == 2
        # The original's keys are unchanged: the values still replay.
        _, outputs = mo.SearchSpaceFactory(named_space).get_search_space()
        specify(outputs, config["hyperp_value_lst"])


def test_report_table_shows_names_and_draws_from_the_recorded_space(tmp_path):
    folder = _search(tmp_path)
    recorded = sl.recorded_search_space(folder)
    assert recorded == f"{__name__}:named_space"
    index = rp.generate_report(folder, str(tmp_path / "out"))
    page = open(index).read()
    assert "H.use_skip-0=" in page and "H.depth-0=" in page
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' not installed: no drawings to check")
    images = os.listdir(tmp_path / "out" / "images")
    assert {"x0-graph.svg", "x1-graph.svg", "x2-graph.svg"} <= set(images)


def test_lambdas_and_main_functions_are_not_recorded(tmp_path):
    folder = _search(tmp_path, space=lambda: named_space())
    assert sl.recorded_search_space(folder) is None


def test_report_drawings_leave_identity_modules_out(tmp_path):
    folder = _search(tmp_path, num_samples=1)
    # x0's architecture, drawn with and without identities.
    _, outputs = mo.SearchSpaceFactory(named_space).get_search_space()
    config = sl.read_search_folder(folder)[0]["config"]
    specify(outputs, config["hyperp_value_lst"])
    rp._architecture_images(  # the report's drawing step, on a copy of the row
        {"id": 0, "folderpath": sl.get_evaluation_folderpath(str(tmp_path), "s", 0),
         "hyperp_value_lst": config["hyperp_value_lst"]}, str(tmp_path), named_space)
    dot = (tmp_path / "x0-graph.dot").read_text()
    assert "Identity" not in dot.replace("M.Identity-0", "")  # only the graph's entry remains
    assert dot.count("M.Identity-0") >= 1


def test_unimportable_recorded_space_only_costs_the_drawings(tmp_path, capsys):
    folder = _search(tmp_path, num_samples=1)
    filepath = os.path.join(folder, "search_data", "search_space.json")
    with open(filepath, "w") as f:
        json.dump({"search_space": "no_such_module_xyz:space"}, f)
    rp.generate_report(folder, str(tmp_path / "out"))
    assert "no architecture drawings from the recorded search space" in capsys.readouterr().err
