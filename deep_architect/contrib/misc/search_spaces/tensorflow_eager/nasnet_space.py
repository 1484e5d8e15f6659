"""Kept for the original module path.

It re-exports the framework-neutral space of
``deep_architect.contrib.misc.search_spaces.nasnet_space``,
which compiles to the backend chosen with
``deep_learning_backend.backend.set_backend`` (e.g. ``TENSORFLOW_EAGER``).
"""
from __future__ import annotations

from deep_architect.contrib.misc.search_spaces.nasnet_space import *  # noqa: F401,F403
