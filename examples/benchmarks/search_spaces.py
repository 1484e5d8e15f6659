"""Search spaces of the benchmarks, by name, scaled down to run on a CPU in minutes.

Every entry maps a name to ``get_<name>_search_space_fn(num_classes)``, which
returns a zero-argument function producing a fresh ``(inputs, outputs)`` pair
(searchers wrap it in ``SearchSpaceFactory``). The paper's four spaces keep
their structure (cells, motifs, connection bits, operation sets) but use fewer
filters and cells than on CIFAR-10 with GPUs; ``dnn`` and ``conv`` are the
original benchmark's spaces. Images are NCHW (the PyTorch backend).
"""
from __future__ import annotations

from functools import partial

from deep_architect.contrib.misc.search_spaces import (
    cnn2d,
    dnn,
    genetic_space,
    hierarchical_space,
    nasbench_space,
    nasnet_space,
)
from deep_architect.hyperparameters import Discrete as D
from deep_architect.modules import siso_sequential


def _dnn(num_classes):
    return dnn.dnn_net(num_classes)


def _conv(num_classes):
    return siso_sequential([cnn2d.conv_net(D([1, 2])),
                            cnn2d.spatial_squeeze(D(["max", "avg"]), D([num_classes]))])


def _genetic(num_classes):
    # Paper: stages of 3, 4, 5 nodes with 64, 128, 256 filters of size 5.
    return genetic_space.generate_search_space([3, 4, 5], [8, 16, 32], [3, 3, 3], num_classes)


def _flat(num_classes):
    # Paper: c0 = 64.
    return hierarchical_space.flat_search_space(num_classes, c0=4)


def _nasbench(num_classes):
    # Paper: 3 stacks of 3 cells, 128 initial filters.
    return nasbench_space.generate_search_space(2, 1, 5, 8, num_classes)


def _nasnet(num_classes):
    # Paper: 18 normal and 2 reduction cells, 36 filters, stem multiplier 3.
    return nasnet_space.generate_search_space(5, 2, 1, 8, 1.0, num_classes)


def _getter(space_fn):
    def get_search_space_fn(num_classes):
        return partial(space_fn, num_classes)
    return get_search_space_fn


name_to_search_space_fn = {name: _getter(fn) for name, fn in [
    ("dnn", _dnn), ("conv", _conv), ("genetic", _genetic), ("flat", _flat),
    ("nasbench", _nasbench), ("nasnet", _nasnet)]}
