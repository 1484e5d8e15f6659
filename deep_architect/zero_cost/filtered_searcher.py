"""A searcher that keeps the best of several candidates according to a zero-cost proxy.

Example:
    >>> import torch
    >>> import deep_architect.helpers.pytorch_support as hpt
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> def space():
    ...     return mo.siso_sequential([hpt.siso_pytorch_module_from_pytorch_layer_fn(
    ...         torch.nn.Linear, {"in_features": 4, "out_features": hp.Discrete([2, 8, 32])})])
    >>> searcher = ProxyFilteredSearcher(RandomSearcher(space), "num_params", 10, (8, 4))
    >>> inputs, outputs, vs, token = searcher.sample()
    >>> vs  # the largest layer wins on parameter count
    [4, 32]
    >>> searcher.update(0.5, token)
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from deep_architect.errors import check
from deep_architect.searchers.wrapper import WrapperSearcher
from deep_architect.zero_cost.evaluator import ShapeOrBatch, build_model, make_batch
from deep_architect.zero_cost.proxies import PROXIES, compute_proxy

__all__ = ["ProxyFilteredSearcher"]


class ProxyFilteredSearcher(WrapperSearcher):
    """Samples ``num_candidates`` architectures from a searcher and hands out the best by a proxy.

    Each :meth:`sample` draws ``num_candidates`` architectures from the inner
    searcher, compiles each with PyTorch (layers initialised from a seed that
    depends only on ``seed`` and the candidate's number, so a resumed search
    scores exactly as the uninterrupted one; the global PyTorch generator is
    left untouched), scores it with the proxy on a fixed batch, and returns
    the highest-scoring one (the first on ties; NaN scores lose).

    How the inner searcher is updated: every token it issued gets exactly one
    ``update``. The candidates that were not chosen are updated at once, inside
    :meth:`sample`, with ``rejected_value`` (say, the worst accuracy possible);
    the chosen one is updated with the real result when :meth:`update` is
    called with this searcher's token. Searchers that learn from every result
    (evolution) therefore see rejected candidates as poor ones.

    Token: ``{"inner_token": ..., "proxy_value": float, "sample_id": int}``.
    ``save_state`` writes ``proxy_filtered_searcher.json`` and the inner
    searcher's state (see :class:`~deep_architect.searchers.wrapper.WrapperSearcher`).

    Args:
        searcher: Any searcher (``sample``/``update``/``save_state``/``load_state``
            and a ``search_space_fn`` attribute, as every library searcher has).
        proxy: Name from :data:`~deep_architect.zero_cost.proxies.PROXIES`, or a
            function ``fn(model, batch) -> float`` (higher is better).
        num_candidates: Candidates scored per handed-out architecture (>= 1).
        input_shape_or_batch: Batch for the proxy (see
            :func:`~deep_architect.zero_cost.evaluator.make_batch`).
        rejected_value: Value given to the inner searcher for discarded candidates.
        num_classes: Classes of a random batch.
        seed: Seed of the random batch and of the candidates' initialisation.
    """

    state_filename = "proxy_filtered_searcher.json"
    state_keys = ("num_scored", "num_drawn", "num_rejected", "inner")

    def __init__(self, searcher: Any, proxy: str | Callable[[Any, tuple], float],
                 num_candidates: int, input_shape_or_batch: ShapeOrBatch,
                 rejected_value: float = 0.0, num_classes: int = 10, seed: int = 0) -> None:
        check(callable(proxy) or proxy in PROXIES,
              f"ProxyFilteredSearcher: proxy must be a name from {sorted(PROXIES)} or a "
              f"function (model, batch) -> float, got {proxy!r}")
        check(isinstance(num_candidates, int) and num_candidates >= 1,
              f"ProxyFilteredSearcher: num_candidates must be a positive int, got "
              f"{num_candidates!r}")
        WrapperSearcher.__init__(self, searcher, rejected_value)
        self.proxy = proxy
        self.num_candidates = num_candidates
        self.batch = make_batch(input_shape_or_batch, num_classes, seed)
        self.seed = int(seed)
        self.num_scored = 0

    def score(self, inputs: dict, outputs: dict) -> float:
        """The proxy value of one specified architecture (NaN becomes ``-inf``)."""
        import torch

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed * 1_000_003 + self.num_scored)
            model = build_model(inputs, outputs, self.batch[0])
        self.num_scored += 1
        if callable(self.proxy):
            value = float(self.proxy(model, self.batch))
        else:
            value = compute_proxy(self.proxy, model, self.batch)
        return -math.inf if math.isnan(value) else value

    def propose(self) -> tuple[dict, dict, list, dict]:
        """Hands out the best of ``num_candidates`` drawn candidates by the proxy."""
        best, best_value = None, -math.inf
        for _ in range(self.num_candidates):
            candidate = self._draw()
            value = self.score(candidate[0], candidate[1])
            if best is None or value > best_value:
                if best is not None:
                    self._reject(best)
                best, best_value = candidate, value
            else:
                self._reject(candidate)
        return self._hand_out(best, {"proxy_value": best_value if math.isfinite(best_value)
                                     else None})

    def get_state(self) -> dict:
        """The wrapper's state plus the number of proxy evaluations (``"num_scored"``)."""
        return {**WrapperSearcher.get_state(self), "num_scored": self.num_scored}

    def set_state(self, state: dict) -> None:
        """Restores :meth:`get_state`'s output."""
        WrapperSearcher.set_state(self, state)
        self.num_scored = state["num_scored"]
