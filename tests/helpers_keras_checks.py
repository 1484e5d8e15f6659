"""Keras helper checks, run by test_helpers_keras.py once per Keras backend.

Keras fixes its backend at import time (KERAS_BACKEND), so each backend needs
its own process; this script is that process. It exits non-zero on failure.
The first part is the README's minimal example with Keras 3 imports unchanged
(only the data source differs: scikit-learn's digits instead of MNIST).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys

import keras
import numpy as np
from keras.layers import Dense, Dropout, Input
from keras.models import Model
from keras.optimizers import RMSprop
from sklearn.datasets import load_digits

import deep_architect.core as co
import deep_architect.helpers.keras_support as hke
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import random_specify

D = hp.Discrete


# ---------------------------------------------------------------- README example
def dense(h_units, h_activation):
    return hke.siso_keras_module_from_keras_layer_fn(Dense, {
        "units": h_units, "activation": h_activation})


def dropout(h_drop_rate):
    return hke.siso_keras_module_from_keras_layer_fn(Dropout, {"rate": h_drop_rate})


def cell(h_units, h_activation, h_opt_drop, h_drop_rate):
    return mo.siso_sequential([
        dense(h_units, h_activation),
        mo.siso_optional(lambda: dropout(h_drop_rate), h_opt_drop)])


def model_search_space(num_classes):
    h_activation = D(["relu", "sigmoid"])
    return mo.siso_sequential([
        mo.siso_repeat(lambda: cell(D([256, 512, 1024]), h_activation, D([0, 1]),
                                    D([0.2, 0.5, 0.7])), D([1, 2, 4])),
        dense(D([num_classes]), D(["softmax"]))])


def readme_example(tmp_dir):
    data = load_digits()
    x_all = (data.data / 16.0).astype("float32")
    y_all = keras.utils.to_categorical(data.target, 10)
    # A small slice keeps the check fast even when the widest cells are drawn.
    x_train, y_train, x_test, y_test = x_all[:512], y_all[:512], x_all[1400:], y_all[1400:]

    inputs, outputs = mo.SearchSpaceFactory(lambda: model_search_space(10)).get_search_space()
    random_specify(outputs)
    x = Input((64,), dtype="float32")
    co.forward({inputs["in"]: x})
    model = Model(inputs=x, outputs=outputs["out"].val)
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0,
                        validation_data=(x_test, y_test))
    losses = history.history["loss"]
    assert losses[-1] < losses[0], losses
    score = model.evaluate(x_test, y_test, verbose=0)
    assert score[1] > 0.3, score
    if shutil.which("dot") and importlib.util.find_spec("graphviz"):
        import deep_architect.visualization as vi
        vi.draw_graph(outputs, draw_module_hyperparameter_info=False, out_folderpath=tmp_dir,
                      print_to_screen=False)
        assert os.path.exists(os.path.join(tmp_dir, "graph.pdf")), os.listdir(tmp_dir)

    # Export: the found architecture is a plain Keras model.
    path = os.path.join(tmp_dir, "found.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x_test[:8], verbose=0),
                               model.predict(x_test[:8], verbose=0), atol=1e-5)


# ---------------------------------------------------------------- other behaviour
def concat():
    def compile_fn(di, dh):
        layer = keras.layers.Concatenate()
        return lambda di: {"out": layer([di["in0"], di["in1"]])}
    return hke.keras_module("Concat", compile_fn, {}, ["in0", "in1"], ["out"])


def multi_input_and_output():
    def split():
        def compile_fn(di, dh):
            half = di["in"].shape[-1] // 2
            return lambda di: {"out0": di["in"][:, :half], "out1": di["in"][:, half:]}
        return hke.keras_module("Split", compile_fn, {}, ["in"], ["out0", "out1"])

    def space():
        s_in, s_out = split()
        a_in, a_out = dense(D([4]), "relu")
        b_in, b_out = dense(D([6]), "relu")
        c_in, c_out = concat()
        s_out["out0"].connect(a_in["in"])
        s_out["out1"].connect(b_in["in"])
        a_out["out"].connect(c_in["in0"])
        b_out["out"].connect(c_in["in1"])
        return s_in, c_out

    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    random_specify(outputs)
    x = Input((8,))
    co.forward({inputs["in"]: x})
    model = Model(x, outputs["out"].val)
    assert tuple(model.output.shape) == (None, 10), model.output.shape
    assert model.predict(np.ones((2, 8), "float32"), verbose=0).shape == (2, 10)


def random_model():
    co.Scope.reset_default_scope()
    rm = hke.KerasRandomModel(lambda: model_search_space(10))
    assert co.is_specified(rm.outputs)
    vs = rm.get_hyperp_values()
    x = Input((64,))
    out = rm.forward({"in": x})["out"]
    assert tuple(out.shape) == (None, 10)
    co.Scope.reset_default_scope()
    again = hke.KerasRandomModel(lambda: model_search_space(10), vs)
    assert again.hyperp_value_lst == vs


def forward_fails(module_input, accepted, *message_parts):
    """Fails unless a forward pass from ``module_input`` raises naming ``message_parts``."""
    try:
        co.forward({module_input: Input((4,))})
    except DeepArchitectError as e:
        assert all(part in str(e) for part in message_parts), e
    else:
        raise AssertionError(f"{accepted} was accepted")


def errors():
    co.Scope.reset_default_scope()
    bad_arg_in, bad_arg_out = hke.siso_keras_module_from_keras_layer_fn(Dense, {"unit": 3})
    random_specify(bad_arg_out)
    forward_fails(bad_arg_in["in"], "an unknown Dense argument", "M.Dense-0", "unit")
    co.Scope.reset_default_scope()
    not_fn_in, _ = hke.siso_keras_module("NotFn", lambda di, dh: {"out": 1}, {})
    forward_fails(not_fn_in["in"], "a compile_fn returning a dict", "M.NotFn-0",
                  "forward function")


def framework_starter():
    """examples/framework_starters/main_keras.py, run here to share this process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(root, "examples", "framework_starters"))
    import main_keras

    sys.argv = ["main_keras.py", "--num_samples", "1", "--num_epochs", "1"]
    main_keras.main()


if __name__ == "__main__":
    assert keras.backend.backend() == os.environ["KERAS_BACKEND"], keras.backend.backend()
    keras.utils.set_random_seed(0)
    readme_example(sys.argv[1])
    multi_input_and_output()
    random_model()
    errors()
    framework_starter()
    print("keras checks passed on", keras.backend.backend())
