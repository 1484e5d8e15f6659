"""Training-free scores of architectures (zero-cost proxies) and a searcher using them.

Nothing here imports PyTorch until a proxy is computed. See
:mod:`deep_architect.zero_cost.proxies` for the definitions,
:class:`~deep_architect.zero_cost.evaluator.ZeroCostEvaluator` for an
evaluator returning proxies, and
:class:`~deep_architect.zero_cost.filtered_searcher.ProxyFilteredSearcher` for
a filter in front of any searcher.
"""
from __future__ import annotations

from deep_architect.zero_cost.evaluator import ZeroCostEvaluator, build_model, make_batch
from deep_architect.zero_cost.filtered_searcher import ProxyFilteredSearcher
from deep_architect.zero_cost.proxies import LOSS_FREE_PROXIES, PROXIES, compute_proxy

__all__ = ["PROXIES", "LOSS_FREE_PROXIES", "compute_proxy", "ZeroCostEvaluator",
           "ProxyFilteredSearcher", "build_model", "make_batch"]
