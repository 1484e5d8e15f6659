"""check_searcher on every built-in searcher, and on broken ones."""
from __future__ import annotations

import numpy as np
import pytest
import searcher_toys as st

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import Searcher, random_specify
from deep_architect.searchers.constrained import ConstrainedSearcher
from deep_architect.searchers.nsga2 import NSGA2Searcher
from deep_architect.searchers.random import RandomSearcher
from deep_architect.searchers.regularized_evolution import mutatable
from deep_architect.testing import check_searcher


@pytest.mark.parametrize("rng", [None, 3])
@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_every_built_in_searcher_passes(searcher_name, rng):
    np.random.seed(0)
    check_searcher(lambda fn: st.make_searcher(searcher_name, fn, rng), st.structured_space)


def test_searchers_on_the_rich_space_and_the_wrapping_and_multi_objective_ones_pass():
    check_searcher(lambda fn: st.make_searcher("mcts", fn), st.rich_space)
    check_searcher(lambda fn: ConstrainedSearcher(RandomSearcher(fn, rng=1),
                                                  lambda i, o: 1.0, 2.0), st.structured_space)
    check_searcher(lambda fn: NSGA2Searcher(fn, {"validation_accuracy": "max"}, mutatable, 4,
                                            rng=2), st.structured_space)


def _space():
    return mo.siso_sequential([mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))
                               for _ in range(4)])


class _Good(Searcher):
    """Remembers the best value list seen; proposes it or a random one."""

    def __init__(self, fn):
        Searcher.__init__(self, fn, rng=0)
        self.best = None

    def propose(self):
        inputs, outputs = self.search_space_fn()
        return inputs, outputs, random_specify(outputs, self.rng), {}

    def observe(self, val, token):
        self.best = val if self.best is None else max(self.best, val)

    def get_state(self):
        return dict(Searcher.get_state(self), best=self.best)

    def set_state(self, state):
        Searcher.set_state(self, state)
        self.best = state["best"]


class _NumpyValues(_Good):
    def propose(self):
        inputs, outputs, vs, token = _Good.propose(self)
        return inputs, outputs, [np.int64(v) for v in vs], token


class _ForgetfulState(_Good):
    """Switches to the global generator after five results, but its state forgets the count."""

    def __init__(self, fn):
        _Good.__init__(self, fn)
        self.num_seen = 0

    def propose(self):
        inputs, outputs = self.search_space_fn()
        vs = random_specify(outputs, self.rng if self.num_seen < 5 else None)
        return inputs, outputs, vs, {}

    def observe(self, val, token):
        self.num_seen += 1


class _RefusesForeignTokens(_Good):
    def propose(self):
        inputs, outputs, vs, token = _Good.propose(self)
        return inputs, outputs, vs, {"mine": True}

    def observe(self, val, token):
        if token.get("issuer") != self._issuer:
            raise DeepArchitectError("not mine")


class _ValueErrorOnNaN(_Good):
    def update(self, val, token):
        if val != val:
            raise ValueError("nan")
        _Good.update(self, val, token)


class _WrongReplay(_Good):
    def propose(self):
        inputs, outputs, vs, token = _Good.propose(self)
        return inputs, outputs, vs[::-1] if vs != vs[::-1] else vs[1:], token


class _WrongNames(_Good):
    """Reports its hyperparameters in the wrong order."""

    def propose(self):
        inputs, outputs = self.search_space_fn()
        assigned = []
        vs = random_specify(outputs, self.rng, assigned)
        return inputs, outputs, vs, {}, assigned[::-1]


@pytest.mark.parametrize("searcher_class, check_name", [
    (_NumpyValues, "json"),
    (_WrongNames, "names"),
    (_ForgetfulState, "state"),
    (_RefusesForeignTokens, "warm start"),
    (_ValueErrorOnNaN, "bad input"),
    (_WrongReplay, "replay"),
])
def test_broken_searchers_fail_with_the_check_named(searcher_class, check_name):
    check_searcher(_Good, _space)
    with pytest.raises(DeepArchitectError, match=rf"check_searcher \[{check_name}\]"):
        check_searcher(searcher_class, _space)


def test_check_searcher_leaves_the_global_generators_as_they_were():
    np.random.seed(5)
    before = np.random.get_state()[1].tolist()
    check_searcher(lambda fn: RandomSearcher(fn), _space)
    assert np.random.get_state()[1].tolist() == before


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_built_in_searchers_report_their_hyperparameters_on_both_spaces(searcher_name):
    # What spares the search loop a second build per evaluation (check_searcher
    # above checks that the names are a replay's).
    for space in (st.structured_space, st.rich_space):
        searcher = st.make_searcher(searcher_name, space, 0)
        for _ in range(6):
            sample = searcher.sample()
            assert len(sample.hyperp_names) == len(sample.hyperp_value_lst)
            searcher.update(0.5, sample.searcher_eval_token)
    check_searcher(lambda fn: st.make_searcher(searcher_name, fn, 0), st.rich_space)
