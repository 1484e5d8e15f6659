"""The original TensorFlow search-space module paths, kept importable."""
