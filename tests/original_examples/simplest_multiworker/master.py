# The original's examples/simplest_multiworker/master.py.
from __future__ import annotations

from search_space import search_space_fn

import deep_architect.search_logging as sl
import deep_architect.searchers.random as se
import deep_architect.utils as ut
import deep_architect.visualization as vi


def main():
    cmd = ut.CommandLineArgs()
    cmd.add('config_filepath', 'str')
    out = cmd.parse()
    cfg = ut.read_jsonfile(out['config_filepath'])

    searcher = se.RandomSearcher(search_space_fn)
    sl.create_search_folderpath(cfg["folderpath"],
                                cfg["search_name"],
                                abort_if_exists=cfg["abort_if_exists"],
                                delete_if_exists=cfg["delete_if_exists"],
                                create_parent_folders=True)

    for i in range(cfg["num_samples"]):
        logger = sl.EvaluationLogger(cfg["folderpath"], cfg["search_name"], i)
        if not logger.config_exists():
            (inputs, outputs, hyperp_value_lst,
             searcher_eval_token) = searcher.sample()
            logger.log_config(hyperp_value_lst, searcher_eval_token)
            vi.draw_graph(outputs,
                          draw_module_hyperparameter_info=False,
                          print_to_screen=False,
                          out_folderpath=logger.get_evaluation_data_folderpath())


if __name__ == "__main__":
    main()
