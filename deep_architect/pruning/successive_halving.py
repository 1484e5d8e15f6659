"""Asynchronous successive halving (ASHA)."""

from __future__ import annotations

from collections.abc import Sequence

from deep_architect.errors import check
from deep_architect.pruning.base import Curve, Pruner


class SuccessiveHalvingPruner(Pruner):
    """Keeps only the top ``1 / reduction_factor`` of the evaluations at each rung.

    Rung ``k`` is the step ``min_resource * reduction_factor ** (min_early_stopping_rate
    + k)``. When an evaluation first reports at or past a rung, its best value
    up to the rung is ranked against those of every other evaluation that got
    that far; it goes on if it is among the best ``max(1, n // reduction_factor)``
    of the ``n`` ranked values, and is stopped otherwise. Decisions never wait
    for other evaluations (the asynchronous variant): an early evaluation is
    compared with the few that exist, so the first ones tend to go on.

    Example:
        >>> rivals = [Curve(i, {1: v}) for i, v in enumerate([0.5, 0.6, 0.7])]
        >>> SuccessiveHalvingPruner(reduction_factor=2).should_prune(Curve(9, {1: 0.4}), rivals)
        True

    Args:
        min_resource: Step of the first rung (positive).
        reduction_factor: Ratio between rungs and inverse of the kept fraction (>= 2).
        min_early_stopping_rate: Rungs skipped at the start (>= 0).
    """

    def __init__(self, min_resource: int = 1, reduction_factor: int = 3,
                 min_early_stopping_rate: int = 0) -> None:
        check(isinstance(min_resource, int) and min_resource >= 1,
              f"SuccessiveHalvingPruner: min_resource must be a positive int, got {min_resource!r}")
        check(isinstance(reduction_factor, int) and reduction_factor >= 2,
              "SuccessiveHalvingPruner: reduction_factor must be an int >= 2, got "
              f"{reduction_factor!r}")
        check(isinstance(min_early_stopping_rate, int) and min_early_stopping_rate >= 0,
              "SuccessiveHalvingPruner: min_early_stopping_rate must be an int >= 0, got "
              f"{min_early_stopping_rate!r}")
        self.min_resource = min_resource
        self.reduction_factor = reduction_factor
        self.min_early_stopping_rate = min_early_stopping_rate

    def rung_step(self, k: int) -> int:
        """The step of rung ``k``."""
        return self.min_resource * self.reduction_factor ** (self.min_early_stopping_rate + k)

    def _rung_just_reached(self, curve: Curve) -> int | None:
        # The last report is the first at or past a rung when the previous
        # report was below it: that is the one moment the rung decides.
        steps = sorted(curve.values)
        last = steps[-1]
        previous = steps[-2] if len(steps) > 1 else -1
        k = 0
        while self.rung_step(k + 1) <= last:
            k += 1
        rung = self.rung_step(k)
        return rung if previous < rung <= last else None

    def should_prune(self, curve: Curve, others: Sequence[Curve]) -> bool:
        """See :meth:`Pruner.should_prune`."""
        if not curve.values:
            return False
        rung = self._rung_just_reached(curve)
        if rung is None:
            return False
        own = curve.best_up_to(rung)
        rivals = [c.best_up_to(rung) for c in others
                  if c.last_step is not None and c.last_step >= rung]
        rivals = [v for v in rivals if v is not None]
        num_kept = max(1, (len(rivals) + 1) // self.reduction_factor)
        num_better = sum(v > own for v in rivals)
        return num_better >= num_kept
