"""The search of ``main.py`` with the loop written out: sample, evaluate, log, update.

Run from the repository root, with the same config as ``main.py``:

    python examples/mnist_with_logging/own_loop.py \\
        --config_filepath examples/mnist_with_logging/configs/debug.json

``main.py`` hands this loop to :func:`deep_architect.search_loop.run_search`;
write your own when you need control it does not give, for example to change
the evaluator between rounds or to stop on a custom condition. The steps are
the library's whole contract:

1. ``searcher.sample()`` returns a fully specified architecture, its value
   list and a token;
2. the evaluator scores the architecture;
3. an :class:`~deep_architect.search_logging.EvaluationLogger` writes the value
   list and token (``config.json``) and the results (``results.json``) into
   ``evaluations/x<id>/``, where tools such as the report find them;
4. ``searcher.update(score, token)`` tells the searcher.

This loop resumes by skipping the evaluations whose config was already logged;
unlike ``run_search``, it does not restore the searcher's state, and a crash
between logging the config and the results leaves an evaluation without results.
"""
from __future__ import annotations

import search_setup as setup

import deep_architect.search_logging as sl


def main(cfg):
    import deep_architect.visualization as vi
    from deep_architect.progress import SearchProgress
    from deep_architect.searchers.random import RandomSearcher

    evaluator = setup.make_evaluator(cfg)
    folderpath, search_name = setup.prepare_search_folder(cfg)
    searcher = RandomSearcher(setup.search_space_fn, rng=cfg.get("seed"))
    num_samples = cfg["num_samples"]
    with SearchProgress(num_samples, desc=search_name) as progress:
        for evaluation_id in range(num_samples):
            logger = sl.EvaluationLogger(folderpath, search_name, evaluation_id)
            if logger.config_exists():  # logged by an earlier run of this search
                progress.update(None)
                continue
            inputs, outputs, hyperp_value_lst, searcher_eval_token = searcher.sample()
            results = evaluator.eval(inputs, outputs)
            logger.log_config(hyperp_value_lst, searcher_eval_token)
            logger.log_results(results)
            vi.draw_graph(outputs, draw_module_hyperparameter_info=True, print_to_screen=False,
                          out_folderpath=logger.get_evaluation_data_folderpath())
            searcher.update(results["validation_accuracy"], searcher_eval_token)
            progress.update(results["validation_accuracy"])
            setup.print_evaluation(evaluation_id, results)
    setup.print_best(folderpath, search_name)


if __name__ == "__main__":
    setup.run_script(main)
