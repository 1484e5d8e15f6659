"""Sequential model-based optimisation with random candidate architectures."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import deep_architect.searchers.common as seco
from deep_architect.errors import check
from deep_architect.searchers.base import RngLike, Searcher, random_architecture
from deep_architect.specify import random_index
from deep_architect.surrogates.common import SurrogateModel, extract_features


def _vs_key(vs: Sequence[Any]) -> str:
    # Value lists compared as logged: tuples and lists alike.
    return json.dumps(list(vs), default=repr)


class SMBOSearcher(Searcher):
    """Proposes the best of ``num_samples`` random candidates according to a surrogate.

    With probability ``exploration_prob`` a sample is a single random
    architecture instead. The candidates are scored with one
    ``surrogate_model.eval_batch`` call; the highest finite score wins. Ties
    (every candidate ties while all observed scores are equal) go to a
    candidate never observed, chosen at random, so the search keeps
    exploring. ``update`` rebuilds the architecture from the token and feeds
    its features and score to the surrogate.

    Token: ``{"vs": hyperp_value_lst}``. The state nests the surrogate's state
    under ``"surrogate"`` and lists the observed value lists (file
    ``smbo_searcher_state.json``).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        surrogate_model: A :class:`~deep_architect.surrogates.common.SurrogateModel`.
        num_samples: Candidates scored per (non-exploration) sample.
        exploration_prob: Probability of sampling a random architecture directly.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        rng: ``None`` (global NumPy generator), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "smbo_searcher_state.json"

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 surrogate_model: SurrogateModel, num_samples: int, exploration_prob: float,
                 reset_default_scope_upon_sample: bool = True, rng: RngLike = None) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        check(isinstance(num_samples, int) and num_samples >= 1,
              f"{self._owner}: num_samples must be a positive int, got {num_samples!r}")
        check(0.0 <= exploration_prob <= 1.0,
              f"{self._owner}: exploration_prob must be in [0, 1], got {exploration_prob!r}")
        self.surr_model = surrogate_model
        self.num_samples = num_samples
        self.exploration_prob = exploration_prob
        self._observed: dict[str, list[Any]] = {}
        # Features of the architectures handed out and not yet observed, so
        # that observe need not rebuild them; a token of another instance (or
        # a cache left empty by a restart) is rebuilt from its value list.
        self._handed_out_feats: dict[str, Any] = {}

    def propose(self) -> tuple:
        """A random architecture (exploration) or the surrogate's best candidate."""
        if (np.random if self.rng is None else self.rng).rand() < self.exploration_prob:
            inputs, outputs, vs, hyperps = random_architecture(self.search_space_fn, self._owner,
                                                               self.rng)
            feats = extract_features(inputs, outputs)
        else:
            inputs, outputs, vs, feats, hyperps = self._best_candidate()
        # Names restart with every space only when the scope is reset; only
        # then are these the features a rebuilt architecture would have.
        if self.reset_default_scope_upon_sample:
            self._handed_out_feats[_vs_key(vs)] = feats
        return inputs, outputs, vs, {"vs": list(vs)}, hyperps

    def _best_candidate(self) -> tuple:
        """``(inputs, outputs, value list, features, hyperparameters)`` of the winner."""
        candidates = [random_architecture(self.search_space_fn, self._owner, self.rng)
                      for _ in range(self.num_samples)]
        feats = [extract_features(inputs, outputs) for inputs, outputs, _, _ in candidates]
        best = self._choose([c[2] for c in candidates], self.surr_model.eval_batch(feats))
        inputs, outputs, vs, hyperps = candidates[best]
        return inputs, outputs, vs, feats[best], hyperps

    def _choose(self, value_lists: Sequence[list[Any]], scores: Sequence[float]) -> int:
        """Index of a best-scored candidate: among ties, one never observed, at random.

        Non-finite scores never win; if no score is finite, the last candidate is taken.
        """
        finite = [i for i, score in enumerate(scores) if math.isfinite(score)]
        if not finite:
            return len(scores) - 1
        best = max(scores[i] for i in finite)
        tied = [i for i in finite if scores[i] == best]
        fresh = [i for i in tied if _vs_key(value_lists[i]) not in self._observed]
        pool = fresh or tied
        if len(pool) == 1:
            return pool[0]
        return pool[random_index(len(pool), self.rng)]

    def observe(self, val: float, token: dict[str, Any]) -> None:
        """Rebuilds the token's architecture and feeds its features and ``val`` to the surrogate."""
        self.check_token_keys(token, ["vs"])
        key = _vs_key(token["vs"])
        feats = self._handed_out_feats.pop(key, None)
        if feats is None:
            inputs, outputs = self.search_space_fn()
            seco.specify(outputs, token["vs"])
            feats = extract_features(inputs, outputs)
        self.surr_model.update(val, feats)
        self._observed.setdefault(key, list(token["vs"]))

    def get_state(self) -> dict[str, Any]:
        """The base state plus the surrogate's (``"surrogate"``)."""
        state = Searcher.get_state(self)
        state["surrogate"] = self.surr_model.get_state()
        state["observed"] = list(self._observed.values())
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output."""
        Searcher.set_state(self, state)
        if "surrogate" in state:
            self.surr_model.set_state(state["surrogate"])
        self._observed = {_vs_key(vs): vs for vs in state.get("observed", ())}

    def _complete_legacy_state(self, state: Any, folderpath: str) -> Any:
        # The original kept only the surrogate's own files in the folder.
        if state is None or (isinstance(state, dict) and "surrogate" not in state):
            self.surr_model.load_state(folderpath)
            return {} if state is None else state
        return state
