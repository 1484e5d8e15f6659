"""Every searcher handles the range hyperparameters hp.Int and hp.Float."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import searcher_toys as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.searchers.mcts import RANGE_GRID_SIZE
from deep_architect.searchers.regularized_evolution import RANGE_MUTATION_SCALE, mutatable, mutate
from deep_architect.surrogates.common import RANGE_FEATURE_LEVELS, extract_features


def fresh(search_space_fn=st.ranged_space):
    return mo.SearchSpaceFactory(search_space_fn).get_search_space()


def ranges_of(outputs):
    return [h for h in co.get_all_hyperparameters(outputs) if isinstance(h, hp.Range)]


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_every_searcher_samples_replayable_in_range_values(searcher_name):
    searcher = st.make_searcher(searcher_name, st.ranged_space, rng=0)
    scores = []
    for _ in range(24):
        inputs, outputs, values, token = searcher.sample()
        assert all(h.low <= h.get_value() <= h.high for h in ranges_of(outputs))
        replay_inputs, replay_outputs = fresh()
        seco.specify(replay_outputs, json.loads(json.dumps(values)))
        assert co.jsonify(replay_inputs, replay_outputs) == co.jsonify(inputs, outputs)
        scores.append(st.objective_ranged(st.describe(inputs)))
        searcher.update(scores[-1], json.loads(json.dumps(token)))
    assert len(set(scores)) > 5  # the ranges were really explored


def test_mcts_searches_ranges_on_their_stable_grid():
    searcher = st.make_searcher("mcts", st.ranged_space, rng=1)
    for _ in range(30):
        inputs, outputs, _, token = searcher.sample()
        for h in ranges_of(outputs):
            assert h.get_value() in h.grid(RANGE_GRID_SIZE)
        searcher.update(st.objective_ranged(st.describe(inputs)), token)


def test_evolution_mutates_a_range_by_a_small_clipped_step():
    def space():
        return st.op("Only", lr=hp.Float(1e-4, 1.0, log=True))

    rng = np.random.RandomState(0)
    steps = []
    for _ in range(200):
        _, outputs = fresh(space)
        (h,) = ranges_of(outputs)
        parent = h.from_unit(rng.random_sample())
        _, _, child_user_vs, _ = mutate(fresh(space)[1], [parent], [parent], mutatable, space, rng)
        (child,) = child_user_vs
        assert child != parent and h.low <= child <= h.high
        steps.append(h.to_unit(child) - h.to_unit(parent))
    # Gaussian steps on the unit scale (clipping only shortens them).
    assert np.std(steps) == pytest.approx(RANGE_MUTATION_SCALE, rel=0.25)
    assert max(abs(s) for s in steps) < 6 * RANGE_MUTATION_SCALE
    assert not mutatable(hp.Int(3, 3)) and mutatable(hp.Int(3, 4))


def test_surrogate_features_of_ranges_are_numeric_not_categories():
    def space():
        return st.op("Head", lr=hp.Float(1e-4, 1.0, log=True))

    feats = []
    for lr in (1e-4, 1.1e-4, 0.5, 1.0):
        inputs, outputs = fresh(space)
        seco.specify(outputs, [lr])
        feats.append(set(extract_features(inputs, outputs)["module_hyperp_feats"]))
    # Close values share every feature; distant ones differ in proportion to their distance.
    assert feats[0] == feats[1] == set()
    assert len(feats[3]) == RANGE_FEATURE_LEVELS and feats[2] < feats[3]
    assert len(feats[2]) == math.floor(RANGE_FEATURE_LEVELS * (math.log(0.5) - math.log(1e-4))
                                       / (-math.log(1e-4)))


@pytest.mark.parametrize("searcher_name", ["smbo", "evolution"])
def test_guided_searchers_beat_random_on_a_ranged_objective(searcher_name):
    def run(name, seed):
        searcher = st.make_searcher(name, st.ranged_space, rng=seed)
        scores = []
        for _ in range(60):
            inputs, _, _, token = searcher.sample()
            scores.append(st.objective_ranged(st.describe(inputs)))
            searcher.update(scores[-1], token)
        # What the searcher proposes once it has learnt from 30 results; the
        # best of 60 draws is mostly luck at this budget, this is not.
        return np.mean(scores[30:])

    guided = np.median([run(searcher_name, seed) for seed in range(3)])
    random = np.median([run("random", seed) for seed in range(3)])
    assert guided > random + 0.5
