"""Every searcher honours the sample/update contract on structured spaces."""
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
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.mcts import MCTSSearcher

SPACES = {"structured": st.structured_space, "rich": st.rich_space}


def _is_plain_json(x):
    """True if ``x`` is made only of JSON types (no NumPy scalars, no tuples)."""
    if isinstance(x, dict):
        return all(isinstance(k, str) and _is_plain_json(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_is_plain_json(v) for v in x)
    return x is None or type(x) in (bool, int, float, str)


@pytest.mark.parametrize("space_name", sorted(SPACES))
@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_samples_are_specified_replayable_and_json(searcher_name, space_name):
    np.random.seed(3)
    space_fn = SPACES[space_name]
    searcher = st.make_searcher(searcher_name, space_fn)
    factory = mo.SearchSpaceFactory(space_fn)
    for i in range(24):
        inputs, outputs, vs, token = searcher.sample()
        assert co.is_specified(outputs)
        assert _is_plain_json(vs) and _is_plain_json(token)
        description = co.jsonify(inputs, outputs)
        replay_inputs, replay_outputs = factory.get_search_space()
        seco.specify(replay_outputs, json.loads(json.dumps(vs)))
        assert co.jsonify(replay_inputs, replay_outputs) == description
        searcher.update(float(i % 5), json.loads(json.dumps(token)))


def test_mcts_token_holds_plain_int_indices_of_the_values():
    np.random.seed(0)
    searcher = MCTSSearcher(st.structured_space)
    for _ in range(30):
        _, _, vs, token = searcher.sample()
        indices = token["tree_hist"] + token["rollout_hist"]
        assert all(type(i) is int for i in indices)
        assert len(indices) == len(vs)
        searcher.update(1.0, token)


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_invalid_architectures_are_resampled(searcher_name):
    np.random.seed(1)
    searcher = st.make_searcher(searcher_name, st.rejecting_space(lambda depth: depth != 3))
    for _ in range(12):
        inputs, outputs, vs, token = searcher.sample()
        assert vs[0] == 3
        assert sum(isinstance(m, st.Op) for m in co.determine_module_eval_seq(inputs)) == 3
        searcher.update(0.5, token)


@pytest.mark.parametrize("searcher_name", ["random", "mcts", "smbo", "evolution"])
def test_resampling_is_bounded_with_a_clear_error(searcher_name):
    searcher = st.make_searcher(searcher_name, st.rejecting_space(lambda depth: True))
    with pytest.raises(DeepArchitectError, match="rejected"):
        searcher.sample()


def test_mcts_rejects_non_discrete_hyperparameters_without_retrying():
    class Free(co.Hyperparameter):
        def _check_value(self, val):
            pass

    searcher = MCTSSearcher(lambda: st.op("Odd", x=Free()))
    with pytest.raises(DeepArchitectError, match="Discrete"):
        searcher.sample()


@pytest.mark.parametrize("searcher_name", st.SEARCHER_NAMES)
def test_bad_updates_get_clear_errors(searcher_name, tmp_path):
    np.random.seed(2)
    searcher = st.make_searcher(searcher_name, st.structured_space)
    _, _, _, token = searcher.sample()
    with pytest.raises(DeepArchitectError, match="never issued"):
        searcher.update(1.0, dict(token, sample_id=token["sample_id"] + 7))
    # {} is the original random searcher's token (warm start), but no dict is
    # a token for the others; a non-dict never is.
    for bad_token in ([1], "token", {"sample_id": -1}):
        with pytest.raises(DeepArchitectError, match="token"):
            searcher.update(1.0, bad_token)
    if searcher_name != "random":
        with pytest.raises(DeepArchitectError, match="token"):
            searcher.update(1.0, {})
    for bad_val in [math.nan, math.inf, -math.inf, "0.9", None]:
        with pytest.raises(DeepArchitectError, match="val"):
            searcher.update(bad_val, token)
    searcher.update(np.float32(0.5), token)
    with pytest.raises(DeepArchitectError, match="already used"):
        searcher.update(1.0, token)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DeepArchitectError, match="no saved state.*empty"):
        searcher.load_state(str(empty))
    with pytest.raises(DeepArchitectError, match="does not exist"):
        searcher.save_state(str(tmp_path / "missing"))


def test_constructor_arguments_are_checked():
    from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable
    from deep_architect.searchers.smbo_random import SMBOSearcher
    from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing
    from deep_architect.surrogates.dummy import DummySurrogate

    space = st.structured_space
    with pytest.raises(DeepArchitectError, match="P must"):
        EvolutionSearcher(space, mutatable, 0, 2)
    with pytest.raises(DeepArchitectError, match="exploration_prob"):
        SMBOSearcher(space, DummySurrogate(), 4, 1.5)
    with pytest.raises(DeepArchitectError, match="reduction_factor"):
        SuccessiveNarrowing(space, 4, 0.0)


def test_successive_narrowing_refuses_to_sample_past_the_round():
    from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing

    searcher = SuccessiveNarrowing(st.structured_space, 2, 0.5)
    tokens = [searcher.sample()[3] for _ in range(2)]
    with pytest.raises(DeepArchitectError, match="update them all"):
        searcher.sample()
    for val, token in zip([0.1, 0.9], tokens):
        searcher.update(val, token)
    assert searcher.queue == [searcher.sample()[2]] and searcher.idx == 1


def test_searchers_draw_from_the_global_numpy_generator():
    def first_values(seed):
        np.random.seed(seed)
        return st.make_searcher("mcts", st.structured_space).sample()[2]

    assert first_values(5) == first_values(5)
    assert any(first_values(5) != first_values(s) for s in range(6, 10))


def test_shared_hyperparameter_takes_one_slot():
    def space():
        h = hp.Discrete([1, 2])
        return mo.siso_sequential([st.op("A", k=h), st.op("B", k=h)])

    _, _, vs, _ = st.make_searcher("random", space).sample()
    assert len(vs) == 1


def test_smbo_scores_candidates_in_one_batch_and_returns_the_best():
    from deep_architect.searchers.smbo_random import SMBOSearcher
    from deep_architect.surrogates.common import SurrogateModel, extract_features

    class CountingSurrogate(SurrogateModel):
        def __init__(self):
            self.batches = []

        def eval(self, feats):
            raise AssertionError("SMBOSearcher must score candidates in one eval_batch call")

        def eval_batch(self, feats_lst):
            scores = [float(len(f["module_feats"]) % 7) for f in feats_lst]
            self.batches.append(scores)
            return scores

        def update(self, val, feats):
            pass

    np.random.seed(5)
    surrogate = CountingSurrogate()
    searcher = SMBOSearcher(st.structured_space, surrogate, 6, 0.0)
    for i in range(8):
        inputs, outputs, _, token = searcher.sample()
        assert len(surrogate.batches) == i + 1 and len(surrogate.batches[-1]) == 6
        chosen = float(len(extract_features(inputs, outputs)["module_feats"]) % 7)
        assert chosen == max(surrogate.batches[-1])
        searcher.update(chosen, token)
