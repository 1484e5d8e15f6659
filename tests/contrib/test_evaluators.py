"""Tests for the contrib classification evaluators (PyTorch in-process; Keras 3 and
TensorFlow each in a subprocess, since KERAS_BACKEND is fixed per process)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.searchers.common as seco
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.contrib.misc.datasets.loaders import load_digits
from deep_architect.errors import DeepArchitectError

torch = pytest.importorskip("torch")
hpt = pytest.importorskip("deep_architect.helpers.pytorch_support")
ptc = pytest.importorskip("deep_architect.contrib.misc.evaluators.pytorch.classification")

D = hp.Discrete
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def dense(h_units):
    def compile_fn(di, dh):
        m = torch.nn.Linear(di["in"].shape[1], dh["units"])
        return (lambda di: {"out": m(di["in"])}), [m]
    return hpt.siso_pytorch_module("Dense", compile_fn, {"units": h_units})


def fn_module(fn, name):
    """A parameter-free module applying ``fn`` (with a call counter) to its input."""
    def compile_fn(di, dh):
        calls = [0]

        def forward(di):
            calls[0] += 1
            return {"out": fn(di["in"], calls[0])}
        return forward, []
    return hpt.siso_pytorch_module(name, compile_fn, {})


def mlp(extra=None):
    def space():
        mods = [dense(D([32])), hpt.siso_pytorch_module_from_pytorch_layer_fn(torch.nn.ReLU, {}),
                dense(D([10]))]
        return mo.siso_sequential(mods + ([extra()] if extra else []))
    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    seco.random_specify(outputs)
    return inputs, outputs


@pytest.fixture(scope="module")
def data():
    Xtr, ytr, Xva, yva, Xte, yte = load_digits(flatten=True)
    return Xtr, ytr, Xva, yva, Xte, yte


def evaluator(data, **kwargs):
    Xtr, ytr, Xva, yva, Xte, yte = data
    kwargs.setdefault("log_output_to_terminal", False)
    return ptc.SimpleClassifierEvaluator(InMemoryDataset(Xtr, ytr, True),
                                         InMemoryDataset(Xva, yva, False), 10,
                                         kwargs.pop("model_path", None), **kwargs)


def test_pytorch_evaluator_trains_and_reports_spec_keys(data, tmp_path):
    torch.manual_seed(0)
    np.random.seed(0)
    Xte, yte = data[4], data[5]
    ev = evaluator(data, model_path=str(tmp_path / "m"), max_num_training_epochs=6,
                   batch_size=64, learning_rate_init=1e-2,
                   test_dataset=InMemoryDataset(Xte, yte.argmax(1), False))
    r = ev.eval(*mlp())
    assert json.loads(json.dumps(r)) == r  # plain JSON types only
    assert r["validation_accuracy"] > 0.85 and r["test_accuracy"] > 0.85
    assert r["num_parameters"] == 64 * 32 + 32 + 32 * 10 + 10
    assert r["num_training_epochs"] == [1, 2, 3, 4, 5, 6]
    assert set(r["sequences"]) == {"validation_accuracy", "training_loss", "epoch_number",
                                   "learning_rate", "time_in_minutes"}
    assert all(len(v) == 6 for v in r["sequences"].values())
    assert r["inference_time_per_example_in_miliseconds"] > 0
    assert 0 < r["training_time_in_hours"] < 0.1 and "evaluation_failed" not in r
    # The best epoch's weights are the ones kept and reported.
    assert r["validation_accuracy"] == pytest.approx(max(r["sequences"]["validation_accuracy"]))
    state = torch.load(str(tmp_path / "m" / "best_model.pt"))
    assert sum(v.numel() for v in state.values()) == r["num_parameters"]


def test_time_budget_stops_training(data):
    ev = evaluator(data, max_num_training_epochs=10 ** 6, max_eval_time_in_minutes=0.02,
                   batch_size=32)
    t = time.time()
    r = ev.eval(*mlp())
    assert time.time() - t < 10
    assert 1 <= len(r["num_training_epochs"]) < 10 ** 6
    assert r["sequences"]["time_in_minutes"][-1] < 0.1


def test_patience_decays_learning_rate_and_stops(data):
    ev = evaluator(data, optimizer_type="sgd", learning_rate_init=1e-12, stop_patience=3,
                   learning_rate_patience=1, learning_rate_mult=0.5, learning_rate_min=4e-13)
    r = ev.eval(*mlp())
    assert r["num_training_epochs"] == [1, 2, 3, 4]
    assert r["sequences"]["learning_rate"] == pytest.approx([1e-12, 1e-12, 5e-13, 4e-13])


def test_nan_loss_is_a_failed_evaluation(data):
    nan_after_two = fn_module(lambda x, n: x * float("nan") if n > 2 else x, "NaNAfterTwo")
    r = evaluator(data, max_num_training_epochs=3).eval(*mlp(lambda: nan_after_two))
    assert r["evaluation_failed"] is True and r["validation_accuracy"] == 0.0
    assert r["failure_reason"].startswith("nan loss") and "epoch 1" in r["failure_reason"]
    assert r["num_parameters"] > 0 and json.dumps(r)


def test_out_of_memory_is_a_failed_evaluation_other_errors_propagate(data):
    def oom(x, n):
        if n > 3:  # compile pass and a few steps succeed, then the "device" is full
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return x
    r = evaluator(data).eval(*mlp(lambda: fn_module(oom, "Oom")))
    assert r["evaluation_failed"] is True and "out of memory" in r["failure_reason"]

    def broken(x, n):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        evaluator(data).eval(*mlp(lambda: fn_module(broken, "Broken")))


def test_two_input_two_output_graph(data):
    """NASNet-style graphs: in0 images, in1 total steps; out0 auxiliary, out1 logits."""
    seen = {}

    def compile_fn(di, dh):
        a, b = torch.nn.Linear(64, 10), torch.nn.Linear(64, 10)

        def forward(di):
            seen["steps"] = float(di["in1"])
            return {"out0": a(di["in0"]), "out1": b(di["in0"])}
        return forward, [a, b]
    inputs, outputs = hpt.pytorch_module("TwoHeads", compile_fn, {}, ["in0", "in1"],
                                         ["out0", "out1"])
    r = evaluator(data, max_num_training_epochs=3, batch_size=100,
                  learning_rate_init=1e-2).eval(inputs, outputs)
    assert r["validation_accuracy"] > 0.7
    assert seen["steps"] == 3 * (len(data[0]) // 100)


def test_bad_arguments():
    ds = InMemoryDataset(np.zeros((4, 2)), np.zeros(4), False)
    with pytest.raises(DeepArchitectError, match="optimizer_type"):
        ptc.SimpleClassifierEvaluator(ds, ds, 2, None, optimizer_type="rmsprop")
    with pytest.raises(DeepArchitectError, match="val_dataset must have next_batch"):
        ptc.SimpleClassifierEvaluator(ds, (np.zeros(3), np.zeros(3)), 2, None)


def test_tpu_evaluator_and_gcloud_helpers(tmp_path, monkeypatch):
    from deep_architect.contrib.misc.evaluators.tensorflow import gcloud_utils as gc
    from deep_architect.contrib.misc.evaluators.tensorflow import tpu_estimator_classification
    with pytest.raises(NotImplementedError, match="TPUEstimator"):
        tpu_estimator_classification.TPUEstimatorEvaluator("gs://data", "tpu")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert gc.get_gcloud_project() == ""
    fake = tmp_path / "gcloud"
    fake.write_text("#!/bin/sh\necho ' my-project '\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert gc.get_gcloud_project() == "my-project"


FRAMEWORK_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import numpy as np
    import keras
    import deep_architect.hyperparameters as hp
    import deep_architect.modules as mo
    import deep_architect.searchers.common as seco
    import deep_architect.helpers.keras_support as hke
    from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
    from deep_architect.contrib.misc.datasets.loaders import load_digits
    from deep_architect.contrib.misc.evaluators.keras import classification as kc
    from deep_architect.errors import DeepArchitectError
    D = hp.Discrete
    Xtr, ytr, Xva, yva, _, _ = load_digits()
    def datasets():
        return InMemoryDataset(Xtr, ytr, True), InMemoryDataset(Xva, yva, False)
    def keras_space():
        return mo.siso_sequential([
            hke.siso_keras_module_from_keras_layer_fn(keras.layers.Flatten, {}),
            hke.siso_keras_module_from_keras_layer_fn(
                keras.layers.Dense, {"units": D([32]), "activation": D(["relu"])}),
            hke.siso_keras_module_from_keras_layer_fn(keras.layers.Dropout, {"rate": D([0.1])}),
            hke.siso_keras_module_from_keras_layer_fn(keras.layers.Dense, {"units": D([10])})])
    out = {}
    i, o = mo.SearchSpaceFactory(keras_space).get_search_space()
    seco.random_specify(o)
    ev = kc.SimpleClassifierEvaluator(*datasets(), 10, sys.argv[1], max_num_training_epochs=3,
                                      batch_size=128, learning_rate_init=2e-2,
                                      log_output_to_terminal=False)
    out["keras"] = ev.eval(i, o)
    out["keras_weights"] = os.path.exists(os.path.join(sys.argv[1], "best_model.weights.h5"))
    try:
        from deep_architect.contrib.misc.evaluators.tensorflow import classification as tfc
        ev = tfc.SimpleClassifierEvaluator(*datasets(), 10, None, max_num_training_epochs=3,
                                           batch_size=128, learning_rate_init=2e-2,
                                           log_output_to_terminal=False)
    except DeepArchitectError as e:
        out["tf_error"] = str(e)
    else:
        import tensorflow as tf
        import deep_architect.helpers.tensorflow_eager_support as htfe
        def dense(units):
            def compile_fn(di, dh):
                layer = tf.keras.layers.Dense(dh["units"])
                def forward(di, is_training):
                    x = di["in"]
                    return {"out": layer(tf.reshape(x, [tf.shape(x)[0], -1]))}
                return forward
            return htfe.siso_tensorflow_eager_module("Dense", compile_fn, {"units": units})
        def dropout():
            def compile_fn(di, dh):
                layer = tf.keras.layers.Dropout(0.5)
                return lambda di, is_training: {"out": layer(di["in"], training=is_training)}
            return htfe.siso_tensorflow_eager_module("Dropout", compile_fn, {})
        i, o = mo.SearchSpaceFactory(
            lambda: mo.siso_sequential([dense(D([32])), dropout(), dense(D([10]))])
        ).get_search_space()
        seco.random_specify(o)
        out["tf"] = ev.eval(i, o)
    print("RESULT" + json.dumps(out))
""")


