"""Picklable search space, evaluators and searcher for the search-loop tests.

They live in an importable module (not in the test files) because spawned
worker processes, Ray workers and the crash-test subprocesses import them by name.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from typing import Any

from toy import D

import deep_architect.core as co
import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.searchers.common as seco
import deep_architect.utils as ut
from deep_architect.errors import check
from deep_architect.executors.common import current_evaluation


def search_space() -> tuple:
    """Three optional identities and a repeat: 16 architectures, value lists of 4 or more."""
    return mo.siso_sequential(
        [mo.siso_optional(mo.identity, D([0, 1])) for _ in range(3)]
        + [mo.siso_repeat(mo.identity, D([1, 2]))]
    )


def score_of(evaluation_id: int) -> float:
    """The score every toy evaluator gives evaluation ``evaluation_id``."""
    return evaluation_id / 1000.0


class Behaviour:
    """How a toy evaluation behaves: ``ok`` or one of the failure modes below.

    ``raise`` raises, ``nan`` scores NaN, ``noscore`` omits the score,
    ``notdict`` returns a list, ``die`` exits the process, ``hang`` sleeps 60 s.
    """

    ALL = ("ok", "raise", "nan", "noscore", "notdict", "die", "hang")


class ToyEvaluator:
    """Scores evaluation ``i`` with :func:`score_of`; can sleep and misbehave on purpose.

    Args:
        sleep: Seconds every evaluation sleeps.
        behaviours: Evaluation id -> behaviour name (default ``ok``).
        failing_attempts: How many first attempts misbehave (later ones are ``ok``).
        watch_folder: ``(folderpath, search_name)``: each evaluation that starts
            although its ``results.json`` exists appends a line to ``REDONE`` there,
            and every start is appended to ``STARTS``.
    """

    def __init__(self, sleep: float = 0.0, behaviours: dict[int, str] | None = None,
                 failing_attempts: int = 10**9, watch_folder: tuple | None = None) -> None:
        self.sleep = sleep
        self.behaviours = behaviours or {}
        self.failing_attempts = failing_attempts
        self.watch_folder = watch_folder

    def _watch(self, evaluation_id: int) -> None:
        folderpath, search_name = self.watch_folder
        search_folderpath = sl.get_search_folderpath(folderpath, search_name)
        results_filepath = os.path.join(sl.get_evaluation_folderpath(
            folderpath, search_name, evaluation_id), "results.json")
        lines = [f"{evaluation_id}"]
        if os.path.exists(results_filepath):
            ut.write_textfile(os.path.join(search_folderpath, "REDONE"), lines, append=True)
        ut.write_textfile(os.path.join(search_folderpath, "STARTS"), lines, append=True)

    def eval(self, inputs: dict, outputs: dict) -> Any:
        context = current_evaluation()
        check(context is not None, "ToyEvaluator must run inside run_search")
        evaluation_id = context.evaluation_id
        if self.watch_folder is not None:
            self._watch(evaluation_id)
        time.sleep(self.sleep)
        behaviour = self.behaviours.get(evaluation_id, "ok")
        if context.attempt > self.failing_attempts:
            behaviour = "ok"
        results: Any = {
            "validation_accuracy": score_of(evaluation_id),
            "evaluation_id": evaluation_id,
            "attempt": context.attempt,
            "pid": os.getpid(),
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        }
        if behaviour == "raise":
            raise RuntimeError(f"toy failure in evaluation {evaluation_id}")
        if behaviour == "nan":
            results["validation_accuracy"] = math.nan
        elif behaviour == "noscore":
            del results["validation_accuracy"]
        elif behaviour == "notdict":
            results = [1, 2]
        elif behaviour == "die":
            sys.stdout.flush()
            os._exit(3)
        elif behaviour == "hang":
            time.sleep(60)
        return results


class BudgetEvaluator:
    """Scores an architecture by the sum of its hyperparameter values; reports its budget.

    The results also hold the process id and the wall-clock start and end of
    the evaluation, so tests can check which evaluations overlapped.
    """

    def __init__(self, sleep: float = 0.0) -> None:
        self.sleep = sleep

    def eval(self, inputs: dict, outputs: dict) -> dict[str, Any]:
        start = time.time()
        time.sleep(self.sleep)
        values = [h.get_value() for h in co.get_all_hyperparameters(outputs)]
        return {"validation_accuracy": float(sum(values)),
                "budget": current_evaluation().budget, "pid": os.getpid(),
                "start": start, "end": time.time()}


def toy_evaluator(**kwargs: Any) -> functools.partial:
    """A picklable zero-argument factory of :class:`ToyEvaluator`."""
    return functools.partial(ToyEvaluator, **kwargs)


class CountingSearcher(seco.Searcher):
    """Random searcher that numbers its samples and records every update.

    Its token is ``{"sample_index": k}`` for the k-th sample; :attr:`updates`
    lists ``[sample_index, value]`` pairs in update order. Its state survives
    ``save_state``/``load_state``, so a crash test can check that every sample
    was issued once and updated once.
    """

    state_filename = "counting_searcher.json"

    def __init__(self, search_space_fn: Any, strict: bool = True) -> None:
        seco.Searcher.__init__(self, search_space_fn)
        self.strict = strict
        self.num_sampled = 0
        self.updates: list[list] = []

    def sample(self) -> tuple:
        inputs, outputs = self.search_space_fn()
        vs = seco.random_specify(outputs)
        token = {"sample_index": self.num_sampled}
        self.num_sampled += 1
        return inputs, outputs, vs, token

    def update(self, val: float, searcher_eval_token: dict[str, Any]) -> None:
        index = searcher_eval_token["sample_index"]
        if self.strict:
            check(index < self.num_sampled, f"token {index} was never issued")
            check(all(u[0] != index for u in self.updates), f"token {index} updated twice")
        self.updates.append([index, val])

    def save_state(self, folderpath: str) -> None:
        ut.write_jsonfile({"num_sampled": self.num_sampled, "updates": self.updates},
                          os.path.join(folderpath, self.state_filename))

    def load_state(self, folderpath: str) -> None:
        state = ut.read_jsonfile(os.path.join(folderpath, self.state_filename))
        self.num_sampled = state["num_sampled"]
        self.updates = state["updates"]


class StatelessCountingSearcher(CountingSearcher):
    """A :class:`CountingSearcher` without ``save_state`` (restored by replay)."""

    def __init__(self, search_space_fn: Any) -> None:
        CountingSearcher.__init__(self, search_space_fn, strict=False)

    def save_state(self, folderpath: str) -> None:
        raise NotImplementedError

    def load_state(self, folderpath: str) -> None:
        raise NotImplementedError


class StateDictCountingSearcher(seco.Searcher):
    """:class:`CountingSearcher` on the public base: its state is a dict in the journal.

    It draws from its own generator, so a replayed sample is the logged one;
    :attr:`updates` lists ``[sample_index, value]`` pairs in update order.
    """

    def __init__(self, search_space_fn: Any) -> None:
        seco.Searcher.__init__(self, search_space_fn, rng=0)
        self.num_sampled = 0
        self.updates: list[list] = []

    def propose(self) -> tuple:
        inputs, outputs = self.search_space_fn()
        vs = seco.random_specify(outputs, self.rng)
        self.num_sampled += 1
        return inputs, outputs, vs, {"sample_index": self.num_sampled - 1}

    def observe(self, val: float, token: dict[str, Any]) -> None:
        index = token["sample_index"]
        check(all(u[0] != index for u in self.updates), f"token {index} updated twice")
        self.updates.append([index, val])

    def get_state(self) -> dict:
        return dict(seco.Searcher.get_state(self), num_sampled=self.num_sampled,
                    updates=self.updates)

    def set_state(self, state: dict) -> None:
        seco.Searcher.set_state(self, state)
        self.num_sampled, self.updates = state["num_sampled"], state["updates"]


SEARCHER_KINDS = {"files": CountingSearcher, "dict": StateDictCountingSearcher}


def crash_test_main(folderpath: str, search_name: str, num_samples: str, sleep: str,
                    executor_kind: str, searcher_kind: str = "files") -> None:
    """Entry point of the crash-test subprocess (arguments come from the command line).

    With the ``"dict"`` searcher, checkpoints come every few events, so kills
    land both between checkpoints and during them.
    """
    import deep_architect.search_journal as sj
    from deep_architect.executors.process_pool import ProcessExecutor
    from deep_architect.search_loop import run_search

    if searcher_kind == "dict":
        sj.MIN_EVENTS_PER_CHECKPOINT = 5
    executor = ProcessExecutor(num_workers=2) if executor_kind == "process" else None
    run_search(SEARCHER_KINDS[searcher_kind](search_space),
               toy_evaluator(sleep=float(sleep), watch_folder=(folderpath, search_name)),
               int(num_samples), folderpath, search_name, executor=executor,
               show_progress=False)


class PidEvaluator:
    """Sleeps, then scores 0.5 and reports its process id (for the communicator tests)."""

    def __init__(self, sleep: float = 0.05) -> None:
        self.sleep = sleep

    def eval(self, inputs: dict, outputs: dict) -> dict[str, Any]:
        time.sleep(self.sleep)
        return {"validation_accuracy": 0.5, "pid": os.getpid()}


def communicator_test_main(comm_name: str, num_procs: str, dirname: str, folderpath: str,
                           num_samples: str) -> None:
    """Entry point of every process of the communicator tests."""
    from deep_architect.contrib.communicators import master_worker
    from deep_architect.contrib.communicators.communicator import get_communicator
    from deep_architect.contrib.communicators.file_communicator import FileCommunicator

    if comm_name == "file":
        comm = FileCommunicator(int(num_procs), dirname=dirname)
    else:
        comm = get_communicator(comm_name)
    if comm.is_master():
        searcher = CountingSearcher(search_space)
        search_logger = sl.SearchLogger(folderpath, "comm", abort_if_exists=False)
        master_worker.run_master(comm, searcher, int(num_samples), search_logger)
        ut.write_jsonfile({"updates": searcher.updates, "pid": os.getpid()},
                          os.path.join(folderpath, "master.json"))
    else:
        master_worker.run_worker(comm, search_space, PidEvaluator())


def communicator_worker_main(dirname: str, num_procs: str) -> None:
    """Entry point of a file-communicator worker process running the executor's worker body."""
    from deep_architect.contrib.communicators.executor import serve
    from deep_architect.contrib.communicators.file_communicator import FileCommunicator

    serve(FileCommunicator(int(num_procs), dirname=dirname), search_space,
          BudgetEvaluator(sleep=0.05))
