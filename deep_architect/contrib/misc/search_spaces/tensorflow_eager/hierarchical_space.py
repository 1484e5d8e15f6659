"""The original path of ``search_spaces.hierarchical_space``, bound to TensorFlow."""
from __future__ import annotations

from deep_architect.contrib.deep_learning_backend import backend as _backend
from deep_architect.contrib.misc.search_spaces.hierarchical_space import *  # noqa: F401,F403

_backend.set_default_backend(_backend.TENSORFLOW_EAGER)