@pytest.mark.parametrize("backend", ["tensorflow", "torch"])
def test_keras_and_tensorflow_evaluators_in_subprocess(backend, tmp_path):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    script = tmp_path / "run.py"
    script.write_text(FRAMEWORK_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "w")], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.split("RESULT", 1)[1])
    assert out["keras"]["validation_accuracy"] > 0.7 and out["keras_weights"]
    assert out["keras"]["num_parameters"] == 64 * 32 + 32 + 32 * 10 + 10
    if backend == "tensorflow":
        assert out["tf"]["validation_accuracy"] > 0.7
        assert out["tf"]["num_parameters"] == 64 * 32 + 32 + 32 * 10 + 10
        assert out["tf"]["num_training_epochs"] == [1, 2, 3]
    else:
        assert "KERAS_BACKEND" in out["tf_error"] and "torch" in out["tf_error"]


def test_gpu_utilization_is_monitored_when_one_gpu_is_visible(data, tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text('#!/bin/sh\nif [ "$1" = "-L" ]; then echo "GPU 0: Fake"; '
                    'else echo "40 %, 2048 MiB, 8192 MiB"; fi\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    r = evaluator(data, max_num_training_epochs=2).eval(*mlp())
    assert r["average_gpu_utilization_in_percent"] == 40.0
    assert r["average_gpu_memory_utilization_in_gigabytes"] == 2.0
    assert r["sequences"]["gpu_utilization_in_percent"] == [40.0, 40.0]
