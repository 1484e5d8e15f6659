"""Steady-state and aging ("regularized") evolution over value lists.

An individual is described by ``user_vs``, the values of its *mutatable*
hyperparameters in iteration order, and ``all_vs``, the values of all its
hyperparameters (the list ``specify`` replays). Without a generator of their
own (``rng=None``), mutations and mutatable random draws use the global
``random`` module and other hyperparameters the global NumPy generator; with
one, every draw comes from it.
"""

from __future__ import annotations

import collections
import functools
import numbers
import random
from collections.abc import Callable
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError, check
from deep_architect.searchers.base import RngLike, Searcher
from deep_architect.specify import random_index

MutatableFn = Callable[[co.Hyperparameter], bool]


#: Standard deviation, on a range's unit scale, of the Gaussian step that mutates it.
RANGE_MUTATION_SCALE = 0.1


def mutatable(h: co.Hyperparameter) -> bool:
    """Default mutatable predicate: hyperparameters with more than one value."""
    if isinstance(h, hp.Range):
        return h.low < h.high and getattr(h, "num_values", 2) > 1
    return len(h.vs) > 1


def _check_discrete(h: co.Hyperparameter) -> None:
    if not isinstance(h, (hp.Discrete, hp.Range)):
        raise DeepArchitectError(
            f"evolution supports only Discrete, Int and Float mutatable hyperparameters; "
            f"{h.get_name()} is a {type(h).__name__}"
        )


def _uniform(rng: np.random.RandomState | None) -> float:
    return random.random() if rng is None else float(rng.random_sample())


def _perturbed(h: hp.Range, val: Any, rng: np.random.RandomState | None) -> Any:
    """A value of ``h`` other than ``val``, a Gaussian step away on the unit scale.

    Raises:
        ValueError: If ``h`` has no other value (the caller resamples).
    """
    u = h.to_unit(val)
    for _ in range(20):  # small Int ranges may round a step back to the same value
        step = random.gauss(0.0, RANGE_MUTATION_SCALE) if rng is None else float(
            rng.normal(0.0, RANGE_MUTATION_SCALE))
        candidate = h.from_unit(u + step)
        if candidate != val:
            return candidate
    alternatives = [x for x in h.grid(16) if x != val]
    if not alternatives:
        raise ValueError(f"{h.get_name()} has no value other than {val!r} to mutate to")
    return alternatives[_randint(rng, len(alternatives))]


def _kept_value(h: co.Hyperparameter, val: Any) -> Any | None:
    """``val`` as a value of ``h``, or ``None`` when it does not fit."""
    if isinstance(h, hp.Range):
        try:
            return h.validate(val)
        except DeepArchitectError:
            return None
    match = _find_value(h, val)
    return None if match is None else h.vs[match]


def _random_value(h: co.Hyperparameter, rng: np.random.RandomState | None) -> Any:
    if isinstance(h, hp.Range):
        return h.from_unit(_uniform(rng))
    return h.vs[_randint(rng, len(h.vs))]


def _can_change(h: co.Hyperparameter, val: Any) -> bool:
    if isinstance(h, hp.Range):
        return mutatable(h)
    return any(v != val for v in h.vs)


def _value_kind(x: Any) -> Any:
    if isinstance(x, numbers.Integral):
        return "integer"
    if isinstance(x, numbers.Real):
        return "real"
    if isinstance(x, (list, tuple)):
        return "sequence"
    return type(x)


def _find_value(h: hp.Discrete, val: Any) -> int | None:
    """Index of ``val`` in ``h.vs``, or ``None``; unlike ``in``, ``0.0`` does not match ``0``.

    A shifted value list can put a value meant for another hyperparameter at
    this position; matching kinds (and sequences as lists, for values read
    back from JSON) avoids mistaking, say, a dropout rate ``0.0`` for index ``0``.
    """
    kind = _value_kind(val)
    for i, x in enumerate(h.vs):
        if _value_kind(x) == kind and (list(x) == list(val) if kind == "sequence" else x == val):
            return i
    return None


def _randint(rng: np.random.RandomState | None, n: int) -> int:
    """Uniform integer in ``[0, n)``, from ``random`` when ``rng`` is ``None``."""
    return random.randint(0, n - 1) if rng is None else random_index(n, rng)


