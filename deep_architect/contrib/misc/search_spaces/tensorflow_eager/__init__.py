"""The original TensorFlow-eager search-space module paths, kept importable."""
