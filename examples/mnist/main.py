"""The simplest search with contrib components: random search over fully connected networks.

Run from the repository root:

    python examples/mnist/main.py --config_filepath examples/mnist/configs/debug.json

Config keys: ``dataset`` (``"digits"``, bundled with scikit-learn, or ``"mnist"``
read from the idx files in ``data_dir``, default ``data/mnist``), ``num_samples``,
``max_eval_time_in_minutes``.
"""
from __future__ import annotations

import deep_architect.utils as ut
from deep_architect.contrib.deep_learning_backend import backend
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_dataset
from deep_architect.searchers.random import RandomSearcher


def main():
    cfg = ut.get_config()
    backend.set_backend(backend.TENSORFLOW)
    # Imported after choosing the backend, as the original's TensorFlow space was.
    import deep_architect.contrib.misc.search_spaces.tensorflow.dnn as dnn
    from deep_architect.contrib.misc.evaluators.tensorflow.classification import (
        SimpleClassifierEvaluator,
    )

    X_train, y_train, X_val, y_val, _, _ = load_dataset(cfg["dataset"], cfg.get("data_dir"),
                                                        flatten=True)
    train_dataset = InMemoryDataset(X_train, y_train, True)
    val_dataset = InMemoryDataset(X_val, y_val, False)
    evaluator = SimpleClassifierEvaluator(
        train_dataset, val_dataset, 10, "./temp",
        max_eval_time_in_minutes=cfg["max_eval_time_in_minutes"], log_output_to_terminal=True)
    searcher = RandomSearcher(lambda: dnn.dnn_net(10))
    for i in range(cfg["num_samples"]):
        inputs, outputs, _, searcher_eval_token = searcher.sample()
        val_acc = evaluator.eval(inputs, outputs)["validation_accuracy"]
        print("sample %d: validation accuracy %.4f" % (i, val_acc))
        searcher.update(val_acc, searcher_eval_token)


if __name__ == "__main__":
    main()
