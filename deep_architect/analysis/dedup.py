"""Never training the same architecture twice.

Searchers sample value lists, and different value lists often build the same
network (an optional module switched off and an identity branch, a repeat of
one block reached through two paths, and plain resampling of an already tried
architecture). A :class:`Deduplicator` remembers the results of every
evaluated architecture by its :func:`~deep_architect.analysis.fingerprint`.
:func:`~deep_architect.search_loop.run_search` uses one when called with
``dedup=True``; a hand-written loop uses it directly.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> searcher = RandomSearcher(lambda: mo.siso_optional(mo.identity, hp.Bool()))
    >>> dedup = Deduplicator()
    >>> trainings = 0
    >>> for _ in range(10):
    ...     inputs, outputs, value_list, token = searcher.sample()
    ...     results = dedup.lookup(inputs, outputs)
    ...     if results is None:
    ...         trainings += 1
    ...         results = {"validation_accuracy": 0.5}  # train and evaluate here
    ...         dedup.add(inputs, outputs, results)
    ...     searcher.update(results["validation_accuracy"], token)
    >>> trainings  # both values of the Bool build an identity
    1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.analysis.fingerprint import fingerprint

__all__ = ["Deduplicator", "DEDUPLICATED_KEY"]

#: Results key marking an evaluation whose results were reused: the id of the
#: evaluation that was actually trained.
DEDUPLICATED_KEY = "deduplicated_from"


class Deduplicator:
    """Results of evaluated architectures, by fingerprint.

    Attributes:
        num_reused: How many lookups found results (trainings avoided).
    """

    def __init__(self) -> None:
        self._results: dict[str, tuple[Any, dict]] = {}
        # Fingerprint -> (evaluation being trained, evaluations waiting for it).
        self._in_flight: dict[str, tuple[Any, list]] = {}
        self.num_reused = 0

    def __len__(self) -> int:
        return len(self._results)

    def lookup(
        self, inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]
    ) -> dict | None:
        """Returns the results recorded for this architecture, or ``None`` (a copy)."""
        return self.lookup_fingerprint(fingerprint(inputs, outputs))

    def lookup_fingerprint(self, architecture_fingerprint: str) -> dict | None:
        """:meth:`lookup` for a fingerprint computed by the caller."""
        entry = self._results.get(architecture_fingerprint)
        if entry is None:
            return None
        self.num_reused += 1
        return dict(entry[1])

    def source_of(self, architecture_fingerprint: str) -> Any:
        """The evaluation id given to :meth:`add` for this fingerprint (``None`` if unknown)."""
        entry = self._results.get(architecture_fingerprint)
        return None if entry is None else entry[0]

    def add(
        self,
        inputs: Mapping[str, co.Input],
        outputs: Mapping[str, co.Output],
        results: dict,
        evaluation_id: Any = None,
    ) -> str:
        """Records the results of an evaluated architecture; returns its fingerprint."""
        fp = fingerprint(inputs, outputs)
        self.add_fingerprint(fp, results, evaluation_id)
        return fp

    def add_fingerprint(self, architecture_fingerprint: str, results: dict,
                        evaluation_id: Any = None) -> None:
        """:meth:`add` for a fingerprint computed by the caller; the first results win."""
        self._results.setdefault(architecture_fingerprint, (evaluation_id, dict(results)))

    def begin(self, architecture_fingerprint: str, evaluation_id: Any) -> tuple[str, Any]:
        """Decides what a search loop does with a newly sampled evaluation.

        Returns:
            ``("reuse", results)`` when the architecture has results (a copy,
            marked with :data:`DEDUPLICATED_KEY`); ``("wait", leader_id)`` when
            the same architecture is being evaluated right now (this evaluation
            then gets its results from :meth:`finish`); ``("train", None)``
            when it must be evaluated.
        """
        results = self.lookup_fingerprint(architecture_fingerprint)
        if results is not None:
            results[DEDUPLICATED_KEY] = self.source_of(architecture_fingerprint)
            return "reuse", results
        followers = self._in_flight.get(architecture_fingerprint)
        if followers is not None:
            followers[1].append(evaluation_id)
            return "wait", followers[0]
        self._in_flight[architecture_fingerprint] = (evaluation_id, [])
        return "train", None

    def finish(self, architecture_fingerprint: str, results: dict,
               cache: bool = True) -> list[tuple[Any, dict]]:
        """Ends the evaluation begun for this fingerprint.

        Args:
            architecture_fingerprint: As given to :meth:`begin`.
            results: The logged results of the evaluation.
            cache: Whether to keep the results for later duplicates (a search
                loop does not keep failed evaluations).

        Returns:
            ``(evaluation_id, results)`` for every evaluation that waited on
            this one, the results marked with :data:`DEDUPLICATED_KEY`.
        """
        leader, followers = self._in_flight.pop(architecture_fingerprint)
        if cache:
            self.add_fingerprint(architecture_fingerprint, results, leader)
        self.num_reused += len(followers)
        return [(f, {**results, DEDUPLICATED_KEY: leader}) for f in followers]

    @classmethod
    def from_value_lists(
        cls,
        search_space_fn: Callable[[], mo.Fragment],
        evaluations: list[tuple[Any, list, dict]],
    ) -> Deduplicator:
        """Rebuilds a deduplicator from logged ``(evaluation_id, value_list, results)``.

        Each value list is replayed on a fresh space to recompute its fingerprint,
        so nothing beyond the standard evaluation logs needs to be stored.
        """
        from deep_architect.specify import specify

        dedup = cls()
        factory = mo.SearchSpaceFactory(search_space_fn)
        for evaluation_id, value_list, results in evaluations:
            inputs, outputs = factory.get_search_space()
            specify(outputs, value_list)
            dedup.add(inputs, outputs, results, evaluation_id)
        return dedup
