"""A stand-in for ``load_mnist``: a small generated dataset in MNIST's format.

Flattened 28x28 images with values in [0, 1] and one-hot labels over ten
classes, as ``load_mnist('data/mnist')`` returned them in the original. Each
class brightens its own band of pixels, so the data can be learnt.
"""
from __future__ import annotations

import numpy as np


def load_mnist(data_dir=None, flatten=True, one_hot=True, normalize_range=False):
    """Returns ``(X_train, y_train, X_val, y_val, X_test, y_test)``, 96/48/48 examples."""
    rng = np.random.RandomState(0)

    def split(n):
        labels = rng.randint(0, 10, size=n)
        X = rng.uniform(0.0, 0.3, size=(n, 784)).astype(np.float32)
        for i, label in enumerate(labels):
            X[i, label * 78:(label + 1) * 78] += 0.7
        y = np.eye(10, dtype=np.float32)[labels] if one_hot else labels
        return (X if flatten else X.reshape(n, 28, 28, 1)), y

    return split(96) + split(48) + split(48)
