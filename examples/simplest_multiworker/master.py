"""Samples every architecture of the search up front and logs its configuration.

Run from the repository root:
    python examples/simplest_multiworker/master.py \\
        --config_filepath examples/simplest_multiworker/configs/debug.json
then start the workers (see run.sh). Evaluation ids that already have a
configuration are skipped, so rerunning an interrupted master is safe.
"""
from __future__ import annotations

from search_space import search_space_fn

import deep_architect.search_logging as sl
import deep_architect.utils as ut
import deep_architect.visualization as vi
from deep_architect.searchers.random import RandomSearcher


def main():
    config = ut.get_config()
    searcher = RandomSearcher(search_space_fn)
    sl.create_search_folderpath(config["folderpath"], config["search_name"],
                                abort_if_exists=config["abort_if_exists"],
                                delete_if_exists=config["delete_if_exists"],
                                create_parent_folders=True)
    for evaluation_id in range(config["num_samples"]):
        logger = sl.EvaluationLogger(config["folderpath"], config["search_name"], evaluation_id)
        if logger.config_exists():
            continue
        _, outputs, vs, token = searcher.sample()
        logger.log_config(vs, token)
        vi.draw_graph(outputs, print_to_screen=False,
                      out_folderpath=logger.get_evaluation_data_folderpath())


if __name__ == "__main__":
    main()
