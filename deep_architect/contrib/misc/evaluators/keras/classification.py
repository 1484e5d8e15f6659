"""``SimpleClassifierEvaluator`` for architectures built from Keras 3 modules (any backend).

The graph is run once symbolically on ``keras.Input`` to build a
``keras.Model`` (so Keras layers get the right ``training`` flag during
training and evaluation), compiled with sparse categorical cross-entropy on
the ``'out'`` logits (for the two-output NASNet space, ``'out1'`` plus 0.5
times the auxiliary ``'out0'`` loss) and trained batch by batch so the shared
loop controls epochs, learning rate and the time budget. See
:class:`ClassifierTrainingLoop` for arguments and results. Images are NHWC.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

import deep_architect.core as co
from deep_architect.contrib.misc.evaluators.classifier_training import (
    AUX_LOSS_WEIGHT,
    ClassifierTrainingLoop,
    graph_input_dict,
)


class SimpleClassifierEvaluator(ClassifierTrainingLoop):
    """Trains and validates Keras 3 architectures (arguments: :class:`ClassifierTrainingLoop`)."""

    def _build(self, inputs, outputs, X_example) -> None:
        import keras

        keras.backend.clear_session()  # a fresh name space and graph per evaluation
        x = keras.Input(shape=tuple(np.shape(X_example)[1:]))
        feed = graph_input_dict(inputs, x, float(self._total_training_steps()))
        co.forward({inputs[name]: val for name, val in feed.items()})
        self._out_names = ["out"] if "out" in outputs else ["out1", "out0"]
        self._model = keras.Model(inputs=x, outputs=[outputs[n].val for n in self._out_names])
        opt = self._make_optimizer(keras.optimizers.Adam, keras.optimizers.SGD,
                                   learning_rate=self.learning_rate_init)
        losses = [keras.losses.SparseCategoricalCrossentropy(from_logits=True)
                  for _ in self._out_names]
        weights = [1.0, AUX_LOSS_WEIGHT][:len(self._out_names)]
        self._model.compile(optimizer=opt, loss=losses, loss_weights=weights, jit_compile=False)

    def _train_step(self, X, y_idx: np.ndarray, learning_rate: float) -> float:
        self._model.optimizer.learning_rate = learning_rate
        targets = [y_idx] * len(self._out_names)
        loss = self._model.train_on_batch(np.asarray(X, dtype=np.float32),
                                          targets if len(targets) > 1 else targets[0])
        return float(np.ravel(loss)[0])

    def _predict_classes(self, X) -> np.ndarray:
        out = self._model.predict_on_batch(np.asarray(X, dtype=np.float32))
        logits = out[0] if isinstance(out, (list, tuple)) else out
        return np.argmax(np.asarray(logits), axis=1)

    def _num_parameters(self) -> int:
        return sum(int(np.prod(w.shape)) for w in self._model.trainable_weights)

    def _get_weights(self) -> Any:
        return self._model.get_weights()

    def _set_weights(self, weights: Any) -> None:
        self._model.set_weights(weights)

    def _write_weights(self, folderpath: str) -> None:
        self._model.save_weights(os.path.join(folderpath, "best_model.weights.h5"))

    def _release(self) -> None:
        self._model = None
