"""``SimpleClassifierEvaluator`` on TensorFlow 2 — the port of the original TF1 evaluator.

Same module path, constructor and results keys as the original, so scripts
written for it (``examples/mnist``, ``examples/mnist_with_logging``,
``examples/simplest_multiworker``) run unchanged. TF1 placeholders and
``sess.run`` are replaced by eager execution: each batch runs ``core.forward``
inside a ``tf.GradientTape``, traced once with ``tf.function`` after a first eager
pass has created every variable. Modules switch between training and evaluation
through the ``is_training`` attribute (``TensorflowEagerModule`` protocol) and
through the ``train_feed`` / ``eval_feed`` switches of ``TensorflowModule``
(TF2 variables assigned before each phase). The variables to train are those
created during the first forward pass. Labels may be one-hot (as the original
required) or class indices. The graph's ``'out'`` output must be logits.

The port runs on TensorFlow itself: it refuses to start when ``KERAS_BACKEND``
selects another Keras backend (Keras layers would then not be TensorFlow ops).
See :class:`ClassifierTrainingLoop` for arguments and results.
"""
from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

import deep_architect.core as co
from deep_architect.contrib.misc.evaluators.classifier_training import (
    AUX_LOSS_WEIGHT,
    ClassifierTrainingLoop,
    graph_input_dict,
    total_loss,
)
from deep_architect.errors import check


def check_tensorflow_keras_backend() -> None:
    """Fails unless Keras (if used) runs on TensorFlow.

    Raises:
        DeepArchitectError: Naming ``KERAS_BACKEND`` when it selects another backend.
    """
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "backend"):
        backend = sys.modules["keras"].backend.backend()
    check(backend == "tensorflow",
          "the TensorFlow classification evaluator needs Keras on TensorFlow, but "
          "KERAS_BACKEND is %r: unset it or set KERAS_BACKEND=tensorflow (or use "
          "contrib.misc.evaluators.keras.classification for other backends)." % backend)


def _set_mode(outputs, is_training: bool) -> None:
    for m in co.get_modules_with_cond(outputs, lambda m: True):
        if hasattr(m, "is_training"):
            m.is_training = is_training
        feed = getattr(m, "train_feed" if is_training else "eval_feed", None)
        for var, value in (feed or {}).items():
            var.assign(value)


class SimpleClassifierEvaluator(ClassifierTrainingLoop):
    """Trains and validates TensorFlow 2 architectures (arguments: :class:`ClassifierTrainingLoop`).

    Raises:
        DeepArchitectError: At construction, if ``KERAS_BACKEND`` is not TensorFlow.
    """

    def _check_framework(self) -> None:
        check_tensorflow_keras_backend()

    def _build(self, inputs, outputs, X_example) -> None:
        import tensorflow as tf

        self._tf = tf
        self._inputs, self._outputs = inputs, outputs
        self._steps = self._total_training_steps()
        created: list[Any] = []

        def record(next_creator, **kwargs):
            var = next_creator(**kwargs)
            created.append(var)
            return var

        _set_mode(outputs, True)
        with tf.variable_creator_scope(record):
            self._forward(tf.convert_to_tensor(np.asarray(X_example, np.float32)))
        self._variables = created
        self._trainable = [v for v in created if v.trainable]
        self._opt = self._make_optimizer(tf.keras.optimizers.Adam, tf.keras.optimizers.SGD,
                                         learning_rate=self.learning_rate_init)
        # Traced once per mode and batch shape; the modules' is_training flags are read
        # while tracing, and each function is only ever called in its own mode.
        self._compiled_train_step = tf.function(self._eager_train_step, reduce_retracing=True,
                                                autograph=False)
        self._compiled_predict = tf.function(self._eager_predict, reduce_retracing=True,
                                             autograph=False)

    def _forward(self, x) -> dict:
        tf = self._tf
        feed = graph_input_dict(self._inputs, x, tf.constant(float(self._steps)))
        co.forward({self._inputs[name]: val for name, val in feed.items()})
        return {name: out.val for name, out in self._outputs.items()}

    def _train_step(self, X, y_idx: np.ndarray, learning_rate: float) -> float:
        tf = self._tf
        _set_mode(self._outputs, True)
        self._opt.learning_rate = learning_rate
        x = tf.convert_to_tensor(np.asarray(X, np.float32))
        return float(self._compiled_train_step(x, tf.convert_to_tensor(y_idx)).numpy())

    def _eager_train_step(self, x, y):
        tf = self._tf

        def loss_fn(logits):
            return tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
                y, logits, from_logits=True))

        with tf.GradientTape() as tape:
            loss = total_loss(self._forward(x), loss_fn, AUX_LOSS_WEIGHT)
        grads = tape.gradient(loss, self._trainable)
        self._opt.apply_gradients([(g, v) for g, v in zip(grads, self._trainable, strict=True)
                                   if g is not None])
        return loss

    def _predict_classes(self, X) -> np.ndarray:
        _set_mode(self._outputs, False)
        x = self._tf.convert_to_tensor(np.asarray(X, np.float32))
        return self._compiled_predict(x).numpy()

    def _eager_predict(self, x):
        out = self._forward(x)
        return self._tf.argmax(out["out"] if "out" in out else out["out1"], axis=1)

    def _num_parameters(self) -> int:
        return sum(int(np.prod(v.shape)) for v in self._trainable)

    def _get_weights(self) -> Any:
        return [v.numpy() for v in self._variables]

    def _set_weights(self, weights: Any) -> None:
        for var, value in zip(self._variables, weights, strict=True):
            var.assign(value)

    def _write_weights(self, folderpath: str) -> None:
        checkpoint = self._tf.train.Checkpoint(**{"v%d" % i: v
                                                  for i, v in enumerate(self._variables)})
        checkpoint.write(os.path.join(folderpath, "best_model"))

    def _release(self) -> None:
        self._opt = self._variables = self._trainable = None
        self._compiled_train_step = self._compiled_predict = None
