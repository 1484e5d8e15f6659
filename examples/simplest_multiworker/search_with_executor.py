"""The same search with deep_architect.search_loop.run_search: asynchronous and crash-safe.

One command runs the master and its workers; kill it at any moment and run the
same command again to resume (finished evaluations are kept, interrupted ones
re-run, the searcher restored). From the repository root:

    python examples/simplest_multiworker/search_with_executor.py \\
        --config_filepath examples/simplest_multiworker/configs/debug.json \\
        --executor process --num_workers 2

``--executor`` is ``in_process`` (evaluations in this process), ``process``
(local worker processes; ``--gpus`` pins one GPU per worker) or ``ray``
(``--ray_address auto`` joins an existing Ray cluster, otherwise Ray starts locally).

The search folder is ``<folderpath>/<search_name>_run_search``. The config's
``delete_if_exists`` is ignored here, since deleting would defeat resuming:
delete the folder yourself to start over.
"""
from __future__ import annotations

import os

from evaluator import EvaluatorFactory
from search_space import get_search_space

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.executors.in_process import InProcessExecutor
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.executors.ray_cluster import RayExecutor
from deep_architect.search_loop import is_failed_results, run_search
from deep_architect.searchers.random import RandomSearcher


def get_executor(args):
    if args["executor"] == "process":
        return ProcessExecutor(num_workers=args["num_workers"],
                               gpu_ids="auto" if args["gpus"] else None)
    if args["executor"] == "ray":
        # Ray workers import this example's modules, so they need its folder on their path.
        example_folderpath = os.path.dirname(os.path.abspath(__file__))
        runtime_env = {"env_vars": {"PYTHONPATH": example_folderpath}}
        return RayExecutor(address=args["ray_address"], num_workers=args["num_workers"],
                           num_gpus=1 if args["gpus"] else 0,
                           init_kwargs={"runtime_env": runtime_env})
    return InProcessExecutor()


def main():
    cmd = ut.CommandLineArgs()
    cmd.add("config_filepath", "str")
    cmd.add("executor", "str", default_value="process", optional=True,
            valid_value_lst=["in_process", "process", "ray"])
    cmd.add("num_workers", "int", default_value=2, optional=True)
    cmd.add("gpus", "int", default_value=0, optional=True, help="1: one GPU per worker")
    cmd.add("ray_address", "str", optional=True)
    args = cmd.parse()
    config = ut.read_jsonfile(args["config_filepath"])
    results = run_search(RandomSearcher(get_search_space),
                         EvaluatorFactory(config), config["num_samples"], config["folderpath"],
                         config["search_name"] + "_run_search", executor=get_executor(args),
                         max_retries=1)
    scores = [r["validation_accuracy"] for r in results if not is_failed_results(r)]
    print("evaluations: %d, failed: %d, best validation accuracy: %.4f" % (
        len(results), len(results) - len(scores), max(scores, default=float("nan"))))
    print("logs:", sl.get_search_folderpath(config["folderpath"],
                                            config["search_name"] + "_run_search"))


if __name__ == "__main__":
    main()
