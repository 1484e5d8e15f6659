"""Training-based evaluators of classifiers, one subpackage per framework."""
