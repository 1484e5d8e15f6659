"""Tests of deep_architect.helpers.sklearn_support."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import deep_architect.core as co  # noqa: E402
import deep_architect.helpers.sklearn_support as hsk  # noqa: E402
import deep_architect.hyperparameters as hp  # noqa: E402
import deep_architect.modules as mo  # noqa: E402
from deep_architect.errors import DeepArchitectError  # noqa: E402
from deep_architect.searchers.common import random_specify, specify  # noqa: E402

D = hp.Discrete
step = hsk.siso_sklearn_module_from_sklearn_fn


def pipeline_space():
    return mo.siso_sequential([
        mo.siso_or([lambda: step(StandardScaler, {}), mo.identity], D([0, 1])),
        mo.siso_or([lambda: step(PCA, {"n_components": D([8, 16])}), mo.identity], D([0, 1])),
        mo.siso_or([
            lambda: step(LogisticRegression, {"C": D([0.1, 1.0]), "max_iter": 300}),
            lambda: step(RandomForestClassifier, {"n_estimators": D([10, 20]),
                                                  "random_state": 0}),
        ], D([0, 1])),
    ])


def digits():
    data = load_digits()
    x = data.data / 16.0
    return x[:1200], data.target[:1200], x[1200:], data.target[1200:]


def sklearn_modules(outputs):
    found = []
    co.traverse_backward(outputs, lambda m: found.append(m)
                         if isinstance(m, hsk.SklearnModule) else None)
    return found[::-1]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_pipeline_has_one_step_per_chosen_module_in_order(seed):
    co.Scope.reset_default_scope()
    inputs, outputs = mo.SearchSpaceFactory(pipeline_space).get_search_space()
    np.random.seed(seed)
    random_specify(outputs)
    pipeline = hsk.get_pipeline(inputs, outputs)
    assert isinstance(pipeline, Pipeline)
    modules = sklearn_modules(outputs)
    assert [type(est).__name__ for _, est in pipeline.steps] == [
        m.get_name().split(".")[1].rsplit("-", 1)[0] for m in modules]
    for (_, est), m in zip(pipeline.steps, modules, strict=True):
        values = {k: h.get_value() for k, h in m.hyperps.items()}
        assert {k: est.get_params()[k] for k in values} == values
    assert type(pipeline.steps[-1][1]) in (LogisticRegression, RandomForestClassifier)


@pytest.mark.parametrize("estimator", [0, 1])
def test_compiled_pipeline_fits_digits(estimator):
    inputs, outputs = mo.SearchSpaceFactory(pipeline_space).get_search_space()
    # Pass 1 (backward order): estimator, PCA and scaler choices; pass 2: the chosen
    # estimator's parameters (sorted names; constants take a slot too), then PCA's.
    specify(outputs, [estimator, 0, 0, *([20, 0] if estimator else [1.0, 300]), 16])
    pipeline = hsk.get_pipeline(inputs, outputs)
    assert [name for name, _ in pipeline.steps] == [
        "0_standardscaler", "1_pca",
        "2_randomforestclassifier" if estimator else "2_logisticregression"]
    x_train, y_train, x_val, y_val = digits()
    assert pipeline.fit(x_train, y_train).score(x_val, y_val) > 0.8


def test_each_call_gives_a_fresh_unfitted_pipeline():
    inputs, outputs = mo.SearchSpaceFactory(pipeline_space).get_search_space()
    random_specify(outputs)
    first, second = hsk.get_pipeline(inputs, outputs), hsk.get_pipeline(inputs, outputs)
    assert first.steps[-1][1] is not second.steps[-1][1]
    x_train, y_train, _, _ = digits()
    first.fit(x_train, y_train)
    assert not hasattr(second.steps[-1][1], "classes_")


def test_feature_union_joins_branches_after_their_common_prefix():
    def space():
        scaler = step(StandardScaler, {})
        residual = mo.siso_residual(lambda: step(PCA, {"n_components": 8}), mo.identity,
                                    lambda: hsk.sklearn_feature_union(2))
        return mo.siso_sequential([scaler, residual,
                                   step(LogisticRegression, {"max_iter": 300})])

    inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
    random_specify(outputs)
    pipeline = hsk.get_pipeline(inputs, outputs)
    kinds = [type(est).__name__ for _, est in pipeline.steps]
    assert kinds == ["StandardScaler", "FeatureUnion", "LogisticRegression"]
    union = pipeline.steps[1][1]
    assert isinstance(union, FeatureUnion)
    assert [type(t).__name__ if t != "passthrough" else t
            for _, t in union.transformer_list] == ["PCA", "passthrough"]
    x_train, y_train, x_val, y_val = digits()
    pipeline.fit(x_train, y_train)
    assert pipeline[:-1].transform(x_val).shape == (len(x_val), 8 + 64)
    assert pipeline.score(x_val, y_val) > 0.8


def test_bad_input_is_reported():
    with pytest.raises(DeepArchitectError, match="StandardScaler.*'with_means'"):
        step(StandardScaler, {"with_means": True})
    with pytest.raises(DeepArchitectError, match="no estimator"):
        inputs, outputs = mo.identity()
        hsk.get_pipeline(inputs, outputs)
    with pytest.raises(DeepArchitectError, match="num_inputs"):
        hsk.sklearn_feature_union(0)
