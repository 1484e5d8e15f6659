"""The helpers' module-building functions keep the original's names and signatures.

They are made by factories in ``helpers/_common.py``; users (and Sphinx, pickle,
``help()``) must still see ordinary functions of each helper module.
"""
from __future__ import annotations

import importlib
import inspect
import pickle

import pytest

MULTI_IO = ["name", "compile_fn", "name_to_hyperp", "input_names", "output_names", "scope"]
SISO = ["name", "compile_fn", "name_to_hyperp", "scope"]
LAYER = ["layer_fn", "name_to_hyperp", "scope", "name"]

FUNCTIONS = [
    ("pytorch_support", "torch", "pytorch_module", MULTI_IO),
    ("pytorch_support", "torch", "siso_pytorch_module", SISO),
    ("pytorch_support", "torch", "siso_pytorch_module_from_pytorch_layer_fn", LAYER),
    ("sklearn_support", "sklearn", "sklearn_module", MULTI_IO),
    ("sklearn_support", "sklearn", "siso_sklearn_module", SISO),
    ("sklearn_support", "sklearn", "siso_sklearn_module_from_sklearn_fn",
     ["estimator_fn", "name_to_hyperp", "scope", "name"]),
    ("keras_support", None, "keras_module", MULTI_IO),
    ("keras_support", None, "siso_keras_module", SISO),
    ("keras_support", None, "siso_keras_module_from_keras_layer_fn", LAYER),
    ("tensorflow_support", "tensorflow", "siso_tensorflow_module", SISO),
    ("tensorflow_support", "tensorflow", "siso_tensorflow_module_from_tensorflow_op_fn", LAYER),
    ("tensorflow_eager_support", "tensorflow", "siso_tensorflow_eager_module", SISO),
    ("tensorflow_eager_support", "tensorflow",
     "siso_tensorflow_eager_module_from_tensorflow_op_fn", LAYER),
]


@pytest.mark.parametrize("module_name, framework, name, params", FUNCTIONS,
                         ids=[f[2] for f in FUNCTIONS])
def test_helper_function_is_an_ordinary_documented_function(module_name, framework, name,
                                                             params):
    if framework is not None:
        pytest.importorskip(framework)
    module = importlib.import_module("deep_architect.helpers." + module_name)
    fn = getattr(module, name)
    assert (fn.__module__, fn.__name__, fn.__qualname__) == (module.__name__, name, name)
    signature = inspect.signature(fn)
    assert list(signature.parameters) == params
    defaults = {p: v.default for p, v in signature.parameters.items()
                if v.default is not inspect.Parameter.empty}
    assert defaults == ({"scope": None, "name": None} if params[-1] == "name" else {"scope": None})
    assert fn.__doc__.splitlines()[0].strip() and "Args:" in fn.__doc__
    assert all(f"    {p}:" in fn.__doc__ for p in params)
    assert pickle.loads(pickle.dumps(fn)) is fn
    assert name in module.__all__
