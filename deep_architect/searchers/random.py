"""Random search: every architecture is sampled uniformly, one choice at a time."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from deep_architect.searchers._base import SearcherBase, random_architecture


class RandomSearcher(SearcherBase):
    """Samples each hyperparameter uniformly with the global NumPy generator.

    ``update`` only checks its arguments; the state saved by ``save_state``
    (file ``random_searcher_state.json``) holds the token bookkeeping and the
    global generator states, so a resumed search continues the same stream.

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.

    Example:
        >>> searcher = RandomSearcher(search_space_fn)  # doctest: +SKIP
        >>> inputs, outputs, vs, token = searcher.sample()  # doctest: +SKIP
        >>> searcher.update(0.9, token)  # doctest: +SKIP
    """

    state_filename = "random_searcher_state.json"

    def _sample(self) -> Tuple[dict, dict, List[Any], Dict[str, Any]]:
        inputs, outputs, vs = random_architecture(self.search_space_fn, self._owner)
        return inputs, outputs, vs, {}

    def _update(self, val: float, token: Dict[str, Any]) -> None:
        """Random search ignores results."""
