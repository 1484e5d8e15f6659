"""Framework starter: architecture search with Keras 3 on scikit-learn's digits.

Samples a few architectures of a fully connected search space at random, trains
each briefly and prints its validation accuracy. Works on any Keras backend
(set KERAS_BACKEND). Run from the repository root:

    python examples/framework_starters/main_keras.py [--num_samples 4] [--num_epochs 4]
"""
from __future__ import annotations

from types import SimpleNamespace

import keras
from keras.layers import Activation, BatchNormalization, Dense, Dropout, Input
from keras.models import Model
from starter_common import ClassifierEvaluatorBase, run_dnn_starter

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke


def dense(h_units):
    return hke.siso_keras_module_from_keras_layer_fn(Dense, {"units": h_units})


def dropout(h_drop_rate):
    return hke.siso_keras_module_from_keras_layer_fn(Dropout, {"rate": h_drop_rate})


def batch_normalization():
    return hke.siso_keras_module_from_keras_layer_fn(BatchNormalization, {})


def nonlinearity(h_nonlin_name):
    def compile_fn(di, dh):
        layer = Activation(dh["nonlin_name"])
        return lambda di: {"out": layer(di["in"])}
    return hke.siso_keras_module("Nonlinearity", compile_fn, {"nonlin_name": h_nonlin_name})


KERAS_MODULES = SimpleNamespace(dense=dense, dropout=dropout, nonlinearity=nonlinearity,
                                batch_normalization=batch_normalization)


class SimpleClassifierEvaluator(ClassifierEvaluatorBase):
    """Trains a sampled architecture with Adam and reports validation accuracy."""

    def eval(self, inputs, outputs):
        keras.backend.clear_session()  # each architecture starts from a clean Keras state
        x = Input(self.X_train.shape[1:])
        co.forward({inputs["in"]: x})
        model = Model(inputs=x, outputs=Activation("softmax")(outputs["out"].val))
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(self.X_train, self.y_train, batch_size=self.batch_size,
                            epochs=self.num_training_epochs, verbose=0,
                            validation_data=(self.X_val, self.y_val))
        return {"validation_accuracy": float(history.history["val_accuracy"][-1])}


def main():
    run_dnn_starter(KERAS_MODULES, SimpleClassifierEvaluator, num_samples=4, num_epochs=4)


if __name__ == "__main__":
    main()
