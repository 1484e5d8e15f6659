"""Surrogate-model interface and the string features of an architecture."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import deep_architect.core as co
import deep_architect.hyperparameters as hp

Features = dict[str, list[str]]

#: Levels of the ordinal encoding of a range hyperparameter's value.
RANGE_FEATURE_LEVELS = 10


class SurrogateModel:
    """Predicts the score of a fully specified architecture from its features.

    Subclasses implement :meth:`eval` and :meth:`update`; they may override
    :meth:`eval_batch` to score many candidates at once, and
    :meth:`get_state`/:meth:`set_state` (a plain-JSON dict, nested in the
    state of the searcher that uses the surrogate) and
    :meth:`save_state`/:meth:`load_state`, which keep nothing by default.
    """

    def eval(self, feats: Features) -> float:
        """Predicted score (higher is better) of the architecture with ``feats``."""
        raise NotImplementedError

    def eval_batch(self, feats_lst: Sequence[Features]) -> list[float]:
        """Predicted scores of several architectures (one per element of ``feats_lst``)."""
        return [self.eval(feats) for feats in feats_lst]

    def update(self, val: float, feats: Features) -> None:
        """Records that the architecture with ``feats`` scored ``val``."""
        raise NotImplementedError

    def get_state(self) -> dict[str, Any]:
        """Plain-JSON state of the model (empty by default)."""
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output (no-op by default)."""

    def save_state(self, folderpath: str) -> None:
        """Writes the model's state into ``folderpath`` (no-op by default)."""

    def load_state(self, folderpath: str) -> None:
        """Restores a state written by :meth:`save_state` (no-op by default)."""


def extract_features(inputs: dict[str, Any], outputs: dict[str, Any]) -> Features:
    """String features of a fully specified architecture.

    Modules are taken in ``core.traverse_backward`` order. For each module:
    its full name (``"M.Dense-3"``); for each connected output and each input
    it feeds, ``"<output full name> |-> <input full name>"``; for each
    hyperparameter, ``"<module full name>/<local name> : <hyperparameter full
    name> = <value>"``. A range hyperparameter (``hp.Int``/``hp.Float``) is
    numeric, not a category: instead of its value it gives one feature
    ``"... : <name> >= k/L"`` for each level ``k = 1..L`` (``L`` is
    :data:`RANGE_FEATURE_LEVELS`) that its position on the (log-)scaled unit
    range reaches (a thermometer code), so close values share features and a
    linear surrogate sees a monotone numeric effect.

    Args:
        inputs: Unused; accepted for symmetry with the rest of the API.
        outputs: Outputs of a fully specified architecture.

    Returns:
        ``{"module_feats": [...], "connection_feats": [...], "module_hyperp_feats": [...]}``.
    """
    modules: list[co.Module] = []
    co.traverse_backward(outputs, modules.append)
    module_feats: list[str] = []
    connection_feats: list[str] = []
    module_hyperp_feats: list[str] = []
    for m in modules:
        m_name = m.get_name()
        module_feats.append(m_name)
        for ox in m.outputs.values():
            for ix in ox.get_connected_inputs():
                connection_feats.append(f"{ox.get_name()} |-> {ix.get_name()}")
        for local_name, h in m.hyperps.items():
            if isinstance(h, hp.Range):
                module_hyperp_feats.extend(_range_feats(m_name, local_name, h))
            else:
                module_hyperp_feats.append(
                    "%s/%s : %s = %s" % (m_name, local_name, h.get_name(), h.get_value()))
    return {"module_feats": module_feats, "connection_feats": connection_feats,
            "module_hyperp_feats": module_hyperp_feats}


def _range_feats(m_name: str, local_name: str, h: hp.Range) -> list[str]:
    level = int(h.to_unit(h.get_value()) * RANGE_FEATURE_LEVELS + 1e-9)
    return ["%s/%s : %s >= %d/%d" % (m_name, local_name, h.get_name(), k, RANGE_FEATURE_LEVELS)
            for k in range(1, level + 1)]
