"""Loaders returning ``(X_train, y_train, X_val, y_val, X_test, y_test)`` as NumPy arrays.

Nothing is downloaded: :func:`load_digits` uses the small digits set bundled
with scikit-learn (the offline default of the examples), while
:func:`load_mnist` and :func:`load_cifar10` read the standard files a user
already has and say exactly which file to put where when one is missing.
Images are float32 NHWC arrays unless flattened; labels are float32 one-hot
rows or int64 class indices.
"""
from __future__ import annotations

import gzip
import os
import pickle

import numpy as np

from deep_architect.contrib.misc.datasets.augmentation import idx_to_onehot, zero_pad_border
from deep_architect.errors import check

Splits = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]

DEFAULT_MNIST_DIR = os.path.join("data", "mnist")
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
CIFAR10_FILES = ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]
# Idx magic numbers: two zero bytes, 0x08 (unsigned byte data), then the rank.
_IDX_UBYTE_TYPE = 0x08


def _labels(y_idx: np.ndarray, one_hot: bool, num_classes: int) -> np.ndarray:
    return idx_to_onehot(y_idx, num_classes) if one_hot else y_idx.astype(np.int64)


def _split_off_last(X: np.ndarray, y: np.ndarray, frac: float, what: str):
    check(0.0 <= frac < 1.0, "%s: validation_frac must be in [0, 1), got %r." % (what, frac))
    n_val = int(X.shape[0] * frac)
    n_train = X.shape[0] - n_val
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def read_idx_file(filepath: str) -> np.ndarray:
    """Reads an idx file of unsigned bytes (the MNIST format), gzipped or not.

    Args:
        filepath: Path to the file; a name ending in ``.gz`` is decompressed.

    Returns:
        A uint8 array with the dimensions stored in the file's header.

    Raises:
        DeepArchitectError: If the header is not that of an unsigned-byte idx file
            or the data size disagrees with it.
    """
    opener = gzip.open if filepath.endswith(".gz") else open
    with opener(filepath, "rb") as f:
        content = f.read()
    check(len(content) >= 4 and content[0] == 0 and content[1] == 0
          and content[2] == _IDX_UBYTE_TYPE,
          "%s: not an idx file of unsigned bytes (bad magic number %r)."
          % (filepath, content[:4]))
    rank = content[3]
    dims = tuple(int(d) for d in np.frombuffer(content, dtype=">u4", count=rank, offset=4))
    data = np.frombuffer(content, dtype=np.uint8, offset=4 + 4 * rank)
    check(data.size == int(np.prod(dims)),
          "%s: header announces shape %s (%d values) but the file holds %d values."
          % (filepath, dims, int(np.prod(dims)), data.size))
    return data.reshape(dims)


def _find_mnist_arrays(data_dir: str):
    found = {}
    for key, name in MNIST_FILES.items():
        for candidate in (name, name + ".gz"):
            path = os.path.join(data_dir, candidate)
            if os.path.isfile(path):
                found[key] = read_idx_file(path)
                break
    if len(found) == len(MNIST_FILES):
        return (found["train_images"], found["train_labels"],
                found["test_images"], found["test_labels"])
    npz_path = os.path.join(data_dir, "mnist.npz")
    if not found and os.path.isfile(npz_path):
        with np.load(npz_path) as d:
            return d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    missing = [name for key, name in MNIST_FILES.items() if key not in found]
    raise FileNotFoundError(
        "load_mnist: MNIST files missing in folder %r: %s. Put the four standard files "
        "(%s), each optionally gzipped (.gz), in that folder, or Keras's mnist.npz; or pass "
        "another folder as data_dir. Offline alternative: load_digits()."
        % (os.path.abspath(data_dir), ", ".join(missing), ", ".join(MNIST_FILES.values())))


