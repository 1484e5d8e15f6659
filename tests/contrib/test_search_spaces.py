"""Tests of the framework-neutral op layer and of the contrib search spaces.

PyTorch runs in the pytest process; Keras 3 and TensorFlow 2 run in one
subprocess (``KERAS_BACKEND`` is fixed per process), which executes this very
file as a script and prints its findings as JSON.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.contrib.deep_learning_backend import backend as be
from deep_architect.contrib.misc.search_spaces import (
    dnn,
    genetic_space,
    nasbench_space,
)
from deep_architect.contrib.misc.search_spaces.catalog import search_space_fns
from deep_architect.errors import DeepArchitectError

D = hp.Discrete
IMAGE_SIZE = 16

# Tiny versions of every space (the paper-sized ones differ only in sizes).
SPACES = search_space_fns("tiny")


def test_catalog_has_every_space_at_every_size_and_rejects_unknown_sizes():
    assert all(list(search_space_fns(size)) == list(SPACES) for size in ("cpu", "paper"))
    with pytest.raises(DeepArchitectError, match="size must be one of"):
        search_space_fns("huge")


def sample(space_fn, seed):
    """A random valid architecture: ``(inputs, outputs, value list)``."""
    np.random.seed(seed)
    random.seed(seed)

    def attempt():
        inputs, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
        return inputs, outputs, seco.random_specify(outputs)
    return seco.sample_until_valid(attempt)


def module_names(inputs, outputs):
    return list(co.jsonify(inputs, outputs)["modules"])


# ---------------------------------------------------------------- PyTorch (in process)

@pytest.fixture(scope="module")
def torch_one_thread():
    torch = pytest.importorskip("torch")
    # Many tiny ops: extra threads only add contention on a shared CPU.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(previous)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_space_compiles_and_runs_in_pytorch(name, torch_one_thread):
    torch = torch_one_thread
    import deep_architect.helpers.pytorch_support as hpt

    with be.use_backend(be.PYTORCH):
        inputs, outputs, vs = sample(SPACES[name], seed=0)
        # The value list replays to the same graph (same module names, same order).
        replay_inputs, replay_outputs = mo.SearchSpaceFactory(SPACES[name]).get_search_space()
        seco.specify(replay_outputs, vs)
    assert module_names(replay_inputs, replay_outputs) == module_names(inputs, outputs)

    x = torch.randn(2, 3, IMAGE_SIZE, IMAGE_SIZE)
    feed = {"in": x} if "in" in inputs else {"in0": x, "in1": torch.tensor(1000.0)}
    model = hpt.PyTorchModel(inputs, outputs, feed)
    assert sum(p.numel() for p in model.parameters()) > 0
    model.train()
    assert all(torch.isfinite(v).all() for v in model(feed).values())
    model.eval()
    first, second = model(feed), model(feed)
    assert sorted(first) == sorted(outputs)
    for key, value in first.items():
        assert tuple(value.shape) == (2, 10)
        assert torch.isfinite(value).all()
        assert torch.equal(value, second[key])  # evaluation mode is deterministic


def test_pytorch_same_padding_matches_tensorflow_shapes(torch_one_thread):
    torch = torch_one_thread
    from deep_architect.contrib.deep_learning_backend import pytorch_ops as pto

    x = torch.randn(1, 2, 7, 5)
    conv, _ = pto.conv2d(x, 3, [3, 2], 2)
    assert tuple(conv(x, None).shape) == (1, 3, 4, 3)  # ceil(7/2), ceil(5/2)
    for kind in ("max", "avg", "min"):
        pool, _ = pto.pool2d(x, kind, 3, 2)
        assert tuple(pool(x, None).shape) == (1, 2, 4, 3)
    ones = torch.ones(1, 1, 4, 4)
    avg, _ = pto.pool2d(ones, "avg", 3, 1)
    # Padding is not counted in the mean, so a constant image stays constant.
    assert torch.allclose(avg(ones, None), ones)


def test_dropout_keeps_with_keep_prob(torch_one_thread):
    torch = torch_one_thread
    import deep_architect.contrib.deep_learning_backend.general_ops as go
    import deep_architect.helpers.pytorch_support as hpt

    with be.use_backend(be.PYTORCH):
        inputs, outputs = mo.SearchSpaceFactory(lambda: go.dropout(0.9)).get_search_space()
        seco.random_specify(outputs)
    x = torch.ones(1, 20000)
    model = hpt.PyTorchModel(inputs, outputs, {"in": x})
    model.train()
    kept = (model({"in": x})["out"] != 0).float().mean().item()
    assert abs(kept - 0.9) < 0.02  # keep_prob, not drop rate (the original's bug)
    model.eval()
    assert torch.equal(model({"in": x})["out"], x)


def _affine_space():
    return dnn.affine(D([3]), D([dnn.constant_initializer(0.5)]),
                      D([dnn.constant_initializer(1.0)]))


def test_affine_uses_initialisers_and_bad_keep_prob_fails(torch_one_thread):
    torch = torch_one_thread
    import deep_architect.contrib.deep_learning_backend.general_ops as go
    import deep_architect.helpers.pytorch_support as hpt

    with be.use_backend(be.PYTORCH):
        inputs, outputs = mo.SearchSpaceFactory(_affine_space).get_search_space()
        seco.random_specify(outputs)
        bad_inputs, bad_outputs = mo.SearchSpaceFactory(lambda: go.dropout(0.0)).get_search_space()
        seco.random_specify(bad_outputs)
    model = hpt.PyTorchModel(inputs, outputs, {"in": torch.ones(2, 2, 2)})
    # Flattened 4 inputs of 1, weights 0.5, bias 1.
    assert torch.allclose(model({"in": torch.ones(2, 2, 2)})["out"], torch.full((2, 3), 3.0))
    with pytest.raises(DeepArchitectError, match="keep_prob must be in"):
        hpt.PyTorchModel(bad_inputs, bad_outputs, {"in": torch.ones(2, 3)})


def test_pytorch_drop_path_is_scheduled(torch_one_thread):
    torch = torch_one_thread
    from deep_architect.contrib.deep_learning_backend import pytorch_ops

    fn, (layer,) = pytorch_ops.drop_path(torch.ones(1, 2), 0.5)
    layer.train()
    x = torch.ones(8000, 2)
    fractions = [float((fn(x, 4, None)[:, 0] == 0).float().mean()) for _ in range(8)]
    assert abs(fractions[0] - 0.125) < 0.03 and abs(fractions[-1] - 0.5) < 0.03
    assert int(layer.step) == 8 and "step" in layer.state_dict()
    layer.eval()
    assert torch.equal(fn(x, 4, None), x)


# ---------------------------------------------------------------- backend selection

def test_backend_rejects_bad_values_and_unknown_ops(monkeypatch):
    with pytest.raises(ValueError, match="backend must be one of"):
        be.set_backend(7)
    with pytest.raises(ValueError):
        be.set_backend(True)
    monkeypatch.setattr(be, "_backend", None)
    with pytest.raises(RuntimeError, match="set_backend"):
        be.get_backend()
    with pytest.raises(RuntimeError):
        be.get_func("conv2d")
    monkeypatch.setattr(be, "_backend", be.PYTORCH)
    with pytest.raises(RuntimeError, match="already set to PYTORCH"):
        be.set_backend(be.KERAS)
    be.set_backend(be.PYTORCH)  # same backend again: allowed
    with pytest.raises(NotImplementedError, match="no op 'conv3d'"):
        be.get_func("conv3d")
    assert be.get_func("conv2d").keywords == {"backend": be.PYTORCH}
    monkeypatch.setattr(be, "_backend", None)
    with be.use_backend(be.PYTORCH):
        assert be.get_backend() == be.PYTORCH
    assert not be.is_backend_set()  # use_backend restores the previous state


# ---------------------------------------------------------------- structure

def _hyperparameter_names(space_fn):
    """Names of the hyperparameters met while sampling (substituted ones included)."""
    np.random.seed(0)
    with be.use_backend(be.PYTORCH):
        while True:
            _, outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
            names = []
            try:
                for h in co.unassigned_independent_hyperparameter_iterator(outputs):
                    names.append(h.get_name())
                    seco.random_specify_hyperparameter(h)
                return names
            except ValueError:  # invalid nasbench cell: sample again
                continue


@pytest.mark.parametrize("name, structural, plain", [
    ("dnn", ["H.Mutatable_sub-0", "H.Mutatable_sub-3"], ["H.Mutatable-0"]),
    ("cnn2d", ["H.Mutatable_sub-0"], []),
    ("nasbench", ["H.in_0_1_sub-0", "H.in_5_6_sub-0"], []),
    ("nasnet", ["H.normal_in_0_0_sub-0", "H.reduction_in_2_1_sub-0"], ["H.normal_op_0_0-0"]),
    ("hierarchical", ["H.Mutatable_sub-0"], ["H.Discrete-0"]),
])
def test_structural_hyperparameters_carry_sub(name, structural, plain):
    names = _hyperparameter_names(SPACES[name])
    for expected in structural + plain:
        assert expected in names
    assert not any("sub" in n for n in _hyperparameter_names(SPACES["genetic"]))
    assert not any("sub" in n for n in _hyperparameter_names(SPACES["flat"]))


def test_regularized_evolution_runs_on_structural_spaces():
    from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable

    with be.use_backend(be.PYTORCH):
        for name in ("dnn", "nasbench"):
            np.random.seed(1)
            random.seed(1)
            searcher = EvolutionSearcher(SPACES[name], mutatable, 4, 2, regularized=True)
            for _ in range(12):
                _, outputs, vs, token = searcher.sample()
                assert co.is_specified(outputs)
                searcher.update(float(np.random.rand()), token)


def _genetic_stage(bits, num_nodes):
    """A stage built from fixed connection bits, specified."""
    def space():
        return genetic_space.genetic_stage(
            lambda: mo.identity(name="StageIn"),
            lambda n: genetic_space.intermediate_node_fn(n, 4),
            lambda n: genetic_space.intermediate_node_fn(n, 4),
            [D([b]) for b in bits], num_nodes)
    with be.use_backend(be.PYTORCH):
        inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
        seco.random_specify(outputs)
    return co.jsonify(inputs, outputs)["modules"]


def test_genetic_stage_wiring():
    assert not any("Add" in m for m in _genetic_stage([0, 0, 0], 3))
    # Edges 1->2 and 2->3 only: three nodes in a chain and an output node, all 1-input.
    modules = _genetic_stage([1, 0, 1], 3)
    adds = [m for m in modules if m.startswith("M.Add-")]
    assert len(adds) == 4
    assert all(list(modules[m]["input_names"]) == ["in0"] for m in adds)
    # Edges 1->3 and 2->3: nodes 1 and 2 both read the input; node 3 sums two inputs.
    modules = _genetic_stage([0, 1, 1], 3)
    assert sorted(len(modules[m]["input_names"]) for m in modules
                  if m.startswith("M.Add-")) == [1, 1, 1, 2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=21, max_size=21), st.integers(1, 64))
def test_nasbench_pruning_and_channels(bits, channels):
    num_nodes, out_v = 5, 6
    pairs = list(itertools.combinations(range(num_nodes + 2), 2))
    chosen = [p for p, b in zip(pairs, bits) if b]
    edges = nasbench_space._keep_paths(chosen, out_v)
    assert set(edges) <= set(chosen)
    vertices = {v for e in edges for v in e}
    for v in vertices - {0, out_v}:
        assert any(j == v for _, j in edges) and any(i == v for i, _ in edges)
    feeding = [i for i, j in edges if j == out_v and i != 0]
    if not feeding:
        return
    vch = nasbench_space._vertex_channels(edges, num_nodes, channels)
    assert set(vch) == vertices - {0, out_v}
    assert sum(vch[v] for v in feeding) == channels
    assert max(vch[v] for v in feeding) - min(vch[v] for v in feeding) <= 1


def _nasbench_cell_modules(edges):
    """Module names of a specified 5-vertex cell with the given edges and 3x3 convolutions."""
    pairs = list(itertools.combinations(range(7), 2))
    ops = [D(["conv3"]) for _ in range(5)]

    def space():
        return nasbench_space.cell(
            lambda c: nasbench_space.conv_bn_relu(c, 1),
            lambda n, node_id, c: nasbench_space.intermediate_node_fn(n, node_id, c, ops),
            nasbench_space.concat, [D([int(p in edges)]) for p in pairs], 5, 8)
    with be.use_backend(be.PYTORCH):
        inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
        seco.random_specify(outputs)
    return [name.rsplit("-", 1)[0] for name in co.jsonify(inputs, outputs)["modules"]]


def test_nasbench_cell_wiring_and_rejections():
    with pytest.raises(ValueError, match="only the direct input-output edge"):
        _nasbench_cell_modules({(0, 6)})
    with pytest.raises(ValueError, match="21 edges"):
        _nasbench_cell_modules(set(itertools.combinations(range(7), 2)))
    with pytest.raises(ValueError, match="no path"):
        _nasbench_cell_modules({(0, 1), (2, 6)})
    # 0 -> 1 -> 6 plus the direct edge: two projections, vertex 1, concat, final add.
    # The dangling edge 0 -> 2 is pruned, not rejected.
    names = _nasbench_cell_modules({(0, 1), (1, 6), (0, 6), (0, 2)})
    assert names.count("M.Concat") == 1
    assert names.count("M.Add") == 2  # vertex 1's input sum and the final sum
    assert names.count("M.Conv2D") == 3  # two 1x1 projections and vertex 1's 3x3


def test_nasbench_random_samples_are_mostly_valid():
    outcomes = []
    with be.use_backend(be.PYTORCH):
        np.random.seed(3)
        for _ in range(40):
            inputs, outputs = mo.SearchSpaceFactory(SPACES["nasbench"]).get_search_space()
            try:
                seco.random_specify(outputs)
                outcomes.append(True)
            except ValueError as e:
                assert "nasbench cell" in str(e)
                outcomes.append(False)
    assert 0.3 < np.mean(outcomes) < 1.0  # the original accepted ~1% of random samples


# ---------------------------------------------------------------- Keras 3 and TensorFlow 2

# Building a functional model of the ~600 layers of the motif spaces takes tens of
# seconds on a loaded CPU; they run eagerly (same modules, same compile functions).
EAGER_IN_KERAS = ("flat", "hierarchical")


def _keras_functional_model(inputs, outputs):
    """The specified graph as a ``keras.Model``, built by one symbolic forward pass."""
    import keras

    x = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    if "in" in inputs:
        co.forward({inputs["in"]: x})
        model_inputs = x
    else:
        steps = keras.Input(())
        co.forward({inputs["in0"]: x, inputs["in1"]: steps})
        model_inputs = [x, steps]
    return keras.Model(model_inputs, [outputs[k].val for k in sorted(outputs)])


def _keras_eager_forward(inputs, outputs, batch):
    co.forward({inputs["in"]: batch})
    return [outputs[k].val for k in sorted(outputs)]


def _keras_checks():
    """Runs in a subprocess with KERAS_BACKEND=tensorflow; returns a JSON-able report."""
    import torch

    import deep_architect.helpers.tensorflow_eager_support as htfe
    from deep_architect.contrib.deep_learning_backend import keras_ops, pytorch_ops

    report = {"keras": {}}
    rng = np.random.RandomState(0)
    batch = rng.randn(2, IMAGE_SIZE, IMAGE_SIZE, 3).astype("float32")
    for name, space_fn in SPACES.items():
        with be.use_backend(be.KERAS):
            inputs, outputs, vs = sample(space_fn, seed=0)
        with be.use_backend(be.PYTORCH):
            torch_inputs, torch_outputs = mo.SearchSpaceFactory(space_fn).get_search_space()
            seco.specify(torch_outputs, vs)
        same_graph = module_names(torch_inputs, torch_outputs) == module_names(inputs, outputs)
        if name in EAGER_IN_KERAS:
            results = [_keras_eager_forward(inputs, outputs, batch) for _ in range(2)]
        else:
            model = _keras_functional_model(inputs, outputs)
            feed = [batch, np.full((2,), 1000.0, "float32")] if "in0" in inputs else batch
            results = [model(feed, training=train) for train in (True, False, False)]
        results = [r if isinstance(r, (list, tuple)) else [r] for r in results]
        report["keras"][name] = {
            "shapes": [list(map(int, r.shape)) for r in results[-1]],
            "finite": all(bool(np.isfinite(np.asarray(r)).all()) for r in results[0]),
            "eval_deterministic": all(np.array_equal(np.asarray(a), np.asarray(b))
                                      for a, b in zip(results[-2], results[-1])),
            "value_list_replays_in_pytorch": same_graph,
        }

    with be.use_backend(be.KERAS):
        inputs, outputs, _ = sample(_affine_space, seed=0)
    report["affine"] = np.asarray(
        _keras_eager_forward(inputs, outputs, np.ones((2, 2, 2), "float32"))[0]).tolist()

    fn, _ = keras_ops.drop_path(None, 0.5)
    ones = np.ones((8000, 2), "float32")
    dropped = [float((np.asarray(fn(ones, np.float32(4), True))[:, 0] == 0).mean())
               for _ in range(8)]
    report["drop_path"] = {"first": dropped[0], "last": dropped[-1],
                           "eval_identity": bool(np.array_equal(fn(ones, 4.0, False), ones))}

    # TensorFlow 2 eager backend: is_training switches drop path and batch norm.
    with be.use_backend(be.TENSORFLOW):
        inputs, outputs, _ = sample(SPACES["nasnet"], seed=1)
    out = []
    for is_training in (True, False, False):
        htfe.set_is_training(outputs, is_training)
        co.forward({inputs["in0"]: batch, inputs["in1"]: 1000.0})
        out.append(np.asarray(outputs["out1"].val))
    report["tensorflow"] = {"shape": list(out[1].shape),
                            "eval_deterministic": bool(np.array_equal(out[1], out[2]))}

    # Pooling with TensorFlow 'SAME' padding: PyTorch (NCHW) equals Keras (NHWC).
    image = rng.randn(1, 7, 5, 2).astype("float32")
    diffs = {}
    for kind in ("max", "avg", "min"):
        k_fn, _ = keras_ops.pool2d(image, kind, 3, 2)
        t_in = torch.from_numpy(image.transpose(0, 3, 1, 2))
        t_fn, _ = pytorch_ops.pool2d(t_in, kind, 3, 2)
        expected = np.asarray(k_fn(image, None))
        got = t_fn(t_in, None).numpy().transpose(0, 2, 3, 1)
        diffs[kind] = float(np.abs(expected - got).max())
    report["pool_max_abs_diff"] = diffs
    return report


@pytest.fixture(scope="module", autouse=True)
def keras_process(request):
    """Starts the Keras/TensorFlow subprocess before the PyTorch tests, which run meanwhile
    (only if some selected test needs it)."""
    needed = any("keras_report" in item.fixturenames for item in request.session.items
                 if item.module is request.module)
    if not (needed and _has("keras") and _has("tensorflow")):
        yield None
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3",
               TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], env=env, cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def _has(module_name):
    import importlib.util
    return importlib.util.find_spec(module_name) is not None


@pytest.fixture(scope="module")
def keras_report(keras_process):
    if keras_process is None:
        pytest.skip("keras or tensorflow is not installed")
    stdout, stderr = keras_process.communicate(timeout=600)
    assert keras_process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(SPACES))
def test_space_compiles_and_runs_in_keras(name, keras_report):
    result = keras_report["keras"][name]
    expected = [[2, 10], [2, 10]] if name == "nasnet" else [[2, 10]]
    assert result["shapes"] == expected
    assert result["finite"]
    assert result["eval_deterministic"]
    # A value list sampled with Keras rebuilds the same graph with PyTorch.
    assert result["value_list_replays_in_pytorch"]


def test_tensorflow_eager_backend_honours_is_training(keras_report):
    assert keras_report["tensorflow"] == {"shape": [2, 10], "eval_deterministic": True}


def test_keras_affine_uses_initialisers(keras_report):
    assert np.allclose(keras_report["affine"], np.full((2, 3), 3.0))


def test_keras_drop_path_is_scheduled(keras_report):
    result = keras_report["drop_path"]
    assert abs(result["first"] - 0.125) < 0.03 and abs(result["last"] - 0.5) < 0.03
    assert result["eval_identity"]


def test_pytorch_pooling_matches_tensorflow(keras_report):
    for kind, diff in keras_report["pool_max_abs_diff"].items():
        assert diff < 1e-5, kind


if __name__ == "__main__":
    print(json.dumps(_keras_checks()))
