"""Sequential model-based optimisation with random candidate architectures."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

import numpy as np

import deep_architect.searchers.common as seco
from deep_architect.errors import check
from deep_architect.searchers._base import SearcherBase, index_of_best, random_architecture
from deep_architect.surrogates.common import SurrogateModel, extract_features


class SMBOSearcher(SearcherBase):
    """Proposes the best of ``num_samples`` random candidates according to a surrogate.

    With probability ``exploration_prob`` a sample is a single random
    architecture instead. The candidates are scored with one
    ``surrogate_model.eval_batch`` call; the strictly highest score wins (the
    first on ties; NaN scores are ignored). ``update`` rebuilds the
    architecture from the token and feeds its features and score to the
    surrogate.

    Token: ``{"vs": hyperp_value_lst, "sample_id": int}``. ``save_state`` writes
    ``smbo_searcher_state.json`` plus the surrogate's own state.

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        surrogate_model: A :class:`~deep_architect.surrogates.common.SurrogateModel`.
        num_samples: Candidates scored per (non-exploration) sample.
        exploration_prob: Probability of sampling a random architecture directly.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
    """

    state_filename = "smbo_searcher_state.json"

    def __init__(self, search_space_fn: Callable[[], Tuple[dict, dict]],
                 surrogate_model: SurrogateModel, num_samples: int, exploration_prob: float,
                 reset_default_scope_upon_sample: bool = True) -> None:
        SearcherBase.__init__(self, search_space_fn, reset_default_scope_upon_sample)
        check(isinstance(num_samples, int) and num_samples >= 1,
              f"{self._owner}: num_samples must be a positive int, got {num_samples!r}")
        check(0.0 <= exploration_prob <= 1.0,
              f"{self._owner}: exploration_prob must be in [0, 1], got {exploration_prob!r}")
        self.surr_model = surrogate_model
        self.num_samples = num_samples
        self.exploration_prob = exploration_prob

    def _sample(self) -> Tuple[dict, dict, List[Any], Dict[str, Any]]:
        if np.random.rand() < self.exploration_prob:
            inputs, outputs, vs = random_architecture(self.search_space_fn, self._owner)
        else:
            inputs, outputs, vs = self._best_candidate()
        return inputs, outputs, vs, {"vs": list(vs)}

    def _best_candidate(self) -> Tuple[dict, dict, List[Any]]:
        candidates = [random_architecture(self.search_space_fn, self._owner)
                      for _ in range(self.num_samples)]
        scores = self.surr_model.eval_batch(
            [extract_features(inputs, outputs) for inputs, outputs, _ in candidates])
        return candidates[index_of_best(scores)]

    def _update(self, val: float, token: Dict[str, Any]) -> None:
        self._check_token_keys(token, ["vs"])
        inputs, outputs = self.search_space_fn()
        seco.specify(outputs, token["vs"])
        self.surr_model.update(val, extract_features(inputs, outputs))

    def _get_state(self, folderpath: str) -> Dict[str, Any]:
        self.surr_model.save_state(folderpath)
        return {}

    def _set_state(self, state: Dict[str, Any], folderpath: str) -> None:
        self.surr_model.load_state(folderpath)
