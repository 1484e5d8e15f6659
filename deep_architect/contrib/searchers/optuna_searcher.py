"""Optuna's samplers on deep_architect search spaces, and the reverse direction.

:class:`OptunaSearcher` walks a search space define-by-run: every independent
hyperparameter it meets, in the order
:func:`~deep_architect.core.unassigned_independent_hyperparameter_iterator`
yields them, becomes one Optuna suggestion (``suggest_categorical`` for
``Discrete``, ``suggest_int``/``suggest_float`` with ``log`` for
``Int``/``Float``). Structural choices are ordinary parameters, so TPE, CMA-ES,
GP, NSGA-II or any other sampler searches structure and hyperparameters
together; parameters that exist only in some structures are simply absent
from the trials of the others, as in any define-by-run Optuna objective.

Parameter names are the hyperparameters' scope names (``H.Discrete-3``; give
hyperparameters a ``name=`` for readable ones). Names are stable from sample
to sample because the default scope is reset before each space is built. If
a name would carry a different domain than it had in an earlier trial (two
structures numbering their hyperparameters differently), a short digest of the
domain is appended, so a name never changes distribution.

:func:`suggest_architecture` does the same inside a user's own Optuna
objective.

Optuna is imported when this module is imported; the core never imports it.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
    json_to_distribution,
)
from optuna.trial import TrialState

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError, check
from deep_architect.searchers.base import (
    ISSUER_KEY,
    Searcher,
    check_val,
    get_rng_state,
    set_rng_state,
)

__all__ = ["OptunaSearcher", "suggest_architecture"]

_PLAIN_TYPES = (type(None), bool, int, float, str)


def _by_index(h: hp.Discrete) -> bool:
    """Whether Optuna must see indices: values it cannot store, or repeated values."""
    plain = all(type(v) in _PLAIN_TYPES for v in h.vs)
    return not (plain and len({(type(v), v) for v in h.vs}) == len(h.vs))


def _distribution(h: co.Hyperparameter) -> BaseDistribution:
    if isinstance(h, hp.Discrete):
        return CategoricalDistribution(list(range(len(h.vs))) if _by_index(h) else h.vs)
    if isinstance(h, hp.Int):
        return IntDistribution(h.low, h.high, log=h.log, step=h.step)
    if isinstance(h, hp.Float):
        return FloatDistribution(h.low, h.high, log=h.log)
    raise DeepArchitectError(
        f"OptunaSearcher: {h} is a {type(h).__name__}; only Discrete, Int and Float "
        "hyperparameters can be suggested by Optuna")


def _suggest(trial: Any, name: str, h: co.Hyperparameter, dist: BaseDistribution) -> Any:
    if isinstance(h, hp.Discrete):
        choice = trial.suggest_categorical(name, dist.choices)
        return h.vs[choice] if _by_index(h) else choice
    if isinstance(h, hp.Int):
        return trial.suggest_int(name, h.low, h.high, step=h.step, log=h.log)
    return trial.suggest_float(name, h.low, h.high, log=h.log)


def _param_name(h: co.Hyperparameter, dist: BaseDistribution,
                known: dict[str, BaseDistribution]) -> str:
    name = h.get_name()
    if name in known and known[name] != dist:
        digest = zlib.crc32(distribution_to_json(dist).encode("utf-8"))
        name = f"{name}~{digest:08x}"
    known[name] = dist
    return name


def _specify_with_trial(trial: Any, outputs: dict,
                        known: dict[str, BaseDistribution]) -> list:
    values = []
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        dist = _distribution(h)
        val = _suggest(trial, _param_name(h, dist, known), h, dist)
        h.assign_value(val)
        # Logged value lists are plain JSON: a tuple value is listed as a list,
        # which specify maps back to the tuple.
        values.append(val if type(val) in _PLAIN_TYPES else json.loads(json.dumps(val)))
    return values


def _known_distributions(trials: Sequence[Any]) -> dict[str, BaseDistribution]:
    known: dict[str, BaseDistribution] = {}
    for t in trials:
        known.update(t.distributions)
    return known


def _sampler_generators(sampler: Any, path: str = "sampler") -> list[tuple[str, Any]]:
    """``(attribute path, numpy RandomState)`` of every generator a sampler holds.

    Optuna's built-in samplers keep their generator in a lazily created
    wrapper with an ``rng`` attribute, and some nest other samplers (the
    random sampler TPE starts with, for instance); both are followed.
    """
    found = []
    for name in sorted(vars(sampler)):
        value = getattr(sampler, name)
        if isinstance(value, optuna.samplers.BaseSampler):
            found.extend(_sampler_generators(value, f"{path}.{name}"))
        elif hasattr(value, "rng") and isinstance(value.rng, np.random.RandomState):
            found.append((f"{path}.{name}", value.rng))
    return found


def suggest_architecture(
    trial: Any, search_space_fn: Callable[[], mo.Fragment]
) -> tuple[dict, dict, list]:
    """Builds a fresh search space and specifies it with ``trial``'s suggestions.

    Use it inside an Optuna objective to search a deep_architect space with
    Optuna's own loop, pruners and storages.

    Example:
        >>> import optuna
        >>> import deep_architect.hyperparameters as hp
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> def space():
        ...     return mo.siso_repeat(mo.identity, hp.Int(1, 4))
        >>> def objective(trial):
        ...     inputs, outputs, values = suggest_architecture(trial, space)
        ...     return -abs(values[0] - 3)
        >>> study = optuna.create_study(direction="maximize",
        ...                             sampler=optuna.samplers.TPESampler(seed=0))
        >>> study.optimize(objective, n_trials=20)
        >>> study.best_value
        0.0

    Args:
        trial: An ``optuna.trial.Trial``.
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.

    Returns:
        ``(inputs, outputs, hyperp_value_lst)``; the value list replays the
        architecture with :func:`deep_architect.searchers.common.specify`.
    """
    inputs, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    known = _known_distributions(trial.study.get_trials(deepcopy=False))
    return inputs, outputs, _specify_with_trial(trial, outputs, known)


def _scores(val: Any, num_objectives: int) -> list[float]:
    """One finite float per objective, from a number, a sequence or a dict (in key order)."""
    values = list(val.values()) if isinstance(val, Mapping) else (
        list(val) if isinstance(val, (list, tuple)) else [val])
    check(len(values) == num_objectives,
          f"OptunaSearcher.update: the study has {num_objectives} objective(s), got {val!r}")
    return [check_val(v, "OptunaSearcher") for v in values]


class OptunaSearcher(Searcher):
    """Samples architectures with an Optuna sampler through the ask-and-tell interface.

    Each :meth:`sample` asks the study for a trial and fills the space from
    its suggestions; :meth:`update` tells the study the trial's score, in any
    order and at any time (several samples may be evaluated at once).
    Architectures a substitution function rejects (``ValueError``) are told
    as failed trials and sampled again. A pruned evaluation's last value
    arrives through :meth:`update` like a final one.

    Example:
        >>> import optuna
        >>> import deep_architect.hyperparameters as hp
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> def space():
        ...     return mo.hyperparameter_aggregator({"lr": hp.Float(1e-4, 1.0, log=True)})
        >>> searcher = OptunaSearcher(space, sampler=optuna.samplers.TPESampler(seed=0))
        >>> inputs, outputs, values, token = searcher.sample()
        >>> searcher.update(-values[0], token)
        >>> searcher.study.trials[0].state.name
        'COMPLETE'

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.
        sampler: An Optuna sampler for the default study (TPE when ``None``).
            Seed it (``TPESampler(seed=0)``) for reproducible searches.
        study: A study to use instead of the default in-memory one; give a
            study with several ``directions`` for multi-objective search (then
            :meth:`update` takes one score per objective, as a sequence or as
            a dict in objective order, which is what ``run_search`` passes
            with a list of metrics), or one with an Optuna storage to share
            it. Scores are given to the study as they are, so use
            ``direction="maximize"`` for deep_architect metrics.
        reset_default_scope_upon_sample: Whether each new space resets the
            default scope (keep ``True``: parameter names depend on it).

    Attributes:
        study: The Optuna study.
    """

    state_filename = "optuna_searcher_state.json"
    state_keys = ("trials",)

    def __init__(self, search_space_fn: Callable[[], mo.Fragment], sampler: Any = None,
                 study: Any = None, reset_default_scope_upon_sample: bool = True) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample)
        check(study is None or sampler is None,
              "OptunaSearcher: give either a sampler or a study (the study has its own sampler)")
        if study is None:
            study = optuna.create_study(direction="maximize", sampler=sampler)
        self.study = study
        self._known = _known_distributions(study.get_trials(deepcopy=False))
        self._incoming: list[float] = []

    def _attempt(self) -> tuple[dict, dict, list, dict]:
        trial = self.study.ask()
        inputs, outputs = self.search_space_fn()
        try:
            values = _specify_with_trial(trial, outputs, self._known)
        except ValueError:
            self.study.tell(trial, state=TrialState.FAIL)
            raise
        # The parameters travel with the token so that another searcher (a warm
        # start from a logged search) can add the trial to its own study.
        return inputs, outputs, values, {
            "trial_number": trial.number,
            "params": dict(trial.params),
            "distributions": {k: distribution_to_json(d)
                              for k, d in trial.distributions.items()}}

    def propose(self) -> tuple[dict, dict, list, dict]:
        """Asks a trial and specifies a fresh space with it (see the class documentation)."""
        return seco.sample_until_valid(self._attempt, description="OptunaSearcher")

    def update(self, val: Any, searcher_eval_token: dict) -> None:
        """Tells the study the score(s) of the trial named by the token.

        Args:
            val: A number, or for a multi-objective study one number per
                objective (a sequence, or a dict in objective order).
            searcher_eval_token: The token :meth:`sample` returned.

        Raises:
            DeepArchitectError: If the token is not one of this searcher's, was
                already used, or the score does not fit the study's objectives.
        """
        self._incoming = _scores(val, len(self.study.directions))
        # The base class checks the token; observe then tells the study.
        Searcher.update(self, self._incoming[0], searcher_eval_token)

    def observe(self, val: float, token: dict) -> None:
        """Tells the study the scores given to :meth:`update`.

        A token of another searcher (a warm start from logged results) adds
        its parameters to this study as a completed trial.
        """
        self.check_token_keys(token, ["trial_number", "params", "distributions"])
        scores = self._incoming
        values = scores[0] if len(scores) == 1 else scores
        if token.get(ISSUER_KEY) != self._issuer:
            self.study.add_trial(optuna.trial.create_trial(
                values=scores, params=token["params"],
                distributions={k: json_to_distribution(d)
                               for k, d in token["distributions"].items()}))
            self._known = _known_distributions(self.study.get_trials(deepcopy=False))
            return
        number = token["trial_number"]
        trials = self.study.get_trials(deepcopy=False)
        check(isinstance(number, int) and 0 <= number < len(trials)
              and trials[number].state == TrialState.RUNNING,
              f"OptunaSearcher.update: token {token!r:.200} names no trial of the study "
              "waiting for its score")
        self.study.tell(number, values)

    def get_state(self) -> dict:
        """The base state plus every trial of the study, as plain JSON.

        The trials (parameters with their distributions, states, values)
        rebuild an in-memory study; the states of the sampler's NumPy
        generators (those of Optuna's built-in samplers, nested ones included)
        are saved too, so a restored searcher continues exactly as the
        original would have.
        """
        trials = [{
            "state": t.state.name,
            "values": t.values,
            "params": t.params,
            "distributions": {k: distribution_to_json(d) for k, d in t.distributions.items()},
            # Samplers such as NSGA-II keep their bookkeeping (generations) here.
            "system_attrs": t.system_attrs,
            "user_attrs": t.user_attrs,
        } for t in self.study.get_trials(deepcopy=False)]
        return {**Searcher.get_state(self), "study_name": self.study.study_name,
                "trials": trials,
                "sampler_generators": {path: get_rng_state(rng) for path, rng
                                       in _sampler_generators(self.study.sampler)}}

    def set_state(self, state: dict) -> None:
        """Rebuilds the study's trials from :meth:`get_state`'s output.

        The trials are added to this searcher's study, which must be empty (a
        study kept in an Optuna storage already has them: then its trial
        count must match and nothing is added).

        Raises:
            DeepArchitectError: If the state does not match the study.
        """
        Searcher.set_state(self, state)
        existing = self.study.get_trials(deepcopy=False)
        if existing:
            check(len(existing) == len(state["trials"]),
                  f"OptunaSearcher.set_state: the study has {len(existing)} trials but the "
                  f"state has {len(state['trials'])}")
        else:
            for t in state["trials"]:
                self.study.add_trial(optuna.trial.create_trial(
                    state=TrialState[t["state"]],
                    values=t["values"],
                    params=t["params"],
                    distributions={k: json_to_distribution(d)
                                   for k, d in t["distributions"].items()},
                    system_attrs=t.get("system_attrs"),
                    user_attrs=t.get("user_attrs")))
        self._known = _known_distributions(self.study.get_trials(deepcopy=False))
        saved = state.get("sampler_generators", {})
        for path, rng in _sampler_generators(self.study.sampler):
            if path in saved:
                set_rng_state(rng, saved[path])