def random_specify_evolution(outputs: dict[str, Any], mutatable_fn: MutatableFn,
                             rng: np.random.RandomState | None = None,
                             assigned: list | None = None) -> tuple[list[Any], list[Any]]:
    """Specifies every hyperparameter at random.

    Args:
        outputs: Outputs of a fresh, unspecified search space.
        mutatable_fn: Predicate telling which hyperparameters are mutatable.
        rng: Generator to draw from; the global NumPy one when ``None``.
        assigned: Optional list that receives every hyperparameter, in
            assignment order.

    Returns:
        ``(user_vs, all_vs)``: the values of the mutatable hyperparameters, and
        of all hyperparameters, in iteration order.
    """
    user_vs: list[Any] = []
    all_vs: list[Any] = []
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        v = seco.random_specify_hyperparameter(h, rng)
        if mutatable_fn(h):
            user_vs.append(v)
        all_vs.append(v)
        if assigned is not None:
            assigned.append(h)
    return user_vs, all_vs


def specify_evolution(outputs: dict[str, Any], mutatable_fn: MutatableFn,
                      user_vs: list[Any],
                      rng: np.random.RandomState | None = None) -> list[Any]:
    """Specifies a fresh space, taking mutatable values from ``user_vs`` in order.

    Non-mutatable hyperparameters are drawn at random (NumPy). When ``user_vs``
    is exhausted, or its next value is not a legal value of the mutatable
    hyperparameter now at that position (a structural change shifted the
    sequence; values must match in kind too, so ``0.0`` is not taken for
    ``0``), a random legal value is drawn with ``random``. ``user_vs`` is
    edited **in place** so that afterwards it holds exactly the mutatable
    values used (replacements included, unused trailing values removed).

    Args:
        outputs: Outputs of a fresh, unspecified search space.
        mutatable_fn: Predicate telling which hyperparameters are mutatable.
        user_vs: Values for the mutatable hyperparameters; edited in place.
        rng: Generator to draw from; the global ones when ``None``.

    Returns:
        The values of all hyperparameters, in iteration order.
    """
    return _specify_with_values(outputs, mutatable_fn, user_vs, None, rng)


def _specify_with_values(outputs: dict[str, Any], mutatable_fn: MutatableFn,
                         user_vs: list[Any], mutate_pos: int | None,
                         rng: np.random.RandomState | None = None,
                         assigned: list | None = None) -> list[Any]:
    """:func:`specify_evolution`, mutating the mutatable value at ``mutate_pos``.

    Unless ``mutate_pos`` is ``None``, the hyperparameter at that mutatable
    position gets a value different from ``user_vs[mutate_pos]``, chosen
    uniformly (a range moves by a Gaussian step of standard deviation
    :data:`RANGE_MUTATION_SCALE` on its (log-)scaled unit range, clipped); if
    its full name contains ``"sub"`` (a structural choice), the values after it
    are dropped so that they are drawn anew.

    ``assigned``, if given, receives every hyperparameter in assignment order.

    Raises:
        ValueError: If that hyperparameter has no other value (the caller
            resamples, as for an invalid architecture).
    """
    all_vs: list[Any] = []
    pos = 0
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        if mutatable_fn(h):
            _check_discrete(h)
            if pos == mutate_pos:
                if isinstance(h, hp.Range):
                    v = user_vs[pos] = _perturbed(h, user_vs[pos], rng)
                else:
                    alternatives = [x for x in h.vs if x != user_vs[pos]]
                    if not alternatives:
                        raise ValueError(f"{h.get_name()} has no value other than "
                                         f"{user_vs[pos]!r} to mutate to")
                    v = user_vs[pos] = alternatives[_randint(rng, len(alternatives))]
                if "sub" in h.get_name():
                    del user_vs[pos + 1:]
            else:
                v = _kept_value(h, user_vs[pos]) if pos < len(user_vs) else None
                if v is None:
                    v = _random_value(h, rng)
                    user_vs[pos:pos + 1] = [v]
            h.assign_value(v)
            pos += 1
        else:
            v = seco.random_specify_hyperparameter(h, rng)
        all_vs.append(v)
        if assigned is not None:
            assigned.append(h)
    del user_vs[pos:]
    return all_vs


