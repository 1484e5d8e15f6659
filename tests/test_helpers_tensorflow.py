"""Tests of the TensorFlow 2 helpers (tensorflow_support and tensorflow_eager_support)."""
from __future__ import annotations

import os

import pytest

if os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
    pytest.skip("these tests build Keras layers on TensorFlow tensors", allow_module_level=True)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "tensorflow":  # Keras was imported earlier with another backend
    pytest.skip("these tests need the tensorflow Keras backend", allow_module_level=True)
from sklearn.datasets import load_digits  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.tensorflow_eager_support as htfe  # noqa: E402
import deep_architect.helpers.tensorflow_support as htf  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.searchers.common import specify  # noqa: E402

D = hp.Discrete
HELPERS = {
    "graph": (htf.siso_tensorflow_module_from_tensorflow_op_fn, htf.TensorflowModel),
    "eager": (htfe.siso_tensorflow_eager_module_from_tensorflow_op_fn, htfe.TensorflowEagerModel),
}


def two_dense_space(layer_fn_module):
    return mo.siso_sequential([
        layer_fn_module(keras.layers.Dense, {"units": D([16, 32]), "activation": "relu"}),
        layer_fn_module(keras.layers.Dropout, {"rate": 0.5}),
        layer_fn_module(keras.layers.Dense, {"units": D([10])}),
    ])


def digits(n=256):
    data = load_digits()
    return (tf.constant(data.data[:n] / 16.0, tf.float32), tf.constant(data.target[:n]))


@pytest.mark.parametrize("kind", sorted(HELPERS))
def test_two_dense_layers_compile_count_parameters_and_train(kind):
    layer_fn_module, model_cls = HELPERS[kind]
    inputs, outputs = mo.SearchSpaceFactory(
        lambda: two_dense_space(layer_fn_module)).get_search_space()
    specify(outputs, [10, 0.5, "relu", 16])
    x, y = digits()
    model = model_cls(inputs, outputs, {"in": x[:2]})
    expected = 64 * 16 + 16 + 16 * 10 + 10
    assert htf.get_num_trainable_parameters(outputs) == expected
    assert htfe.get_num_trainable_parameters() == expected
    assert sum(v.shape.num_elements() for v in model.trainable_variables) == expected

    opt = keras.optimizers.SGD(learning_rate=0.5)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    for _ in range(15):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model({"in": x}, training=True)["out"])
        grads = tape.gradient(loss, model.trainable_variables)
        assert all(g is not None for g in grads)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss))
    assert losses[-1] < 0.8 * losses[0]
    evaluated = [model({"in": x[:8]})["out"] for _ in range(2)]
    tf.debugging.assert_equal(evaluated[0], evaluated[1])  # dropout off in eval mode


def test_eager_forward_passes_is_training_to_layers():
    inputs, outputs = htfe.siso_tensorflow_eager_module_from_tensorflow_op_fn(
        keras.layers.Dropout, {"rate": 0.5})
    specify(outputs, [0.5])
    x = tf.ones((4, 100))
    co.forward({inputs["in"]: x})
    assert float(tf.reduce_min(outputs["out"].val)) == 0.0  # training: some units dropped
    htfe.set_is_training(outputs, False)
    co.forward({inputs["in"]: x})
    tf.debugging.assert_equal(outputs["out"].val, x)


def test_custom_eager_module_receives_the_flag():
    seen = []

    def compile_fn(di, dh):
        def forward_fn(di, is_training):
            seen.append(is_training)
            return {"out": di["in"]}
        return forward_fn

    inputs, outputs = htfe.siso_tensorflow_eager_module("Probe", compile_fn, {})
    co.forward({inputs["in"]: tf.zeros(1)})
    htfe.set_is_training(outputs, False)
    co.forward({inputs["in"]: tf.zeros(1)})
    assert seen == [True, False]


