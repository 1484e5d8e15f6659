"""Tests for contrib/misc/datasets: InMemoryDataset, loaders (on generated files), augmentation."""
from __future__ import annotations

import gzip
import os
import pickle
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_architect.contrib.misc.datasets import augmentation as aug
from deep_architect.contrib.misc.datasets import loaders
from deep_architect.contrib.misc.datasets.dataset import InMemoryDataset
from deep_architect.errors import DeepArchitectError


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       seed=st.integers(0, 1000))
def test_in_memory_dataset_epochs_cover_every_example_once(n, batch_size, shuffle, seed):
    np.random.seed(seed)
    X = np.arange(n)
    ds = InMemoryDataset(X, X * 10, shuffle)
    for _ in range(2):
        seen = []
        while True:
            Xb, yb = ds.next_batch(batch_size)
            assert 1 <= len(Xb) <= batch_size
            assert np.array_equal(yb, Xb * 10)  # X and y permuted together
            seen.extend(Xb.tolist())
            if ds.iter_i == 0:
                break
        assert sorted(seen) == list(range(n))
        assert len(seen) == n


def test_in_memory_dataset_short_last_batch_and_transform():
    ds = InMemoryDataset(np.arange(5), np.arange(5), False,
                         batch_transform_fn=lambda X, y: (X + 100, y))
    assert ds.get_num_examples() == 5
    assert [ds.next_batch(2)[0].tolist() for _ in range(4)] == [[100, 101], [102, 103], [104],
                                                               [100, 101]]


def test_in_memory_dataset_rejects_mismatched_lengths():
    with pytest.raises(DeepArchitectError, match="5 examples but y has 4"):
        InMemoryDataset(np.zeros(5), np.zeros(4), True)


