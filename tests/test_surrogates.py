"""Surrogates: feature strings, hashing schedule and stability, dummy."""
from __future__ import annotations

import os
import subprocess
import sys
import zlib

import numpy as np
import pytest
import searcher_toys as st
from hypothesis import given, settings
from hypothesis import strategies as hst

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError
from deep_architect.surrogates.common import SurrogateModel, extract_features
from deep_architect.surrogates.dummy import DummySurrogate
from deep_architect.surrogates.hashing import HashingSurrogate

D = hp.Discrete


def _specified(space_fn, values):
    inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
    seco.specify(outputs, values)
    return inputs, outputs


def test_extract_features_formats_and_order():
    def space():
        return mo.siso_repeat(lambda: st.op("A", k=D([1, 2])), D([2]))

    feats = extract_features(*_specified(space, [2, 1, 2]))
    assert feats == {
        "module_feats": ["M.Identity-1", "M.A-1", "M.A-0", "M.Identity-0"],
        "connection_feats": ["M.A-1.O.out |-> M.Identity-1.I.in",
                             "M.A-0.O.out |-> M.A-1.I.in",
                             "M.Identity-0.O.out |-> M.A-0.I.in"],
        "module_hyperp_feats": ["M.A-1/k : H.Discrete-2 = 1",
                                "M.A-0/k : H.Discrete-1 = 2"],
    }


def test_extract_features_lists_hyperparameters_by_sorted_local_name_with_str_values():
    def space():
        return st.op("Op", zeta=D([0.5]), alpha=D(["relu"]))

    feats = extract_features(*_specified(space, ["relu", 0.5]))
    assert feats["module_hyperp_feats"] == ["M.Op-0/alpha : H.Discrete-1 = relu",
                                            "M.Op-0/zeta : H.Discrete-0 = 0.5"]


def _toy_feats(i):
    return {"module_feats": ["M.A-0", "M.B-%d" % (i % 3)],
            "connection_feats": ["M.A-0.O.out |-> M.B-%d.I.in" % (i % 3)],
            "module_hyperp_feats": ["M.A-0/k : H.Discrete-0 = %d" % (i % 4)]}


def test_feature_vector_counts_stable_buckets_of_enabled_lists():
    surrogate = HashingSurrogate(97, 1, use_connection_feats=False)
    feats = {"module_feats": ["x", "x", "y"], "connection_feats": ["z"],
             "module_hyperp_feats": ["w"]}
    expected = np.zeros(97)
    for f in ["x", "x", "y", "w"]:
        expected[zlib.crc32(f.encode("utf-8")) % 97] += 1
    vec = surrogate._feats2vec(feats)
    assert vec.shape == (1, 97)
    np.testing.assert_array_equal(vec.toarray()[0], expected)


def test_hashing_surrogate_needs_one_feature_list():
    with pytest.raises(DeepArchitectError, match="at least one"):
        HashingSurrogate(16, 1, use_module_feats=False, use_connection_feats=False,
                         use_module_hyperp_feats=False)


def test_hashing_surrogate_refits_on_schedule_with_sklearn_ridge():
    from sklearn.linear_model import Ridge

    surrogate = HashingSurrogate(64, 3, weight_decay_coeff=0.1)
    probe = _toy_feats(5)
    vals = [0.1, 0.7, 0.3, 0.9, 0.2, 0.6]
    predictions = []
    for i, val in enumerate(vals):
        surrogate.update(val, _toy_feats(i))
        predictions.append(surrogate.eval(probe))
    assert predictions[:2] == [0.0, 0.0] and surrogate.vecs_lst and surrogate.model is not None
    assert predictions[2] == predictions[3] == predictions[4] != predictions[5]
    X = surrogate._feats2mat([_toy_feats(i) for i in range(6)])
    reference = Ridge(alpha=0.1).fit(X, vals).predict(surrogate._feats2vec(probe))[0]
    assert predictions[5] == pytest.approx(reference)
    assert isinstance(surrogate.model, Ridge)


@settings(max_examples=20, deadline=None)
@given(hst.lists(hst.floats(-5, 5), min_size=1, max_size=12), hst.integers(1, 4))
def test_batched_eval_equals_one_by_one(vals, refit_interval):
    surrogate = HashingSurrogate(32, refit_interval)
    for i, val in enumerate(vals):
        surrogate.update(val, _toy_feats(i))
    candidates = [_toy_feats(i) for i in range(7)]
    assert surrogate.eval_batch(candidates) == [surrogate.eval(f) for f in candidates]


