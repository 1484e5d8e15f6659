"""The median stopping rule."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from deep_architect.errors import check
from deep_architect.pruning.base import Curve, Pruner


class MedianPruner(Pruner):
    """Stops an evaluation whose best value so far is below the median of the others.

    At step ``s`` the reference is the median of the best values up to ``s``
    of the evaluations that completed without being pruned and reported at
    ``s`` or later; pruned evaluations are left out because their curves stop
    early and would drag the median down.

    Example:
        >>> done = [Curve(i, {0: v, 1: v}, finished=True) for i, v in enumerate([0.2, 0.4, 0.6])]
        >>> MedianPruner(n_startup=3).should_prune(Curve(9, {0: 0.1, 1: 0.3}), done)
        True

    Args:
        n_startup: Completed evaluations needed before anything is pruned.
        n_warmup_steps: Steps below this are never pruned.
        interval_steps: Only steps that are multiples of this are checked.
    """

    def __init__(self, n_startup: int = 5, n_warmup_steps: int = 0,
                 interval_steps: int = 1) -> None:
        for name, value, minimum in (("n_startup", n_startup, 0),
                                     ("n_warmup_steps", n_warmup_steps, 0),
                                     ("interval_steps", interval_steps, 1)):
            check(isinstance(value, int) and value >= minimum,
                  f"MedianPruner: {name} must be an int >= {minimum}, got {value!r}")
        self.n_startup = n_startup
        self.n_warmup_steps = n_warmup_steps
        self.interval_steps = interval_steps

    def should_prune(self, curve: Curve, others: Sequence[Curve]) -> bool:
        """See :meth:`Pruner.should_prune`."""
        step = curve.last_step
        if step is None or step < self.n_warmup_steps or step % self.interval_steps:
            return False
        completed = [c for c in others if c.finished and not c.pruned]
        if len(completed) < self.n_startup:
            return False
        reference = [c.best_up_to(step) for c in completed
                     if c.last_step is not None and c.last_step >= step]
        reference = [v for v in reference if v is not None]
        if not reference:
            return False
        return curve.best_up_to(step) < statistics.median(reference)
