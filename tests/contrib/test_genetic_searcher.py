"""GeneticSearcher: tournament selection, mutation, crossover, aging."""
from __future__ import annotations

import json

import numpy as np
import pytest
import searcher_toys as st
from hypothesis import given, settings
from hypothesis import strategies as hs

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.contrib.searchers.genetic import GeneticSearcher, hyperparameter_keys
from deep_architect.errors import DeepArchitectError
from deep_architect.search_loop import run_search

D = hp.Discrete


def flat_space():
    return mo.siso_sequential([st.op("F%d" % i, v=D([0, 1, 2])) for i in range(6)])


def make(space_fn, **kwargs):
    settings_ = dict(population_size=8, tournament_size=3, mutation_rate=0.2,
                     crossover_prob=0.5, rng=0)
    settings_.update(kwargs)
    return GeneticSearcher(space_fn, **settings_)


def member(searcher, vs, score):
    """Adds an evaluated architecture with value list ``vs`` through a logged-style token."""
    searcher.update(score, {"vs": vs})


@pytest.mark.parametrize("space_fn", [st.structured_space, st.rich_space])
def test_children_are_specified_replayable_architectures_with_json_tokens(space_fn):
    searcher = make(space_fn, crossover_prob=0.7, mutation_rate=0.3)
    factory = mo.SearchSpaceFactory(space_fn)
    for i in range(60):
        inputs, outputs, vs, token = searcher.sample()
        assert co.is_specified(outputs)
        token = json.loads(json.dumps(token))
        assert token["vs"] == json.loads(json.dumps(vs))
        replay_inputs, replay_outputs = factory.get_search_space()
        seco.specify(replay_outputs, token["vs"])
        assert co.jsonify(replay_inputs, replay_outputs) == co.jsonify(inputs, outputs)
        assert len(token["keys"]) == len(set(token["keys"])) == len(vs)
        searcher.update(float(i % 7), token)


def test_keys_are_names_numbered_by_position_among_equal_names():
    with co.use_scope():
        hs_ = [D([1]), D([2], name="width"), D([3]), D([4], name="width")]
    assert hyperparameter_keys(hs_) == ["H.Discrete#0", "H.width#0", "H.Discrete#1",
                                        "H.width#1"]


def test_uniform_crossover_takes_each_value_from_either_parent_by_key():
    searcher = make(flat_space, population_size=2, tournament_size=1, mutation_rate=0.0,
                    crossover_prob=1.0)
    member(searcher, [0] * 6, 1.0)
    member(searcher, [1] * 6, 1.0)
    children = [searcher.sample()[2] for _ in range(200)]
    # When the two tournaments pick the same parent, the copy gets one forced mutation.
    assert all(set(c) <= {0, 1} or min(sum(v != p for v in c) for p in (0, 1)) == 1
               for c in children)
    mixed = [c for c in children if 0 < sum(c) < 6]
    # Uniform crossover: each position from either parent with probability 1/2.
    assert abs(np.mean([np.mean(c) for c in mixed]) - 0.5) < 0.05
    assert len(mixed) > 100


def test_a_key_present_in_one_parent_only_takes_that_parents_value():
    def space():
        return mo.siso_repeat(lambda: st.op("L", k=D([0, 1, 2, 3])), D([1, 3], name="depth"))

    searcher = make(space, population_size=2, tournament_size=1, mutation_rate=0.0,
                    crossover_prob=1.0)
    member(searcher, [3, 2, 2, 2], 1.0)  # depth 3: keys H.depth#0, H.Discrete#0..2
    member(searcher, [1, 0], 0.5)        # depth 1: keys H.depth#0, H.Discrete#0
    a, b = searcher.population
    assert a["keys"] == ["H.depth#0", "H.Discrete#0", "H.Discrete#1", "H.Discrete#2"]
    seen = set()
    for _ in range(60):
        vs = searcher._child([a, b])[3]
        seen.add(tuple(vs))
        # The first layer's key is in both parents; the others only in the deep one.
        assert vs in ([3, 0, 2, 2], [3, 2, 2, 2], [1, 0], [1, 2])
    assert len(seen) == 4


def test_mutation_changes_each_hyperparameter_with_its_rate_and_never_copies_the_parent():
    searcher = make(flat_space, population_size=1, tournament_size=1, mutation_rate=1.0,
                    crossover_prob=0.0)
    member(searcher, [0] * 6, 1.0)
    assert all(0 not in searcher.sample()[2] for _ in range(20))
    searcher = make(flat_space, population_size=1, tournament_size=1, mutation_rate=0.0,
                    crossover_prob=0.0)
    member(searcher, [0] * 6, 1.0)
    for _ in range(20):
        vs = searcher.sample()[2]
        assert sum(v != 0 for v in vs) == 1
    searcher = make(flat_space, population_size=1, tournament_size=1, mutation_rate=0.25,
                    crossover_prob=0.0)
    member(searcher, [0] * 6, 1.0)
    changed = [sum(v != 0 for v in searcher.sample()[2]) for _ in range(400)]
    # At least one forced: the mean is 6 * 0.25 plus the forced ones of unchanged draws.
    assert abs(np.mean(changed) - (1.5 + 0.75 ** 6)) < 0.15


def test_tournament_of_the_whole_population_always_picks_the_best_parent():
    searcher = make(flat_space, population_size=4, tournament_size=4, mutation_rate=0.0,
                    crossover_prob=0.0)
    for i, score in enumerate([0.1, 0.9, 0.3, 0.2]):
        member(searcher, [i] * 6 if i < 3 else [2, 1, 0, 2, 1, 0], score)
    for _ in range(20):
        assert sum(v != 1 for v in searcher.sample()[2]) == 1


