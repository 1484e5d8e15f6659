"""The searcher API; the specification helpers are re-exported from :mod:`deep_architect.specify`.

Every searcher subclasses :class:`Searcher` and honours one small contract:
``sample()`` returns ``(inputs, outputs, hyperp_value_lst, searcher_eval_token)``
for a fully specified architecture, and ``update(val, searcher_eval_token)``
reports its score (higher is better). The value list replays the architecture
on a fresh search space with :func:`~deep_architect.specify.specify`, in this
process or another.
"""

from __future__ import annotations

from collections.abc import Callable

import deep_architect.modules as mo
import deep_architect.specify as _specify
from deep_architect.searchers.protocol import BUDGET_KEY, NoSampleAvailable
from deep_architect.specify import *  # noqa: F403

__all__ = ["Searcher", "NoSampleAvailable", "BUDGET_KEY", *_specify.__all__]


class Searcher:
    """Base class of searchers.

    Subclasses call ``Searcher.__init__`` and implement :meth:`sample`,
    :meth:`update`, :meth:`save_state` and :meth:`load_state`.

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call. It is
            wrapped in a :class:`~deep_architect.modules.SearchSpaceFactory`, so
            ``self.search_space_fn()`` returns a buffered fresh space.
        reset_default_scope_upon_sample: Whether to reset the default scope
            before building each space (names then restart from 0).
    """

    def __init__(
        self,
        search_space_fn: Callable[[], mo.Fragment],
        reset_default_scope_upon_sample: bool = True,
    ) -> None:
        self.search_space_fn = mo.SearchSpaceFactory(
            search_space_fn, reset_default_scope_upon_sample
        ).get_search_space

    def sample(self) -> tuple[dict, dict, list, dict]:
        """Returns ``(inputs, outputs, hyperp_value_lst, searcher_eval_token)``.

        The architecture is fully specified; the token is a JSON-serialisable
        dict to give back to :meth:`update`.
        """
        raise NotImplementedError

    def update(self, val: float, searcher_eval_token: dict) -> None:
        """Reports the score ``val`` (to maximise) of the sample that issued the token."""
        raise NotImplementedError

    def save_state(self, folderpath: str) -> None:
        """Writes the searcher's state into ``folderpath`` (fixed file names)."""
        raise NotImplementedError

    def load_state(self, folderpath: str) -> None:
        """Restores the state written by :meth:`save_state`."""
        raise NotImplementedError
