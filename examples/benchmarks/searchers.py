"""Searchers of the benchmarks, by name: ``name_to_get_searcher_fn[name](search_space_fn)``.

``random``, ``mcts``, ``smbo`` and ``evolution`` are the paper's Table 2
searchers with its settings scaled down to a few dozen evaluations (the paper:
MCTS exploration bonus 0.33; SMBO with a hashing surrogate, 512 candidates per
sample and exploration probability 0.1; regularized evolution with population
100 and tournament 25). The ``smbo_*`` names are the original benchmark's.
"""
from __future__ import annotations

from deep_architect.searchers.mcts import MCTSSearcher
from deep_architect.searchers.random import RandomSearcher
from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable
from deep_architect.searchers.smbo_mcts import SMBOSearcherWithMCTSOptimizer
from deep_architect.searchers.smbo_random import SMBOSearcher
from deep_architect.surrogates.hashing import HashingSurrogate


def _smbo(num_candidates):
    return lambda ssf: SMBOSearcher(ssf, HashingSurrogate(2048, 1), num_candidates, 0.1)


def _smbo_mcts(num_candidates):
    return lambda ssf: SMBOSearcherWithMCTSOptimizer(ssf, HashingSurrogate(2048, 1),
                                                     num_candidates, 0.1, 1)


name_to_get_searcher_fn = {
    "random": RandomSearcher,
    "mcts": lambda ssf: MCTSSearcher(ssf, 0.33),
    "smbo": _smbo(32),
    "evolution": lambda ssf: EvolutionSearcher(ssf, mutatable, 4, 2, regularized=True),
    "smbo_rand_256": _smbo(256),
    "smbo_rand_512": _smbo(512),
    "smbo_mcts_256": _smbo_mcts(256),
    "smbo_mcts_512": _smbo_mcts(512),
}
