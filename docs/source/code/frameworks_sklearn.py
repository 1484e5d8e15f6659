"""Beyond deep learning: searching over scikit-learn pipelines.

The values flowing through the graph do not have to be tensors. With the
scikit-learn helper they are the lists of pipeline steps chosen so far, and
the sampled graph becomes a ``sklearn.pipeline.Pipeline``.
"""

import numpy as np
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import deep_architect.helpers.sklearn_support as hsk
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.searchers.mcts import MCTSSearcher

D = hp.Discrete


def step(estimator_fn, name_to_hyperp):
    return hsk.siso_sklearn_module_from_sklearn_fn(estimator_fn, name_to_hyperp)


# [search space]
def pipeline_space():
    preprocessing = mo.siso_sequential([
        mo.siso_optional(lambda: step(StandardScaler, {}), D([0, 1])),
        mo.siso_or([
            lambda: step(PCA, {"n_components": D([2, 5])}),
            lambda: step(PolynomialFeatures, {"degree": D([2])}),
            mo.identity,
        ], D([0, 1, 2])),
    ])
    classifier = mo.siso_or({
        "linear": lambda: step(LogisticRegression, {"C": D([0.1, 1.0, 10.0]), "max_iter": 500}),
        "forest": lambda: step(RandomForestClassifier,
                               {"n_estimators": D([10, 30]), "max_depth": D([2, 4]),
                                "random_state": 0}),
    }, D(["linear", "forest"]))
    return mo.siso_sequential([preprocessing, classifier])
# [search space]


# [search]
def main(num_samples=6):
    np.random.seed(0)
    X, y = make_classification(n_samples=200, n_features=10, n_informative=4, random_state=0)
    searcher = MCTSSearcher(pipeline_space)
    for _ in range(num_samples):
        inputs, outputs, vs, token = searcher.sample()
        pipeline = hsk.get_pipeline(inputs, outputs)
        score = float(cross_val_score(pipeline, X, y, cv=3).mean())
        searcher.update(score, token)
        print("%.3f" % score, [name for name, _ in pipeline.steps], vs)
# [search]


if __name__ == "__main__":
    main()
