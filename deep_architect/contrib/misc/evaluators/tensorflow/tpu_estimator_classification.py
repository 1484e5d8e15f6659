"""The original's ``TPUEstimatorEvaluator`` (TensorFlow 1 ``TPUEstimator`` on Cloud TPUs).

``TPUEstimator`` no longer exists in TensorFlow 2, so this evaluator is not
ported; the name stays importable and fails with a clear message on use. For
TPU training, write a Keras 3 evaluator (see
``deep_architect.contrib.misc.evaluators.keras.classification``) and run it
under a ``tf.distribute.TPUStrategy``.
"""
from __future__ import annotations

from typing import Any

MESSAGE = ("TPUEstimatorEvaluator relies on TensorFlow 1's TPUEstimator, which TensorFlow 2 "
           "removed; it is not available in this port. Use "
           "deep_architect.contrib.misc.evaluators.keras.classification.SimpleClassifierEvaluator "
           "(optionally under tf.distribute.TPUStrategy) instead.")


class TPUEstimatorEvaluator:
    """Placeholder for the TF1-only TPU evaluator.

    Raises:
        NotImplementedError: Always, explaining what to use instead.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        raise NotImplementedError(MESSAGE)
