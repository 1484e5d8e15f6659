"""Hyperband: successive halving in several brackets of different aggressiveness."""

from __future__ import annotations

from collections.abc import Sequence

from deep_architect.errors import check
from deep_architect.pruning.base import Curve, Pruner
from deep_architect.pruning.successive_halving import SuccessiveHalvingPruner


class HyperbandPruner(Pruner):
    """Runs :class:`SuccessiveHalvingPruner` brackets, each evaluation in one of them.

    There are ``floor(log_eta(max_resource / min_resource)) + 1`` brackets;
    bracket ``b`` skips its first ``b`` rungs, so bracket 0 prunes the most
    aggressively and the last one lets every evaluation run to
    ``max_resource``. Evaluation ``i`` belongs to bracket ``i % num_brackets``
    (a rule any process can apply without shared state) and is ranked only
    against the evaluations of its bracket.

    Example:
        >>> HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3).num_brackets
        4

    Args:
        min_resource: Step of the first rung of the most aggressive bracket.
        max_resource: Last step an evaluation reaches (for example the number of epochs).
        reduction_factor: Ratio between rungs (>= 2).
    """

    def __init__(self, min_resource: int = 1, max_resource: int = 81,
                 reduction_factor: int = 3) -> None:
        check(isinstance(max_resource, int) and isinstance(min_resource, int)
              and 1 <= min_resource <= max_resource,
              f"HyperbandPruner: need ints 1 <= min_resource <= max_resource, got "
              f"min_resource={min_resource!r}, max_resource={max_resource!r}")
        check(isinstance(reduction_factor, int) and reduction_factor >= 2,
              f"HyperbandPruner: reduction_factor must be an int >= 2, got {reduction_factor!r}")
        self.num_brackets = 1
        while min_resource * reduction_factor ** self.num_brackets <= max_resource:
            self.num_brackets += 1
        self.brackets = [SuccessiveHalvingPruner(min_resource, reduction_factor, b)
                         for b in range(self.num_brackets)]

    def bracket_of(self, evaluation_id: int) -> int:
        """The bracket evaluation ``evaluation_id`` belongs to."""
        return evaluation_id % self.num_brackets

    def should_prune(self, curve: Curve, others: Sequence[Curve]) -> bool:
        """See :meth:`Pruner.should_prune`."""
        bracket = self.bracket_of(curve.evaluation_id)
        same_bracket = [c for c in others if self.bracket_of(c.evaluation_id) == bracket]
        return self.brackets[bracket].should_prune(curve, same_bracket)
