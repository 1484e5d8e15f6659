"""Runs every example of examples/mnist, mnist_with_logging, benchmarks and hardware_aware
end to end, each in a subprocess with a small config, from a temporary working folder."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")


def run_example(name, cfg, cwd, expect_ok=True, script="main.py"):
    cfg_path = os.path.join(str(cwd), "%s_config.json" % name.replace("/", "_"))
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    env.pop("KERAS_BACKEND", None)
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name, script),
                           "--config_filepath", cfg_path], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=600)
    if expect_ok:
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def debug_config(name):
    with open(os.path.join(EXAMPLES, name, "configs", "debug.json")) as f:
        return json.load(f)


def test_shipped_configs_are_valid_json_with_the_documented_keys():
    for name in ["mnist", "mnist_with_logging", "benchmarks", "hardware_aware"]:
        folder = os.path.join(EXAMPLES, name, "configs")
        for fname in sorted(os.listdir(folder)):
            with open(os.path.join(folder, fname)) as f:
                cfg = json.load(f)
            assert "dataset" in cfg and "num_samples" in cfg, (name, fname)
    assert debug_config("mnist_with_logging")["dataset"] == "digits"


def test_mnist_example(tmp_path):
    cfg = dict(debug_config("mnist"), num_samples=2, max_eval_time_in_minutes=0.03)
    out = run_example("mnist", cfg, tmp_path).stdout
    assert "sample 0: validation accuracy" in out and "sample 1: validation accuracy" in out


def test_mnist_example_without_mnist_files_says_where_to_put_them(tmp_path):
    cfg = dict(debug_config("mnist"), dataset="mnist", data_dir="no_such_folder")
    proc = run_example("mnist", cfg, tmp_path, expect_ok=False)
    assert proc.returncode != 0
    assert "train-images-idx3-ubyte" in proc.stderr and "no_such_folder" in proc.stderr


@pytest.mark.parametrize("script", ["main.py", "own_loop.py"])
def test_mnist_with_logging_logs_draws_prints_best_and_resumes(tmp_path, script):
    # main.py runs the search with run_search; own_loop.py is the hand-written loop.
    cfg = dict(debug_config("mnist_with_logging"), num_samples=2, max_eval_time_in_minutes=0.05,
               folderpath="logs/mnist")
    out = run_example("mnist_with_logging", cfg, tmp_path, script=script).stdout
    evaluations = tmp_path / "logs" / "mnist" / "debug" / "evaluations"
    for i in range(2):
        folder = evaluations / ("x%d" % i)
        config = json.loads((folder / "config.json").read_text())
        # run_search adds the hyperparameter names; the original's keys are all there.
        assert set(config) - {"hyperp_names"} == {"hyperp_value_lst", "searcher_evaluation_token"}
        results = json.loads((folder / "results.json").read_text())
        assert 0.0 <= results["validation_accuracy"] <= 1.0 and "test_accuracy" in results
        assert (folder / "eval_data" / "graph.dot").stat().st_size > 0
    search_data = tmp_path / "logs" / "mnist" / "debug" / "search_data"
    assert search_data.is_dir()
    assert (search_data / "search_loop").is_dir() == (script == "main.py")
    assert "Best architecture: evaluation" in out
    assert os.path.join("logs", "mnist", "debug", "evaluations", "x") in out

    if script == "own_loop.py":
        return  # one run is enough for the hand-written loop; resuming is checked on the demo
    # Resuming a longer search keeps the logged evaluations and runs only the new one.
    before = (evaluations / "x0" / "results.json").read_text()
    cfg.update(num_samples=3, delete_if_exists=0)
    out = run_example("mnist_with_logging", cfg, tmp_path).stdout
    assert "evaluation 2:" in out and "evaluation 0:" not in out
    assert (evaluations / "x0" / "results.json").read_text() == before
    assert (evaluations / "x2" / "results.json").exists()


def test_benchmarks_example_writes_both_tables(tmp_path):
    pytest.importorskip("torch")
    cfg = dict(debug_config("benchmarks"), num_samples=2, num_repetitions=1,
               max_eval_time_in_minutes=0.02, max_num_training_epochs=1, draw_graphs=1,
               table1_search_space_lst=["genetic", "nasbench"],
               table2_searcher_lst=["random", "evolution"])
    out = run_example("benchmarks", cfg, tmp_path).stdout
    assert "Table 1: random search on each search space" in out
    assert "| nasbench |" in out and "| evolution |" in out
    root = tmp_path / "logs" / "benchmarks" / "debug"
    tables = json.loads((root / "tables.json").read_text())
    assert set(tables["table1"]) == {"genetic", "nasbench"}
    assert set(tables["table2"]) == {"random", "evolution"}
    assert all(len(v) == 1 and 0 <= v[0] <= 1 for v in tables["table1"].values())
    assert (root / "tables.md").exists() and (root / "table1.png").stat().st_size > 1000
    assert (root / "table2.png").stat().st_size > 1000
    x1 = root / "genetic" / "evolution" / "rep0" / "evaluations" / "x1"
    assert (x1 / "results.json").exists() and (x1 / "eval_data" / "graph.dot").exists()


def test_optuna_style_example_prunes_with_intermediate_values(tmp_path):
    pytest.importorskip("optuna")
    pytest.importorskip("torch")
    cfg = debug_config("optuna_style")
    out = run_example("optuna_style", cfg, tmp_path).stdout
    lines = [line for line in out.splitlines() if line.startswith("evaluation ")]
    assert len(lines) == cfg["num_samples"] and "best: evaluation" in out
    evaluations = tmp_path / cfg["folderpath"] / cfg["search_name"] / "evaluations"
    for i in range(cfg["num_samples"]):
        logged = (evaluations / f"x{i}" / "intermediate_values.jsonl").read_text()
        assert logged.count('"step"') >= cfg["pruner_n_warmup_steps"] + 1
    # Pruned evaluations stopped before the last epoch; complete ones reached it.
    for line in lines:
        assert ("pruned at epoch" in line) != line.endswith("(complete)")


def test_hardware_aware_example_measures_searches_under_budget_and_reports(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    cfg = debug_config("hardware_aware")
    assert cfg["dataset"] == "digits" and cfg["num_samples"] >= 2
    out = run_example("hardware_aware", cfg, tmp_path).stdout
    table = json.loads((tmp_path / cfg["latency_table_filepath"]).read_text())
    assert table["format"] == "deep_architect.latency_table" and table["entries"]
    search = tmp_path / cfg["folderpath"] / cfg["search_name"]
    results = [json.loads((search / "evaluations" / ("x%d" % i) / "results.json").read_text())
               for i in range(cfg["num_samples"])]
    for r in results:
        assert 0 <= r["validation_accuracy"] <= 1 and r["latency_ms"] <= cfg["max_latency_ms"]
        assert r["penalized_accuracy"] <= r["validation_accuracy"]
    assert "architectures rejected before training" in out and "Pareto front (" in out
    report = search / "report"
    assert (report / "images" / "pareto.png").stat().st_size > 1000
    page = (report / "index.html").read_text()
    assert 'id="plot-pareto"' in page and ">latency_ms</th>" in page


def test_oneshot_example_derived_architecture_beats_the_random_median(tmp_path):
    cfg = debug_config("oneshot")
    out = run_example("oneshot", cfg, tmp_path).stdout
    derived, median = map(float, re.search(
        r"derived validation accuracy ([\d.]+) vs random median ([\d.]+) \(10 architectures\)",
        out).groups())
    assert derived >= median
    search = tmp_path / "logs" / "oneshot" / "debug"
    alphas = json.loads((search / "search_data" / "alphas_epoch_5.json").read_text())
    assert len(alphas["alphas"]) == 14 and "val_loss" in alphas
    assert "val_loss" not in json.loads(
        (search / "search_data" / "alphas_epoch_0.json").read_text())  # warm-up epoch
    evaluations = sorted(os.listdir(search / "evaluations"))
    assert len(evaluations) == 11
    assert os.listdir(search / "evaluations" / "x0" / "eval_data")  # the drawing
    config = json.loads((search / "evaluations" / "x0" / "config.json").read_text())
    derived_values = json.loads((search / "search_data" / "derived.json").read_text())
    assert config["hyperp_value_lst"] == derived_values["hyperp_value_lst"]


def test_inline_model_space_example_searches_exports_and_loads(tmp_path):
    pytest.importorskip("torch")
    cfg = debug_config("inline_model_space")
    out = run_example("inline_model_space", cfg, tmp_path).stdout
    assert sum(line.startswith("evaluation ") for line in out.splitlines()) == cfg["num_samples"]
    assert "best #0: evaluation" in out and "'mid_channels'" in out
    assert "final model: SearchableNet with" in out
    exported = tmp_path / cfg["folderpath"] / cfg["search_name"] / (
        "exported_%d" % cfg["num_samples"])
    folders = sorted(os.listdir(exported))
    assert len(folders) == cfg["num_exported"] and folders[0].startswith("rank0_x")
    assert (exported / folders[0] / "model.pt").stat().st_size > 1000
