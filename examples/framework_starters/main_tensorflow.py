"""Framework starter: architecture search with TensorFlow 2 on scikit-learn's digits.

The TF1 original fed placeholders for dropout and batch norm; here the same
modules return train/eval "feeds" of non-trainable variables, and
``htf.TensorflowModel`` runs the graph through ``tf.function``. Run from the
repository root:

    python examples/framework_starters/main_tensorflow.py [--num_samples 3] [--num_epochs 10]
"""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # the layers below are TF layers
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from types import SimpleNamespace  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from starter_common import ClassifierEvaluatorBase, run_dnn_starter  # noqa: E402

import deep_architect.helpers.tensorflow_support as htf  # noqa: E402


def dense(h_units):
    return htf.siso_tensorflow_module_from_tensorflow_op_fn(keras.layers.Dense,
                                                            {"units": h_units})


def nonlinearity(h_nonlin_name):
    def compile_fn(di, dh):
        fn = {"relu": tf.nn.relu, "tanh": tf.nn.tanh, "elu": tf.nn.elu}[dh["nonlin_name"]]
        return lambda di: {"out": fn(di["in"])}
    return htf.siso_tensorflow_module("Nonlinearity", compile_fn,
                                      {"nonlin_name": h_nonlin_name})


def dropout(h_drop_rate):
    def compile_fn(di, dh):
        keep_prob = tf.Variable(1.0, trainable=False)
        return ((lambda di: {"out": tf.nn.dropout(di["in"], rate=1.0 - keep_prob)}),
                {keep_prob.ref(): 1.0 - dh["drop_rate"]}, {keep_prob.ref(): 1.0})
    return htf.siso_tensorflow_module("Dropout", compile_fn, {"drop_rate": h_drop_rate})


def batch_normalization():
    def compile_fn(di, dh):
        is_training = tf.Variable(False, trainable=False)
        layer = keras.layers.BatchNormalization()

        def forward_fn(di):
            x = di["in"]
            return {"out": tf.cond(is_training, lambda: layer(x, training=True),
                                   lambda: layer(x, training=False))}
        return forward_fn, {is_training.ref(): True}, {is_training.ref(): False}
    return htf.siso_tensorflow_module("BatchNormalization", compile_fn, {})


TENSORFLOW_MODULES = SimpleNamespace(dense=dense, dropout=dropout, nonlinearity=nonlinearity,
                                     batch_normalization=batch_normalization)


class SimpleClassifierEvaluator(ClassifierEvaluatorBase):
    """Trains a sampled architecture with Adam and reports validation accuracy."""

    def eval(self, inputs, outputs):
        model = htf.TensorflowModel(inputs, outputs, {"in": tf.constant(self.X_train[:2])})
        optimizer = keras.optimizers.Adam(learning_rate=self.learning_rate)
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        variables = model.trainable_variables

        # One traced step (model, loss, gradients and Adam update in one graph).
        @tf.function(autograph=False, reduce_retracing=True)
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model({"in": x}, training=True)["out"])
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

        batches = tf.data.Dataset.from_tensor_slices((self.X_train, self.y_train))
        for _ in range(self.num_training_epochs):
            for x, y in batches.shuffle(len(self.X_train)).batch(self.batch_size):
                train_step(x, y)
        logits = model({"in": tf.constant(self.X_val)}, training=False)["out"]
        accuracy = float(tf.reduce_mean(tf.cast(
            tf.argmax(logits, axis=1) == tf.constant(self.y_val), tf.float32)))
        return {"validation_accuracy": accuracy,
                "num_parameters": htf.get_num_trainable_parameters(outputs)}


def main():
    run_dnn_starter(TENSORFLOW_MODULES, SimpleClassifierEvaluator, num_samples=3,
                    num_epochs=10, batch_size=64)


if __name__ == "__main__":
    main()
