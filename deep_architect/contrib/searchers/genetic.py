"""Evolution with tournament selection, per-hyperparameter mutation and uniform crossover.

:class:`GeneticSearcher` keeps a population of evaluated architectures. The
first ``population_size`` samples are random; after that, each sample picks a
parent by tournament and, with probability ``crossover_prob``, a second
parent by another tournament, then specifies a child on a fresh search space:

* every hyperparameter of the child, in specification order, is identified by
  its *key*: its name without the scope number, plus its position among the
  hyperparameters of that name in the specification order (``H.Discrete#3``
  is the fourth ``Discrete`` assigned; in an inline PyTorch space,
  ``H.conv1_ks#0`` is the decision labelled ``conv1_ks``);
* **crossover** (uniform): a key present in both parents takes the value of
  either parent with probability one half; a key present in only one parent
  takes that parent's value; a key in neither (a hyperparameter created by a
  structural choice that differs from both parents) gets a random value. A
  parent's value that the hyperparameter does not allow (the structure moved
  the key) is replaced by the other parent's or a random one;
* **mutation**: each hyperparameter independently, with probability
  ``mutation_rate``, takes a different value drawn uniformly (ranges: a new
  uniform draw on their scale). When neither operator changed anything (no
  crossover, no mutation drawn), one position drawn uniformly among the
  parent's is mutated, so no evaluation is spent on a copy.

Because the child is built by assigning values one hyperparameter at a time
on a fresh space, it is always a valid architecture of the space, whatever
structural choices the operators made.

When ``regularized`` (aging evolution), each result past ``population_size``
removes the oldest member; otherwise the worst one.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> def space():
    ...     return mo.siso_repeat(lambda: mo.siso_optional(mo.identity, hp.Bool()),
    ...                           hp.Discrete([1, 2, 3]))
    >>> searcher = GeneticSearcher(space, population_size=4, tournament_size=2,
    ...                            mutation_rate=0.2, crossover_prob=0.5, rng=0)
    >>> for _ in range(12):
    ...     inputs, outputs, vs, token = searcher.sample()
    ...     searcher.update(float(sum(vs)), token)
    >>> len(searcher.population)
    4
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError, check

__all__ = ["GeneticSearcher", "hyperparameter_keys"]

def hyperparameter_keys(hyperparameters: Sequence[co.Hyperparameter]) -> list[str]:
    """The crossover keys of hyperparameters given in specification order.

    A key is the name without its scope number and ``#`` the number of earlier
    hyperparameters with the same name, so keys do not depend on how many
    objects were created before (scopes that are not reset, structures that
    differ).

    Example:
        >>> import deep_architect.core as co
        >>> with co.use_scope():
        ...     hs = [hp.Discrete([1]), hp.Discrete([2], name="width"), hp.Discrete([3])]
        >>> hyperparameter_keys(hs)
        ['H.Discrete#0', 'H.width#0', 'H.Discrete#1']
    """
    counts: dict[str, int] = {}
    return [_key(h, counts) for h in hyperparameters]


def _key(h: co.Hyperparameter, counts: dict[str, int]) -> str:
    """The key of ``h``, given the counts of the names seen before it (updated)."""
    stem = h.get_name().rsplit("-", 1)[0]
    k = counts.get(stem, 0)
    counts[stem] = k + 1
    return "%s#%d" % (stem, k)


_MISSING = object()


def _json(x: Any) -> str:
    return json.dumps(x, sort_keys=True, default=repr)


def _allowed(h: co.Hyperparameter, val: Any) -> Any:
    """The value of ``h`` equal to ``val``, or ``_MISSING``.

    Equality is that of the JSON texts, so a value read back from a log
    (tuples as lists) matches, and ``0.0`` (a dropout rate that a structural
    change moved to this key) does not pass for the index ``0``.
    """
    if isinstance(h, hp.Discrete):
        text = _json(val)
        for v in h.vs:
            if _json(v) == text:
                return v
        return _MISSING
    try:
        h._check_value(val)
    except DeepArchitectError:
        return _MISSING
    return val


class _Draws:
    """Uniform draws from a searcher's ``RandomState``, or from NumPy's global generator."""

    def __init__(self, searcher: seco.Searcher) -> None:
        self._searcher = searcher

    def uniform(self) -> float:
        rng = self._searcher.rng
        return float(np.random.random_sample() if rng is None else rng.random_sample())

    def index(self, n: int) -> int:
        return min(int(self.uniform() * n), n - 1)

    def sample_indices(self, n: int, k: int) -> list[int]:
        rng = self._searcher.rng
        chosen = (np.random if rng is None else rng).choice(n, k, replace=False)
        return [int(i) for i in chosen]

    def random_value(self, h: co.Hyperparameter) -> Any:
        if isinstance(h, hp.Discrete):
            return h.vs[self.index(len(h.vs))]
        if isinstance(h, hp.Range):
            return h.from_unit(self.uniform())
        raise DeepArchitectError(
            "GeneticSearcher: %s is a %s; only Discrete, Int and Float hyperparameters are "
            "supported" % (h.get_name(), type(h).__name__))

    def other_value(self, h: co.Hyperparameter, current: Any) -> Any:
        """A value of ``h`` different from ``current`` when there is one, else ``current``."""
        if isinstance(h, hp.Discrete):
            others = [v for v in h.vs if _json(v) != _json(current)]
            return others[self.index(len(others))] if others else current
        for _ in range(16):  # an Int range of a few values may draw the same one again
            val = self.random_value(h)
            if _json(val) != _json(current):
                return val
        return current


class GeneticSearcher(seco.Searcher):
    """Tournament selection, per-hyperparameter mutation and uniform crossover.

    See the module documentation for the operators. Tokens are
    ``{"keys": [...], "vs": [...]}`` (plus the base class's sample id and
    issuer); :meth:`update` also accepts logged tokens of other searchers
    (warm start): ``{"vs": [...]}`` or the original evolution's
    ``{"all_vs": [...]}``, whose keys are found by replaying the values.

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        population_size: Number of members kept (and of initial random samples).
        tournament_size: Members drawn (without replacement) per tournament.
        mutation_rate: Probability that each hyperparameter is mutated.
        crossover_prob: Probability that a child has two parents.
        regularized: Whether the oldest member leaves the population (aging
            evolution) instead of the worst.
        rng: ``None`` (NumPy's global generator, so ``np.random.seed`` controls
            it), an int seed or a ``numpy.random.RandomState`` owned by the searcher.
        reset_default_scope_upon_sample: Whether each new space resets the
            default scope.

    Raises:
        DeepArchitectError: For sizes or probabilities out of range.
    """

    state_filename = "genetic_searcher.json"
    state_keys = ("population", "num_updates")

    def __init__(self, search_space_fn: Callable[[], mo.Fragment], population_size: int,
                 tournament_size: int, mutation_rate: float, crossover_prob: float,
                 regularized: bool = True, rng: Any = None,
                 reset_default_scope_upon_sample: bool = True) -> None:
        seco.Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        check(isinstance(population_size, int) and population_size >= 1,
              "GeneticSearcher: population_size must be a positive int, got %r", population_size)
        check(isinstance(tournament_size, int) and 1 <= tournament_size,
              "GeneticSearcher: tournament_size must be a positive int, got %r", tournament_size)
        for name, p in [("mutation_rate", mutation_rate), ("crossover_prob", crossover_prob)]:
            check(isinstance(p, numbers.Real) and 0.0 <= p <= 1.0,
                  "GeneticSearcher: %s must be a probability in [0, 1], got %r", name, p)
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.mutation_rate = float(mutation_rate)
        self.crossover_prob = float(crossover_prob)
        self.regularized = bool(regularized)
        self._draws = _Draws(self)
        #: Members ``{"keys", "vs", "score", "age"}``, oldest first.
        self.population: list[dict[str, Any]] = []
        self._num_updates = 0

    # ------------------------------------------------------------------ sampling

    def propose(self) -> tuple[dict, dict, list, dict]:
        """Returns ``(inputs, outputs, hyperp_value_lst, token)`` of a child (or a random one)."""
        if len(self.population) < self.population_size:
            parents: list[dict] = []
        else:
            parents = [self._tournament()]
            if self._draws.uniform() < self.crossover_prob:
                parents.append(self._tournament())
        inputs, outputs, keys, vs = seco.sample_until_valid(
            lambda: self._child(parents), description="GeneticSearcher")
        return inputs, outputs, list(vs), {"keys": keys, "vs": vs}

    def _tournament(self) -> dict[str, Any]:
        n = len(self.population)
        contestants = self._draws.sample_indices(n, min(self.tournament_size, n))
        # The first drawn wins ties, so no position in the population is favoured.
        best = contestants[0]
        for i in contestants[1:]:
            if self.population[i]["score"] > self.population[best]["score"]:
                best = i
        return self.population[best]

    def _child(self, parents: list[dict]) -> tuple[dict, dict, list, list]:
        inputs, outputs = self.search_space_fn()
        sources = [dict(zip(p["keys"], p["vs"], strict=True)) for p in parents]
        # Mutation draws for the parent's positions are made up front, so that a
        # child that would otherwise copy its parent gets one forced mutation.
        mask: list[bool] = []
        if parents and all(p["vs"] == parents[0]["vs"] for p in parents):
            mask = [self._draws.uniform() < self.mutation_rate for _ in parents[0]["vs"]]
            if mask and not any(mask):
                mask[self._draws.index(len(mask))] = True
        keys: list[str] = []
        vs: list[Any] = []
        counts: dict[str, int] = {}
        for h in co.unassigned_independent_hyperparameter_iterator(outputs):
            key = _key(h, counts)
            val = self._inherited_value(h, key, sources)
            position = len(vs)
            if parents and (mask[position] if position < len(mask)
                            else self._draws.uniform() < self.mutation_rate):
                val = self._draws.other_value(h, val)
            h.assign_value(val)
            keys.append(key)
            vs.append(h.get_value())
        return inputs, outputs, keys, vs

    def _inherited_value(self, h: co.Hyperparameter, key: str,
                         sources: list[dict[str, Any]]) -> Any:
        candidates = [v for v in (_allowed(h, s[key]) for s in sources if key in s)
                      if v is not _MISSING]
        if len(candidates) == 2:
            return candidates[self._draws.index(2)]
        if candidates:
            return candidates[0]
        return self._draws.random_value(h)

    # ------------------------------------------------------------------ updates

    def observe(self, val: float, token: dict) -> None:
        """Adds the evaluated architecture of the token to the population.

        Raises:
            DeepArchitectError: For a token without a value list, or whose
                values do not specify this search space.
        """
        if "keys" in token and "vs" in token:
            keys, vs = list(token["keys"]), list(token["vs"])
            check(len(keys) == len(vs), "GeneticSearcher.update: token %r has %d keys for %d "
                                        "values", token, len(keys), len(vs))
        else:
            vs = token.get("vs", token.get("all_vs"))
            check(isinstance(vs, list),
                  "GeneticSearcher.update: token %r holds no value list ('vs' or 'all_vs')",
                  token)
            keys = self._replayed_keys(vs)
        self.population.append({"keys": keys, "vs": vs, "score": val,
                                "age": self._num_updates})
        self._num_updates += 1
        if len(self.population) > self.population_size:
            if self.regularized:
                del self.population[0]
            else:
                worst = min(range(len(self.population)),
                            key=lambda i: (self.population[i]["score"], i))
                del self.population[worst]

    def _replayed_keys(self, vs: list) -> list[str]:
        _, outputs = self.search_space_fn()
        hs = []
        for h, val in zip(co.unassigned_independent_hyperparameter_iterator(outputs), vs,
                          strict=False):
            h.assign_value(val)
            hs.append(h)
        check(len(hs) == len(vs) and co.is_specified(outputs),
              "GeneticSearcher.update: the value list %r does not specify this search space", vs)
        return hyperparameter_keys(hs)

    def get_best(self, num_models: int) -> list[tuple[float, list]]:
        """The ``num_models`` best members as ``(score, value list)``, best first."""
        ranked = sorted(self.population, key=lambda m: m["score"], reverse=True)
        return [(m["score"], list(m["vs"])) for m in ranked[:num_models]]

    # ------------------------------------------------------------------ state

    def get_state(self) -> dict[str, Any]:
        """The searcher's state as plain JSON data (population and bookkeeping)."""
        state = seco.Searcher.get_state(self)
        state["population"] = [dict(m) for m in self.population]
        state["num_updates"] = self._num_updates
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores a state from :meth:`get_state` (the settings stay the constructor's).

        Raises:
            DeepArchitectError: If ``state`` lacks an entry.
        """
        seco.Searcher.set_state(self, state)
        self.population = [dict(m) for m in state["population"]]
        self._num_updates = state["num_updates"]
