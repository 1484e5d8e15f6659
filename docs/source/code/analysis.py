"""Knowing a search space before training: the code of the analysis page.

Usage::

    python analysis.py [FOLDERPATH]

Everything here runs in seconds and needs no deep-learning framework except
the last part, which scores architectures with the bundled tabular benchmark.
"""

import sys
import tempfile

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.analysis import check_space, fingerprint, space_size
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher
from deep_architect.specify import specify

D = hp.Discrete


# [space]
def layer(name):
    return mo.hyperparameter_aggregator({"units": D([16, 32, 64])}, name=name)


def search_space():
    """A block repeated 1 to 3 times; each block is a layer, optionally followed by a second."""
    def block():
        return mo.siso_sequential([
            layer("Dense"),
            mo.siso_optional(lambda: layer("Dense"), D([0, 1])),
        ])
    return mo.siso_repeat(block, D([1, 2, 3]))
# [space]


# [size]
def show_size():
    print("architectures:", space_size(search_space))
    deep = lambda: mo.siso_sequential([search_space() for _ in range(40)])  # noqa: E731
    print("forty of them in a row: %.3e" % space_size(deep))
# [size]


# [check]
def buggy_space():
    """Two mistakes: both branches of the or are the same, and a dropout rate is never used."""
    D([0.1, 0.5], name="DropoutRate")
    return mo.siso_sequential([
        layer("Dense"),
        mo.siso_or([lambda: layer("Dense"), lambda: layer("Dense")], D([0, 1])),
    ])


def show_checks():
    print(check_space(buggy_space))
# [check]


# [fingerprint]
def show_fingerprints():
    # The or's first branch and its second branch with the optional layer off
    # build the same network.
    def space():
        return mo.siso_sequential([
            layer("Dense"),
            mo.siso_or([mo.identity,
                        lambda: mo.siso_optional(lambda: layer("Dense"), D([0, 1]))],
                       D([0, 1])),
        ])
    fingerprints = set()
    for value_list in ([0, 32], [1, 32, 0], [0, 64]):
        inputs, outputs = mo.SearchSpaceFactory(space).get_search_space()
        specify(outputs, value_list)
        fingerprints.add(fingerprint(inputs, outputs))
    print("3 value lists, %d different networks" % len(fingerprints))
# [fingerprint]


# [dedup]
class CountingEvaluator:
    """Pretends to train; counts how often it is asked to."""

    num_trainings = 0

    def eval(self, inputs, outputs):
        CountingEvaluator.num_trainings += 1
        units = [m.hyperps["units"].get_value() for m in mo.get_hyperparameter_aggregators(outputs)]
        return {"validation_accuracy": sum(units) / 400.0}


def search_with_dedup(folderpath):
    results = run_search(RandomSearcher(search_space, rng=0), CountingEvaluator(), 60,
                         folderpath, "dedup", dedup=True, show_progress=False)
    reused = sum("deduplicated_from" in r for r in results)
    print("60 evaluations logged, %d trained, %d reused"
          % (CountingEvaluator.num_trainings, reused))
# [dedup]


# [tabular]
def search_on_the_table():
    from deep_architect.contrib.benchmarks.generate_nb201_digits import table_space
    from deep_architect.contrib.benchmarks.tabular import TabularEvaluator
    from deep_architect.searchers.regularized_evolution import EvolutionSearcher, mutatable

    evaluator = TabularEvaluator()
    searcher = EvolutionSearcher(table_space, mutatable, 32, 8, regularized=True, rng=0)
    best = 0.0
    for _ in range(300):
        inputs, outputs, value_list, token = searcher.sample()
        results = evaluator.eval(inputs, outputs)
        searcher.update(results["validation_accuracy"], token)
        best = max(best, results["validation_accuracy"])
    print("best validation accuracy after 300 lookups: %.3f" % best)
# [tabular]


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    show_size()
    show_checks()
    show_fingerprints()
    search_with_dedup(folder)
    search_on_the_table()
