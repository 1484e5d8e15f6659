"""Kept for the original module path.

The TensorFlow 1 backends of the original library map onto the TensorFlow 2
implementation in tensorflow_eager_ops.
"""
from __future__ import annotations

from deep_architect.contrib.deep_learning_backend.tensorflow_eager_ops import *  # noqa: F401,F403
