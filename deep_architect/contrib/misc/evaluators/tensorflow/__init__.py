"""TensorFlow evaluators."""
