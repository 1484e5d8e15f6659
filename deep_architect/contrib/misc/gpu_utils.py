"""GPU discovery, importable from its original place; the code is in :mod:`deep_architect.gpus`."""
from __future__ import annotations

from deep_architect import gpus as _gpus
from deep_architect.gpus import *  # noqa: F403

__all__ = list(_gpus.__all__)