def _write_idx(path, arr):
    header = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(">%dI" % arr.ndim, *arr.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


def _make_mnist(folder, n_train=20, n_test=6, gz=True):
    rng = np.random.RandomState(0)
    arrays = {"train_images": rng.randint(0, 256, (n_train, 28, 28)),
              "train_labels": np.arange(n_train) % 10,
              "test_images": rng.randint(0, 256, (n_test, 28, 28)),
              "test_labels": (np.arange(n_test) + 3) % 10}
    for key, name in loaders.MNIST_FILES.items():
        _write_idx(os.path.join(folder, name + (".gz" if gz else "")), arrays[key])
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_reads_idx_files(tmp_path, gz):
    arrays = _make_mnist(str(tmp_path), gz=gz)
    Xtr, ytr, Xva, yva, Xte, yte = loaders.load_mnist(data_dir=str(tmp_path),
                                                      validation_frac=0.25)
    assert Xtr.shape == (15, 28, 28, 1) and Xva.shape == (5, 28, 28, 1)
    assert Xte.shape == (6, 28, 28, 1) and Xtr.dtype == np.float32
    np.testing.assert_allclose(Xva[:, :, :, 0] * 255, arrays["train_images"][15:], atol=1e-3)
    assert ytr.shape == (15, 10) and np.array_equal(ytr.argmax(1), np.arange(15) % 10)
    assert np.array_equal(yte.argmax(1), arrays["test_labels"])


def test_load_mnist_positional_folder_string_means_flattened(tmp_path):
    _make_mnist(str(tmp_path))
    Xtr, ytr, _, _, Xte, _ = loaders.load_mnist(str(tmp_path))
    assert Xtr.shape == (18, 784) and Xte.shape == (6, 784) and ytr.shape == (18, 10)
    Xtr, ytr, *_ = loaders.load_mnist(flatten=False, one_hot=False, data_dir=str(tmp_path))
    assert ytr.dtype == np.int64 and ytr.tolist() == (np.arange(18) % 10).tolist()


def test_load_mnist_missing_files_message_says_where(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        loaders.load_mnist(data_dir=str(tmp_path / "nowhere"))
    msg = str(e.value)
    assert "t10k-labels-idx1-ubyte" in msg and "nowhere" in msg


def test_read_idx_rejects_bad_header(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x02ab")
    with pytest.raises(DeepArchitectError, match="bad magic"):
        loaders.read_idx_file(str(p))


def _make_cifar(folder, n=4):
    rng = np.random.RandomState(1)
    for i, name in enumerate(loaders.CIFAR10_FILES):
        d = {b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
             b"labels": [(i + k) % 10 for k in range(n)]}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(d, f)


def test_load_cifar10_layouts_whitening_and_padding(tmp_path):
    nested = tmp_path / "cifar-10-batches-py"
    nested.mkdir()
    _make_cifar(str(nested))
    Xtr, ytr, Xva, yva, Xte, yte = loaders.load_cifar10(str(tmp_path), whiten_pixels=False,
                                                        normalize_range=True)
    assert Xtr.shape == (16, 32, 32, 3) and Xva.shape == (4, 32, 32, 3)
    assert Xte.shape == (4, 32, 32, 3) and 0 <= Xtr.min() and Xtr.max() <= 1
    assert ytr.argmax(1).tolist()[:4] == [0, 1, 2, 3] and yte.argmax(1).tolist()[0] == 5
    with open(str(nested / "data_batch_1"), "rb") as f:
        raw = pickle.load(f)[b"data"].reshape(-1, 3, 32, 32)
    np.testing.assert_allclose(Xtr[0, 5, 7, 2] * 255, raw[0, 2, 5, 7], atol=1e-3)
    Xtr, _, Xva, _, _, _ = loaders.load_cifar10(str(nested), border_pad_size=2,
                                                data_format="NCHW")
    assert Xtr.shape == (16, 3, 36, 36) and np.all(Xtr[:, :, :2, :] == 0)
    inner = Xtr[:, :, 2:-2, 2:-2]
    np.testing.assert_allclose(inner.mean(axis=0), 0, atol=1e-4)


def test_load_cifar10_missing_files_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="test_batch"):
        loaders.load_cifar10(str(tmp_path))


def test_load_digits_split_is_fixed_and_disjoint():
    a = loaders.load_digits()
    b = loaders.load_digits(one_hot=False, flatten=True)
    Xtr, ytr, Xva, yva, Xte, yte = a
    assert Xtr.shape[1:] == (8, 8, 1) and len(Xtr) + len(Xva) + len(Xte) == 1797
    assert len(Xva) == int(1797 * 0.2) and 0 <= Xtr.min() and Xtr.max() <= 1
    np.testing.assert_array_equal(Xtr.reshape(len(Xtr), -1), b[0])
    np.testing.assert_array_equal(ytr.argmax(1), b[1])
    from sklearn.datasets import load_digits
    perm = np.random.RandomState(0).permutation(1797)  # the documented split
    np.testing.assert_array_equal(np.concatenate([b[1], b[3], b[5]]), load_digits().target[perm])
    assert loaders.load_digits(data_format="NCHW")[0].shape[1:] == (1, 8, 8)
    c = loaders.load_digits(seed=1)
    assert not np.array_equal(c[1], ytr)


def test_load_dataset_dispatch_and_unknown_name():
    assert loaders.load_dataset("digits")[0].shape[1:] == (8, 8, 1)
    with pytest.raises(DeepArchitectError, match="unknown dataset 'svhn'"):
        loaders.load_dataset("svhn")


@settings(max_examples=30, deadline=None)
@given(idx=st.lists(st.integers(0, 6), min_size=1, max_size=20))
def test_onehot_roundtrip(idx):
    y = aug.idx_to_onehot(np.array(idx), 7)
    assert y.dtype == np.float32 and y.sum() == len(idx)
    assert aug.onehot_to_idx(y).tolist() == idx


def test_idx_to_onehot_rejects_out_of_range():
    with pytest.raises(DeepArchitectError, match=r"\[0, 3\)"):
        aug.idx_to_onehot(np.array([0, 3]), 3)


def test_crops_flips_whitening_padding():
    np.random.seed(0)
    X = np.arange(2 * 5 * 6 * 1, dtype=np.float32).reshape(2, 5, 6, 1)
    c = aug.center_crop(X, 3, 3)
    np.testing.assert_array_equal(c[0, :, :, 0], X[0, 1:4, 1:4, 0])
    r = aug.random_crop(X, 2, 2)
    assert r.shape == (2, 2, 2, 1)
    for i in range(2):  # every crop is a contiguous window of its own image
        hits = [(t, s) for t in range(4) for s in range(5)
                if np.array_equal(X[i, t:t + 2, s:s + 2], r[i])]
        assert hits
    f = aug.random_flip_left_right(X, 1.0)
    np.testing.assert_array_equal(f, X[:, :, ::-1, :])
    assert np.array_equal(aug.random_flip_left_right(X, 0.0), X)
    w = aug.per_image_whiten(X)
    np.testing.assert_allclose(w.reshape(2, -1).mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(w.reshape(2, -1), axis=1), 1, atol=1e-5)
    p = aug.zero_pad_border(X, 2)
    assert p.shape == (2, 9, 10, 1) and p.dtype == np.float32 and p[:, :2].sum() == 0
    with pytest.raises(DeepArchitectError, match="does not fit"):
        aug.center_crop(X, 6, 6)


CIFAR_TF_SCRIPT = """
import os, sys
import numpy as np
import tensorflow as tf
from deep_architect.contrib.misc.datasets.cifar10_tf import Cifar10DataSet
folder = sys.argv[1]
rng = np.random.RandomState(0)
images = rng.randint(0, 256, (6, 3072)).astype(np.uint8)
for subset in ["train", "eval"]:
    with tf.io.TFRecordWriter(os.path.join(folder, subset + ".tfrecords")) as w:
        for i in range(6):
            feats = {"image": tf.train.Feature(bytes_list=tf.train.BytesList(
                         value=[images[i].tobytes()])),
                     "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i]))}
            w.write(tf.train.Example(features=tf.train.Features(feature=feats))
                    .SerializeToString())
ev = list(Cifar10DataSet(folder, "eval").make_batch(4))
assert len(ev) == 1, len(ev)  # 6 examples, full batches only
x, y = ev[0]
assert x.shape == (4, 32, 32, 3) and y.numpy().tolist() == [0, 1, 2, 3]
raw = images[1].reshape(3, 32, 32).transpose(1, 2, 0).astype(np.float32)
expected = (raw - raw.mean()) / max(raw.std(), 1.0 / np.sqrt(raw.size))
np.testing.assert_allclose(x[1].numpy(), expected, rtol=1e-4, atol=1e-4)
train = iter(Cifar10DataSet(folder, "train").make_batch(4))
for _ in range(3):  # repeats forever
    xb, yb = next(train)
    assert xb.shape == (4, 32, 32, 3)
print("OK")
"""


def test_cifar10_tf_pipeline_on_generated_tfrecords(tmp_path):
    import importlib.util
    import subprocess
    import sys
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    from deep_architect.contrib.misc.datasets.cifar10_tf import Cifar10DataSet
    assert Cifar10DataSet.num_examples_per_epoch("train") == 40000
    with pytest.raises(FileNotFoundError, match="validation.tfrecords"):
        Cifar10DataSet(str(tmp_path), "validation").get_filenames()
    with pytest.raises(DeepArchitectError, match="subset"):
        Cifar10DataSet(str(tmp_path), "test")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", CIFAR_TF_SCRIPT, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]
