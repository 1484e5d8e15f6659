"""Kept for the original module path (``D`` and the TensorFlow module helper)."""
from __future__ import annotations

from deep_architect.helpers.tensorflow_support import siso_tensorflow_module  # noqa: F401
from deep_architect.hyperparameters import Discrete as D  # noqa: F401
