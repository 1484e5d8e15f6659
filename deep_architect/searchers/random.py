"""Random search: every architecture is sampled uniformly, one choice at a time."""

from __future__ import annotations

from deep_architect.searchers.base import Searcher, random_architecture


class RandomSearcher(Searcher):
    """Samples each hyperparameter uniformly.

    ``update`` only checks its arguments. Its token is ``{}`` plus the base
    class's sample id and issuer, so any dict is accepted as a warm-start token.

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        rng: ``None`` (global NumPy generator), an ``int`` seed or a
            ``numpy.random.RandomState`` (see :mod:`deep_architect.searchers.base`).

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> import deep_architect.modules as mo
        >>> searcher = RandomSearcher(lambda: mo.siso_optional(mo.identity, hp.Bool()), rng=0)
        >>> inputs, outputs, vs, token = searcher.sample()
        >>> searcher.update(0.9, token)
    """

    state_filename = "random_searcher_state.json"

    def propose(self) -> tuple:
        """A uniformly random architecture, the empty token and its hyperparameters."""
        inputs, outputs, vs, hyperps = random_architecture(self.search_space_fn, self._owner,
                                                           self.rng)
        return inputs, outputs, vs, {}, hyperps

    def observe(self, val: float, token: dict) -> None:
        """Random search ignores results."""