def mutate(outputs: dict[str, Any], user_vs: list[Any], all_vs: list[Any],
           mutatable_fn: MutatableFn,
           search_space_fn: Callable[[], tuple[dict, dict]],
           rng: np.random.RandomState | None = None
           ) -> tuple[dict, dict, list[Any], list[Any]]:
    """Builds a child of the individual ``(user_vs, all_vs)`` by changing one value.

    The parent is replayed on ``outputs`` to find its mutatable
    hyperparameters; one of those that can change is picked uniformly. The
    child is specified on a fresh space from ``search_space_fn`` like
    :func:`specify_evolution`, except that the picked hyperparameter gets a
    different value, chosen uniformly (ranges: a clipped Gaussian step on the
    unit scale); if its full name contains ``"sub"`` (a
    structural choice), the values after it are dropped and drawn anew.

    Args:
        outputs: Outputs of a fresh, unspecified search space.
        user_vs: The parent's mutatable values.
        all_vs: The parent's values for all hyperparameters.
        mutatable_fn: Predicate telling which hyperparameters are mutatable.
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        rng: Generator to draw from; the global ones when ``None``.

    Returns:
        ``(inputs, outputs, new_user_vs, new_all_vs)`` of the child.
    """
    hs: list[co.Hyperparameter] = []
    for i, h in enumerate(co.unassigned_independent_hyperparameter_iterator(outputs)):
        if i >= len(all_vs):
            raise DeepArchitectError(f"mutate: all_vs has {len(all_vs)} values, too few "
                                     f"to specify the search space")
        if mutatable_fn(h):
            _check_discrete(h)
            hs.append(h)
        h.assign_value(all_vs[i])
    check(len(hs) == len(user_vs),
          f"mutate: the parent has {len(hs)} mutatable hyperparameters but user_vs has "
          f"{len(user_vs)} values")
    positions = [k for k, h in enumerate(hs) if _can_change(h, user_vs[k])]
    check(len(positions) > 0, "mutate: the parent has no hyperparameter that can change value")
    new_inputs, new_outputs = search_space_fn()
    new_user_vs = list(user_vs)
    new_all_vs = _specify_with_values(new_outputs, mutatable_fn, new_user_vs,
                                      positions[_randint(rng, len(positions))], rng)
    return new_inputs, new_outputs, new_user_vs, new_all_vs


class _MutatingSearcher(Searcher):
    """The evolutionary searchers' proposals: random, or a mutated tournament winner.

    A mutated winner is a population member with one mutatable value changed.
    Subclasses set ``self.mutatable`` and implement ``_tournament_winner()``,
    returning a population member whose first element is its ``user_vs``.
    """

    mutatable: MutatableFn

    def _propose_individual(self, mutate: bool) -> tuple:
        """``propose``'s result: a mutated tournament winner if ``mutate``, else a random one."""
        if mutate:
            parent_user_vs = self._tournament_winner()[0]
            check(len(parent_user_vs) > 0,
                  "%s: the individuals have no mutatable hyperparameter", self._owner)
            attempt = functools.partial(self._child, parent_user_vs)
        else:
            attempt = self._random_individual
        inputs, outputs, user_vs, all_vs, hyperps = seco.sample_until_valid(
            attempt, description=self._owner)
        return (inputs, outputs, list(all_vs), {"user_vs": user_vs, "all_vs": all_vs},
                hyperps)

    def _tournament_winner(self) -> tuple:
        raise NotImplementedError

    def _random_individual(self) -> tuple:
        inputs, outputs = self.search_space_fn()
        hyperps: list = []
        user_vs, all_vs = random_specify_evolution(outputs, self.mutatable, self.rng, hyperps)
        return inputs, outputs, user_vs, all_vs, hyperps

    def _child(self, parent_user_vs: list[Any]) -> tuple:
        # Same outcome as ``mutate`` but with a single fresh space: the
        # position to mutate is drawn first and mutated while specifying.
        user_vs = list(parent_user_vs)
        inputs, outputs = self.search_space_fn()
        hyperps: list = []
        all_vs = _specify_with_values(outputs, self.mutatable, user_vs,
                                      _randint(self.rng, len(user_vs)), self.rng, hyperps)
        return inputs, outputs, user_vs, all_vs, hyperps


