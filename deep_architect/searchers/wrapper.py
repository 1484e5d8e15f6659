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
from collections.abc import Mapping, Sequence
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
        rejected_value: Value given to the inner searcher for rejected candidates:
            a number, or for a multi-objective inner searcher (such as
            :class:`~deep_architect.searchers.nsga2.NSGA2Searcher`) a dict of
            objective values, e.g. ``{"validation_accuracy": 0.0, "latency_ms": 100.0}``.

    Multi-objective values (dicts or sequences) given to :meth:`update` are
    passed to the inner searcher unchanged; it checks them.
    """

    def __init__(self, searcher: Any, rejected_value: float | Mapping[str, float] = 0.0) -> None:
        check(callable(getattr(searcher, "search_space_fn", None)),
              f"{type(self).__name__}: the inner searcher {searcher!r} has no search_space_fn")
        values = rejected_value.values() if isinstance(rejected_value, Mapping) else [
            rejected_value]
        check(all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                  for v in values),
              f"{type(self).__name__}: rejected_value must be a finite number or a dict of "
              f"them, got {rejected_value!r}")
        Searcher.__init__(self, searcher.search_space_fn)
        self.searcher = searcher
        self.rejected_value = (dict(rejected_value) if isinstance(rejected_value, Mapping)
                               else float(rejected_value))
        self._objective_values: Any = None
        self.num_drawn = 0
        self.num_rejected = 0

    def _draw(self) -> Candidate:
        self.num_drawn += 1
        return self.searcher.sample()

    def _reject(self, candidate: Candidate) -> None:
        self.num_rejected += 1
        self.searcher.update(self.rejected_value, candidate[3])

    def _hand_out(self, candidate: Candidate, info: dict) -> tuple:
        # A fresh space: scoring may have compiled the candidate's modules.
        inputs, outputs = self.search_space_fn()
        hyperps: list = []
        seco.specify(outputs, candidate[2], hyperps)
        return inputs, outputs, candidate[2], {"inner_token": candidate[3], **info}, hyperps

    def update(self, val: Any, searcher_eval_token: dict) -> None:
        """Reports the result of a handed-out architecture (a number or objective values).

        Args:
            val: A finite score, or a dict / sequence of objective values for a
                multi-objective inner searcher.
            searcher_eval_token: The token :meth:`sample` returned with it.
        """
        if isinstance(val, Mapping) or (isinstance(val, Sequence) and not isinstance(val, str)):
            # The base class checks the token and a number; the values go to observe.
            self._objective_values = val
            try:
                Searcher.update(self, 0.0, searcher_eval_token)
            finally:
                self._objective_values = None
        else:
            Searcher.update(self, val, searcher_eval_token)

    def observe(self, val: float, token: dict) -> None:
        """Passes the result on to the inner searcher with the candidate's inner token."""
        self.check_token_keys(token, ["inner_token"])
        self.searcher.update(val if self._objective_values is None else self._objective_values,
                             token["inner_token"])

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
