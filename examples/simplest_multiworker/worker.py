"""Evaluates the configurations the master logged: ids worker_id, worker_id + num_workers, ...

Run from the repository root, one process per worker (see run.sh):
    python examples/simplest_multiworker/worker.py \\
        --config_filepath examples/simplest_multiworker/configs/debug.json \\
        --worker_id 0 --num_workers 2
Evaluations that already have results are skipped, so rerunning a worker is safe.
"""
from __future__ import annotations

from evaluator import get_evaluator
from search_space import search_space_fn

import deep_architect.search_logging as sl
import deep_architect.searchers.common as seco
import deep_architect.utils as ut


def main():
    cmd = ut.CommandLineArgs()
    cmd.add("config_filepath", "str")
    cmd.add("worker_id", "int")
    cmd.add("num_workers", "int")
    args = cmd.parse()
    config = ut.read_jsonfile(args["config_filepath"])
    evaluator = get_evaluator(config, "worker%d" % args["worker_id"])
    for evaluation_id in range(args["worker_id"], config["num_samples"], args["num_workers"]):
        logger = sl.EvaluationLogger(config["folderpath"], config["search_name"], evaluation_id,
                                     abort_if_notexists=True)
        if logger.results_exist():
            continue
        inputs, outputs = search_space_fn()
        seco.specify(outputs, logger.read_config()["hyperp_value_lst"])
        logger.log_results(evaluator.eval(inputs, outputs))


if __name__ == "__main__":
    main()
