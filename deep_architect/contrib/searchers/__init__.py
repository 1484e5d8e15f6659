"""Searchers that bring other libraries' optimisers to deep_architect search spaces."""
