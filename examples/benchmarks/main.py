"""The paper's two experiments at small scale: search spaces (Table 1) and searchers (Table 2).

Run from the repository root:

    python examples/benchmarks/main.py --config_filepath examples/benchmarks/configs/debug.json

Table 1 runs random search on each of the search spaces in
``table1_search_space_lst``; Table 2 runs each searcher of
``table2_searcher_lst`` on ``table2_search_space``. Every (space, searcher)
pair is repeated ``num_repetitions`` times with seeds 0, 1, ...; a run is a
search of ``num_samples`` evaluations logged in
``<logs_folderpath>/<search_name>/<space>/<searcher>/rep<i>/`` (rerunning the
command resumes unfinished runs unless ``delete_if_exists`` is 1). A run's
score is the test accuracy of its best architecture by validation accuracy;
each table shows the mean +- standard deviation over repetitions. The tables
are printed and saved (``tables.md``, ``tables.json``) with one progress plot
per table in ``<logs_folderpath>/<search_name>/``.

Architectures are trained with the PyTorch ``SimpleClassifierEvaluator`` on
``dataset`` (``"digits"`` by default: 8x8 images bundled with scikit-learn;
``"mnist"`` / ``"cifar10"`` read from ``data_dir``), each within
``max_eval_time_in_minutes``. Other keys: ``max_num_training_epochs``,
``batch_size``, ``learning_rate``, ``torch_num_threads``, ``draw_graphs``
(drawing of every architecture into its ``eval_data`` folder), ``use_gpu``.
"""
from __future__ import annotations

import os
import random

import numpy as np
import search_spaces
import searchers

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect import gpus
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_dataset


def experiment_pairs(cfg):
    """(search space, searcher) pairs of both tables, each once, in table order."""
    pairs = [(space, cfg["table1_searcher"]) for space in cfg["table1_search_space_lst"]]
    pairs += [(cfg["table2_search_space"], s) for s in cfg["table2_searcher_lst"]]
    return list(dict.fromkeys(pairs))


def load_data(cfg):
    """Train / validation / test ``InMemoryDataset``s of NCHW images with integer labels."""
    splits = load_dataset(cfg["dataset"], cfg.get("data_dir"), one_hot=False)
    nchw = [a.transpose(0, 3, 1, 2).copy() if a.ndim == 4 else a for a in splits]
    return [InMemoryDataset(nchw[i], nchw[i + 1], i == 0) for i in (0, 2, 4)]


def make_evaluator_fn(cfg, datasets):
    from deep_architect.contrib.misc.evaluators.pytorch.classification import (
        SimpleClassifierEvaluator,
    )

    train, val, test = datasets
    return lambda: SimpleClassifierEvaluator(
        train, val, 10, None, max_num_training_epochs=cfg["max_num_training_epochs"],
        max_eval_time_in_minutes=cfg["max_eval_time_in_minutes"], batch_size=cfg["batch_size"],
        learning_rate_init=cfg["learning_rate"], log_output_to_terminal=False,
        test_dataset=test)


def draw_graphs(search_space_fn, folderpath, search_name):
    """Draws each logged architecture into its evaluation's ``eval_data`` folder."""
    import deep_architect.searchers.common as seco
    import deep_architect.visualization as vi
    from deep_architect.modules import SearchSpaceFactory

    for i, log in enumerate(sl.read_search_folder(sl.get_search_folderpath(folderpath,
                                                                           search_name))):
        data_folderpath = sl.get_evaluation_data_folderpath(folderpath, search_name, i)
        if not os.path.exists(os.path.join(data_folderpath, "graph.dot")):
            _, outputs = SearchSpaceFactory(search_space_fn).get_search_space()
            seco.specify(outputs, log["config"]["hyperp_value_lst"])
            vi.draw_graph(outputs, print_to_screen=False, out_folderpath=data_folderpath)


