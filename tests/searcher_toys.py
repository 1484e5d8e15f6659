"""Framework-free search spaces and toy objectives for the searcher tests and benchmark.

The modules are those of ``toy``; objectives score the *architecture* (which
operations, with which values, how many cells), so searchers can be compared
without training anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from toy import D, Op, combine, op

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo


def cell() -> tuple[dict, dict]:
    """Conv with kind and width, an optional Drop, then Pool or Skip."""
    return mo.siso_sequential([
        op("Conv", kind=D(["a", "b", "c", "d"]), width=D([1, 2, 4, 8])),
        mo.siso_optional(lambda: op("Drop", rate=D([0.0, 0.25, 0.5])), D([0, 1])),
        mo.siso_or([lambda: op("Pool", size=D([2, 3])), lambda: op("Skip")], D([0, 1])),
    ])


def structured_space() -> tuple[dict, dict]:
    """Stem, 1-4 repeated cells (a structural 'sub' choice for evolution), head."""
    return mo.siso_sequential([
        op("Stem", ch=D([16, 32, 64])),
        mo.siso_repeat(cell, D([1, 2, 3, 4], name="Mutatable_sub")),
        op("Head", act=D(["relu", "tanh"])),
    ])


def rich_space() -> tuple[dict, dict]:
    """Exercises every construct: dependents, sharing, nesting, permutation, splits."""
    sharer = hp.HyperparameterSharer()
    sharer.register("act", lambda: D(["relu", "elu"]))
    h_width = D([8, 16])
    h_double = co.DependentHyperparameter(lambda d: 2 * d["w"], {"w": h_width})

    return mo.siso_sequential([
        op("A", w=h_width, act=sharer.get("act")),
        op("B", w2=h_double, single=D([7])),
        mo.siso_permutation([lambda: op("P0", act=sharer.get("act")),
                             lambda: op("P1", k=D([1, 3])),
                             lambda: op("P2")], hp.OneOfKFactorial(3)),
        mo.siso_split_combine(lambda: op("Br", k=D([1, 2])), _merge, D([1, 2, 3])),
        mo.siso_optional(lambda: mo.siso_repeat(
            lambda: mo.siso_or([lambda: op("X"), lambda: op("Y", v=D([0, 1, 2]))],
                               D([0, 1])), D([1, 2])), D([0, 1])),
        mo.dense_block(D([1, 2]), D([0, 1]), lambda: op("Dn", g=D([4, 8])), _merge),
    ])


def _merge(n: int) -> tuple[dict, dict]:
    return combine(n, name="Merge")


def rejecting_space(reject_fn: Callable[[Any], bool]) -> Callable[[], tuple[dict, dict]]:
    """A space whose substitution raises ValueError when ``reject_fn(chosen depth)``."""
    def substitution_fn(dh: dict[str, Any]) -> tuple[dict, dict]:
        if reject_fn(dh["depth"]):
            raise ValueError("invalid architecture: depth %d" % dh["depth"])
        return mo.siso_repeat(lambda: op("L", k=D([1, 2, 3])), D([dh["depth"]]))

    def space() -> tuple[dict, dict]:
        return mo.substitution_module("Check", substitution_fn, {"depth": D([1, 2, 3, 4])},
                                      ["in"], ["out"])
    return space


def many_module_space(num_cells: int = 50) -> Callable[[], tuple[dict, dict]]:
    """A chain of ``num_cells`` cells of four modules each (about 200 modules)."""
    def space() -> tuple[dict, dict]:
        return mo.siso_sequential([
            mo.siso_sequential([op("C", k=D([1, 3, 5]), w=D([16, 32, 64])),
                                op("N", kind=D(["bn", "ln"])),
                                op("R", act=D(["relu", "gelu", "tanh"])),
                                mo.identity()])
            for _ in range(num_cells)])
    return space


def ranged_cell() -> tuple[dict, dict]:
    """A Conv with a log-scaled integer width and an optional Drop with a real rate."""
    return mo.siso_sequential([
        op("Conv", kind=D(["a", "b"]), width=hp.Int(4, 256, log=True)),
        mo.siso_optional(lambda: op("Drop", rate=hp.Float(0.0, 0.5)), D([0, 1])),
    ])


def ranged_space() -> tuple[dict, dict]:
    """1-4 ranged cells (an Int 'sub' repeat count) and a head with a log-scaled rate."""
    return mo.siso_sequential([
        mo.siso_repeat(ranged_cell, hp.Int(1, 4, name="Mutatable_sub")),
        op("Head", lr=hp.Float(1e-4, 1.0, log=True), k=hp.Int(0, 12, step=3)),
    ])


# --------------------------------------------------------------------------- objectives


def describe(inputs: dict[str, co.Input]) -> list[tuple[str, dict[str, Any]]]:
    """``(kind, hyperparameter values)`` of every Op in evaluation order."""
    return [(m.kind, {k: h.get_value() for k, h in m.hyperps.items()})
            for m in co.determine_module_eval_seq(inputs) if isinstance(m, Op)]


def cells_of(arch: list[tuple[str, dict[str, Any]]]) -> list[list[tuple[str, dict[str, Any]]]]:
    """Splits a described structured-space architecture into its cells."""
    cells: list[list[tuple[str, dict[str, Any]]]] = []
    for kind, values in arch:
        if kind == "Conv":
            cells.append([])
        if cells and kind not in ("Stem", "Head"):
            cells[-1].append((kind, values))
    return cells


def objective_count(arch: list[tuple[str, dict[str, Any]]]) -> float:
    """Rewards many cells whose Conv is kind 'a' with a wide width, followed by a Pool."""
    score = 0.0
    for c in cells_of(arch):
        kind, values = c[0]
        good = (values["kind"] == "a") * values["width"] / 8.0
        score += good * (1.5 if c[-1][0] == "Pool" else 1.0)
    return score


_TARGET = [("b", 4, True, "Pool"), ("c", 8, False, "Skip"), ("d", 2, True, "Pool")]


def objective_target(arch: list[tuple[str, dict[str, Any]]]) -> float:
    """Closeness to a fixed 3-cell design; the wrong depth costs one point per cell."""
    cells = cells_of(arch)
    score = -abs(len(cells) - len(_TARGET))
    for c, (kind, width, drop, last) in zip(cells, _TARGET):
        conv = c[0][1]
        score += (conv["kind"] == kind) + (conv["width"] == width)
        score += (any(k == "Drop" for k, _ in c) == drop) + (c[-1][0] == last)
    return float(score)


def objective_tradeoff(arch: list[tuple[str, dict[str, Any]]]) -> float:
    """Accuracy-like term with diminishing returns minus a cost in total width."""
    cells = cells_of(arch)
    quality = sum(1.0 + (c[0][1]["kind"] in ("c", "d")) for c in cells)
    width = sum(c[0][1]["width"] for c in cells)
    stem = dict(arch[0][1])["ch"] / 64.0
    return quality ** 0.5 + stem - 0.08 * width


def objective_ranged(arch: list[tuple[str, dict[str, Any]]]) -> float:
    """For :func:`ranged_space`: widths near 64, rate near 1e-2, two cells, no dropout."""
    cells = cells_of(arch)
    head = dict(arch[-1][1])
    score = -abs(len(cells) - 2) - abs(math.log10(head["lr"]) + 2)
    for c in cells:
        score -= abs(math.log2(c[0][1]["width"]) - 6) / 2
        score -= sum(v["rate"] for k, v in c if k == "Drop")
    return float(score)


OBJECTIVES: dict[str, Callable[[list[tuple[str, dict[str, Any]]]], float]] = {
    "count": objective_count,
    "target": objective_target,
    "tradeoff": objective_tradeoff,
}


# --------------------------------------------------------------------------- searchers


def make_searcher(name: str, search_space_fn: Callable[[], tuple[dict, dict]],
                  rng: Any = None) -> Any:
    """One searcher of each kind, with small settings suited to the toy spaces.

    ``rng`` is passed on (``None``: the global generators).
    """
    from deep_architect.searchers.constrained import ConstrainedSearcher
    from deep_architect.searchers.mcts import MCTSSearcher
    from deep_architect.searchers.nsga2 import NSGA2Searcher
    from deep_architect.searchers.random import RandomSearcher
    from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable
    from deep_architect.searchers.smbo_mcts import SMBOSearcherWithMCTSOptimizer
    from deep_architect.searchers.smbo_random import SMBOSearcher
    from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing
    from deep_architect.surrogates.hashing import HashingSurrogate

    factories = {
        "random": lambda: RandomSearcher(search_space_fn, rng=rng),
        "mcts": lambda: MCTSSearcher(search_space_fn, exploration_bonus=0.5, rng=rng),
        "smbo": lambda: SMBOSearcher(search_space_fn, HashingSurrogate(1024, 1), 16, 0.1,
                                     rng=rng),
        "smbo_mcts": lambda: SMBOSearcherWithMCTSOptimizer(
            search_space_fn, HashingSurrogate(1024, 1), 16, 0.1, 10, rng=rng),
        "evolution": lambda: EvolutionSearcher(search_space_fn, mutatable, 20, 5,
                                               regularized=True, rng=rng),
        "successive_narrowing": lambda: SuccessiveNarrowing(search_space_fn, 16, 0.5,
                                                            rng=rng),
        "nsga2": lambda: NSGA2Searcher(search_space_fn, {"score": "max"}, mutatable, 10,
                                       rng=rng),
        # A budget on the number of modules that rejects some architectures of the toys.
        "constrained": lambda: ConstrainedSearcher(
            RandomSearcher(search_space_fn, rng=rng),
            lambda inputs, outputs: len(co.get_modules_with_cond(outputs, lambda m: True)),
            max_cost=15),
    }
    return factories[name]()


SEARCHER_NAMES = ["random", "mcts", "smbo", "smbo_mcts", "evolution", "successive_narrowing",
                  "nsga2", "constrained"]
