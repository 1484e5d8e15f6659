"""A short path from a search space to the best models: :class:`Experiment`.

An experiment ties a search-space function, an evaluator, a searcher and a
log folder together. :meth:`Experiment.run` is :func:`~deep_architect.search_loop.run_search`
(so a rerun resumes, and any executor works), and the results are read back
from the search folder with :mod:`~deep_architect.search_logging`: nothing is
kept in memory that the folder does not hold.

Example:
    >>> import tempfile
    >>> import deep_architect as da
    >>> import deep_architect.core as co
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> def space():
    ...     return mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))
    >>> class CountModules:
    ...     def eval(self, inputs, outputs):
    ...         num_modules = len(co.determine_module_eval_seq(inputs))
    ...         return {"validation_accuracy": float(num_modules)}
    >>> experiment = da.Experiment(space, CountModules(), folderpath=tempfile.mkdtemp())
    >>> _ = experiment.run(6, show_progress=False)
    >>> best = experiment.best(1)[0]
    >>> best.hyperp_value_lst, best.score
    ([3], 5.0)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.errors import check
from deep_architect.search_loop import is_failed_results, run_search

__all__ = ["Experiment", "RankedEvaluation"]


class RankedEvaluation(NamedTuple):
    """One logged evaluation, as :meth:`Experiment.best` ranks them.

    ``evaluation_id`` names its folder ``x<id>``; ``score`` is its value of the
    experiment's metric; ``hyperp_value_lst`` rebuilds the architecture;
    ``labeled_values`` maps labels to values for inline PyTorch spaces (else
    ``None``); ``results`` holds every logged result.
    """

    evaluation_id: int
    score: float
    hyperp_value_lst: list
    labeled_values: dict | None
    results: dict


class Experiment:
    """A search with its log folder: run it, rank what it found, export the best.

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair (for inline
            PyTorch spaces, ``YourModelSpace.search_space_fn()``).
        evaluator: An object with ``eval(inputs, outputs) -> dict``, or a
            zero-argument factory of one (see ``run_search``).
        searcher: A searcher, a function ``search_space_fn -> searcher``, or
            ``None`` for random search. Its search-space function must be
            ``search_space_fn``.
        folderpath: Folder holding the search folder (created when running).
        search_name: Name of the search folder.
        metric: Result entry to maximise.
        example_inputs: Input name to example value, used to compile models of
            PyTorch or Keras graphs (not needed for inline PyTorch spaces).
    """

    def __init__(self, search_space_fn: Callable[[], mo.Fragment], evaluator: Any,
                 searcher: Any = None, folderpath: str = "experiments",
                 search_name: str = "search", metric: str = "validation_accuracy",
                 example_inputs: dict | None = None) -> None:
        check(callable(search_space_fn),
              "Experiment: search_space_fn must be callable, got %r", search_space_fn)
        if searcher is None:
            from deep_architect.searchers.random import RandomSearcher

            searcher = RandomSearcher(search_space_fn)
        elif not hasattr(searcher, "sample") and callable(searcher):
            searcher = searcher(search_space_fn)
        check(all(hasattr(searcher, m) for m in ("sample", "update")),
              "Experiment: searcher must be a searcher, a function of the search-space "
              "function returning one, or None; got %r", searcher)
        self.search_space_fn = search_space_fn
        self.evaluator = evaluator
        self.searcher = searcher
        self.folderpath = folderpath
        self.search_name = search_name
        self.metric = metric
        self.example_inputs = example_inputs

    @property
    def search_folderpath(self) -> str:
        """The search folder, ``<folderpath>/<search_name>``."""
        return sl.get_search_folderpath(self.folderpath, self.search_name)

    def run(self, max_evaluations: int, executor: Any = None, **run_search_kwargs: Any
            ) -> list[dict]:
        """Runs (or resumes) the search until ``max_evaluations`` evaluations are logged.

        Args:
            max_evaluations: Total number of evaluations of the search.
            executor: Where evaluations run (``None``: in this process); see
                :mod:`deep_architect.executors`.
            **run_search_kwargs: Further options of ``run_search`` (``max_retries``,
                ``timeout``, ``show_progress``, ``pruner``, ...).

        Returns:
            The logged results of every evaluation, by id.
        """
        return run_search(self.searcher, self.evaluator, max_evaluations, self.folderpath,
                          self.search_name, executor=executor, metric=self.metric,
                          **run_search_kwargs)

    def best(self, k: int = 1) -> list[RankedEvaluation]:
        """The ``k`` finished evaluations with the highest metric, best first.

        Failed evaluations and those without a finite metric are left out; ties
        keep the earlier evaluation first.
        """
        check(isinstance(k, int) and k >= 1, "Experiment.best: k must be a positive int, "
                                             "got %r", k)
        ranked = []
        for i, log in enumerate(sl.read_search_folder(self.search_folderpath, tolerant=True)):
            results = log.get("results")
            if "config" not in log or results is None or is_failed_results(results):
                continue
            score = results.get(self.metric)
            if isinstance(score, (int, float)) and math.isfinite(score):
                ranked.append((-float(score), i, log))
        ranked.sort(key=lambda entry: entry[:2])
        return [RankedEvaluation(i, -neg, log["config"]["hyperp_value_lst"],
                                 self._labeled_values(log["config"]["hyperp_value_lst"]),
                                 log["results"])
                for neg, i, log in ranked[:k]]

    def _labeled_values(self, vs: list) -> dict | None:
        cls = getattr(self.search_space_fn, "cls", None)
        if cls is None:
            return None
        from deep_architect.helpers.pytorch_model_space import get_labeled_values
        from deep_architect.specify import specify

        _, outputs = mo.SearchSpaceFactory(self.search_space_fn).get_search_space()
        specify(outputs, vs)
        return get_labeled_values(outputs)

    def load(self, evaluation_id: int) -> sl.LoadedArchitecture:
        """Rebuilds a logged architecture and its model (see ``load_architecture``)."""
        return sl.load_architecture(self.folderpath, self.search_name, evaluation_id,
                                    self.search_space_fn, self.example_inputs)

    def export_top_models(self, k: int = 1, folderpath: str | None = None) -> list[str]:
        """Writes the ``k`` best architectures, one folder each, best first.

        Each folder ``rank<r>_x<id>`` holds ``architecture.json`` (evaluation id,
        score, value list, labels for inline spaces, results) and, when the
        model can be compiled, the model: ``model.pt`` (``torch.save`` of the
        user's ``nn.Module``) for inline PyTorch spaces, ``model_state_dict.pt``
        for graphs of PyTorch modules (rebuild them with :meth:`load`),
        ``model.keras`` for Keras. The weights are newly initialised: the
        export says what to train.

        Args:
            k: How many architectures.
            folderpath: Where to write (default: ``<search folder>/exported``).
                Existing files are never overwritten.

        Returns:
            The folders written.
        """
        base = folderpath or os.path.join(self.search_folderpath, "exported")
        folders = []
        for rank, entry in enumerate(self.best(k)):
            folder = os.path.join(base, "rank%d_x%d" % (rank, entry.evaluation_id))
            check(not os.path.exists(folder), "Experiment.export_top_models: %r exists "
                                              "already; export elsewhere", folder)
            os.makedirs(folder)
            ut.write_jsonfile(entry._asdict(), os.path.join(folder, "architecture.json"))
            _save_model(self.load(entry.evaluation_id).model, folder)
            folders.append(folder)
        return folders


def _save_model(model: Any, folder: str) -> None:
    if model is None:
        return
    if hasattr(model, "save"):  # Keras models save themselves; nn.Module has no save
        model.save(os.path.join(folder, "model.keras"))
        return
    import torch

    from deep_architect.helpers.pytorch_support import PyTorchModel

    if isinstance(model, PyTorchModel):
        # The graph holds the helpers' closures, which do not pickle: keep the
        # weights, and rebuild the model with load_architecture.
        torch.save(model.state_dict(), os.path.join(folder, "model_state_dict.pt"))
    else:
        torch.save(model, os.path.join(folder, "model.pt"))
