"""Framework starter: architecture search with PyTorch on scikit-learn's digits.

Samples a few architectures of a fully connected search space at random, trains
each briefly and prints its validation accuracy. Run from the repository root:

    python examples/framework_starters/main_pytorch.py [--num_samples 3] [--num_epochs 10]
"""
from __future__ import annotations

from types import SimpleNamespace

import torch
from starter_common import ClassifierEvaluatorBase, run_dnn_starter
from torch import nn

import deep_architect.helpers.pytorch_support as hpt


def dense(h_units):
    def compile_fn(di, dh):
        layer = nn.Linear(di["in"].shape[1], dh["units"])  # in_features from the input
        return (lambda di: {"out": layer(di["in"])}), [layer]
    return hpt.siso_pytorch_module("Dense", compile_fn, {"units": h_units})


def nonlinearity(h_nonlin_name):
    def nonlinearity_layer(nonlin_name):
        return {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU}[nonlin_name]()
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(
        nonlinearity_layer, {"nonlin_name": h_nonlin_name}, name="Nonlinearity")


def dropout(h_drop_rate):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.Dropout, {"p": h_drop_rate})


def batch_normalization():
    def compile_fn(di, dh):
        layer = nn.BatchNorm1d(di["in"].shape[1])
        return (lambda di: {"out": layer(di["in"])}), [layer]
    return hpt.siso_pytorch_module("BatchNormalization", compile_fn, {})


PYTORCH_MODULES = SimpleNamespace(dense=dense, dropout=dropout, nonlinearity=nonlinearity,
                                  batch_normalization=batch_normalization)


class SimpleClassifierEvaluator(ClassifierEvaluatorBase):
    """Trains a sampled architecture with Adam and reports validation accuracy."""

    def _convert(self, array):
        return torch.from_numpy(array)

    def eval(self, inputs, outputs):
        network = hpt.PyTorchModel(
            inputs, outputs, {"in": torch.zeros(self.batch_size, self.X_train.shape[1])})
        optimizer = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
        for _ in range(self.num_training_epochs):
            network.train()
            order = torch.randperm(len(self.X_train))
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                logits = network({"in": self.X_train[idx]})["out"]
                loss = nn.functional.cross_entropy(logits, self.y_train[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        network.eval()
        with torch.no_grad():
            predictions = network({"in": self.X_val})["out"].argmax(dim=1)
        return {"validation_accuracy": (predictions == self.y_val).float().mean().item()}


def main():
    torch.set_num_threads(1)  # small layers: threads cost more than they save
    run_dnn_starter(PYTORCH_MODULES, SimpleClassifierEvaluator, num_samples=3, num_epochs=10,
                    batch_size=64)


if __name__ == "__main__":
    main()
