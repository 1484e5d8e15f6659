"""A hard budget in front of any searcher: over-budget architectures are never handed out.

Example:
    >>> import deep_architect.core as co
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> space = lambda: mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3, 4]))
    >>> def num_modules(inputs, outputs):  # repeats, plus the space's input and output
    ...     return len(co.get_modules_with_cond(outputs, lambda m: True))
    >>> searcher = ConstrainedSearcher(RandomSearcher(space), num_modules, max_cost=4)
    >>> costs = []
    >>> for _ in range(5):
    ...     inputs, outputs, vs, token = searcher.sample()
    ...     searcher.update(1.0, token)
    ...     costs.append(token["cost"])
    >>> max(costs) <= 4
    True
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deep_architect.errors import DeepArchitectError, check
from deep_architect.searchers.common import DEFAULT_MAX_INVALID_ATTEMPTS
from deep_architect.searchers.wrapper import WrapperSearcher

__all__ = ["ConstrainedSearcher"]

CostFn = Callable[[Mapping, Mapping], float]


class ConstrainedSearcher(WrapperSearcher):
    """Rejects architectures whose cost exceeds a budget before they are evaluated.

    Each :meth:`sample` draws architectures from the inner searcher until one
    has ``cost_fn(inputs, outputs) <= max_cost`` (for instance a latency
    predicted by :class:`~deep_architect.hardware.latency_table.LatencyTable`).
    Rejected architectures are counted in ``num_rejected`` and reported to the
    inner searcher at once with ``rejected_value``; they are never handed out,
    so never trained. The token carries the ``cost`` of the architecture handed
    out. See :class:`~deep_architect.searchers.wrapper.WrapperSearcher` for
    updates and state.

    Args:
        searcher: The inner searcher.
        cost_fn: ``cost_fn(inputs, outputs) -> float`` of a specified architecture.
        max_cost: The budget (> 0).
        rejected_value: Value given to the inner searcher for rejected candidates.
        max_attempts: Consecutive rejections tolerated before giving up.
    """

    state_filename = "constrained_searcher.json"
    state_keys = ("num_drawn", "num_rejected", "inner")

    def __init__(self, searcher: Any, cost_fn: CostFn, max_cost: float,
                 rejected_value: float = 0.0,
                 max_attempts: int = DEFAULT_MAX_INVALID_ATTEMPTS) -> None:
        check(callable(cost_fn), f"ConstrainedSearcher: cost_fn must be callable, got "
                                 f"{cost_fn!r}")
        check(isinstance(max_cost, int | float) and not isinstance(max_cost, bool)
              and max_cost > 0, f"ConstrainedSearcher: max_cost (the budget, e.g. a latency "
                                f"target) must be a positive number, got {max_cost!r}")
        check(isinstance(max_attempts, int) and max_attempts >= 1,
              f"ConstrainedSearcher: max_attempts must be a positive int, got {max_attempts!r}")
        WrapperSearcher.__init__(self, searcher, rejected_value)
        self.cost_fn = cost_fn
        self.max_cost = float(max_cost)
        self.max_attempts = max_attempts

    def propose(self) -> tuple:
        """Draws until a candidate fits the budget, then hands it out."""
        lowest = None
        for _ in range(self.max_attempts):
            candidate = self._draw()
            cost = float(self.cost_fn(candidate[0], candidate[1]))
            if cost <= self.max_cost:
                return self._hand_out(candidate, {"cost": cost})
            lowest = cost if lowest is None else min(lowest, cost)
            self._reject(candidate)
        raise DeepArchitectError(
            f"ConstrainedSearcher: {self.max_attempts} consecutive architectures exceeded the "
            f"budget max_cost={self.max_cost} (lowest cost seen: {lowest}); raise the budget")
