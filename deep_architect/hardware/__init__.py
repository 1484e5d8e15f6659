"""Hardware-aware search: latency lookup tables and latency objectives.

PyTorch is imported only when a table measures something. Hard budgets use
:class:`deep_architect.searchers.constrained.ConstrainedSearcher` with
``LatencyTable.predict`` as the cost; several objectives at once use
:class:`deep_architect.searchers.nsga2.NSGA2Searcher`.
"""
from __future__ import annotations

from deep_architect.hardware.latency_table import LatencyTable
from deep_architect.hardware.objectives import latency_penalty

__all__ = ["LatencyTable", "latency_penalty"]
