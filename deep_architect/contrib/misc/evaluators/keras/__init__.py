"""Keras evaluators."""
