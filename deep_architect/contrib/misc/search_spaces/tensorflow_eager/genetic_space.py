"""The original module path of ``search_spaces.genetic_space`` on TensorFlow.

Importing this module binds TensorFlow 2 (Keras 3 layers on the TensorFlow
backend, ``TensorflowEagerModule`` objects) as the default deep-learning
backend (``deep_learning_backend.backend.set_default_backend``), so the
original's scripts run unchanged with no backend chosen. An explicit
``backend.set_backend`` call still takes precedence.
"""
from __future__ import annotations

from deep_architect.contrib.deep_learning_backend import backend as _backend
from deep_architect.contrib.misc.search_spaces.genetic_space import *  # noqa: F401,F403

_backend.set_default_backend(_backend.TENSORFLOW_EAGER)