def test_aging_removes_the_oldest_and_plain_evolution_the_worst():
    for regularized, kept in [(True, [0.5, 0.2, 0.7]), (False, [0.9, 0.5, 0.7])]:
        searcher = make(flat_space, population_size=3, regularized=regularized)
        for i, score in enumerate([0.9, 0.5, 0.2, 0.7]):
            member(searcher, [i % 3] * 6, score)
        assert [m["score"] for m in searcher.population] == kept


def test_state_round_trip_resumes_the_same_samples(tmp_path):
    a = make(st.structured_space, rng=5)
    for i in range(15):
        _, _, _, token = a.sample()
        a.update(float(i % 4), token)
    a.save_state(str(tmp_path))
    b = make(st.structured_space, rng=123)
    b.load_state(str(tmp_path))
    assert json.loads(json.dumps(a.get_state())) == b.get_state()
    for _ in range(10):
        va, ta = a.sample()[2:]
        vb, tb = b.sample()[2:]
        assert va == vb and ta == tb
        a.update(1.0, ta)
        b.update(1.0, tb)


def test_global_generator_by_default():
    def run():
        np.random.seed(11)
        searcher = make(flat_space, rng=None, population_size=3)
        out = []
        for _ in range(10):
            _, _, vs, token = searcher.sample()
            searcher.update(float(sum(vs)), token)
            out.append(vs)
        return out

    assert run() == run()


def test_warm_start_from_logged_tokens_and_bad_tokens(tmp_path):
    space_fn = st.structured_space
    results = run_search(make(space_fn), st_evaluator, 12, str(tmp_path), "s",
                         show_progress=False)
    assert len(results) == 12
    fresh = make(space_fn, population_size=20)
    import deep_architect.search_logging as sl

    for log in sl.read_search_folder(sl.get_search_folderpath(str(tmp_path), "s")):
        token = log["config"]["searcher_evaluation_token"]
        fresh.update(log["results"]["validation_accuracy"], token)
    assert len(fresh.population) == 12
    # Tokens of the original evolution searcher and bare value lists are accepted too.
    _, _, vs, _ = make(space_fn).sample()
    fresh.update(0.5, {"user_vs": [], "all_vs": vs})
    assert fresh.population[-1]["keys"][0] == "H.Discrete#0"
    _, _, _, token = fresh.sample()
    fresh.update(1.0, token)
    with pytest.raises(DeepArchitectError, match="already used"):
        fresh.update(1.0, token)
    with pytest.raises(DeepArchitectError, match="no value list"):
        fresh.update(1.0, {})
    with pytest.raises(DeepArchitectError, match="finite"):
        fresh.update(float("nan"), {"vs": vs})
    with pytest.raises(DeepArchitectError, match="does not specify"):
        fresh.update(1.0, {"vs": vs[:2]})


def st_evaluator():
    class Evaluator:
        def eval(self, inputs, outputs):
            return {"validation_accuracy": st.objective_count(st.describe(inputs))}
    return Evaluator()


def test_run_search_resumes_a_genetic_search(tmp_path):
    space_fn = st.structured_space
    first = run_search(make(space_fn), st_evaluator, 20, str(tmp_path), "s",
                       show_progress=False)
    resumed = run_search(make(space_fn), st_evaluator, 30, str(tmp_path), "s",
                         show_progress=False)
    assert resumed[:20] == first and len(resumed) == 30


def test_bad_settings_are_rejected_with_messages():
    for kwargs, pattern in [({"population_size": 0}, "population_size"),
                            ({"tournament_size": 0}, "tournament_size"),
                            ({"mutation_rate": 1.5}, "mutation_rate"),
                            ({"crossover_prob": -0.1}, "crossover_prob"),
                            ({"rng": "seed"}, "rng")]:
        with pytest.raises(DeepArchitectError, match=pattern):
            make(flat_space, **kwargs)
    with pytest.raises(DeepArchitectError, match="no saved state"):
        make(flat_space).load_state(".")


@settings(max_examples=20, deadline=None)
@given(hs.integers(0, 2 ** 32 - 1), hs.floats(0.0, 1.0), hs.floats(0.0, 1.0))
def test_every_child_fits_the_space_whatever_the_operators(seed, mutation_rate, crossover_prob):
    searcher = make(st.rich_space, rng=seed, population_size=4, mutation_rate=mutation_rate,
                    crossover_prob=crossover_prob)
    factory = mo.SearchSpaceFactory(st.rich_space)
    for i in range(12):
        _, outputs, vs, token = searcher.sample()
        assert co.is_specified(outputs)
        seco.specify(factory.get_search_space()[1], vs)
        searcher.update(float((seed + i) % 5), token)


def test_docstring_examples_run():
    import doctest

    import deep_architect.contrib.searchers.genetic as genetic

    result = doctest.testmod(genetic)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("rng", [None, 3])
@pytest.mark.parametrize("space_fn", [st.structured_space, st.rich_space])
def test_check_searcher_passes(space_fn, rng):
    from deep_architect.testing import check_searcher

    check_searcher(lambda fn: GeneticSearcher(fn, population_size=4, tournament_size=2,
                                              mutation_rate=0.3, crossover_prob=0.5, rng=rng),
                   space_fn, num_steps=10)


def test_check_searcher_passes_on_an_inline_pytorch_space():
    pytest.importorskip("torch")
    import os
    import sys

    from deep_architect.testing import check_searcher

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "examples", "inline_model_space"))
    from searchable_net import SearchableNet

    check_searcher(lambda fn: GeneticSearcher(fn, 3, 2, 0.3, 0.5), SearchableNet.search_space_fn(),
                   num_steps=6)
