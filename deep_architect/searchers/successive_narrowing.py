"""Successive narrowing: evaluate many architectures, keep the best, repeat.

The searcher manages which architectures survive each round. Given an
``initial_budget``, it also puts each round's budget into its tokens, so that
:func:`deep_architect.search_loop.run_search` runs it with any number of
workers (see :mod:`deep_architect.searchers.protocol`); otherwise the caller
gives later rounds larger budgets (:func:`run_successive_narrowing` does it for
a single process).

Example:
    >>> import tempfile
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.executors.common import current_evaluation
    >>> from deep_architect.search_loop import run_search
    >>> def space():
    ...     return mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))
    >>> class BudgetEcho:
    ...     def eval(self, inputs, outputs):
    ...         return {"validation_accuracy": current_evaluation().budget}
    >>> searcher = SuccessiveNarrowing(space, 4, 0.5, initial_budget=1.0,
    ...                                budget_increase_factor=2.0)
    >>> results = run_search(searcher, BudgetEcho, num_evaluations(4, 0.5, 3),
    ...                      tempfile.mkdtemp(), "narrowing", show_progress=False)
    >>> [r["validation_accuracy"] for r in results]
    [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 4.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import deep_architect.searchers.common as seco
from deep_architect.errors import check
from deep_architect.searchers.base import RngLike, Searcher, random_architecture
from deep_architect.searchers.protocol import BUDGET_KEY, NoSampleAvailable


def num_evaluations(num_initial_samples: int, reduction_factor: float, num_rounds: int) -> int:
    """The number of evaluations of ``num_rounds`` rounds of :class:`SuccessiveNarrowing`.

    Args:
        num_initial_samples: Size of the first round.
        reduction_factor: Fraction of architectures kept after each round.
        num_rounds: Number of rounds.

    Returns:
        The total number of architectures evaluated over the rounds (the
        ``num_samples`` to give a search loop).
    """
    total, size = 0, num_initial_samples
    for _ in range(num_rounds):
        total += size
        size = max(1, int(reduction_factor * size))
    return total


class SuccessiveNarrowing(Searcher):
    """Rounds over a shrinking set of random architectures.

    The constructor draws ``num_initial_samples`` random value lists (the
    queue). Each round, ``sample`` hands out the queued architectures in order;
    once every one of them has a result, the best
    ``max(1, int(reduction_factor * len(queue)))`` form the next round's queue.
    Once a round is handed out, ``sample`` raises
    :class:`~deep_architect.searchers.protocol.NoSampleAvailable` until all its
    results are in.

    Token: ``{"idx": position in the queue}``, plus ``"budget"`` when
    ``initial_budget`` is given: round ``r`` (from 0) gets
    ``initial_budget * budget_increase_factor ** r``. The state holds the
    queue and the round's results (file ``successive_narrowing_state.json``).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        num_initial_samples: Size of the first round.
        reduction_factor: Fraction of architectures kept after each round, in (0, 1].
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        initial_budget: Budget of the first round's evaluations, or ``None``
            for tokens without a budget.
        budget_increase_factor: Budget multiplier from one round to the next.
        rng: ``None`` (global NumPy generator), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "successive_narrowing_state.json"
    state_keys = ("queue", "vals", "num_remaining", "idx", "reduction_factor")

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 num_initial_samples: int, reduction_factor: float,
                 reset_default_scope_upon_sample: bool = True,
                 initial_budget: float | None = None,
                 budget_increase_factor: float = 1.0, rng: RngLike = None) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        check(isinstance(num_initial_samples, int) and num_initial_samples >= 1,
              f"SuccessiveNarrowing: num_initial_samples must be a positive int, "
              f"got {num_initial_samples!r}")
        check(0.0 < reduction_factor <= 1.0,
              f"SuccessiveNarrowing: reduction_factor must be in (0, 1], "
              f"got {reduction_factor!r}")
        check(initial_budget is None or initial_budget > 0,
              f"SuccessiveNarrowing: initial_budget must be None or positive, "
              f"got {initial_budget!r}")
        check(budget_increase_factor > 0,
              f"SuccessiveNarrowing: budget_increase_factor must be positive, "
              f"got {budget_increase_factor!r}")
        self.reduction_factor = reduction_factor
        self.initial_budget = initial_budget
        self.budget_increase_factor = budget_increase_factor
        self.round_idx = 0
        self.queue: list[list[Any]] = [
            random_architecture(self.search_space_fn, self._owner, self.rng)[2]
            for _ in range(num_initial_samples)]
        self.vals: list[float | None] = [None] * num_initial_samples
        self.num_remaining = num_initial_samples
        self.idx = 0

    def propose(self) -> tuple:
        """The next queued architecture of the round without a result."""
        # Results given for architectures not handed out yet (a warm start
        # with tokens of another instance) need no evaluation.
        while self.idx < len(self.queue) and self.vals[self.idx] is not None:
            self.idx += 1
        if self.idx >= len(self.queue):
            raise NoSampleAvailable(
                f"SuccessiveNarrowing.sample: all {len(self.queue)} architectures of round "
                f"{self.round_idx} were sampled; update them all before sampling the next round")
        vs = list(self.queue[self.idx])
        inputs, outputs = self.search_space_fn()
        hyperps: list = []
        seco.specify(outputs, vs, hyperps)
        token: dict[str, Any] = {"idx": self.idx}
        if self.initial_budget is not None:
            token[BUDGET_KEY] = (self.initial_budget
                                 * self.budget_increase_factor ** self.round_idx)
        self.idx += 1
        return inputs, outputs, vs, token, hyperps

    def observe(self, val: float, token: dict[str, Any]) -> None:
        """Records the result of a queued architecture; a full round narrows the queue."""
        self.check_token_keys(token, ["idx"])
        idx = token["idx"]
        check(type(idx) is int and 0 <= idx < len(self.queue) and self.vals[idx] is None,
              "SuccessiveNarrowing.update: token %r names no architecture of this round "
              "waiting for its result", token)
        self.vals[idx] = val
        self.num_remaining -= 1
        if self.num_remaining == 0:
            n = max(1, int(self.reduction_factor * len(self.queue)))
            order = np.argsort(np.asarray(self.vals), kind="stable")[::-1][:n]
            self.queue = [self.queue[i] for i in order]
            self.vals = [None] * n
            self.num_remaining = n
            self.idx = 0
            self.round_idx += 1

    def get_state(self) -> dict[str, Any]:
        """The base state plus the queue, the round's results, the round and the budgets."""
        state = Searcher.get_state(self)
        state.update({"queue": self.queue, "vals": self.vals,
                      "num_remaining": self.num_remaining, "idx": self.idx,
                      "reduction_factor": self.reduction_factor, "round_idx": self.round_idx,
                      "initial_budget": self.initial_budget,
                      "budget_increase_factor": self.budget_increase_factor})
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output or the original's state file."""
        Searcher.set_state(self, state)
        self.queue, self.vals = state["queue"], state["vals"]
        self.num_remaining, self.idx = state["num_remaining"], state["idx"]
        self.reduction_factor = state["reduction_factor"]
        # State files of the original library have no rounds or budgets.
        self.round_idx = state.get("round_idx", 0)
        self.initial_budget = state.get("initial_budget")
        self.budget_increase_factor = state.get("budget_increase_factor", 1.0)


