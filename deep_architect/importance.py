"""Which hyperparameters matter: importances estimated from a logged search.

The estimate is the first-order (main-effect) term of a functional ANOVA
(fANOVA) decomposition, computed directly from the logged samples rather than
from a fitted model: for each hyperparameter, the evaluations are grouped by
its value (numbers with many distinct values into quantile bins; "absent"
is a group of its own, so a hyperparameter that exists only in some
structures also measures that structural choice), and its importance is the
share of the score variance explained by the group means, corrected for the
share that chance alone would explain with that many groups (epsilon
squared). The importances are then normalised to sum to 1. Interactions are
not measured, and correlated hyperparameters (as a search that has converged
makes them) share credit.

Hyperparameters are identified by their position in the value list, or, when
the search-space function is given, by the scope name of the hyperparameter
each value was assigned to (replaying the value list), which keeps names
meaningful when structural choices shift the positions.

Example:
    >>> rows = [([a, b], float(a)) for a in range(4) for b in range(4)]
    >>> imp = importances_from_samples(rows)
    >>> imp["value #0"] > 0.99 and imp["value #1"] < 0.01
    True
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import deep_architect.search_logging as sl
from deep_architect.errors import check

__all__ = ["importances_from_samples", "param_importances"]

_ABSENT = "<absent>"
_NUM_BINS = 5


def _group_keys(values: Sequence[Any]) -> list[str]:
    present = [v for v in values if v is not _ABSENT]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
    if numeric and len(set(present)) > _NUM_BINS:
        edges = np.quantile(np.asarray(present, dtype=float),
                            np.linspace(0, 1, _NUM_BINS + 1)[1:-1])
        return [_ABSENT if v is _ABSENT else "bin %d" % int(np.searchsorted(edges, v, "right"))
                for v in values]
    return [_ABSENT if v is _ABSENT else json.dumps(v, sort_keys=True) for v in values]


def _explained_share(keys: Sequence[str], scores: np.ndarray) -> float:
    n = len(scores)
    total = float(np.sum((scores - scores.mean()) ** 2))
    groups = sorted(set(keys))
    k = len(groups)
    if total == 0.0 or k < 2 or n <= k:
        return 0.0
    key_arr = np.asarray(keys)
    between = sum(
        np.sum(key_arr == g) * (scores[key_arr == g].mean() - scores.mean()) ** 2 for g in groups)
    within_mean_square = (total - between) / (n - k)
    return max(0.0, float((between - (k - 1) * within_mean_square) / (total + within_mean_square)))


def importances_from_samples(rows: Sequence[tuple[Any, float]]) -> dict[str, float]:
    """Importances from ``(values, score)`` pairs (see the module docstring).

    Args:
        rows: Each pair holds a value list or a dict ``name -> value`` and the
            score. With lists, value ``i`` is named ``value #i``.

    Returns:
        Name to importance, summing to 1 (all 0 when nothing explains the
        scores), sorted by decreasing importance.
    """
    named = [(dict(v) if isinstance(v, dict) else
              {"value #%d" % i: x for i, x in enumerate(v)}, float(s)) for v, s in rows]
    names = list(dict.fromkeys(name for d, _ in named for name in d))
    scores = np.asarray([s for _, s in named], dtype=float)
    raw = {name: _explained_share(_group_keys([d.get(name, _ABSENT) for d, _ in named]), scores)
           for name in names}
    total = sum(raw.values())
    out = {name: (v / total if total > 0 else 0.0) for name, v in raw.items()}
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _named_values(search_space_fn: Callable[[], Any], values: Sequence[Any]) -> dict[str, Any]:
    import deep_architect.core as co
    import deep_architect.modules as mo

    _, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    named = {}
    for h, v in zip(co.unassigned_independent_hyperparameter_iterator(outputs), values):
        h.assign_value(v)
        named[h.get_name()] = v
    return named


def param_importances(search_folderpath: str, metric: str = "validation_accuracy",
                      search_space_fn: Callable[[], Any] | None = None) -> dict[str, float]:
    """Importances of the independent hyperparameters of a logged search.

    Evaluations without a numeric score (failed or still running) are left out.

    Args:
        search_folderpath: The search folder.
        metric: Results key of the score.
        search_space_fn: If given, values are named by hyperparameter (see the
            module docstring) instead of by position.

    Returns:
        Name to importance, summing to 1, most important first.

    Raises:
        DeepArchitectError: If fewer than 3 evaluations have a score.
    """
    rows = []
    for log in sl.read_search_folder(search_folderpath, tolerant=True):
        score = log.get("results", {}).get(metric)
        values = log.get("config", {}).get("hyperp_value_lst")
        if values is None or not isinstance(score, (int, float)) or not math.isfinite(score):
            continue
        rows.append((values if search_space_fn is None
                     else _named_values(search_space_fn, values), score))
    check(len(rows) >= 3, f"param_importances: {search_folderpath!r} has {len(rows)} scored "
                          "evaluations; at least 3 are needed")
    return importances_from_samples(rows)
