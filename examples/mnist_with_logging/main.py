"""Random search over fully connected networks, logging every evaluation.

Run from the repository root (``bash utils.sh demo`` runs the debug config):

    python examples/mnist_with_logging/main.py \\
        --config_filepath examples/mnist_with_logging/configs/debug.json

The search runs in :func:`deep_architect.search_loop.run_search`, the library's
loop. Each evaluation gets a folder ``<folderpath>/<search_name>/evaluations/x<id>/``
with ``config.json`` (the value list that rebuilds the architecture),
``results.json`` and ``eval_data/`` (a drawing of the architecture). Rerunning
the command resumes an interrupted or shorter search (when ``delete_if_exists``
is 0): finished evaluations are never redone. At the end the best architecture
is printed with the path of its folder. To evaluate in parallel, pass an
``executor`` to ``run_search`` (see the "Parallel and distributed search"
page); ``own_loop.py`` shows the same search with a hand-written loop.

Config keys: ``dataset`` (``"digits"``, bundled with scikit-learn, or ``"mnist"``
read from the idx files in ``data_dir``, default ``data/mnist``),
``num_samples``, ``max_eval_time_in_minutes``, ``log_output_to_terminal``
(per-epoch lines), ``folderpath``, ``search_name``, ``delete_if_exists``,
``use_gpu``, ``seed`` and ``max_num_training_epochs`` (optional). With a seed
and a number of epochs reached well within the time budget, two runs log the
same architectures and results (timings and the searcher's instance id in
each token aside): the searcher and the datasets have their own generators,
and TensorFlow is seeded.
"""
from __future__ import annotations

from search_setup import (
    make_evaluator,
    prepare_search_folder,
    print_best,
    print_evaluation,
    run_script,
    search_space_fn,
)

import deep_architect.search_logging as sl
from deep_architect.executors.common import current_evaluation


class DrawingEvaluator:
    """Evaluates with ``evaluator``, prints a line and draws the architecture.

    The drawing goes to the ``eval_data`` folder of the running evaluation,
    which ``run_search`` created when it logged the evaluation's config.
    """

    def __init__(self, evaluator, folderpath, search_name):
        self.evaluator = evaluator
        self.folderpath = folderpath
        self.search_name = search_name

    def eval(self, inputs, outputs):
        import deep_architect.visualization as vi

        results = self.evaluator.eval(inputs, outputs)
        evaluation_id = current_evaluation().evaluation_id
        vi.draw_graph(outputs, draw_module_hyperparameter_info=True, print_to_screen=False,
                      out_folderpath=sl.get_evaluation_data_folderpath(
                          self.folderpath, self.search_name, evaluation_id))
        print_evaluation(evaluation_id, results)
        return results


def main(cfg):
    from deep_architect.search_loop import run_search
    from deep_architect.searchers.random import RandomSearcher

    evaluator = make_evaluator(cfg)
    folderpath, search_name = prepare_search_folder(cfg)
    # A seeded searcher has its own generator, shared with nothing else.
    run_search(RandomSearcher(search_space_fn, rng=cfg.get("seed")),
               DrawingEvaluator(evaluator, folderpath, search_name),
               cfg["num_samples"], folderpath, search_name)
    print_best(folderpath, search_name)


if __name__ == "__main__":
    run_script(main)
