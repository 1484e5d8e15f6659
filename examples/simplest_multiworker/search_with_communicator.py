"""The same search driven through a communicator: the master hands out work as workers free up.

Every process runs this script; the first to start (file communicator) or
rank 0 (MPI) is the master, which samples, logs and updates the searcher; the
others are workers. From the repository root:

    # three processes sharing a folder (one master, two workers); start this three times:
    python examples/simplest_multiworker/search_with_communicator.py \\
        --config_filepath examples/simplest_multiworker/configs/debug.json \\
        --comm file --num_procs 3 &
    # or one MPI job with a master and two workers:
    mpiexec -n 3 python examples/simplest_multiworker/search_with_communicator.py \\
        --config_filepath examples/simplest_multiworker/configs/debug.json --comm mpi

See run_with_communicator.sh. The file communicator keeps its mailboxes in
``<folderpath>/<search_name>_file_comm``; delete that folder before a new search.
"""
from __future__ import annotations

import os

from evaluator import get_evaluator
from search_space import search_space_fn

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.contrib.communicators import master_worker
from deep_architect.contrib.communicators.file_communicator import FileCommunicator
from deep_architect.contrib.communicators.mpi_communicator import MPICommunicator
from deep_architect.searchers.random import RandomSearcher


def main():
    cmd = ut.CommandLineArgs()
    cmd.add("config_filepath", "str")
    cmd.add("comm", "str", valid_value_lst=["file", "mpi"])
    cmd.add("num_procs", "int", default_value=3, optional=True)
    args = cmd.parse()
    config = ut.read_jsonfile(args["config_filepath"])
    if args["comm"] == "file":
        dirname = os.path.join(config["folderpath"], config["search_name"] + "_file_comm")
        comm = FileCommunicator(args["num_procs"], dirname=dirname)
    else:
        comm = MPICommunicator()
    if comm.is_master():
        search_logger = sl.SearchLogger(config["folderpath"], config["search_name"],
                                        abort_if_exists=config["abort_if_exists"],
                                        delete_if_exists=config["delete_if_exists"])
        results = master_worker.run_master(comm, RandomSearcher(search_space_fn),
                                           config["num_samples"], search_logger)
        best = max(r["validation_accuracy"] for r in results)
        print("evaluations: %d, best validation accuracy: %.4f" % (len(results), best))
    else:
        evaluator = get_evaluator(config, "worker%d" % comm.get_rank())
        master_worker.run_worker(comm, search_space_fn, evaluator)


if __name__ == "__main__":
    main()
