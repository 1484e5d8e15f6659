"""Framework starter: search over scikit-learn pipelines on the digits data.

The search space chooses an optional scaler, an optional PCA (with its number of
components) and a classifier with its own parameters; every sample compiles to
a ``sklearn.pipeline.Pipeline``. Run from the repository root:

    python examples/framework_starters/main_sklearn.py [--num_samples 6]
"""
from __future__ import annotations

from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from starter_common import load_data, parse_args, search

import deep_architect.helpers.sklearn_support as hsk
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo

D = hp.Discrete
step = hsk.siso_sklearn_module_from_sklearn_fn


def pipeline_space():
    return mo.siso_sequential([
        mo.siso_optional(lambda: step(StandardScaler, {}), D([0, 1])),
        mo.siso_optional(lambda: step(PCA, {"n_components": D([8, 16, 32])}), D([0, 1])),
        mo.siso_or([
            lambda: step(LogisticRegression, {"C": D([0.01, 0.1, 1.0]), "max_iter": 500}),
            lambda: step(RandomForestClassifier, {"n_estimators": D([25, 50, 100]),
                                                  "max_depth": D([4, 8, None])}),
            lambda: step(SVC, {"C": D([0.1, 1.0, 10.0]), "gamma": "scale"}),
        ], D([0, 1, 2])),
    ])


class PipelineEvaluator:
    """Fits the sampled pipeline and reports its validation accuracy."""

    def __init__(self, X_train, y_train, X_val, y_val):
        self.X_train, self.y_train = X_train, y_train
        self.X_val, self.y_val = X_val, y_val

    def eval(self, inputs, outputs):
        pipeline = hsk.get_pipeline(inputs, outputs)
        pipeline.fit(self.X_train, self.y_train)
        return {"validation_accuracy": float(pipeline.score(self.X_val, self.y_val)),
                "pipeline": [name for name, _ in pipeline.steps]}


def main():
    args = parse_args(num_samples=6)
    evaluator = PipelineEvaluator(*load_data())
    search(pipeline_space, evaluator, args.num_samples, args.show_graph, args.folderpath)


if __name__ == "__main__":
    main()
