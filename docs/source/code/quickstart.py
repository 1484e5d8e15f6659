"""Quick start: a random search over small Keras networks.

The data set is synthetic so that the script runs in seconds without
downloading anything; swap in your own arrays to search for real.
"""

import keras
import numpy as np

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.searchers.random import RandomSearcher

D = hp.Discrete


# [modules]
def dense(h_units, h_activation):
    return hke.siso_keras_module_from_keras_layer_fn(
        keras.layers.Dense, {"units": h_units, "activation": h_activation})


def dropout(h_rate):
    return hke.siso_keras_module_from_keras_layer_fn(keras.layers.Dropout, {"rate": h_rate})
# [modules]


# [search space]
def search_space(num_classes):
    h_activation = D(["relu", "tanh"])  # one object: every cell uses the same activation

    def cell():
        return mo.siso_sequential([
            dense(D([16, 32, 64]), h_activation),
            mo.siso_optional(lambda: dropout(D([0.2, 0.5])), D([0, 1])),
        ])

    return mo.siso_sequential([
        mo.siso_repeat(cell, D([1, 2, 3])),
        dense(D([num_classes]), D(["softmax"])),
    ])
# [search space]


def make_data(num_examples=600, num_features=16, num_classes=3, seed=0):
    """Gaussian blobs: class k is centred on a random point of its own."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=0.5, size=(num_classes, num_features))
    y = rng.integers(num_classes, size=num_examples)
    X = centres[y] + rng.normal(size=(num_examples, num_features))
    return X.astype("float32"), y


# [evaluator]
class Evaluator:
    """Trains a sampled network briefly and reports its validation accuracy."""

    def __init__(self, X, y, val_fraction=0.25, epochs=2):
        num_train = int(len(X) * (1 - val_fraction))
        self.train = (X[:num_train], y[:num_train])
        self.val = (X[num_train:], y[num_train:])
        self.epochs = epochs

    def eval(self, inputs, outputs):
        keras.backend.clear_session()
        x = keras.Input(self.train[0].shape[1:])
        co.forward({inputs["in"]: x})  # compiles every module on the symbolic input
        model = keras.Model(x, outputs["out"].val)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(*self.train, validation_data=self.val, epochs=self.epochs,
                            batch_size=64, verbose=0)
        return {"validation_accuracy": float(history.history["val_accuracy"][-1]),
                "num_parameters": int(model.count_params())}
# [evaluator]


# [search]
def main(num_samples=3):
    np.random.seed(0)  # the searchers draw from NumPy's global generator
    X, y = make_data()
    evaluator = Evaluator(X, y)
    searcher = RandomSearcher(lambda: search_space(num_classes=3))
    best = None
    for i in range(num_samples):
        inputs, outputs, hyperp_value_lst, token = searcher.sample()
        results = evaluator.eval(inputs, outputs)
        searcher.update(results["validation_accuracy"], token)
        print(i, hyperp_value_lst, results)
        if best is None or results["validation_accuracy"] > best[1]["validation_accuracy"]:
            best = (hyperp_value_lst, results)
    print("best:", best)
    return best
# [search]


if __name__ == "__main__":
    main()
