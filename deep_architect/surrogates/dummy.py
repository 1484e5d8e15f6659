"""A surrogate that ignores the architecture and predicts the mean score."""

from __future__ import annotations

import math
from typing import Any

import deep_architect.utils as ut
from deep_architect.errors import check
from deep_architect.surrogates.common import Features, SurrogateModel

_STATE_FILENAME = "dummy_surrogate_state.json"


class DummySurrogate(SurrogateModel):
    """Predicts the mean of every observed value (0.0 before any observation).

    Useful as a baseline: with it, SMBO keeps the first candidate of each batch.
    """

    def __init__(self) -> None:
        self.val_lst: list[float] = []
        self._sum = 0.0
        self._sum_of = 0

    def eval(self, feats: Features) -> float:
        """Mean observed value, whatever the features."""
        if not self.val_lst:
            return 0.0
        return self._synced_sum() / len(self.val_lst)

    def update(self, val: float, feats: Features) -> None:
        """Records ``val``; the features are ignored."""
        self._sum = self._synced_sum() + float(val)
        self.val_lst.append(float(val))
        self._sum_of = len(self.val_lst)

    def _synced_sum(self) -> float:
        # A running sum: averaging every observation per call would make each
        # sample cost more as the search goes on. Recomputed if val_lst was replaced.
        if self._sum_of != len(self.val_lst):
            self._sum, self._sum_of = math.fsum(self.val_lst), len(self.val_lst)
        return self._sum

    def get_state(self) -> dict[str, Any]:
        """``{"val_lst": [...]}``."""
        return {"val_lst": list(self.val_lst)}

    def set_state(self, state: dict[str, Any]) -> None:
        """Replaces the observed values with those of ``state``."""
        check(isinstance(state, dict) and isinstance(state.get("val_lst"), list),
              "DummySurrogate.set_state: expected {'val_lst': [...]}, got %r", state)
        self.val_lst = [float(v) for v in state["val_lst"]]
        self._sum_of = -1

    def save_state(self, folderpath: str) -> None:
        """Writes ``dummy_surrogate_state.json`` with the observed values."""
        ut.write_jsonfile({"val_lst": self.val_lst},
                          ut.join_paths([folderpath, _STATE_FILENAME]))

    def load_state(self, folderpath: str) -> None:
        """Replaces the observed values with those saved in ``folderpath``."""
        filepath = ut.join_paths([folderpath, _STATE_FILENAME])
        check(ut.file_exists(filepath),
              f"DummySurrogate.load_state: no saved state in folder {folderpath!r} "
              f"(expected the file {_STATE_FILENAME!r})")
        self.set_state(ut.read_jsonfile(filepath))
