"""Running searches in parallel: the code of the parallel-search page.

Usage::

    python parallel.py [FOLDERPATH]          # process pool, then master + workers, in ./logs
    python parallel.py worker WORKER_ID NUM_WORKERS FOLDERPATH SEARCH_NAME
    python parallel.py ray ADDRESS [FOLDERPATH]   # ADDRESS: 'auto' (this machine's cluster),
                                                  # host:port, or 'local' (start Ray here)
    mpiexec -n 3 python parallel.py mpi [FOLDERPATH]

The evaluation is a made-up score so that the example needs no framework and
runs in seconds; replace ``ToyEvaluator`` by a real one.
"""

import os
import subprocess
import sys
import time

import numpy as np

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.searchers.common as seco
from deep_architect.executors.common import current_evaluation
from deep_architect.executors.process_pool import ProcessExecutor
from deep_architect.search_loop import run_search
from deep_architect.searchers.random import RandomSearcher
from deep_architect.searchers.successive_narrowing import SuccessiveNarrowing, num_evaluations

D = hp.Discrete


# [space and evaluator]
def search_space():
    def layer():
        return mo.hyperparameter_aggregator({"units": D([16, 32, 64]), "kind": D(["a", "b"])},
                                            name="Layer")
    return mo.siso_repeat(layer, D([1, 2, 3]))


class ToyEvaluator:
    """Pretends to train: sleeps a little and scores the architecture."""

    def eval(self, inputs, outputs):
        layers = mo.get_hyperparameter_aggregators(outputs)
        time.sleep(0.05)
        score = sum(np.log2(m.hyperps["units"].get_value()) for m in layers
                    if m.hyperps["kind"].get_value() == "a")
        return {"validation_accuracy": float(score) / 18, "num_layers": len(layers),
                "pid": os.getpid()}
# [space and evaluator]


# [run search]
def search_with_processes(folderpath, num_samples=12):
    searcher = RandomSearcher(search_space)
    results = run_search(searcher, ToyEvaluator, num_samples, folderpath,
                         "process_pool", executor=ProcessExecutor(num_workers=2),
                         show_progress=False)
    # Running the same call again (for instance after a crash) resumes the search;
    # on a finished search it only reads back the results.
    again = run_search(RandomSearcher(search_space), ToyEvaluator, num_samples,
                       folderpath, "process_pool", show_progress=False)
    assert again == results
    return results
# [run search]


# [master]
def master(folderpath, search_name, num_samples):
    """Samples every architecture up front and logs its configuration."""
    searcher = RandomSearcher(search_space)
    search_logger = sl.SearchLogger(folderpath, search_name, delete_if_exists=True,
                                    abort_if_exists=False)
    for evaluation_id in range(num_samples):
        _, _, hyperp_value_lst, token = searcher.sample()
        search_logger.get_evaluation_logger(evaluation_id).log_config(hyperp_value_lst, token)
# [master]


# [worker]
def worker(worker_id, num_workers, folderpath, search_name):
    """Evaluates the logged configurations whose id is worker_id modulo num_workers."""
    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    evaluator = ToyEvaluator()
    for evaluation_id in sl.list_evaluation_ids(search_folderpath)[worker_id::num_workers]:
        logger = sl.EvaluationLogger(folderpath, search_name, evaluation_id,
                                     abort_if_notexists=True)
        if logger.results_exist():
            continue  # done by an earlier run of this worker
        inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
        seco.specify(outputs, logger.read_config()["hyperp_value_lst"])
        logger.log_results(evaluator.eval(inputs, outputs))
# [worker]


# [rounds]
class BudgetedToyEvaluator(ToyEvaluator):
    """Trains for the budget the searcher gave this evaluation (here: just reports it)."""

    def eval(self, inputs, outputs):
        results = ToyEvaluator.eval(self, inputs, outputs)
        results["budget"] = current_evaluation().budget  # e.g. the number of epochs
        return results


def search_in_rounds(folderpath):
    # 8 architectures with budget 1, the best 4 with budget 2, the best 2 with budget 4.
    searcher = SuccessiveNarrowing(search_space, num_initial_samples=8, reduction_factor=0.5,
                                   initial_budget=1, budget_increase_factor=2)
    return run_search(searcher, BudgetedToyEvaluator(), num_evaluations(8, 0.5, 3),
                      folderpath, "rounds", executor=ProcessExecutor(num_workers=2),
                      show_progress=False)
# [rounds]


# [ray]
def search_on_ray_cluster(address, folderpath, num_samples=12):
    from deep_architect.executors.ray_cluster import RayExecutor

    # One CPU per evaluation; add num_gpus=1 to give each evaluation a GPU.
    executor = RayExecutor(address=None if address == "local" else address, num_cpus=1)
    return run_search(RandomSearcher(search_space), ToyEvaluator, num_samples,
                      folderpath, "ray", executor=executor)
# [ray]


# [mpi]
def search_with_mpi(folderpath, num_samples=12):
    from deep_architect.contrib.communicators.executor import CommunicatorExecutor, serve
    from deep_architect.contrib.communicators.mpi_communicator import MPICommunicator

    comm = MPICommunicator()  # rank 0 is the master, the other ranks are workers
    if comm.is_master():
        # The same loop as above; the workers hold the evaluator, the master needs none.
        return run_search(RandomSearcher(search_space), None, num_samples, folderpath, "mpi",
                          executor=CommunicatorExecutor(comm), show_progress=False)
    serve(comm, search_space, ToyEvaluator)
# [mpi]


def search_with_log_folders(folderpath, num_samples=8, num_workers=2):
    master(folderpath, "log_folders", num_samples)
    # [launch]
    workers = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "worker", str(k),
                                 str(num_workers), folderpath, "log_folders"])
               for k in range(num_workers)]
    assert all(p.wait() == 0 for p in workers)
    # [launch]
    return sl.read_search_folder(sl.get_search_folderpath(folderpath, "log_folders"))


def main(folderpath="logs"):
    np.random.seed(0)
    results = search_with_processes(folderpath)
    print("process pool: %d evaluations in %d worker processes"
          % (len(results), len({r["pid"] for r in results})))
    rounds = search_in_rounds(folderpath)
    print("rounds: budgets %s" % [r["budget"] for r in rounds])
    evaluations = search_with_log_folders(folderpath)
    print("log folders: %d evaluations in %d worker processes"
          % (len(evaluations), len({e["results"]["pid"] for e in evaluations})))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else None
    if command == "worker":
        worker(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif command == "ray":
        print(len(search_on_ray_cluster(sys.argv[2], *(sys.argv[3:] or ["logs"]))), "evaluations")
    elif command == "mpi":
        results = search_with_mpi(*(sys.argv[2:] or ["logs"]))
        if results is not None:
            print(len(results), "evaluations")
    else:
        main(*sys.argv[1:])
