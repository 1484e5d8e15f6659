"""Surrogate models predicting an architecture's score from its features."""