@pytest.mark.parametrize("num_updates", [0, 4, 6])
def test_hashing_state_round_trip_replaces_and_predicts_identically(tmp_path, num_updates):
    surrogate = HashingSurrogate(64, 3)
    for i in range(num_updates):
        surrogate.update(float(i % 4), _toy_feats(i))
    surrogate.save_state(str(tmp_path))
    restored = HashingSurrogate(64, 3)
    for i in range(5):
        restored.update(9.0, _toy_feats(i + 1))
    restored.load_state(str(tmp_path))
    assert restored.vals_lst == surrogate.vals_lst
    probes = [_toy_feats(i) for i in range(6)]
    assert restored.eval_batch(probes) == surrogate.eval_batch(probes)
    restored.update(2.0, _toy_feats(1))
    surrogate.update(2.0, _toy_feats(1))
    assert restored.eval_batch(probes) == surrogate.eval_batch(probes)


def test_hashing_load_state_errors(tmp_path):
    with pytest.raises(DeepArchitectError, match="no saved state"):
        HashingSurrogate(64, 1).load_state(str(tmp_path))
    HashingSurrogate(64, 1).save_state(str(tmp_path))
    with pytest.raises(DeepArchitectError, match="hash_size"):
        HashingSurrogate(32, 1).load_state(str(tmp_path))


_PREDICT_SCRIPT = """
import searcher_toys as st
import deep_architect.modules as mo
from deep_architect.searchers.common import random_specify
from deep_architect.surrogates.common import extract_features
from deep_architect.surrogates.hashing import HashingSurrogate
import numpy as np
np.random.seed(0)
factory = mo.SearchSpaceFactory(st.structured_space)
surrogate = HashingSurrogate(128, 1)
feats = []
for i in range(12):
    inputs, outputs = factory.get_search_space()
    random_specify(outputs)
    feats.append(extract_features(inputs, outputs))
    surrogate.update(float(i % 5), feats[-1])
print(repr(surrogate.eval_batch(feats)))
"""


def test_hashing_predictions_do_not_depend_on_pythonhashseed():
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    outputs = []
    for seed in ["0", "4242"]:
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=os.pathsep.join(
            [os.path.dirname(tests_dir), tests_dir]))
        proc = subprocess.run([sys.executable, "-c", _PREDICT_SCRIPT], capture_output=True,
                              text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert len(set(eval(outputs[0]))) > 3


def test_dummy_surrogate_predicts_the_mean_and_round_trips(tmp_path):
    surrogate = DummySurrogate()
    assert surrogate.eval(_toy_feats(0)) == 0.0
    for val in [1.0, 2.0, 6.0]:
        surrogate.update(val, _toy_feats(0))
    assert surrogate.eval(_toy_feats(1)) == 3.0 == surrogate.eval_batch([_toy_feats(2)])[0]
    surrogate.save_state(str(tmp_path))
    restored = DummySurrogate()
    restored.load_state(str(tmp_path))
    assert restored.val_lst == [1.0, 2.0, 6.0]
    with pytest.raises(DeepArchitectError, match="no saved state"):
        DummySurrogate().load_state(str(tmp_path / "nowhere"))


def test_surrogate_base_class_state_methods_are_no_ops(tmp_path):
    class Constant(SurrogateModel):
        def eval(self, feats):
            return 1.5

    model = Constant()
    model.save_state(str(tmp_path))
    model.load_state(str(tmp_path))
    assert os.listdir(tmp_path) == []
    assert model.eval_batch([{}, {}]) == [1.5, 1.5]
    with pytest.raises(NotImplementedError):
        model.update(1.0, {})


def test_importing_searchers_and_surrogates_loads_no_heavy_dependency():
    code = ("import sys\n"
            "import deep_architect.searchers.random, deep_architect.searchers.mcts\n"
            "import deep_architect.searchers.smbo_random, deep_architect.searchers.smbo_mcts\n"
            "import deep_architect.searchers.regularized_evolution\n"
            "import deep_architect.searchers.successive_narrowing\n"
            "import deep_architect.surrogates.dummy, deep_architect.surrogates.hashing\n"
            "heavy = {'sklearn', 'scipy', 'torch', 'tensorflow', 'keras'} & set(sys.modules)\n"
            "print(sorted(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
