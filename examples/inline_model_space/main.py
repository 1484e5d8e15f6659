"""The seed paper's NNI-style example: a searchable network written inline in PyTorch.

``SearchableNet`` (see ``searchable_net.py``) marks its decisions where its
layers are declared: the first convolution's kernel size, a channel count
shared by two convolutions, and the pooling operation. ``SearchableNet.search_space_fn()``
turns it into a deep_architect search space, so any searcher runs on it; the
``deep_architect.Experiment`` facade runs the search on scikit-learn's digits,
logs it, prints the best architectures by their labels and exports them as
plain ``SearchableNet`` models.

Run from the repository root:

    python examples/inline_model_space/main.py \\
        --config_filepath examples/inline_model_space/configs/debug.json

Config keys: ``searcher`` (``"random"``, ``"mcts"``, ``"smbo"``, ``"evolution"``
or ``"genetic"``), ``num_samples``, ``num_epochs`` (training epochs per
evaluation), ``folderpath``, ``search_name``, ``delete_if_exists`` (start over
instead of resuming), ``num_exported`` (how many of the best models to export),
``seed``.
"""
from __future__ import annotations

import os

import numpy as np
import torch
from searchable_net import DigitsEvaluator, SearchableNet

import deep_architect as da
import deep_architect.utils as ut


def make_searcher(name, search_space_fn):
    """The searcher named in the config, with settings suited to a small space."""
    if name == "random":
        from deep_architect.searchers.random import RandomSearcher

        return RandomSearcher(search_space_fn)
    if name == "mcts":
        from deep_architect.searchers.mcts import MCTSSearcher

        return MCTSSearcher(search_space_fn, exploration_bonus=0.5)
    if name == "smbo":
        from deep_architect.searchers.smbo_random import SMBOSearcher
        from deep_architect.surrogates.hashing import HashingSurrogate

        return SMBOSearcher(search_space_fn, HashingSurrogate(1024, 1), 16, 0.1)
    if name == "evolution":
        from deep_architect.searchers.regularized_evolution import (
            EvolutionSearcher,
            mutatable,
        )

        return EvolutionSearcher(search_space_fn, mutatable, 8, 3, regularized=True)
    if name == "genetic":
        from deep_architect.contrib.searchers.genetic import GeneticSearcher

        return GeneticSearcher(search_space_fn, population_size=8, tournament_size=3,
                               mutation_rate=0.3, crossover_prob=0.5)
    raise SystemExit("unknown searcher %r; expected random, mcts, smbo, evolution or genetic"
                     % name)


def main(cfg):
    np.random.seed(cfg.get("seed", 0))
    torch.manual_seed(cfg.get("seed", 0))
    search_folderpath = os.path.join(cfg["folderpath"], cfg["search_name"])
    if cfg.get("delete_if_exists", 0):
        ut.delete_folder(search_folderpath, abort_if_nonempty=False, abort_if_notexists=False)

    search_space_fn = SearchableNet.search_space_fn(num_classes=10)
    experiment = da.Experiment(search_space_fn, DigitsEvaluator(cfg["num_epochs"]),
                               make_searcher(cfg["searcher"], search_space_fn),
                               cfg["folderpath"], cfg["search_name"])
    results = experiment.run(cfg["num_samples"])
    for i, r in enumerate(results):
        print("evaluation %d: validation accuracy %.4f" % (i, r["validation_accuracy"]))

    for rank, entry in enumerate(experiment.best(cfg["num_exported"])):
        print("best #%d: evaluation %d, validation accuracy %.4f, %s"
              % (rank, entry.evaluation_id, entry.score, entry.labeled_values))
    for folder in experiment.export_top_models(cfg["num_exported"], os.path.join(
            search_folderpath, "exported_%d" % len(results))):
        print("exported to %s" % folder)
    # The final model of the search, in one call: a plain SearchableNet to train further.
    model = experiment.load(experiment.best(1)[0].evaluation_id).model
    print("final model: %s with %d parameters"
          % (type(model).__name__, sum(p.numel() for p in model.parameters())))


if __name__ == "__main__":
    main(ut.get_config())
