"""Search spaces of the benchmarks, by name, scaled down to run on a CPU in minutes.

Every entry maps a name to ``get_<name>_search_space_fn(num_classes)``, which
returns a zero-argument function producing a fresh ``(inputs, outputs)`` pair
(searchers wrap it in ``SearchSpaceFactory``). The paper's four spaces are the
``"cpu"`` size of :mod:`deep_architect.contrib.misc.search_spaces.catalog` (the
papers' structure with fewer filters and cells); ``dnn`` and ``conv`` are the
original benchmark's spaces. Images are NCHW (the PyTorch backend).
"""
from __future__ import annotations

from deep_architect.contrib.misc.search_spaces.catalog import search_space_fns


def _getter(catalog_name):
    def get_search_space_fn(num_classes):
        return search_space_fns("cpu", num_classes)[catalog_name]
    return get_search_space_fn


# The example's name for a space, then the catalog's.
name_to_search_space_fn = {name: _getter(catalog_name) for name, catalog_name in [
    ("dnn", "dnn"), ("conv", "cnn2d"), ("genetic", "genetic"), ("flat", "flat"),
    ("nasbench", "nasbench"), ("nasnet", "nasnet")]}
