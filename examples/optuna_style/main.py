"""The seed paper's Optuna example (an MLP with a tuned depth, widths, dropout,
optimizer and learning rate, pruned by the median rule) as a deep_architect search.

The space is structural: 1 to 3 layers (``hp.Int``), each with a log-scaled
width (``hp.Int(..., log=True)``) and an optional dropout layer whose rate is
an ``hp.Float``; the optimizer and a log-scaled learning rate sit in a
hyperparameter aggregator. The evaluator trains on the digits bundled with
scikit-learn, reports the validation accuracy after every epoch and stops when
the median pruner says so. The searcher is Optuna's TPE through
``OptunaSearcher`` (``"searcher": "tpe"``) or random search (``"random"``).

Run from the repository root:

    python examples/optuna_style/main.py --config_filepath examples/optuna_style/configs/debug.json

Config keys: ``searcher``, ``num_samples``, ``num_epochs``, ``folderpath``,
``search_name``, ``seed``, ``pruner_n_startup``, ``pruner_n_warmup_steps``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.utils as ut
from deep_architect.contrib.misc.datasets.loaders import load_digits
from deep_architect.pruning import EvaluationPruned, MedianPruner
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher

NUM_CLASSES = 10


def dense(h_units):
    """A linear layer whose input width is read from the first input it sees."""
    def compile_fn(di, dh):
        layer = nn.Linear(di["in"].shape[-1], dh["units"])
        return (lambda di: {"out": layer(di["in"])}), [layer]

    return hpt.siso_pytorch_module("Dense", compile_fn, {"units": h_units})


def relu():
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {})


def layer():
    return mo.siso_sequential([
        dense(hp.Int(4, 128, log=True)),
        relu(),
        mo.siso_optional(
            lambda: hpt.siso_pytorch_module_from_pytorch_layer_fn(
                nn.Dropout, {"p": hp.Float(0.2, 0.5)}),
            hp.Bool()),
    ])


def search_space():
    """1-3 hidden layers, the classifier, and the training hyperparameters."""
    return mo.siso_sequential([
        mo.siso_repeat(layer, hp.Int(1, 3)),
        dense(hp.Discrete([NUM_CLASSES])),
        mo.hyperparameter_aggregator({
            "optimizer": hp.Discrete(["Adam", "RMSprop", "SGD"]),
            "lr": hp.Float(1e-5, 1e-1, log=True),
        }),
    ])


class Evaluator:
    """Trains for ``num_epochs``, reporting validation accuracy after each epoch."""

    def __init__(self, num_epochs, batch_size=64):
        X_train, y_train, X_val, y_val, _, _ = load_digits(flatten=True, one_hot=False)
        self.X_train = torch.as_tensor(X_train, dtype=torch.float32)
        self.y_train = torch.as_tensor(y_train, dtype=torch.long)
        self.X_val = torch.as_tensor(X_val, dtype=torch.float32)
        self.y_val = torch.as_tensor(y_val, dtype=torch.long)
        self.num_epochs = num_epochs
        self.batch_size = batch_size

    def accuracy(self, model):
        model.eval()
        with torch.no_grad():
            labels = model({"in": self.X_val})["out"].argmax(dim=1)
        return float((labels == self.y_val).float().mean())

    def eval(self, inputs, outputs, reporter):
        torch.manual_seed(0)
        training = mo.get_hyperparameter_aggregators(outputs)[0].get_hyperps()
        model = hpt.PyTorchModel(inputs, outputs, {"in": self.X_train[:2]})
        optimizer = getattr(torch.optim, training["optimizer"].get_value())(
            model.parameters(), lr=training["lr"].get_value())
        batches = DataLoader(TensorDataset(self.X_train, self.y_train),
                             batch_size=self.batch_size, shuffle=True)
        accuracy = 0.0
        for epoch in range(self.num_epochs):
            model.train()
            for x, y in batches:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model({"in": x})["out"], y).backward()
                optimizer.step()
            accuracy = self.accuracy(model)
            reporter.report(accuracy, epoch)
            if reporter.should_prune():
                raise EvaluationPruned()
        return {"validation_accuracy": accuracy, "num_epochs": self.num_epochs}


def make_searcher(name, seed):
    if name == "tpe":
        import optuna

        from deep_architect.contrib.searchers.optuna_searcher import OptunaSearcher

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return OptunaSearcher(search_space, sampler=optuna.samplers.TPESampler(seed=seed))
    return RandomSearcher(search_space, rng=seed)


def main():
    cfg = ut.get_config()
    np.random.seed(cfg["seed"])
    pruner = MedianPruner(n_startup=cfg["pruner_n_startup"],
                          n_warmup_steps=cfg["pruner_n_warmup_steps"])
    results = run_search(make_searcher(cfg["searcher"], cfg["seed"]),
                         Evaluator(cfg["num_epochs"]), cfg["num_samples"], cfg["folderpath"],
                         cfg["search_name"], pruner=pruner, show_progress=False)
    for i, r in enumerate(results):
        status = "pruned at epoch %d" % r["pruned_at_step"] if r.get("pruned") else "complete"
        print("evaluation %d: validation accuracy %.4f (%s)" % (i, r["validation_accuracy"],
                                                                status))
    best = max(range(len(results)), key=lambda i: results[i]["validation_accuracy"])
    print("best: evaluation %d, validation accuracy %.4f; %d of %d pruned"
          % (best, results[best]["validation_accuracy"],
             sum(bool(r.get("pruned")) for r in results), len(results)))


if __name__ == "__main__":
    main()
