"""What both scripts of this example share: the search space, the evaluator, the report.

``main.py`` runs the search with the library's loop; ``own_loop.py`` writes the
loop out by hand. Both read the same config keys (see ``main.py``).
"""
from __future__ import annotations

import os

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.contrib.misc import gpu_utils
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_dataset


def search_space_fn():
    """Fully connected networks for 10 classes (TensorFlow modules)."""
    import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn

    return dnn.dnn_net(10)


def make_evaluator(cfg):
    """Selects the TensorFlow backend, seeds, loads the data and builds the evaluator."""
    from deep_architect.contrib.deep_learning_backend import backend

    backend.set_backend(backend.TENSORFLOW)
    from deep_architect.contrib.misc.evaluators.tensorflow.classification import (
        SimpleClassifierEvaluator,
    )

    if "seed" in cfg:
        # NumPy, Python's random and TensorFlow (weight initialisation); the
        # searcher and the datasets get their own generators from it.
        import keras

        keras.utils.set_random_seed(cfg["seed"])
    X_train, y_train, X_val, y_val, X_test, y_test = load_dataset(
        cfg["dataset"], cfg.get("data_dir"), flatten=True)
    return SimpleClassifierEvaluator(
        InMemoryDataset(X_train, y_train, True), InMemoryDataset(X_val, y_val, False), 10,
        "./temp", max_eval_time_in_minutes=cfg["max_eval_time_in_minutes"],
        max_num_training_epochs=cfg.get("max_num_training_epochs", 200),
        log_output_to_terminal=bool(cfg["log_output_to_terminal"]),
        test_dataset=InMemoryDataset(X_test, y_test, False))


def prepare_search_folder(cfg):
    """Creates the search folder (emptied first if ``delete_if_exists``) and says where it is."""
    folderpath, search_name = cfg["folderpath"], cfg["search_name"]
    sl.create_search_folderpath(folderpath, search_name,
                                delete_if_exists=bool(cfg["delete_if_exists"]),
                                abort_if_exists=False, create_parent_folders=True)
    print("Searching %d architectures; logs in %s" % (
        cfg["num_samples"], sl.get_search_folderpath(folderpath, search_name)))
    return folderpath, search_name


def print_evaluation(evaluation_id, results):
    """One line per finished evaluation."""
    print("evaluation %d: validation accuracy %.4f, %d parameters, %.1f s" % (
        evaluation_id, results["validation_accuracy"], results["num_parameters"],
        3600 * results["training_time_in_hours"]), flush=True)


def print_best(folderpath, search_name):
    """Prints the best logged evaluation: its score, architecture and folder."""
    import deep_architect.specify as sp
    import deep_architect.visualization as vi

    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    logs = sl.read_search_folder(search_folderpath)
    best_id = max(range(len(logs)), key=lambda i: logs[i]["results"]["validation_accuracy"])
    results = logs[best_id]["results"]
    inputs, outputs = search_space_fn()
    sp.specify(outputs, logs[best_id]["config"]["hyperp_value_lst"])
    print("\nBest architecture: evaluation %d of %d, validation accuracy %.4f, "
          "test accuracy %.4f, %d parameters" % (
              best_id, len(logs), results["validation_accuracy"],
              results.get("test_accuracy", float("nan")), results["num_parameters"]))
    vi.visualize_model_as_text(inputs, outputs)
    print("Its folder (config, results, drawing): %s"
          % sl.get_evaluation_folderpath(folderpath, search_name, best_id))


def run_script(main):
    """Reads the config from the command line and calls ``main(config)``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    config = ut.get_config()
    if config["use_gpu"]:
        gpu_utils.use_available_gpu()  # before any framework is imported
    main(config)