class EvolutionSearcher(_MutatingSearcher):
    """Tournament-selection evolution, optionally with aging (regularized evolution).

    The first ``P`` samples are random. Afterwards each sample draws
    ``min(S, population size)`` distinct members, mutates the best of them (the
    first on ties) and returns the child (as :func:`mutate` would, but building
    one search space per sample instead of two). Once the population holds ``P``
    members, each update first removes one — the oldest when ``regularized``
    (aging evolution), otherwise the worst (the first on ties) — so the
    population keeps exactly ``P`` members.

    Token: ``{"user_vs": [...], "all_vs": [...]}``. The state holds the
    population (file ``evolution_searcher.json``).

    Args:
        search_space_fn: Function returning a fresh ``(inputs, outputs)`` pair.
        mutatable_fn: Predicate telling which hyperparameters mutations may change
            (usually :func:`mutatable`).
        P: Population size.
        S: Tournament size.
        regularized: Whether to remove the oldest instead of the worst member.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        rng: ``None`` (global generators), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "evolution_searcher.json"
    state_keys = ("P", "S", "population", "regularized", "initializing")

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 mutatable_fn: MutatableFn, P: int, S: int, regularized: bool = False,
                 reset_default_scope_upon_sample: bool = True, rng: RngLike = None) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        check(isinstance(P, int) and P >= 1, f"EvolutionSearcher: P must be a positive int, "
                                             f"got {P!r}")
        check(isinstance(S, int) and S >= 1, f"EvolutionSearcher: S must be a positive int, "
                                             f"got {S!r}")
        self.mutatable = mutatable_fn
        self.P = P
        self.S = S
        self.regularized = regularized
        self.population: collections.deque[tuple[list[Any], list[Any], float]] = collections.deque(
            maxlen=P)
        self.initializing = True

    def propose(self) -> tuple[dict, dict, list[Any], dict[str, Any]]:
        """A random individual while initializing, else a mutated tournament winner."""
        if self.initializing and len(self.population) >= self.P:
            self.initializing = False
        return self._propose_individual(mutate=not self.initializing)

    def _tournament_winner(self) -> tuple[list[Any], list[Any], float]:
        n, k = len(self.population), min(self.S, len(self.population))
        if self.rng is None:
            indices = sorted(random.sample(range(n), k))
        else:
            indices = sorted(self.rng.choice(n, k, replace=False).tolist())
        best = max(indices, key=lambda i: (self.population[i][2], -i))
        return self.population[best]

    def observe(self, val: float, token: dict[str, Any]) -> None:
        """Adds the token's individual, first removing one member if the population is full."""
        self.check_token_keys(token, ["user_vs", "all_vs"])
        check(isinstance(token["user_vs"], list) and isinstance(token["all_vs"], list),
              "EvolutionSearcher.update: the token's user_vs and all_vs must be lists, got %r",
              token)
        if len(self.population) >= self.P:
            if self.regularized:
                self.population.popleft()
            else:
                worst = min(range(len(self.population)),
                            key=lambda i: (self.population[i][2], i))
                del self.population[worst]
        self.population.append((list(token["user_vs"]), list(token["all_vs"]), val))

    def get_best(self, num_models: int) -> list[tuple[float, list[Any]]]:
        """The ``num_models`` best members as ``(val, all_vs)``, best first.

        Args:
            num_models: How many members to return (fewer if the population is smaller).
        """
        ranked = sorted(self.population, key=lambda member: member[2], reverse=True)
        return [(val, all_vs) for _, all_vs, val in ranked[:num_models]]

    def get_state(self) -> dict[str, Any]:
        """The base state plus ``P``, ``S``, ``regularized``, ``initializing``, ``population``."""
        state = Searcher.get_state(self)
        state.update({"P": self.P, "S": self.S, "regularized": self.regularized,
                      "initializing": self.initializing,
                      "population": [[user_vs, all_vs, val]
                                     for user_vs, all_vs, val in self.population]})
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output or the original's state file."""
        Searcher.set_state(self, state)
        self.P, self.S = state["P"], state["S"]
        self.regularized, self.initializing = state["regularized"], state["initializing"]
        self.population = collections.deque(
            ((user_vs, all_vs, float(val)) for user_vs, all_vs, val in state["population"]),
            maxlen=self.P)