def run_one(cfg, evaluator_fn, space, searcher_name, rep):
    """Runs (or resumes) one search; returns the logged results in evaluation order."""
    import torch

    from deep_architect.search_loop import run_search

    folderpath = ut.join_paths([cfg["logs_folderpath"], cfg["search_name"], space,
                                searcher_name])
    search_name = "rep%d" % rep
    if cfg["delete_if_exists"]:
        ut.delete_folder(sl.get_search_folderpath(folderpath, search_name),
                         abort_if_nonempty=False, abort_if_notexists=False)
    np.random.seed(rep)
    random.seed(rep)
    torch.manual_seed(rep)
    search_space_fn = search_spaces.name_to_search_space_fn[space](10)
    searcher = searchers.name_to_get_searcher_fn[searcher_name](search_space_fn)
    results = run_search(searcher, evaluator_fn, cfg["num_samples"],
                         folderpath, search_name, failure_value=0.0)
    if cfg["draw_graphs"]:
        draw_graphs(search_space_fn, folderpath, search_name)
    return results


def best_test_accuracy(results):
    """Test accuracy of the architecture with the best validation accuracy (failures skipped)."""
    ok = [r for r in results if not r.get("evaluation_failed") and "test_accuracy" in r]
    return max(ok, key=lambda r: r["validation_accuracy"])["test_accuracy"] if ok else 0.0


def table_lines(title, label_header, rows):
    """Markdown table of mean +- std (in percent) per row label."""
    lines = ["### " + title, "", "| %s | test accuracy (%%) | runs |" % label_header,
             "|---|---|---|"]
    for label, scores in rows:
        lines.append("| %s | %.2f +- %.2f | %d |" % (label, 100 * np.mean(scores),
                                                     100 * np.std(scores), len(scores)))
    return lines + [""]


def main(cfg):
    import torch

    import deep_architect.visualization as vi
    from deep_architect.contrib.deep_learning_backend import backend

    backend.set_backend(backend.PYTORCH)
    # One thread per process: oversubscribed intra-op threads make small convolutions crawl.
    torch.set_num_threads(cfg["torch_num_threads"])
    evaluator_fn = make_evaluator_fn(cfg, load_data(cfg))
    scores = {}
    for rep in range(cfg["num_repetitions"]):
        for space, searcher_name in experiment_pairs(cfg):
            timer = ut.TimerManager()
            timer.create_timer("run")
            results = run_one(cfg, evaluator_fn, space, searcher_name, rep)
            scores.setdefault((space, searcher_name), []).append(best_test_accuracy(results))
            print("rep %d, %s space, %s searcher: best-by-validation test accuracy %.4f "
                  "(%d evaluations, %.1f min)" % (
                      rep, space, searcher_name, scores[(space, searcher_name)][-1],
                      len(results), timer.get_time_since_event("run", "start", "minutes")))

    root = ut.join_paths([cfg["logs_folderpath"], cfg["search_name"]])
    t1 = [(space, scores[(space, cfg["table1_searcher"])])
          for space in cfg["table1_search_space_lst"]]
    t2 = [(s, scores[(cfg["table2_search_space"], s)]) for s in cfg["table2_searcher_lst"]]
    lines = table_lines("Table 1: %s search on each search space" % cfg["table1_searcher"],
                        "search space", t1)
    lines += table_lines("Table 2: searchers on the %s space" % cfg["table2_search_space"],
                         "searcher", t2)
    print("\n" + "\n".join(lines))
    ut.write_textfile(ut.join_paths([root, "tables.md"]), lines)
    ut.write_jsonfile({"table1": dict(t1), "table2": dict(t2)},
                      ut.join_paths([root, "tables.json"]))

    def runs(space, searcher_name):
        return [ut.join_paths([root, space, searcher_name, "rep%d" % rep])
                for rep in range(cfg["num_repetitions"])]
    vi.plot_search_progress({space: runs(space, cfg["table1_searcher"])
                             for space, _ in t1}, fpath=ut.join_paths([root, "table1.png"]),
                            title=lines[0].lstrip("# "))
    vi.plot_search_progress({s: runs(cfg["table2_search_space"], s) for s, _ in t2},
                            fpath=ut.join_paths([root, "table2.png"]),
                            title=lines[len(t1) + 5].lstrip("# "))
    print("Tables and plots saved in %s" % root)


if __name__ == "__main__":
    config = ut.get_config()
    if config["use_gpu"]:
        gpus.use_available_gpu()  # before PyTorch is imported
    main(config)