def load_mnist(flatten: bool | str = False, one_hot: bool = True,
               validation_frac: float = 0.1, data_dir: str | None = None) -> Splits:
    """Loads MNIST from the standard idx files in ``data_dir``.

    The last ``validation_frac`` of the training images become the validation
    set. Pixels are scaled to ``[0, 1]``.

    For compatibility with scripts written for the original, which called
    ``load_mnist('data/mnist')``, a string given as first argument is taken as
    ``data_dir`` and the images are flattened (what the original then did).

    Args:
        flatten: Return images as ``[N, 784]`` instead of ``[N, 28, 28, 1]``.
        one_hot: Return float32 one-hot labels instead of int64 indices.
        validation_frac: Fraction of the training images kept for validation.
        data_dir: Folder with ``train-images-idx3-ubyte[.gz]``,
            ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]`` and
            ``t10k-labels-idx1-ubyte[.gz]`` (or ``mnist.npz``); default ``data/mnist``.

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    Raises:
        FileNotFoundError: Naming the missing files and where to put them.
    """
    if isinstance(flatten, str):
        data_dir, flatten = flatten, True
    data_dir = DEFAULT_MNIST_DIR if data_dir is None else data_dir
    X_train, y_train, X_test, y_test = _find_mnist_arrays(data_dir)

    def prepare(X, y):
        X = X.astype(np.float32) / 255.0
        X = X.reshape(X.shape[0], -1) if flatten else X.reshape(X.shape[0], 28, 28, 1)
        return X, _labels(y, one_hot, 10)

    X_train, y_train = prepare(X_train, y_train)
    X_test, y_test = prepare(X_test, y_test)
    X_train, y_train, X_val, y_val = _split_off_last(X_train, y_train, validation_frac,
                                                     "load_mnist")
    return X_train, y_train, X_val, y_val, X_test, y_test


def _read_cifar10_batch(data_dir: str, name: str):
    with open(os.path.join(data_dir, name), "rb") as f:
        d = pickle.load(f, encoding="bytes")
    data = d.get(b"data", d.get("data"))
    labels = d.get(b"labels", d.get("labels"))
    check(data is not None and labels is not None,
          "load_cifar10: %s has no 'data'/'labels' entries; is it a CIFAR-10 python batch?"
          % os.path.join(data_dir, name))
    return np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32), np.asarray(labels)


def load_cifar10(data_dir: str, flatten: bool = False, one_hot: bool = True,
                 normalize_range: bool = False, whiten_pixels: bool = True,
                 border_pad_size: int = 0, data_format: str = "NHWC") -> Splits:
    """Loads CIFAR-10 from the python-pickle batches (``cifar-10-python.tar.gz`` unpacked).

    ``data_batch_1`` to ``data_batch_4`` form the training set (40,000 images),
    ``data_batch_5`` the validation set and ``test_batch`` the test set.

    Args:
        data_dir: Folder holding ``data_batch_1`` ... ``data_batch_5`` and
            ``test_batch`` (or holding the ``cifar-10-batches-py`` folder that does).
        flatten: Return images as ``[N, 3072]``.
        one_hot: Return float32 one-hot labels instead of int64 indices.
        normalize_range: Divide pixel values by 255.
        whiten_pixels: Standardise each pixel with the training set's mean and std.
        border_pad_size: Zero pixels added on each side, after whitening.
        data_format: ``'NHWC'`` or ``'NCHW'`` (ignored for the layout when flattening).

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``, images float32.

    Raises:
        FileNotFoundError: Naming the missing files and where to put them.
        DeepArchitectError: On a bad ``data_format`` or padding of flattened images.
    """
    check(data_format in ("NHWC", "NCHW"),
          "load_cifar10: data_format must be 'NHWC' or 'NCHW', got %r." % (data_format,))
    check(not (flatten and border_pad_size > 0),
          "load_cifar10: border_pad_size needs images, not flattened vectors.")
    nested = os.path.join(data_dir, "cifar-10-batches-py")
    if not os.path.isfile(os.path.join(data_dir, CIFAR10_FILES[0])) and os.path.isdir(nested):
        data_dir = nested
    missing = [n for n in CIFAR10_FILES if not os.path.isfile(os.path.join(data_dir, n))]
    if missing:
        raise FileNotFoundError(
            "load_cifar10: CIFAR-10 files missing in folder %r: %s. Unpack the python "
            "version of CIFAR-10 (cifar-10-python.tar.gz) so that %s are in that folder."
            % (os.path.abspath(data_dir), ", ".join(missing), ", ".join(CIFAR10_FILES)))
    batches = [_read_cifar10_batch(data_dir, n) for n in CIFAR10_FILES]

    def prepare(parts):
        X = np.concatenate([p[0] for p in parts]).astype(np.float32)
        y = np.concatenate([p[1] for p in parts])
        if data_format == "NHWC":
            X = X.transpose(0, 2, 3, 1)
        if normalize_range:
            X /= 255.0
        if flatten:
            X = X.reshape(X.shape[0], -1)
        return X, _labels(y, one_hot, 10)

    splits = [prepare(batches[:4]), prepare(batches[4:5]), prepare(batches[5:])]
    if whiten_pixels:
        mean = splits[0][0].mean(axis=0)
        std = splits[0][0].std(axis=0)
        std[std == 0] = 1.0
        splits = [((X - mean) / std, y) for X, y in splits]
    if border_pad_size > 0:
        pad = zero_pad_border if data_format == "NHWC" else _zero_pad_nchw
        splits = [(pad(X, border_pad_size), y) for X, y in splits]
    return tuple(a for X, y in splits for a in (X.astype(np.float32), y))


