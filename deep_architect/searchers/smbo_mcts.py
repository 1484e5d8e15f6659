"""SMBO whose candidates come from an MCTS trained on the surrogate's scores."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from deep_architect.errors import check
from deep_architect.searchers.base import RngLike
from deep_architect.searchers.mcts import MCTSSearcher
from deep_architect.searchers.smbo_random import SMBOSearcher
from deep_architect.surrogates.common import SurrogateModel, extract_features


class SMBOSearcherWithMCTSOptimizer(SMBOSearcher):
    """Like :class:`SMBOSearcher`, but candidates are drawn by an internal MCTS.

    For each (non-exploration) sample, the internal :class:`MCTSSearcher`
    proposes ``num_samples`` candidates one by one; each is scored by the
    surrogate and the score is fed back to the tree, so later candidates
    concentrate where the surrogate is optimistic. The best candidate is
    returned (ties as in :class:`SMBOSearcher`: a never-observed candidate at
    random). Every ``tree_refit_interval`` updates the tree is replaced by a
    fresh one, since it was fitted to an older surrogate.

    The state nests the surrogate's (``"surrogate"``) and the tree's
    (``"mcts"``) next to the update counter ``"cnt"`` (file ``state.json``).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        surrogate_model: A :class:`~deep_architect.surrogates.common.SurrogateModel`.
        num_samples: Candidates proposed by the tree per sample.
        exploration_prob: Probability of sampling a random architecture directly.
        tree_refit_interval: Number of updates after which the tree is reset.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        rng: ``None`` (global NumPy generator), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "state.json"
    state_keys = ("cnt",)

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 surrogate_model: SurrogateModel, num_samples: int, exploration_prob: float,
                 tree_refit_interval: int, reset_default_scope_upon_sample: bool = True,
                 rng: RngLike = None) -> None:
        SMBOSearcher.__init__(self, search_space_fn, surrogate_model, num_samples,
                              exploration_prob, reset_default_scope_upon_sample, rng)
        check(isinstance(tree_refit_interval, int) and tree_refit_interval >= 1,
              f"{self._owner}: tree_refit_interval must be a positive int, "
              f"got {tree_refit_interval!r}")
        self.tree_refit_interval = tree_refit_interval
        self.mcts = self._new_tree()
        self.cnt = 0

    def _new_tree(self) -> MCTSSearcher:
        # The tree shares this searcher's generator, so one state restores both.
        return MCTSSearcher(self.search_space_fn,
                            reset_default_scope_upon_sample=self.reset_default_scope_upon_sample,
                            rng=self.rng)

    def _best_candidate(self) -> tuple:
        candidates, scores = [], []
        for _ in range(self.num_samples):
            sample = self.mcts.sample()
            inputs, outputs, vs, token = sample
            feats = extract_features(inputs, outputs)
            score = self.surr_model.eval(feats)
            # A NaN or infinite score can neither win nor be fed to the tree.
            if math.isfinite(score):
                self.mcts.update(score, token)
            candidates.append((inputs, outputs, vs, feats, sample.assigned_hyperps))
            scores.append(score)
        return candidates[self._choose([c[2] for c in candidates], scores)]

    def observe(self, val: float, token: dict[str, Any]) -> None:
        """Feeds the surrogate; every ``tree_refit_interval`` updates the tree starts afresh."""
        SMBOSearcher.observe(self, val, token)
        self.cnt += 1
        if self.cnt % self.tree_refit_interval == 0:
            self.mcts = self._new_tree()

    def get_state(self) -> dict[str, Any]:
        """The SMBO state plus the update counter (``"cnt"``) and the tree's state (``"mcts"``)."""
        state = SMBOSearcher.get_state(self)
        state["cnt"] = self.cnt
        state["mcts"] = self.mcts.get_state()
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output."""
        SMBOSearcher.set_state(self, state)
        self.cnt = int(state["cnt"])
        if "mcts" in state:
            self.mcts.set_state(state["mcts"])

    def _complete_legacy_state(self, state: Any, folderpath: str) -> Any:
        # The original kept the tree and the surrogate in files of their own.
        state = SMBOSearcher._complete_legacy_state(self, state, folderpath)
        if "mcts" not in state:
            self.mcts.load_state(folderpath)
        return state
