"""deep_architect: modular, programmable architecture search.

``deep_architect.Experiment`` (see :mod:`deep_architect.experiment`) is loaded
on first use, so importing a submodule stays cheap.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in ("Experiment", "RankedEvaluation"):
        import deep_architect.experiment as experiment

        return getattr(experiment, name)
    raise AttributeError("module 'deep_architect' has no attribute %r" % name)