def test_feed_dicts_switch_variables_between_training_and_evaluation():
    def scaled():
        def compile_fn(di, dh):
            scale = tf.Variable(1.0, trainable=False)
            return (lambda di: {"out": di["in"] * scale}), {scale.ref(): dh["train"]}, {
                scale.ref(): 1.0}
        return htf.siso_tensorflow_module("Scale", compile_fn, {"train": D([0.0, 3.0])})

    inputs, outputs = mo.SearchSpaceFactory(scaled).get_search_space()
    specify(outputs, [3.0])
    model = htf.TensorflowModel(inputs, outputs, {"in": tf.ones(2)})
    train_feed, eval_feed = htf.get_feed_dicts(outputs)
    assert list(train_feed.values()) == [3.0] and list(eval_feed.values()) == [1.0]
    assert float(model({"in": tf.ones(2)}, training=True)["out"][0]) == 3.0
    assert float(model({"in": tf.ones(2)}, training=False)["out"][0]) == 1.0
    htf.assign_feed(train_feed)
    co.forward({inputs["in"]: tf.ones(2)})
    assert float(outputs["out"].val[0]) == 3.0
    assert htf.get_num_trainable_parameters(outputs) == 0


@pytest.mark.parametrize("kind", sorted(HELPERS))
def test_multi_input_add_of_two_branches(kind):
    layer_fn_module, model_cls = HELPERS[kind]

    def add(di, dh):
        if kind == "eager":
            return lambda di, is_training: {"out": di["in0"] + di["in1"]}
        return lambda di: {"out": di["in0"] + di["in1"]}

    module_cls = htfe.TensorflowEagerModule if kind == "eager" else htf.TensorflowModule

    def space():
        return mo.siso_residual(
            lambda: layer_fn_module(keras.layers.Dense, {"units": 8}), mo.identity,
            lambda: module_cls("Add", add, {}, ["in0", "in1"], ["out"]).get_io())

    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    specify(outputs, [8])
    x = tf.random.normal((3, 8))
    model = model_cls(inputs, outputs, {"in": x})
    assert model({"in": x})["out"].shape == (3, 8)
    assert htf.get_num_trainable_parameters(outputs) == 8 * 8 + 8


def test_compile_results_of_the_wrong_shape_are_reported():
    two = htf.siso_tensorflow_module("Bad", lambda di, dh: (lambda di: {"out": 1}, {}), {})
    with pytest.raises(DeepArchitectError, match=r"M\.Bad-0.*\(forward_fn, train_feed"):
        co.forward({two[0]["in"]: tf.zeros(1)})
    co.Scope.reset_default_scope()
    wrong_keys = htfe.siso_tensorflow_eager_module(
        "Bad", lambda di, dh: (lambda di, is_training: {"y": 1}), {})
    with pytest.raises(DeepArchitectError, match=r"M\.Bad-0.*\['out'\]"):
        co.forward({wrong_keys[0]["in"]: tf.zeros(1)})


def test_forward_before_all_hyperparameters_are_assigned_is_reported():
    inputs, outputs = mo.SearchSpaceFactory(
        lambda: two_dense_space(htf.siso_tensorflow_module_from_tensorflow_op_fn)
    ).get_search_space()
    with pytest.raises(DeepArchitectError, match="unassigned"):
        htf.TensorflowModel(inputs, outputs, {"in": tf.zeros((1, 64))})


@pytest.mark.parametrize("kind", ["graph", "eager"])
def test_model_training_flag_reaches_keras_dropout(kind):
    layer_fn_module, model_cls = HELPERS[kind]
    inputs, outputs = layer_fn_module(keras.layers.Dropout, {"rate": 0.5})
    specify(outputs, [0.5])
    x = tf.ones((4, 100))
    model = model_cls(inputs, outputs, {"in": x})
    trained = model({"in": x}, training=True)["out"]
    assert float(tf.reduce_min(trained)) == 0.0  # some units dropped
    assert float(tf.reduce_max(trained)) == 2.0  # the others scaled by 1 / (1 - rate)
    tf.debugging.assert_equal(model({"in": x}, training=False)["out"], x)
