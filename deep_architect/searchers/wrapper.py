"""Base of searchers that draw candidates from another searcher and pass some of them on.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> class FirstOfTwo(WrapperSearcher):
    ...     def propose(self):
    ...         first = self._draw()
    ...         self._reject(self._draw())
    ...         return self._hand_out(first, {})
    >>> space = lambda: mo.siso_optional(mo.identity, hp.Bool())
    >>> searcher = FirstOfTwo(RandomSearcher(space))
    >>> inputs, outputs, vs, token = searcher.sample()
    >>> searcher.update(1.0, token)
    >>> searcher.num_drawn, searcher.num_rejected
    (2, 1)
"""
from __future__ import annotations

import math
from typing import Any

import deep_architect.searchers.common as seco
from deep_architect.errors import check
from deep_architect.searchers.base import Searcher

__all__ = ["WrapperSearcher"]

Candidate = tuple  # (inputs, outputs, hyperp_value_lst, inner token)


class WrapperSearcher(Searcher):
    """Draws candidates from an inner searcher; every inner token gets exactly one update.

    Subclasses implement ``propose`` with :meth:`_draw` (one candidate from the
    inner searcher), :meth:`_reject` (updates the inner searcher at once with
    ``rejected_value`` and counts the rejection) and :meth:`_hand_out` (rebuilds
    the chosen candidate on a fresh space and wraps its token). The handed-out
    candidate's inner token is updated with the real result in :meth:`update`.
    The state nests the inner searcher's under ``"inner"``.

    Args:
        searcher: A :class:`~deep_architect.searchers.base.Searcher` (its state
            is nested in this one's).
        rejected_value: Value given to the inner searcher for rejected candidates.
    """

    def __init__(self, searcher: Any, rejected_value: float = 0.0) -> None:
        check(callable(getattr(searcher, "search_space_fn", None)),
              f"{type(self).__name__}: the inner searcher {searcher!r} has no search_space_fn")
        check(isinstance(rejected_value, int | float) and math.isfinite(rejected_value),
              f"{type(self).__name__}: rejected_value must be a finite number, got "
              f"{rejected_value!r}")
        Searcher.__init__(self, searcher.search_space_fn)
        self.searcher = searcher
        self.rejected_value = float(rejected_value)
        self.num_drawn = 0
        self.num_rejected = 0

    def _draw(self) -> Candidate:
        self.num_drawn += 1
        return self.searcher.sample()

    def _reject(self, candidate: Candidate) -> None:
        self.num_rejected += 1
        self.searcher.update(self.rejected_value, candidate[3])

    def _hand_out(self, candidate: Candidate, info: dict) -> tuple[dict, dict, list, dict]:
        # A fresh space: scoring may have compiled the candidate's modules.
        inputs, outputs = self.search_space_fn()
        seco.specify(outputs, candidate[2])
        return inputs, outputs, candidate[2], {"inner_token": candidate[3], **info}

    def observe(self, val: float, token: dict) -> None:
        """Passes the result on to the inner searcher with the candidate's inner token."""
        self.check_token_keys(token, ["inner_token"])
        self.searcher.update(val, token["inner_token"])

    def get_state(self) -> dict:
        """The base state, the draw counters and the inner searcher's state (``"inner"``)."""
        state = Searcher.get_state(self)
        state.update({"num_drawn": self.num_drawn, "num_rejected": self.num_rejected,
                      "inner": self.searcher.get_state()})
        return state

    def set_state(self, state: dict) -> None:
        """Restores :meth:`get_state`'s output."""
        Searcher.set_state(self, state)
        self.searcher.set_state(state["inner"])
        self.num_drawn, self.num_rejected = state["num_drawn"], state["num_rejected"]
