"""Warm start: give a searcher the results of a logged search.

A restarted master, a second search that should profit from a first one, or a
searcher of another process reads ``(value list, token, score)`` back from a
search folder and calls ``update`` with tokens it never issued. Every
searcher on :class:`~deep_architect.searchers.base.Searcher` accepts such
tokens (including the original library's shapes, without a sample id).

Example:
    >>> import tempfile
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> import deep_architect.search_logging as sl
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> space = lambda: mo.siso_optional(mo.identity, hp.Bool())
    >>> folder = tempfile.mkdtemp()
    >>> first = RandomSearcher(space)
    >>> for i in range(3):
    ...     _, _, vs, token = first.sample()
    ...     logger = sl.EvaluationLogger(folder, "search", i)
    ...     logger.log_config(vs, token)
    ...     logger.log_results({"validation_accuracy": 0.5})
    >>> warm_start(RandomSearcher(space), folder, "search")
    3
"""

from __future__ import annotations

import math
import os
from typing import Any

import deep_architect.search_logging as sl
from deep_architect.errors import DeepArchitectError

__all__ = ["warm_start"]


def warm_start(searcher: Any, folderpath: str, search_name: str,
               metric: str = "validation_accuracy",
               failure_value: float | None = None) -> int:
    """Feeds every finished evaluation of a search folder to ``searcher.update``.

    Evaluations are taken in id order; those still running (no
    ``results.json``) are skipped.

    Args:
        searcher: Any searcher (a fresh one, or one that already holds results
            of other searches).
        folderpath: Folder containing the search folder.
        search_name: Name of the search folder.
        metric: Results entry used as the score.
        failure_value: Score given for evaluations logged as failed (see
            :func:`deep_architect.search_loop.is_failed_results`) or whose
            ``metric`` is missing or not finite; ``None`` skips them.

    Returns:
        The number of results given to ``searcher.update``.

    Raises:
        DeepArchitectError: If the folder is not a search folder, or the
            searcher rejects a token (the message names the evaluation).
    """
    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    evaluations_folderpath = sl.get_all_evaluations_folderpath(folderpath, search_name)
    num_fed = 0
    for evaluation_id in sl.list_evaluation_ids(search_folderpath):
        log = sl.read_evaluation_folder(
            os.path.join(evaluations_folderpath, "x%d" % evaluation_id), tolerant=True)
        if "config" not in log or "results" not in log:
            continue
        score = _score_of(log["results"], metric, failure_value)
        if score is None:
            continue
        try:
            searcher.update(score, log["config"]["searcher_evaluation_token"])
        except (DeepArchitectError, KeyError, TypeError) as e:
            raise DeepArchitectError(
                f"warm_start: {type(searcher).__name__} rejected evaluation {evaluation_id} of "
                f"{search_folderpath!r}: {e}") from None
        num_fed += 1
    return num_fed


def _score_of(results: Any, metric: str, failure_value: float | None) -> float | None:
    # Imported here: the search loop brings the executors, which a searcher
    # module has no other use for.
    from deep_architect.search_loop import is_failed_results

    score = results.get(metric) if isinstance(results, dict) else None
    if (isinstance(results, dict) and not is_failed_results(results)
            and isinstance(score, (int, float)) and not isinstance(score, bool)
            and math.isfinite(score)):
        return float(score)
    return failure_value