def run_successive_narrowing(search_space_fn: Callable[[], tuple[dict, dict]],
                             num_initial_samples: int, initial_budget: float,
                             get_evaluator: Callable[[float], Any],
                             extract_val_fn: Callable[[dict[str, Any]], float],
                             num_samples_reduction_factor: float,
                             budget_increase_factor: float, num_rounds: int,
                             get_evaluation_logger: Callable[[int], Any]) -> None:
    """Runs successive narrowing in this process, logging every evaluation.

    Round ``r`` (from 0) evaluates the surviving architectures with the
    evaluator ``get_evaluator(initial_budget * budget_increase_factor ** r)``.
    Each evaluation is ``evaluator.eval(inputs, outputs)``; its score is
    ``extract_val_fn(results)``; its config and results are logged with
    ``get_evaluation_logger(evaluation_id)`` (ids count up from 0 across rounds).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        num_initial_samples: Architectures in the first round.
        initial_budget: Budget given to the first round's evaluator.
        get_evaluator: Returns an evaluator for a budget.
        extract_val_fn: Score (higher is better) from an evaluator's results dict.
        num_samples_reduction_factor: Fraction of architectures kept per round.
        budget_increase_factor: Budget multiplier per round.
        num_rounds: Number of rounds.
        get_evaluation_logger: Returns an object with ``log_config(vs, token)``
            and ``log_results(results)`` for an evaluation id.
    """
    searcher = SuccessiveNarrowing(search_space_fn, num_initial_samples,
                                   num_samples_reduction_factor)
    evaluation_id = 0
    for round_idx in range(num_rounds):
        evaluator = get_evaluator(initial_budget * budget_increase_factor ** round_idx)
        for _ in range(len(searcher.queue)):
            inputs, outputs, vs, token = searcher.sample()
            results = evaluator.eval(inputs, outputs)
            searcher.update(extract_val_fn(results), token)
            logger = get_evaluation_logger(evaluation_id)
            logger.log_config(vs, token)
            logger.log_results(results)
            evaluation_id += 1
