"""The original TensorFlow-eager search-space module paths, kept importable.

Bound to TensorFlow when imported, like those of
:mod:`deep_architect.contrib.misc.search_spaces.tensorflow` (see there).
"""
