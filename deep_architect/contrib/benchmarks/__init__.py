"""Tabular benchmarks: search spaces whose every architecture was trained in advance."""
