"""Executors: where the search loop runs evaluations (in process, process pool, Ray)."""
