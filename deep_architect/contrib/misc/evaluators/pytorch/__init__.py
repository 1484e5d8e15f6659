"""PyTorch evaluators."""
