"""Searchers: strategies that choose the hyperparameter values of a search space."""
