"""Supporting a framework, PyTorch edition: the same search space pattern with torch.

A compile function of the PyTorch helper returns the forward function *and*
the list of ``torch.nn.Module`` objects it uses, so the parameters of a sampled
network can be collected, moved between devices and trained.
"""

import numpy as np
import torch
from torch import nn

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.searchers.random import RandomSearcher

D = hp.Discrete


# [modules]
def dense(h_units):
    def compile_fn(di, dh):
        # The number of input features is read from the first input value.
        layer = nn.Linear(di["in"].shape[-1], dh["units"])
        return (lambda di: {"out": layer(di["in"])}), [layer]

    return hpt.siso_pytorch_module("Dense", compile_fn, {"units": h_units})


def nonlinearity(h_name):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(
        lambda name: {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU}[name](),
        {"name": h_name}, name="Nonlinearity")


def dropout(h_p):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.Dropout, {"p": h_p})
# [modules]


# [search space]
def search_space(num_classes):
    h_nonlin = D(["relu", "tanh", "elu"])

    def cell():
        return mo.siso_sequential([
            dense(D([32, 64])), nonlinearity(h_nonlin),
            mo.siso_optional(lambda: dropout(D([0.1, 0.3])), D([0, 1])),
        ])

    return mo.siso_sequential([mo.siso_repeat(cell, D([1, 2])), dense(D([num_classes]))])
# [search space]


def make_data(num_examples=512, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(num_examples, 8)).astype("float32")
    y = (X[:, 0] * X[:, 1] > 0).astype("int64")  # XOR of two signs: needs a hidden layer
    return torch.from_numpy(X), torch.from_numpy(y)


# [evaluator]
class Evaluator:
    def __init__(self, X, y, num_train=384, num_steps=80):
        self.train = (X[:num_train], y[:num_train])
        self.val = (X[num_train:], y[num_train:])
        self.num_steps = num_steps

    def eval(self, inputs, outputs):
        X, y = self.train
        model = hpt.PyTorchModel(inputs, outputs, {"in": X[:2]})  # compiles every module
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model.train()
        for _ in range(self.num_steps):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model({"in": X})["out"], y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            predictions = model({"in": self.val[0]})["out"].argmax(1)
        return {"validation_accuracy": float((predictions == self.val[1]).float().mean()),
                "num_parameters": sum(p.numel() for p in model.parameters())}
# [evaluator]


def main(num_samples=3):
    np.random.seed(0)
    torch.manual_seed(0)
    evaluator = Evaluator(*make_data())
    searcher = RandomSearcher(lambda: search_space(num_classes=2))
    for _ in range(num_samples):
        inputs, outputs, vs, token = searcher.sample()
        results = evaluator.eval(inputs, outputs)
        searcher.update(results["validation_accuracy"], token)
        print(vs, results)


if __name__ == "__main__":
    main()
