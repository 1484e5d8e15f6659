"""Random search over fully connected networks, logging every evaluation.

Run from the repository root (``bash utils.sh demo`` runs the debug config):

    python examples/mnist_with_logging/main.py \\
        --config_filepath examples/mnist_with_logging/configs/debug.json

Each evaluation gets a folder ``<folderpath>/<search_name>/evaluations/x<id>/``
with ``config.json`` (the value list that rebuilds the architecture),
``results.json`` and ``eval_data/`` (a drawing of the architecture). Rerunning
the command resumes an interrupted search (when ``delete_if_exists`` is 0):
the searcher is warm-started with the logged results and evaluations whose
config was already logged are skipped. At the end the best
architecture is printed with the path of its folder.

Config keys: ``dataset`` (``"digits"``, bundled with scikit-learn, or ``"mnist"``
read from the idx files in ``data_dir``, default ``data/mnist``),
``num_samples``, ``max_eval_time_in_minutes``, ``log_output_to_terminal``
(per-epoch lines), ``folderpath``, ``search_name``, ``delete_if_exists``,
``use_gpu``, ``seed`` (optional).
"""
import os

import numpy as np

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect import gpus
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_dataset


def print_best(folderpath, search_name):
    """Prints the best logged evaluation: its score, architecture and folder."""
    import deep_architect.searchers.common as seco
    import deep_architect.visualization as vi

    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    logs = sl.read_search_folder(search_folderpath)
    best_id = max(range(len(logs)), key=lambda i: logs[i]["results"]["validation_accuracy"])
    results = logs[best_id]["results"]
    inputs, outputs = search_space_fn()
    seco.specify(outputs, logs[best_id]["config"]["hyperp_value_lst"])
    print("\nBest architecture: evaluation %d of %d, validation accuracy %.4f, "
          "test accuracy %.4f, %d parameters" % (
              best_id, len(logs), results["validation_accuracy"],
              results.get("test_accuracy", float("nan")), results["num_parameters"]))
    vi.visualize_model_as_text(inputs, outputs)
    print("Its folder (config, results, drawing): %s"
          % sl.get_evaluation_folderpath(folderpath, search_name, best_id))


def search_space_fn():
    import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn

    return dnn.dnn_net(10)


def main(cfg):
    from deep_architect.contrib.deep_learning_backend import backend

    backend.set_backend(backend.TENSORFLOW)
    import deep_architect.visualization as vi
    from deep_architect.contrib.misc.evaluators.tensorflow.classification import (
        SimpleClassifierEvaluator,
    )
    from deep_architect.progress import SearchProgress
    from deep_architect.searchers.common import warm_start
    from deep_architect.searchers.random import RandomSearcher

    if "seed" in cfg:
        np.random.seed(cfg["seed"])
    X_train, y_train, X_val, y_val, X_test, y_test = load_dataset(
        cfg["dataset"], cfg.get("data_dir"), flatten=True)
    evaluator = SimpleClassifierEvaluator(
        InMemoryDataset(X_train, y_train, True), InMemoryDataset(X_val, y_val, False), 10,
        "./temp", max_eval_time_in_minutes=cfg["max_eval_time_in_minutes"],
        log_output_to_terminal=bool(cfg["log_output_to_terminal"]),
        test_dataset=InMemoryDataset(X_test, y_test, False))

    folderpath, search_name = cfg["folderpath"], cfg["search_name"]
    sl.create_search_folderpath(folderpath, search_name,
                                delete_if_exists=bool(cfg["delete_if_exists"]),
                                abort_if_exists=False, create_parent_folders=True)
    searcher = RandomSearcher(search_space_fn)
    # A resumed search first gives the searcher every result logged so far.
    warm_start(searcher, folderpath, search_name)
    num_samples = cfg["num_samples"]
    print("Searching %d architectures; logs in %s" % (
        num_samples, sl.get_search_folderpath(folderpath, search_name)))
    with SearchProgress(num_samples, desc=search_name) as progress:
        for evaluation_id in range(num_samples):
            logger = sl.EvaluationLogger(folderpath, search_name, evaluation_id)
            if logger.config_exists():  # logged by an earlier run of this search
                progress.update(None)
                continue
            inputs, outputs, hyperp_value_lst, searcher_eval_token = searcher.sample()
            results = evaluator.eval(inputs, outputs)
            logger.log_config(hyperp_value_lst, searcher_eval_token)
            logger.log_results(results)
            vi.draw_graph(outputs, draw_module_hyperparameter_info=True, print_to_screen=False,
                          out_folderpath=logger.get_evaluation_data_folderpath())
            searcher.update(results["validation_accuracy"], searcher_eval_token)
            progress.update(results["validation_accuracy"])
            print("evaluation %d: validation accuracy %.4f, %d parameters, %.1f s" % (
                evaluation_id, results["validation_accuracy"], results["num_parameters"],
                3600 * results["training_time_in_hours"]))
    print_best(folderpath, search_name)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    config = ut.get_config()
    if config["use_gpu"]:
        gpus.use_available_gpu()  # before any framework is imported
    main(config)