def _zero_pad_nchw(X: np.ndarray, pad_size: int) -> np.ndarray:
    return zero_pad_border(X.transpose(0, 2, 3, 1), pad_size).transpose(0, 3, 1, 2)


def load_digits(flatten: bool = False, one_hot: bool = True, validation_frac: float = 0.2,
                test_frac: float = 0.2, seed: int = 0, data_format: str = "NHWC") -> Splits:
    """Loads scikit-learn's bundled 8x8 digits (1,797 images, 10 classes), offline.

    The examples are shuffled with their own ``RandomState(seed)`` (the global
    RNG is untouched), then split into train / validation / test, so the same
    seed always gives the same split.

    Args:
        flatten: Return images as ``[N, 64]`` instead of 8x8 single-channel images.
        one_hot: Return float32 one-hot labels instead of int64 indices.
        validation_frac: Fraction of the examples in the validation set.
        test_frac: Fraction of the examples in the test set.
        seed: Seed of the shuffle that defines the split.
        data_format: ``'NHWC'`` (``[N, 8, 8, 1]``) or ``'NCHW'`` (``[N, 1, 8, 8]``).

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``, pixels in ``[0, 1]``.
    """
    check(data_format in ("NHWC", "NCHW"),
          "load_digits: data_format must be 'NHWC' or 'NCHW', got %r." % (data_format,))
    check(validation_frac >= 0 and test_frac >= 0 and validation_frac + test_frac < 1,
          "load_digits: need validation_frac, test_frac >= 0 with a sum below 1, got %r, %r."
          % (validation_frac, test_frac))
    from sklearn.datasets import load_digits as sklearn_load_digits

    data = sklearn_load_digits()
    X = (data.images / 16.0).astype(np.float32)
    y = np.asarray(data.target)
    idxs = np.random.RandomState(seed).permutation(X.shape[0])
    X, y = X[idxs], y[idxs]
    if flatten:
        X = X.reshape(X.shape[0], -1)
    else:
        X = X[:, None, :, :] if data_format == "NCHW" else X[:, :, :, None]
    y = _labels(y, one_hot, 10)
    n_val = int(X.shape[0] * validation_frac)
    n_test = int(X.shape[0] * test_frac)
    n_train = X.shape[0] - n_val - n_test
    return (X[:n_train], y[:n_train], X[n_train:n_train + n_val], y[n_train:n_train + n_val],
            X[n_train + n_val:], y[n_train + n_val:])


def load_dataset(name: str, data_dir: str | None = None, flatten: bool = False,
                 one_hot: bool = True) -> Splits:
    """Loads a dataset by the name used in example configs (key ``dataset``).

    Args:
        name: ``'digits'`` (offline, bundled), ``'mnist'`` or ``'cifar10'``.
        data_dir: Folder with the dataset's files (ignored for digits; MNIST
            defaults to ``data/mnist``, CIFAR-10 to ``data/cifar10``).
        flatten: Return flat feature vectors.
        one_hot: Return one-hot labels.

    Returns:
        ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    Raises:
        DeepArchitectError: For an unknown name.
    """
    check(name in ("digits", "mnist", "cifar10"),
          "load_dataset: unknown dataset %r; expected 'digits', 'mnist' or 'cifar10'." % (name,))
    if name == "digits":
        return load_digits(flatten=flatten, one_hot=one_hot)
    if name == "mnist":
        return load_mnist(flatten=flatten, one_hot=one_hot, data_dir=data_dir)
    return load_cifar10(data_dir or os.path.join("data", "cifar10"), flatten=flatten,
                        one_hot=one_hot)
