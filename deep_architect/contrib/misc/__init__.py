"""Datasets, evaluators, search spaces and calibration helpers for the examples."""
