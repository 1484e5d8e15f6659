"""One-shot search on 8x8 digits: DARTS on the DARTS cell space, then retraining.

Run from the repository root:

    python examples/oneshot/main.py --config_filepath examples/oneshot/configs/debug.json

Steps:

1. compile the DARTS cell space (``contrib/misc/search_spaces/darts_space.py``)
   into a :class:`~deep_architect.oneshot.Supernet`;
2. train it with :class:`~deep_architect.oneshot.DartsTrainer`: logits on one
   half of the training set, weights on the other (a progress bar counts the
   epochs; the logits of every epoch go to ``search_data/alphas_epoch_<k>.json``);
3. derive the cell (two strongest inputs per node) as a value list;
4. retrain the derived architecture from scratch with the PyTorch
   ``SimpleClassifierEvaluator`` (evaluation 0 of the search folder, with a
   drawing in its ``eval_data/``), and, for comparison, ``num_random_baselines``
   random architectures of the same space with the same budget (evaluations
   1, 2, ...); the last line compares the derived architecture's validation
   accuracy with the random median.

Config keys: ``dataset`` (``"digits"``), ``num_train_examples`` (optional: a
prefix of the training split, for search and retraining), ``num_cells``, ``channels``,
``search_epochs``, ``alpha_warmup_epochs`` (first epochs train the weights
only), ``search_batch_size``, ``w_lr``, ``alpha_lr``, ``second_order`` (0/1),
``top_k_inputs``, ``retrain_epochs``, ``retrain_batch_size``, ``retrain_lr``,
``num_random_baselines``, ``folderpath``, ``search_name``, ``seed``,
``torch_num_threads``.
"""
from __future__ import annotations

import functools
import os
import statistics
import time

import numpy as np

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_digits


def batches(x, y, batch_size, rng):
    """Shuffled mini-batches of one epoch."""
    order = rng.permutation(len(y))
    return [(x[order[i:i + batch_size]], y[order[i:i + batch_size]])
            for i in range(0, len(y), batch_size)]


def darts_search(cfg, space_fn, x_train, y_train, logger_folder):
    """Trains the supernet with DARTS; returns the derived value list and the wall time."""
    import torch

    from deep_architect.oneshot import DartsTrainer, Supernet
    from deep_architect.progress import SearchProgress

    start = time.perf_counter()
    torch.manual_seed(cfg["seed"])
    rng = np.random.RandomState(cfg["seed"])
    half = len(y_train) // 2
    x, y = torch.as_tensor(x_train), torch.as_tensor(y_train)
    supernet = Supernet(space_fn, {"in": x[:2]})
    trainer = DartsTrainer(
        supernet,
        torch.optim.SGD(supernet.weight_parameters(), lr=cfg["w_lr"], momentum=0.9,
                        weight_decay=3e-4),
        torch.optim.Adam(supernet.arch_parameters(), lr=cfg["alpha_lr"], betas=(0.5, 0.999),
                         weight_decay=1e-3),
        torch.nn.functional.cross_entropy, second_order=bool(cfg["second_order"]),
        grad_clip=5.0)
    with SearchProgress(cfg["search_epochs"], desc="DARTS epochs") as progress:
        for epoch in range(cfg["search_epochs"]):
            size = cfg["search_batch_size"]
            warming_up = epoch < cfg["alpha_warmup_epochs"]
            losses = trainer.epoch(batches(x[:half], y[:half], size, rng),
                                   None if warming_up else batches(x[half:], y[half:], size, rng))
            ut.write_jsonfile({"epoch": epoch, **losses, "alphas": supernet.alphas_json()},
                              os.path.join(logger_folder, "alphas_epoch_%d.json" % epoch))
            progress.update(-losses.get("val_loss", losses["train_loss"]))
    derived = supernet.derive(top_k_inputs=cfg["top_k_inputs"])
    ut.write_jsonfile({"hyperp_value_lst": derived.values, "alphas": derived.alphas},
                      os.path.join(logger_folder, "derived.json"))
    return derived.values, time.perf_counter() - start


