"""What the framework starters share: data, the search space's shape, the search call.

Each ``main_<framework>.py`` supplies its framework's modules and evaluator; the
search space (``dnn_net``) is the same for Keras, PyTorch and TensorFlow.
"""
from __future__ import annotations

import argparse
import tempfile

import numpy as np
from sklearn.datasets import load_digits

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.search_loop import is_failed_results, run_search
from deep_architect.searchers.random import RandomSearcher
from deep_architect.specify import specify

D = hp.Discrete


def load_data(validation_frac=0.2):
    """scikit-learn's 8x8 digits (offline), flattened, scaled to [0, 1].

    Returns:
        ``(X_train, y_train, X_val, y_val)``: float32 features, int64 labels; the
        last ``validation_frac`` of the examples are the validation set.
    """
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    num_train = int(round(len(x) * (1.0 - validation_frac)))
    return x[:num_train], y[:num_train], x[num_train:], y[num_train:]


def dnn_cell(modules, h_units, h_nonlin_name, h_swap, h_opt_drop, h_opt_bn, h_drop_rate):
    """Dense, nonlinearity, then optional dropout and batch norm in a chosen order."""
    return mo.siso_sequential([
        modules.dense(h_units),
        modules.nonlinearity(h_nonlin_name),
        mo.siso_permutation([
            lambda: mo.siso_optional(lambda: modules.dropout(h_drop_rate), h_opt_drop),
            lambda: mo.siso_optional(modules.batch_normalization, h_opt_bn),
        ], h_swap),
    ])


def dnn_net(modules, num_classes):
    """The starters' search space, built from ``modules`` (an object with the
    framework's ``dense``, ``nonlinearity``, ``dropout`` and ``batch_normalization``).
    """
    h_nonlin_name = D(["relu", "tanh", "elu"])  # shared by all cells
    h_swap = D([0, 1])
    h_opt_drop = D([0, 1])
    h_opt_bn = D([0, 1])
    return mo.siso_sequential([
        mo.siso_repeat(lambda: dnn_cell(modules, D([64, 128, 256, 512, 1024]), h_nonlin_name,
                                        h_swap, h_opt_drop, h_opt_bn, D([0.25, 0.5, 0.75])),
                       D([1, 2, 4])),
        modules.dense(D([num_classes])),
    ])


class ClassifierEvaluatorBase:
    """Holds the data and training settings of a starter's evaluator.

    Each framework's ``SimpleClassifierEvaluator`` subclasses it, implements
    ``eval(inputs, outputs)`` and may override ``_convert`` to turn the
    NumPy arrays into its own tensors.
    """

    def __init__(self, X_train, y_train, X_val, y_val, num_classes, num_training_epochs,
                 batch_size=256, learning_rate=1e-3):
        self.X_train, self.y_train = self._convert(X_train), self._convert(y_train)
        self.X_val, self.y_val = self._convert(X_val), self._convert(y_val)
        self.num_classes = num_classes
        self.num_training_epochs = num_training_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate

    def _convert(self, array):
        return array


def parse_args(num_samples, num_epochs=None):
    """Command-line overrides of the number of samples (and of training epochs,
    for starters that train iteratively, i.e. when ``num_epochs`` is given)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--num_samples", type=int, default=num_samples)
    if num_epochs is not None:
        parser.add_argument("--num_epochs", type=int, default=num_epochs)
    parser.add_argument("--show_graph", action="store_true",
                        help="draw each sampled architecture (needs graphviz)")
    parser.add_argument("--folderpath", default=None,
                        help="where to log the search (default: a new temporary folder)")
    return parser.parse_args()


def run_dnn_starter(modules, evaluator_cls, num_samples, num_epochs, **evaluator_kwargs):
    """A starter's ``main``: parse the command line, then search ``dnn_net`` on the digits.

    Args:
        modules: The framework's module functions (see :func:`dnn_net`).
        evaluator_cls: The framework's ``SimpleClassifierEvaluator``.
        num_samples: Default number of architectures.
        num_epochs: Default number of training epochs.
        **evaluator_kwargs: More arguments of the evaluator (``batch_size``, ...).

    Returns:
        The list of results dicts.
    """
    args = parse_args(num_samples, num_epochs)
    num_classes = 10
    evaluator = evaluator_cls(*load_data(), num_classes, args.num_epochs, **evaluator_kwargs)
    return search(lambda: dnn_net(modules, num_classes), evaluator, args.num_samples,
                  args.show_graph, args.folderpath)


def search(search_space_fn, evaluator, num_samples, show_graph=False, folderpath=None,
           search_name="starter"):
    """Random search with the library's loop, then one line per architecture.

    ``deep_architect.search_loop.run_search`` logs each evaluation (value list,
    token, results) in ``<folderpath>/<search_name>`` and resumes if rerun on
    the same folder; swap ``RandomSearcher`` for any other searcher, or pass an
    ``executor`` to evaluate in parallel.

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` search space.
        evaluator: Object with ``eval(inputs, outputs) -> {"validation_accuracy": ...}``.
        num_samples: Number of architectures.
        show_graph: Draw each architecture with graphviz.
        folderpath: Folder of the search folder; a new temporary folder if ``None``.
        search_name: Name of the search folder.

    Returns:
        The list of results dicts.
    """
    if folderpath is None:
        folderpath = tempfile.mkdtemp(prefix="deep_architect_starter_")
    results = run_search(RandomSearcher(search_space_fn), evaluator, num_samples, folderpath,
                         search_name, show_progress=False)
    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    for i, log in enumerate(sl.read_search_folder(search_folderpath)):
        hyperp_value_lst = log["config"]["hyperp_value_lst"]
        if is_failed_results(log["results"]):
            print(f"architecture {i}: failed ({log['results']['failure_reason']})", flush=True)
            continue
        print(f"architecture {i}: validation accuracy "
              f"{log['results']['validation_accuracy']:.4f} values {hyperp_value_lst}", flush=True)
        if show_graph:
            import deep_architect.visualization as vi

            inputs, outputs = search_space_fn()
            specify(outputs, hyperp_value_lst)
            vi.draw_graph(outputs, draw_module_hyperparameter_info=False,
                          draw_hyperparameters=True)
    print(f"logs: {search_folderpath}")
    return results
