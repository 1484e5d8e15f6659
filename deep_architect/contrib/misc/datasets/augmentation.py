"""NumPy data-augmentation and label-encoding helpers for image batches.

Images are NHWC arrays (``[batch, height, width, channels]``). Randomness
comes from the global NumPy RNG, so ``np.random.seed`` makes it repeatable.
"""
from __future__ import annotations

import numpy as np

from deep_architect.errors import check


def onehot_to_idx(y_onehot: np.ndarray) -> np.ndarray:
    """Converts one-hot rows ``[N, C]`` to class indices ``[N]``."""
    return np.argmax(y_onehot, axis=1)


def idx_to_onehot(y_idx: np.ndarray, num_classes: int) -> np.ndarray:
    """Converts class indices ``[N]`` to float32 one-hot rows ``[N, num_classes]``.

    Raises:
        DeepArchitectError: If an index is outside ``[0, num_classes)``.
    """
    y_idx = np.asarray(y_idx).astype(np.int64).reshape(-1)
    check(y_idx.size == 0 or (y_idx.min() >= 0 and y_idx.max() < num_classes),
          "idx_to_onehot: class indices must lie in [0, %d), got range [%s, %s]."
          % (num_classes, y_idx.min(initial=0), y_idx.max(initial=0)))
    y = np.zeros((y_idx.shape[0], num_classes), dtype=np.float32)
    y[np.arange(y_idx.shape[0]), y_idx] = 1.0
    return y


def _check_crop(X: np.ndarray, out_height: int, out_width: int, fn_name: str) -> None:
    check(X.ndim == 4, "%s: expected an NHWC batch of rank 4, got shape %s."
          % (fn_name, X.shape))
    check(0 < out_height <= X.shape[1] and 0 < out_width <= X.shape[2],
          "%s: crop %dx%d does not fit in images of size %dx%d."
          % (fn_name, out_height, out_width, X.shape[1], X.shape[2]))


def center_crop(X: np.ndarray, out_height: int, out_width: int) -> np.ndarray:
    """Crops the central ``out_height x out_width`` window of every image.

    When the margin is odd, the extra row/column is dropped at the bottom/right.
    """
    _check_crop(X, out_height, out_width, "center_crop")
    top = (X.shape[1] - out_height) // 2
    left = (X.shape[2] - out_width) // 2
    return X[:, top:top + out_height, left:left + out_width, :]


def random_crop(X: np.ndarray, out_height: int, out_width: int) -> np.ndarray:
    """Crops an ``out_height x out_width`` window at an independent random offset per image."""
    _check_crop(X, out_height, out_width, "random_crop")
    n = X.shape[0]
    tops = np.random.randint(X.shape[1] - out_height + 1, size=n)
    lefts = np.random.randint(X.shape[2] - out_width + 1, size=n)
    out = np.empty((n, out_height, out_width, X.shape[3]), dtype=X.dtype)
    for i in range(n):
        out[i] = X[i, tops[i]:tops[i] + out_height, lefts[i]:lefts[i] + out_width, :]
    return out


def random_flip_left_right(X: np.ndarray, p_flip: float) -> np.ndarray:
    """Returns a copy where each image is mirrored horizontally with probability ``p_flip``."""
    check(0.0 <= p_flip <= 1.0,
          "random_flip_left_right: p_flip must be in [0, 1], got %r." % (p_flip,))
    out = np.array(X, copy=True)
    flip = np.random.random(X.shape[0]) < p_flip
    out[flip] = out[flip][:, :, ::-1, :]
    return out


def per_image_whiten(X: np.ndarray) -> np.ndarray:
    """Centres each image on its own mean and divides it by its own L2 norm.

    An all-constant image becomes all zeros (its norm after centring is 0).
    """
    flat = X.reshape(X.shape[0], -1).astype(np.float32)
    flat = flat - flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    flat = flat / np.where(norms > 0, norms, 1.0)
    return flat.reshape(X.shape)


def zero_pad_border(X: np.ndarray, pad_size: int) -> np.ndarray:
    """Pads every NHWC image with ``pad_size`` zero pixels on each side (float32)."""
    check(X.ndim == 4 and int(pad_size) >= 0,
          "zero_pad_border: expected an NHWC batch and pad_size >= 0, got shape %s and %r."
          % (X.shape, pad_size))
    p = int(pad_size)
    return np.pad(X.astype(np.float32), ((0, 0), (p, p), (p, p), (0, 0)))
