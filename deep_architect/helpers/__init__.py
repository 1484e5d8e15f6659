"""Framework helpers: modules wrapping PyTorch, TensorFlow, Keras and scikit-learn code."""
