"""Multi-objective evolution: a steady-state, mutation-only NSGA-II over value lists.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.regularized_evolution import mutatable
    >>> def space():
    ...     return mo.siso_sequential([
    ...         mo.siso_optional(mo.identity, hp.Discrete([0, 1], name="a")),
    ...         mo.siso_optional(mo.identity, hp.Discrete([0, 1], name="b"))])
    >>> searcher = NSGA2Searcher(space, {"accuracy": "max", "latency": "min"}, mutatable, 4)
    >>> for _ in range(6):
    ...     inputs, outputs, vs, token = searcher.sample()
    ...     searcher.update({"accuracy": vs[0] + vs[1], "latency": vs[0] + 2 * vs[1]}, token)
    >>> all(len(vs) == 2 for vs, _ in searcher.get_pareto_front())
    True
"""
from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from deep_architect.errors import check
from deep_architect.pareto import (
    check_objectives,
    crowding_distance,
    non_dominated_sort,
    objective_vector,
)
from deep_architect.searchers.base import RngLike, Searcher, check_val
from deep_architect.searchers.regularized_evolution import MutatableFn, _MutatingSearcher

__all__ = ["NSGA2Searcher"]


class NSGA2Searcher(_MutatingSearcher):
    """Keeps a population ranked by Pareto fronts and crowding; mutates tournament winners.

    The first ``population_size`` samples are random. Afterwards each sample
    picks a parent by binary tournament (lower front first, then larger
    crowding distance, as in NSGA-II) and returns a mutated child (one
    mutatable value changed, as in
    :class:`~deep_architect.searchers.regularized_evolution.EvolutionSearcher`).
    Each update adds the evaluated individual; once the population exceeds
    ``population_size``, the member of the last front with the smallest crowding
    distance is removed (steady-state environmental selection), so updates can
    arrive in any order, as with asynchronous workers.

    ``update(val, token)`` takes the objective values as a dict ``{name: value}``
    (for instance the results dict itself; ``run_search`` passes one when its
    ``metric`` is a list of names) or as a sequence in the order of
    ``objectives``. A single number is accepted when there is one objective.

    Token: ``{"user_vs": [...], "all_vs": [...]}``. The state holds the
    population (file ``nsga2_searcher.json``).

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        objectives: ``{metric_name: "max" | "min"}``, e.g.
            ``{"validation_accuracy": "max", "latency_ms": "min"}``.
        mutatable_fn: Which hyperparameters mutations may change (usually
            :func:`~deep_architect.searchers.regularized_evolution.mutatable`).
        population_size: Members kept (>= 2).
        reset_default_scope_upon_sample: Whether each new space resets the default scope.
        rng: ``None`` (global generators), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "nsga2_searcher.json"
    state_keys = ("population", "objectives", "population_size")

    def __init__(self, search_space_fn: Callable[[], tuple], objectives: Mapping[str, str],
                 mutatable_fn: MutatableFn, population_size: int,
                 reset_default_scope_upon_sample: bool = True, rng: RngLike = None) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        self.objectives = check_objectives(objectives, "NSGA2Searcher")
        check(isinstance(population_size, int) and population_size >= 2,
              f"NSGA2Searcher: population_size must be an int >= 2, got {population_size!r}")
        self.mutatable = mutatable_fn
        self.population_size = population_size
        # Members: (user_vs, all_vs, objective vector to maximise).
        self.population: list[tuple[list, list, tuple]] = []
        self._incoming: tuple | None = None

    def propose(self) -> tuple[dict, dict, list, dict]:
        """A random individual until the population is full, then a mutated tournament winner."""
        return self._propose_individual(mutate=len(self.population) >= self.population_size)

    def _ranks(self) -> tuple[list[int], dict[int, float]]:
        points = [member[2] for member in self.population]
        rank = [0] * len(points)
        crowding: dict[int, float] = {}
        for r, front in enumerate(non_dominated_sort(points)):
            for i in front:
                rank[i] = r
            crowding.update(crowding_distance(points, front))
        return rank, crowding

    def _tournament_winner(self) -> tuple:
        rank, crowding = self._ranks()
        if self.rng is None:
            a, b = random.sample(range(len(self.population)), 2)
        else:
            a, b = self.rng.choice(len(self.population), 2, replace=False).tolist()
        better = min((a, b), key=lambda i: (rank[i], -crowding[i], i))
        return self.population[better]

    def update(self, val: Any, searcher_eval_token: dict) -> None:
        """Reports the objective values of a sampled architecture.

        Args:
            val: ``{objective_name: value}`` (extra keys ignored), a sequence in
                the order of ``objectives``, or a number for a single objective.
            searcher_eval_token: The token ``sample`` returned with it.

        Raises:
            DeepArchitectError: For a missing or non-finite objective, or a bad token.
        """
        names = list(self.objectives)
        if isinstance(val, Mapping):
            results = val
        elif isinstance(val, Sequence) and not isinstance(val, str):
            check(len(val) == len(names), f"NSGA2Searcher.update: expected {len(names)} "
                                          f"values for the objectives {names}, got {val!r}")
            results = dict(zip(names, val))
        else:
            check(len(names) == 1, f"NSGA2Searcher.update: expected the values of the "
                                   f"objectives {names} as a dict, got {val!r}")
            results = {names[0]: check_val(val, self._owner)}
        self._incoming = objective_vector(results, self.objectives)
        # The base class checks the token; observe then stores the vector.
        Searcher.update(self, self._incoming[0], searcher_eval_token)

    def observe(self, val: float, token: dict) -> None:
        """Adds the individual with the objective vector given to :meth:`update`."""
        self.check_token_keys(token, ["user_vs", "all_vs"])
        self.population.append((list(token["user_vs"]), list(token["all_vs"]), self._incoming))
        if len(self.population) > self.population_size:
            rank, crowding = self._ranks()
            worst = max(range(len(self.population)),
                        key=lambda i: (rank[i], -crowding[i], -i))
            del self.population[worst]

    def get_pareto_front(self) -> list[tuple[list, dict[str, float]]]:
        """The population's non-dominated members as ``(all_vs, {objective: value})``."""
        if not self.population:
            return []
        rank, _ = self._ranks()
        return [(list(all_vs), self._as_results(vector))
                for (_, all_vs, vector), r in zip(self.population, rank) if r == 0]

    def _as_results(self, vector: Sequence[float]) -> dict[str, float]:
        return {name: v if direction == "max" else -v
                for (name, direction), v in zip(self.objectives.items(), vector)}

    def get_state(self) -> dict:
        """The base state plus the objectives, the population size and the population."""
        return {**Searcher.get_state(self), "objectives": self.objectives,
                "population_size": self.population_size,
                "population": [[user_vs, all_vs, self._as_results(vector)]
                               for user_vs, all_vs, vector in self.population]}

    def set_state(self, state: dict) -> None:
        """Restores :meth:`get_state`'s output."""
        Searcher.set_state(self, state)
        self.objectives = check_objectives(state["objectives"], "NSGA2Searcher.load_state")
        self.population_size = state["population_size"]
        self.population = [(user_vs, all_vs, objective_vector(results, self.objectives))
                           for user_vs, all_vs, results in state["population"]]

