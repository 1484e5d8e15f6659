"""The contrib search spaces by name, at three sizes.

``"paper"`` is each paper's configuration (sized for GPUs and CIFAR-10);
``"cpu"`` keeps every space's structure (cells, motifs, connection bits,
operation sets) with fewer filters and cells, to search on a CPU in minutes;
``"tiny"`` is the smallest instance of each structure, for tests.

Example:
    >>> from deep_architect.contrib.misc.search_spaces.catalog import search_space_fns
    >>> sorted(search_space_fns("tiny"))
    ['cnn2d', 'dnn', 'flat', 'genetic', 'hierarchical', 'nasbench', 'nasnet']
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import deep_architect.modules as mo
from deep_architect.contrib.deep_learning_backend.general_ops import Fragment
from deep_architect.contrib.misc.search_spaces import (
    cnn2d,
    dnn,
    genetic_space,
    hierarchical_space,
    nasbench_space,
    nasnet_space,
)
from deep_architect.errors import check
from deep_architect.hyperparameters import Discrete as D

SIZES = ("tiny", "cpu", "paper")

# Per size, the leading arguments of each space's generator (num_classes comes last).
_CNN2D_REDUCTIONS = {"tiny": [1, 2], "cpu": [1, 2], "paper": [2, 3, 4]}
_GENETIC = {"tiny": ([3, 4], [4, 8], [3, 3]),
            "cpu": ([3, 4, 5], [8, 16, 32], [3, 3, 3]),
            "paper": ([3, 4, 5], [64, 128, 256], [5, 5, 5])}
_MOTIF_C0 = {"tiny": 4, "cpu": 4, "paper": 64}
_NASBENCH = {"tiny": (2, 1, 5, 4), "cpu": (2, 1, 5, 8), "paper": (3, 3, 5, 128)}
_NASNET = {"tiny": (3, 2, 1, 4, 1.0), "cpu": (5, 2, 1, 8, 1.0), "paper": (5, 18, 2, 36, 3.0)}


def _cnn2d(num_spatial_reductions: Sequence[int], num_classes: int) -> Fragment:
    return mo.siso_sequential([cnn2d.conv_net(D(list(num_spatial_reductions))),
                               cnn2d.spatial_squeeze(D(["max", "avg"]), D([num_classes]))])


def search_space_fns(size: str = "paper",
                     num_classes: int = 10) -> dict[str, Callable[[], Fragment]]:
    """Every contrib search space at one size, by name.

    Args:
        size: ``"tiny"``, ``"cpu"`` or ``"paper"`` (see the module docstring).
        num_classes: Number of classes of the networks' classifiers.

    Returns:
        Name (``dnn``, ``cnn2d``, ``genetic``, ``flat``, ``hierarchical``,
        ``nasbench``, ``nasnet``) to a zero-argument function returning a fresh
        ``(inputs, outputs)`` fragment (for ``SearchSpaceFactory``).
    """
    check(size in SIZES, "search_space_fns: size must be one of %s, got %r", SIZES, size)
    c0 = _MOTIF_C0[size]
    return {
        "dnn": partial(dnn.dnn_net, num_classes),
        "cnn2d": partial(_cnn2d, _CNN2D_REDUCTIONS[size], num_classes),
        "genetic": partial(genetic_space.generate_search_space, *_GENETIC[size], num_classes),
        "flat": partial(hierarchical_space.flat_search_space, num_classes, c0=c0),
        "hierarchical": partial(hierarchical_space.hierarchical_search_space, num_classes,
                                c0=c0),
        "nasbench": partial(nasbench_space.generate_search_space, *_NASBENCH[size], num_classes),
        "nasnet": partial(nasnet_space.generate_search_space, *_NASNET[size], num_classes),
    }
