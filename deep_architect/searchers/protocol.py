"""What a searcher may tell a search loop beyond ``sample`` and ``update``.

Two small, optional additions to the searcher contract let a search loop with
several workers drive searchers that work in rounds, such as
:class:`~deep_architect.searchers.successive_narrowing.SuccessiveNarrowing`:

* **Nothing to hand out now.** ``sample()`` may raise :class:`NoSampleAvailable`
  when it cannot propose an architecture until more results arrive (the end of
  a round whose evaluations are still running). The call must leave the
  searcher unchanged. A loop then waits for a running evaluation to finish,
  calls ``update`` with its result and asks again;
  :func:`deep_architect.search_loop.run_search` does this. With nothing
  running, waiting cannot help, so the loop reports a stuck searcher.
* **A budget per evaluation.** A token may hold a :data:`BUDGET_KEY` entry
  (a number: epochs, seconds, data fraction... the evaluator decides). The loop
  gives it to the evaluation (:attr:`deep_architect.executors.common.Job.budget`;
  evaluators read it with
  :func:`deep_architect.executors.common.current_evaluation`), and it is logged
  with the token in ``config.json``.

Searchers that need neither simply never raise the exception and never put a
budget in their tokens.

Example:
    >>> class OneAtATime:
    ...     # Hands out one architecture, then waits for its result.
    ...     def __init__(self):
    ...         self.waiting = False
    ...     def sample(self):
    ...         if self.waiting:
    ...             raise NoSampleAvailable("OneAtATime waits for its result")
    ...         self.waiting = True
    ...         return {}, {}, [], {BUDGET_KEY: 2.0}
    ...     def update(self, val, token):
    ...         self.waiting = False
    >>> searcher = OneAtATime()
    >>> budget_of(searcher.sample()[3])
    2.0
    >>> try:
    ...     searcher.sample()
    ... except NoSampleAvailable as e:
    ...     print(e)
    OneAtATime waits for its result
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from deep_architect.errors import DeepArchitectError

#: Token entry holding the budget of the evaluation the token belongs to.
BUDGET_KEY = "budget"


class NoSampleAvailable(DeepArchitectError):
    """Raised by ``sample()`` when the searcher has nothing to hand out until more updates.

    It subclasses :class:`~deep_architect.errors.DeepArchitectError` so that
    code calling ``sample()`` one time too many in a single-process loop still
    gets the library's usual error; search loops catch it to wait instead.
    """


def budget_of(searcher_eval_token: Any) -> float | None:
    """Returns the budget a searcher put into a token, or ``None`` if it has none.

    Args:
        searcher_eval_token: A token returned by ``sample()``.

    Returns:
        The value of the token's :data:`BUDGET_KEY` entry as a float, or ``None``.

    Raises:
        DeepArchitectError: If the entry is not a finite positive number.
    """
    if not isinstance(searcher_eval_token, dict) or BUDGET_KEY not in searcher_eval_token:
        return None
    budget = searcher_eval_token[BUDGET_KEY]
    if (isinstance(budget, bool) or not isinstance(budget, numbers.Real)
            or not math.isfinite(budget) or budget <= 0):
        raise DeepArchitectError(
            f"searcher token {searcher_eval_token!r}: {BUDGET_KEY!r} must be a finite positive "
            f"number, got {budget!r}")
    return float(budget)
