"""A surrogate that ignores the architecture and predicts the mean score."""

from __future__ import annotations

from typing import List

import numpy as np

import deep_architect.utils as ut
from deep_architect.errors import check
from deep_architect.surrogates.common import Features, SurrogateModel

_STATE_FILENAME = "dummy_surrogate_state.json"


class DummySurrogate(SurrogateModel):
    """Predicts the mean of every observed value (0.0 before any observation).

    Useful as a baseline: with it, SMBO keeps the first candidate of each batch.
    """

    def __init__(self) -> None:
        self.val_lst: List[float] = []

    def eval(self, feats: Features) -> float:
        """Mean observed value, whatever the features."""
        return float(np.mean(self.val_lst)) if self.val_lst else 0.0

    def update(self, val: float, feats: Features) -> None:
        """Records ``val``; the features are ignored."""
        self.val_lst.append(float(val))

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
        self.val_lst = [float(v) for v in ut.read_jsonfile(filepath)["val_lst"]]
