"""One-shot architecture search: supernets compiled from ordinary search spaces.

The same search-space function that random search, MCTS, SMBO or evolution
sample from compiles into one PyTorch module holding every architecture
(:class:`Supernet`); :class:`DartsTrainer` learns its mixture weights,
:meth:`Supernet.derive` reads off the best architecture as a value list for
:func:`~deep_architect.searchers.common.specify`, and
:class:`WeightSharingEvaluator` scores sampled architectures with the weights
they inherit from a trained supernet.

Importing this package does not import PyTorch; the names that need it load it
on first use.
"""
from __future__ import annotations

import importlib
from typing import Any

from deep_architect.oneshot.input_edge import InputEdge

__all__ = ["InputEdge", "Supernet", "DerivedArchitecture", "DartsTrainer",
           "WeightSharingEvaluator"]

_LAZY = {
    "Supernet": "deep_architect.oneshot.supernet",
    "DerivedArchitecture": "deep_architect.oneshot.supernet",
    "DartsTrainer": "deep_architect.oneshot.darts",
    "WeightSharingEvaluator": "deep_architect.oneshot.weight_sharing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
