"""Supporting a new framework: a helper for NumPy, written from scratch.

The networks built here have random hidden layers and a last layer fitted by
least squares (a "random features" model), so evaluating an architecture
takes milliseconds and needs nothing but NumPy.
"""

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.searchers.random import RandomSearcher

D = hp.Discrete


# [helper]
class NumpyModule(co.Module):
    """A basic module whose computation is written with NumPy arrays."""

    def __init__(self, name, compile_fn, name_to_hyperp, input_names, output_names,
                 scope=None):
        co.Module.__init__(self, scope, name)
        # Plain values become hyperparameters with a single possible value.
        name_to_hyperp = {k: h if isinstance(h, co.Hyperparameter) else D([h])
                          for k, h in name_to_hyperp.items()}
        self._register(input_names, output_names, name_to_hyperp)
        self._compile_fn = compile_fn

    def _compile(self):
        # Called once, on the first forward, when every hyperparameter has a value.
        self._forward_fn = self._compile_fn(self._get_input_values(), self._get_hyperp_values())

    def _forward(self):
        self._set_output_values(self._forward_fn(self._get_input_values()))


def numpy_module(name, compile_fn, name_to_hyperp, input_names, output_names, scope=None):
    return NumpyModule(name, compile_fn, name_to_hyperp, input_names, output_names,
                       scope).get_io()


def siso_numpy_module(name, compile_fn, name_to_hyperp, scope=None):
    return numpy_module(name, compile_fn, name_to_hyperp, ["in"], ["out"], scope)
# [helper]


# [modules]
def random_dense(h_units):
    def compile_fn(di, dh):
        num_inputs = di["in"].shape[1]  # known now: compile sees the first input
        weights = np.random.normal(scale=num_inputs ** -0.5, size=(num_inputs, dh["units"]))
        return lambda di: {"out": di["in"] @ weights}

    return siso_numpy_module("RandomDense", compile_fn, {"units": h_units})


def nonlinearity(h_name):
    fns = {"relu": lambda x: np.maximum(x, 0.0), "tanh": np.tanh, "cos": np.cos}

    def compile_fn(di, dh):
        fn = fns[dh["name"]]
        return lambda di: {"out": fn(di["in"])}

    return siso_numpy_module("Nonlinearity", compile_fn, {"name": h_name})


def concat(num_inputs):
    def compile_fn(di, dh):
        return lambda di: {"out": np.concatenate([di["in%d" % i] for i in range(num_inputs)], 1)}

    return numpy_module("Concat", compile_fn, {}, ["in%d" % i for i in range(num_inputs)],
                        ["out"])
# [modules]


# [search space]
def feature_space():
    h_nonlin = D(["relu", "tanh", "cos"])

    def layer():
        return mo.siso_sequential([random_dense(D([32, 64, 128])), nonlinearity(h_nonlin)])

    return mo.siso_sequential([
        mo.siso_repeat(layer, D([1, 2])),
        mo.siso_optional(lambda: mo.siso_residual(layer, mo.identity, lambda: concat(2)),
                         D([0, 1])),
    ])
# [search space]


def make_data(num_examples=400, seed=0):
    """Two interleaved spirals: not linearly separable."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.5, 3 * np.pi, size=num_examples)
    y = rng.integers(2, size=num_examples)
    angle = t + np.pi * y
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], 1) / 5
    return X + rng.normal(scale=0.05, size=X.shape), y


# [evaluator]
class RandomFeaturesEvaluator:
    """Fits a linear classifier on the features computed by the sampled graph."""

    def __init__(self, X, y, num_train=300):
        self.X_train, self.y_train = X[:num_train], y[:num_train]
        self.X_val, self.y_val = X[num_train:], y[num_train:]

    def features(self, inputs, outputs, X):
        co.forward({inputs["in"]: X})  # compiles on the first call only
        return outputs["out"].val

    def eval(self, inputs, outputs):
        F = self.features(inputs, outputs, self.X_train)
        targets = 2.0 * self.y_train - 1
        w = np.linalg.solve(F.T @ F + 1e-2 * np.eye(F.shape[1]), F.T @ targets)
        predictions = self.features(inputs, outputs, self.X_val) @ w > 0
        return {"validation_accuracy": float(np.mean(predictions == self.y_val)),
                "num_features": int(F.shape[1])}
# [evaluator]


def main(num_samples=12):
    np.random.seed(0)
    X, y = make_data()
    evaluator = RandomFeaturesEvaluator(X, y)
    searcher = RandomSearcher(feature_space)
    best = (None, -1.0)
    for _ in range(num_samples):
        inputs, outputs, vs, token = searcher.sample()
        results = evaluator.eval(inputs, outputs)
        searcher.update(results["validation_accuracy"], token)
        print(vs, results)
        if results["validation_accuracy"] > best[1]:
            best = (vs, results["validation_accuracy"])
    print("best:", best)
    assert best[1] > 0.7
    return best


if __name__ == "__main__":
    main()