def retrain(cfg, space_fn, hyperp_value_lst, splits):
    """Trains an architecture from scratch with the PyTorch evaluator; returns its results."""
    import torch

    import deep_architect.modules as mo
    from deep_architect.contrib.misc.evaluators.pytorch.classification import (
        SimpleClassifierEvaluator,
    )
    from deep_architect.searchers.common import specify

    x_train, y_train, x_val, y_val, x_test, y_test = splits
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    evaluator = SimpleClassifierEvaluator(
        InMemoryDataset(x_train, y_train, True), InMemoryDataset(x_val, y_val, False), 10,
        None, max_num_training_epochs=cfg["retrain_epochs"], max_eval_time_in_minutes=60.0,
        stop_patience=cfg["retrain_epochs"], batch_size=cfg["retrain_batch_size"],
        learning_rate_init=cfg["retrain_lr"], log_output_to_terminal=False,
        test_dataset=InMemoryDataset(x_test, y_test, False))
    inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
    specify(outputs, hyperp_value_lst)
    return evaluator.eval(inputs, outputs), outputs


def log_evaluation(cfg, evaluation_id, hyperp_value_lst, kind, results, outputs):
    import deep_architect.visualization as vi

    logger = sl.EvaluationLogger(cfg["folderpath"], cfg["search_name"], evaluation_id)
    logger.log_config(hyperp_value_lst, {"kind": kind})
    logger.log_results(results)
    vi.draw_graph(outputs, draw_module_hyperparameter_info=False, print_to_screen=False,
                  out_folderpath=logger.get_evaluation_data_folderpath(), format="svg")


def main(cfg):
    import torch

    import deep_architect.modules as mo
    from deep_architect.contrib.misc.search_spaces.darts_space import darts_network
    from deep_architect.searchers.common import random_specify

    torch.set_num_threads(cfg["torch_num_threads"])
    space_fn = functools.partial(darts_network, cfg["num_cells"], cfg["channels"])
    splits = load_digits(one_hot=False, data_format="NCHW", seed=cfg["seed"])
    n = cfg.get("num_train_examples")  # None: all
    splits = (splits[0][:n], splits[1][:n], *splits[2:])
    sl.create_search_folderpath(cfg["folderpath"], cfg["search_name"], delete_if_exists=True,
                                create_parent_folders=True)
    search_data = sl.get_search_data_folderpath(cfg["folderpath"], cfg["search_name"])

    values, search_seconds = darts_search(cfg, space_fn, splits[0], splits[1], search_data)
    print("DARTS search: %d epochs in %.1f s; derived value list %s"
          % (cfg["search_epochs"], search_seconds, values))
    results, outputs = retrain(cfg, space_fn, values, splits)
    log_evaluation(cfg, 0, values, "derived", results, outputs)
    print("derived architecture: validation accuracy %.4f, test accuracy %.4f"
          % (results["validation_accuracy"], results["test_accuracy"]))

    rng = np.random.default_rng(cfg["seed"])
    baseline_accuracies = []
    for i in range(cfg["num_random_baselines"]):
        _, random_outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        random_values = random_specify(random_outputs, rng)
        random_results, outputs = retrain(cfg, space_fn, random_values, splits)
        log_evaluation(cfg, i + 1, random_values, "random", random_results, outputs)
        baseline_accuracies.append(random_results["validation_accuracy"])
    if baseline_accuracies:
        median = statistics.median(baseline_accuracies)
        print("random architectures: validation accuracies %s"
              % ["%.4f" % a for a in baseline_accuracies])
        print("derived validation accuracy %.4f vs random median %.4f (%d architectures)"
              % (results["validation_accuracy"], median, len(baseline_accuracies)))
    print("search folder: %s" % sl.get_search_folderpath(cfg["folderpath"], cfg["search_name"]))


if __name__ == "__main__":
    main(ut.get_config())
