"""A ``tf.data`` input pipeline for CIFAR-10 stored as TFRecord files (TensorFlow 2 port).

The files are ``<data_dir>/train.tfrecords``, ``validation.tfrecords`` and
``eval.tfrecords``; each record has an ``image`` feature (the 3,072 raw bytes
of one image, channel-major as in the python batches) and an integer ``label``.
Differences from the TF1 original: :meth:`Cifar10DataSet.make_batch` returns a
``tf.data.Dataset`` of ``(images, labels)`` batches to iterate over (TF2 has no
graph-mode iterators), and ``num_examples_per_epoch('train')`` is the real
40,000 (the original returned a debugging value, 512).
"""
from __future__ import annotations

import os

from deep_architect.errors import check

HEIGHT, WIDTH, DEPTH = 32, 32, 3
SUBSETS = ("train", "validation", "eval")
_PADDED_SIZE = 40  # distortion: zero-pad to 40x40, then crop a random 32x32 window


class Cifar10DataSet:
    """CIFAR-10 batches from TFRecord files.

    Args:
        data_dir: Folder holding ``<subset>.tfrecords``.
        subset: ``'train'``, ``'validation'`` or ``'eval'``.
        use_distortion: For ``'train'``, random crops (after padding) and flips.

    Raises:
        DeepArchitectError: For an unknown subset.
    """

    def __init__(self, data_dir: str, subset: str = "train", use_distortion: bool = True):
        check(subset in SUBSETS, "Cifar10DataSet: subset must be one of %s, got %r."
              % (SUBSETS, subset))
        self.data_dir = data_dir
        self.subset = subset
        self.use_distortion = use_distortion

    def get_filenames(self) -> list:
        """The TFRecord files of the subset (one file, ``<subset>.tfrecords``).

        Raises:
            FileNotFoundError: Naming the missing file.
        """
        path = os.path.join(self.data_dir, self.subset + ".tfrecords")
        if not os.path.isfile(path):
            raise FileNotFoundError("Cifar10DataSet: %s is missing; put the %s subset of "
                                    "CIFAR-10 there as a TFRecord file." % (path, self.subset))
        return [path]

    def parser(self, serialized_example):
        """Decodes one record into a float32 HWC image and an int32 label."""
        import tensorflow as tf

        features = tf.io.parse_single_example(serialized_example, {
            "image": tf.io.FixedLenFeature([], tf.string),
            "label": tf.io.FixedLenFeature([], tf.int64)})
        image = tf.io.decode_raw(features["image"], tf.uint8)
        image = tf.transpose(tf.reshape(image, [DEPTH, HEIGHT, WIDTH]), [1, 2, 0])
        return tf.cast(image, tf.float32), tf.cast(features["label"], tf.int32)

    def preprocess(self, image):
        """Random pad-and-crop and flip for distorted training data, then standardisation."""
        import tensorflow as tf

        if self.subset == "train" and self.use_distortion:
            image = tf.image.resize_with_crop_or_pad(image, _PADDED_SIZE, _PADDED_SIZE)
            image = tf.image.random_crop(image, [HEIGHT, WIDTH, DEPTH])
            image = tf.image.random_flip_left_right(image)
        return tf.image.per_image_standardization(image)

    def make_batch(self, batch_size: int):
        """A dataset of ``(images [batch, 32, 32, 3], labels [batch])`` batches.

        Training data repeats forever, shuffled; full batches only.
        """
        import tensorflow as tf

        dataset = tf.data.TFRecordDataset(self.get_filenames())
        if self.subset == "train":
            dataset = dataset.cache().shuffle(
                int(0.4 * self.num_examples_per_epoch(self.subset)) + 3 * batch_size).repeat()

        def parse_and_preprocess(record):
            image, label = self.parser(record)
            return self.preprocess(image), label

        dataset = dataset.map(parse_and_preprocess, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

    @staticmethod
    def num_examples_per_epoch(subset: str = "train") -> int:
        """40,000 for ``'train'``, 10,000 for ``'validation'`` and ``'eval'``."""
        check(subset in SUBSETS, "Cifar10DataSet.num_examples_per_epoch: unknown subset %r."
              % (subset,))
        return 40000 if subset == "train" else 10000
