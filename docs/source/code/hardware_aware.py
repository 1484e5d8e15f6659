"""Training-free and hardware-aware search: the code of the hardware-aware page.

Usage::

    python hardware_aware.py

Scores a few architectures with zero-cost proxies, puts a proxy filter in front
of random search, measures a latency table, and runs a two-objective search
(accuracy vs latency) under a hard latency budget. The "accuracy" is the
NASWOT proxy so that the page runs in seconds; use a training evaluator in
practice (see ``examples/hardware_aware``).
"""

import os

import numpy as np
import torch
from torch import nn

import deep_architect.helpers.pytorch_support as hpt
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
from deep_architect.hardware import LatencyTable, latency_penalty
from deep_architect.report import generate_report
from deep_architect.search_loop import run_search
from deep_architect.searchers.common import random_specify
from deep_architect.searchers.constrained import ConstrainedSearcher
from deep_architect.searchers.nsga2 import NSGA2Searcher
from deep_architect.searchers.random import RandomSearcher
from deep_architect.searchers.regularized_evolution import mutatable
from deep_architect.zero_cost import ProxyFilteredSearcher, ZeroCostEvaluator

D = hp.Discrete


# [space]
def layer(h_units):
    return hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.LazyLinear,
                                                         {"out_features": h_units})


def search_space():
    """An MLP on 64 features (8x8 digits): 1-3 hidden layers, widths and activations."""
    def block():
        return mo.siso_sequential([
            layer(D([16, 64, 256], name="Mutatable")),
            hpt.siso_pytorch_module_from_pytorch_layer_fn(nn.ReLU, {})])
    return mo.siso_sequential([mo.siso_repeat(block, D([1, 2, 3], name="Mutatable_sub")),
                               layer(D([10]))])
# [space]


def main():
    np.random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(1)

    # [proxies]
    evaluator = ZeroCostEvaluator(["synflow", "snip", "naswot", "num_params"], (32, 64))
    for _ in range(3):
        inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
        values = random_specify(outputs)
        scores = evaluator.eval(inputs, outputs)
        print(values, {k: round(v, 2) for k, v in scores.items()})
    # [proxies]

    # [filter]
    searcher = ProxyFilteredSearcher(RandomSearcher(search_space), "snip", num_candidates=8,
                                     input_shape_or_batch=(32, 64))
    inputs, outputs, values, token = searcher.sample()
    print("handed out", values, "snip", round(token["proxy_value"], 3),
          "after scoring", searcher.num_scored, "candidates")
    searcher.update(0.9, token)  # the real result, after training
    # [filter]

    # [latency table]
    table = LatencyTable((64,), filepath=os.path.join("logs", "latency_table.json"),
                         batch_size=1, num_threads=1, num_repeats=5)
    latencies = []
    for _ in range(5):
        inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
        random_specify(outputs)
        latencies.append(table.predict(inputs, outputs))
        print("predicted latency: %.4f ms" % latencies[-1])
    table.save()
    print("table: %d entries, saved to %s" % (len(table), table.filepath))
    # [latency table]

    # [multi-objective]
    class Evaluator:
        def __init__(self):
            self.proxy = ZeroCostEvaluator(["naswot"], (32, 64))

        def eval(self, inputs, outputs):
            score = self.proxy.eval(inputs, outputs)["naswot"]  # stands in for accuracy
            latency = table.predict(inputs, outputs)
            return {"score": score, "latency_ms": latency,
                    "penalized": latency_penalty(max(score, 0.0), latency, target=budget)}

    objectives = {"score": "max", "latency_ms": "min"}
    budget = float(np.percentile(latencies, 75))  # some architectures exceed it on any machine
    searcher = ConstrainedSearcher(
        NSGA2Searcher(search_space, objectives, mutatable, population_size=6, rng=0),
        table.predict, max_cost=budget, rejected_value={"score": -1e3, "latency_ms": budget})
    run_search(searcher, Evaluator(), 16, "logs", "hardware_aware", metric=list(objectives),
               show_progress=False)
    print("rejected before evaluation:", searcher.num_rejected)
    front = sl.read_pareto_front(os.path.join("logs", "hardware_aware"), objectives)
    for f in front:
        print("front: x%d score %.2f latency %.4f ms" % (
            f["evaluation_id"], f["results"]["score"], f["results"]["latency_ms"]))
    print("report:", generate_report(os.path.join("logs", "hardware_aware"), metric="score",
                                     objectives=objectives))
    # [multi-objective]


if __name__ == "__main__":
    main()
