"""An asynchronous search loop with exactly-once crash recovery.

:func:`run_search` samples architectures, evaluates them on an execution back
end (:mod:`deep_architect.executors`: in the calling process, in local worker
processes, or on a Ray cluster), logs every evaluation in the standard search
folder (:mod:`deep_architect.search_logging`), updates the searcher as each
result arrives, and shows progress.

The search folder is the source of truth; no database server is involved.
Besides the evaluation folders, the loop keeps a small journal in
``search_data/search_loop/`` (:mod:`deep_architect.search_journal`): an
atomic checkpoint holding the searcher's state dict and the evaluations
sampled but not yet known to the searcher as finished, continued by an
append-only log of samples and results. Each sample is logged to the journal
*before* the evaluation's ``config.json``, and each result after its
``results.json``, so after the master is killed at any moment, rerunning the
same call:

* never re-runs an evaluation whose ``results.json`` exists;
* re-runs the evaluations that were sampled but had no results yet, with the
  values logged for them;
* restores the searcher (its checkpointed state, then the samples and results
  logged after it), so the searcher sees every sample and every result exactly
  once. Searchers whose ``save_state`` raises ``NotImplementedError`` are
  instead rebuilt by replaying every logged result through ``update``.

The loop's cost per evaluation does not grow with the search: the journal
appends one line per sample and per result, and rewrites the searcher state
only as often as keeps that a small fraction of the loop's time.

Crash safety covers the master process dying (``SIGKILL``, out-of-memory
kills, Ctrl-C); the journal is not ``fsync``-ed, so a power cut may lose the
last checkpoints (evaluation files themselves are flushed to disk with
``fsync`` before they are renamed into place, see
:func:`deep_architect.search_logging.write_file_durably`). Temporary files
left by a killed master are deleted when the search resumes.

A search folder belongs to one search space and one kind of searcher: the
journal stores a fingerprint of both (see :func:`space_fingerprint`), and
resuming with a different space or searcher type is refused with a message
naming the ways out (``resume=False``, a fresh ``search_name``, or
``overwrite=True``).

A misspelt ``metric`` stops the search at the first result that lacks it,
with a message listing the keys the results do have.

Evaluators may report intermediate values and be stopped early by a pruner
(:mod:`deep_architect.pruning`): a pruned evaluation is logged with
``pruned: true``, the step it stopped at, and its last reported value as the
metric, which is also what the searcher's ``update`` receives.

Failed evaluations (exceptions, dead workers, timeouts, unusable results) are
retried ``max_retries`` times and then logged as a results dict recognised by
:func:`is_failed_results`; the search goes on.

Example:
    >>> import tempfile
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> def space():
    ...     return mo.siso_optional(mo.identity, hp.Bool())
    >>> class Evaluator:
    ...     def eval(self, inputs, outputs):
    ...         return {"validation_accuracy": 0.5}
    >>> results = run_search(RandomSearcher(space), Evaluator, 3,
    ...                      tempfile.mkdtemp(), "demo", show_progress=False)
    >>> [r["validation_accuracy"] for r in results]
    [0.5, 0.5, 0.5]
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import math
import os
import shutil
import time
import warnings
from collections.abc import Callable
from typing import Any

import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.analysis.dedup import DEDUPLICATED_KEY, Deduplicator
from deep_architect.analysis.fingerprint import fingerprint
from deep_architect.errors import DeepArchitectError, check
from deep_architect.executors.common import (
    INVALID_RESULTS,
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    evaluator_factory,
    hand_over_replay,
)
from deep_architect.executors.in_process import InProcessExecutor
from deep_architect.search_journal import REPLAY, Journal
from deep_architect.searchers.protocol import NoSampleAvailable, budget_of
from deep_architect.specify import specify

logger = logging.getLogger(__name__)

#: Key marking the results dict logged for a failed evaluation.
FAILED_KEY = "evaluation_failed"



def is_failed_results(results: dict[str, Any]) -> bool:
    """Whether a logged results dict records a failed evaluation.

    A failed evaluation's ``results.json`` holds ``evaluation_failed: true``,
    ``failure_kind`` (see :data:`deep_architect.executors.common.FAILURE_KINDS`),
    ``failure_reason``, ``failure_details`` and ``num_attempts``.

    Args:
        results: A dict read from ``results.json``.

    Returns:
        True for a failure record written by :func:`run_search`.
    """
    return results.get(FAILED_KEY) is True


_DEFINING_ATTRIBUTES = ("vs", "low", "high", "step", "log")


def space_fingerprint(search_space_fn: Callable[[], Any], searcher: Any) -> str:
    """A stable hash of a search space's structure and the searcher's type.

    The space is built once, unspecified; the hash covers the names of its
    reachable modules in traversal order and each hyperparameter's name, type
    and value list (or range), plus the searcher's class. (This is the
    fingerprint of a whole space; :mod:`deep_architect.analysis` fingerprints
    single architectures.) Two runs of an unchanged script
    give the same fingerprint; changing a value list, adding a choice or
    switching the searcher class changes it.

    Args:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        searcher: The searcher of the search.

    Returns:
        A hexadecimal SHA-256 digest.
    """
    import hashlib

    import deep_architect.core as co
    import deep_architect.modules as mo

    _, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    parts: list[Any] = [type(searcher).__module__ + "." + type(searcher).__qualname__]
    for m in co.get_modules_with_cond(outputs, lambda m: True):
        parts.append(m.get_name())
    for h in co.get_all_hyperparameters(outputs):
        # Value lists of discrete choices, bounds and grids of ranges.
        definition = {key: repr(getattr(h, key)) for key in _DEFINING_ATTRIBUTES
                      if hasattr(h, key)}
        parts.append([h.get_name(), type(h).__name__, definition])
    text = json.dumps(parts, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _score_problem(results: Any, metrics: list[str]) -> str | None:
    """Says why ``results`` cannot be logged and scored, or returns ``None``."""
    if not isinstance(results, dict):
        return f"evaluator returned a {type(results).__name__}, expected a dict of results"
    for metric in metrics:
        if metric not in results:
            return f"results have no {metric!r} entry (keys: {sorted(map(str, results))})"
        score = results[metric]
        try:
            finite = not isinstance(score, bool) and math.isfinite(float(score))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            return f"score {metric!r} is {score!r}, expected a finite number"
    try:
        json.dumps(results, default=ut.to_json_compatible)
    except (TypeError, ValueError) as e:
        return f"results are not JSON serialisable ({e})"
    return None


class _SearchRun:
    """The state of one call to :func:`run_search`."""

    def __init__(self, searcher: Any, num_samples: int, folderpath: str, search_name: str,
                 metric: str | list[str], max_retries: int,
                 failure_value: Any, search_space_fn: Callable[[], Any] = None,
                 dedup: bool = False, fingerprint: str = "") -> None:
        self.searcher = searcher
        self.search_space_fn = search_space_fn
        # A searcher's names are a replay's only if it builds this very space.
        self.names_from_searcher = (
            search_space_fn is not None
            and _search_space_fn_of_or_none(searcher) is search_space_fn)
        self.dedup: Deduplicator | None = Deduplicator() if dedup else None
        self.fingerprints: dict[int, str] = {}
        self.fingerprint = fingerprint
        self.metric_seen = False
        self.num_samples = num_samples
        self.folderpath = folderpath
        self.search_name = search_name
        # Several metrics (multi-objective searchers) are passed to update as a dict;
        # the first one is the progress bar's score and a pruned evaluation's value.
        self.several_metrics = not isinstance(metric, str)
        self.metrics = list(metric) if self.several_metrics else [metric]
        self.metric = self.metrics[0]
        self.max_retries = max_retries
        self.failure_value = failure_value
        sl.create_search_folderpath(folderpath, search_name, create_parent_folders=True)
        self.journal = Journal(sl.get_search_data_folderpath(folderpath, search_name))
        self.to_run: collections.deque[Job] = collections.deque()
        self.running_loggers: dict[int, sl.EvaluationLogger] = {}
        self.progress: Any = None
        try:
            self._remove_stale_temp_files()
            self.state = self._load_or_create_state()
        except BaseException:
            self.journal.close()
            raise

    def _remove_stale_temp_files(self) -> None:
        # Holding the journal lock, no other master writes here; dead writers'
        # temporary files (possibly large results) would otherwise pile up.
        ut.remove_stale_temp_files(self.journal.folderpath)
        evaluations_folderpath = sl.get_all_evaluations_folderpath(
            self.folderpath, self.search_name)
        for i in self._evaluation_ids():
            ut.remove_stale_temp_files(os.path.join(evaluations_folderpath, "x%d" % i))

    def _load_or_create_state(self) -> dict[str, Any]:
        loaded = self.journal.load(self.searcher, self.fingerprint)
        if loaded is not None:
            state, self.events = loaded
            return state
        check(
            not self._evaluation_ids(),
            f"search folder {sl.get_search_folderpath(self.folderpath, self.search_name)!r}"
            " has evaluations but no run_search journal; it was not created by run_search "
            "(use another search_name or delete the folder)",
        )
        state = {"num_sampled": 0, "pending": {}}
        self.events = []
        self.journal.checkpoint(self.searcher, state)
        return state

    def _evaluation_ids(self) -> list[int]:
        evaluations_folderpath = sl.get_all_evaluations_folderpath(
            self.folderpath, self.search_name)
        return [int(name[1:]) for name in os.listdir(evaluations_folderpath)
                if name.startswith("x") and name[1:].isdigit()]

    def _logger(self, evaluation_id: int) -> sl.EvaluationLogger:
        return sl.EvaluationLogger(self.folderpath, self.search_name, evaluation_id)

    def recover(self) -> None:
        """Brings the searcher and the search folder back in step after a crash."""
        for event in self.events:
            self._replay(event)
        self.events = []
        num_sampled = self.state["num_sampled"]
        pending = self.state["pending"]
        stray = sorted(i for i in self._evaluation_ids() if i >= num_sampled)
        check(
            not stray,
            f"evaluations {stray} of search {self.search_name!r} are newer than its journal "
            "(the journal was lost or edited); refusing to guess which files to trust",
        )
        if self.dedup is not None:
            self._rebuild_dedup()
        if self.journal.searcher_mode == REPLAY and num_sampled:
            warnings.warn(
                f"run_search: {type(self.searcher).__name__} has no save_state; resuming search "
                f"{self.search_name!r} by replaying its {num_sampled - len(pending)} logged "
                "results through update. Its own sampling state is not restored, so it may "
                "propose architectures it already proposed", stacklevel=4)
        if self.journal.searcher_mode == REPLAY:
            for i in range(num_sampled):
                if str(i) not in pending:
                    config = self._logger(i).read_config()
                    self._update(self._logger(i).read_results(),
                                 config["searcher_evaluation_token"])
        # What recovery rebuilt becomes the checkpoint the next events continue.
        self.journal.checkpoint(self.searcher, self.state)
        for key in sorted(pending, key=int):
            evaluation_id = int(key)
            entry = pending[key]
            evaluation_logger = self._logger(evaluation_id)
            if not evaluation_logger.config_exists():  # killed right after the journal entry
                evaluation_logger.log_config(entry["hyperp_value_lst"],
                                             entry["searcher_evaluation_token"],
                                             self._names(entry["hyperp_value_lst"]))
            if evaluation_logger.results_exist():  # killed before the searcher got them
                self._finish(evaluation_id, evaluation_logger.read_results())
            else:
                job = self._dedup_job(Job(evaluation_id, 1, entry["hyperp_value_lst"],
                                          budget_of(entry["searcher_evaluation_token"])))
                if job is not None:
                    self.to_run.append(job)

    def _replay(self, event: dict[str, Any]) -> None:
        """Applies one journal event written after the checkpoint."""
        if "s" in event:
            if self.journal.searcher_mode != REPLAY:
                # The searcher issues the sample again; the logged values and
                # token stay the evaluation's (a searcher drawing from the
                # global generators may propose another architecture now).
                try:
                    self.searcher.sample()
                except NoSampleAvailable:
                    pass
            self.state["num_sampled"] = event["s"] + 1
            self.state["pending"][str(event["s"])] = {
                "hyperp_value_lst": event["vs"], "searcher_evaluation_token": event["token"]}
        else:
            entry = self.state["pending"].pop(str(event["f"]))
            if self.journal.searcher_mode != REPLAY:
                self._update(self._logger(event["f"]).read_results(),
                             entry["searcher_evaluation_token"])

    def _update(self, results: dict[str, Any], token: Any) -> float | None:
        if is_failed_results(results):
            val = self.failure_value
        elif self.several_metrics:
            val = {m: float(results[m]) for m in self.metrics}
        else:
            val = float(results[self.metric])
        self.metric_seen = self.metric_seen or not is_failed_results(results)
        if val is not None:
            self.searcher.update(val, token)
        return val[self.metric] if isinstance(val, dict) else val

    def _dedup_job(self, job: Job, inputs: dict[str, Any] | None = None,
                   outputs: dict[str, Any] | None = None) -> Job | None:
        """Returns ``job`` unless its architecture was (or is being) evaluated already.

        A duplicate of a finished evaluation is logged and scored at once with
        the reused results; a duplicate of a running one waits for it.
        """
        if self.dedup is None:
            return job
        if inputs is None:
            inputs, outputs = mo.SearchSpaceFactory(self.search_space_fn).get_search_space()
            specify(outputs, job.hyperp_value_lst)
        fp = fingerprint(inputs, outputs)
        action, results = self.dedup.begin(fp, job.evaluation_id)
        if action == "reuse":
            self._logger(job.evaluation_id).log_results(results)
            self._finish(job.evaluation_id, results)
        if action != "train":
            return None
        self.fingerprints[job.evaluation_id] = fp
        return job

    def _rebuild_dedup(self) -> None:
        finished = []
        for i in range(self.state["num_sampled"]):
            if self._logger(i).results_exist():
                results = self._logger(i).read_results()
                if not is_failed_results(results) and DEDUPLICATED_KEY not in results:
                    finished.append((i, self._logger(i).read_config()["hyperp_value_lst"],
                                     results))
        self.dedup = Deduplicator.from_value_lists(self.search_space_fn, finished)

    def _finish(self, evaluation_id: int, results: dict[str, Any]) -> None:
        entry = self.state["pending"].pop(str(evaluation_id))
        score = self._update(results, entry["searcher_evaluation_token"])
        self.journal.record({"f": evaluation_id})
        self._checkpoint_if_due()
        if self.progress is not None:
            self.progress.update(score)

    def _checkpoint_if_due(self) -> None:
        if self.journal.checkpoint_due():
            self.journal.checkpoint(self.searcher, self.state)

    def _names(self, vs: list[Any], hand_over: bool = False) -> list[str] | None:
        """Names of the hyperparameters ``vs`` assigns, found by replaying it on a fresh space.

        With ``hand_over``, the replayed graph is offered to an in-process
        evaluation of ``vs`` (see :func:`~deep_architect.executors.common.hand_over_replay`).
        """
        from deep_architect.specify import specify_and_name

        try:
            inputs, outputs = mo.SearchSpaceFactory(self.search_space_fn).get_search_space()
            names = specify_and_name(outputs, vs)
        except Exception:  # a space that fails to replay: its evaluation will say why
            return None
        if hand_over:
            hand_over_replay(vs, inputs, outputs)
        return names

    def _names_of_sample(self, sample: Any) -> list[str] | None:
        """Names of the hyperparameters of a new sample; offers its graph to the evaluation.

        The searcher's own names and graph serve when they are what a replay
        would give: the searcher reported its hyperparameters (see
        :attr:`~deep_architect.searchers.base.SearcherSample.hyperp_names`) and
        built the space from this search's own space function. Otherwise the
        value list is replayed, once, for both.
        """
        inputs, outputs, vs, _ = sample
        names = getattr(sample, "hyperp_names", None) if self.names_from_searcher else None
        if names is None:
            return self._names(vs, hand_over=True)
        hand_over_replay(vs, inputs, outputs)
        return names

    def sample(self) -> Job | None:
        """Samples the next architecture, records it in the journal, then logs its config.

        Returns ``None`` when deduplication answers for the evaluation.
        """
        sample = self.searcher.sample()
        inputs, outputs, vs, token = sample
        budget = budget_of(token)
        evaluation_id = self.state["num_sampled"]
        self.journal.record({"s": evaluation_id, "vs": vs, "token": token})
        self.state["num_sampled"] += 1
        self.state["pending"][str(evaluation_id)] = {
            "hyperp_value_lst": vs, "searcher_evaluation_token": token}
        evaluation_logger = self._logger(evaluation_id)
        evaluation_logger.log_config(vs, token, self._names_of_sample(sample))
        # Kept until the results are logged: making a logger checks its folders.
        self.running_loggers[evaluation_id] = evaluation_logger
        self._checkpoint_if_due()
        return self._dedup_job(Job(evaluation_id, 1, vs, budget), inputs, outputs)

    def _check_metric_spelling(self, evaluation_id: int, results: dict[str, Any]) -> None:
        # Until some result has the metric, a result without it most likely
        # means a misspelt metric: every evaluation would be marked failed.
        missing = [m for m in self.metrics if m not in results]
        if not missing:
            self.metric_seen = True
        if not self.metric_seen:
            raise DeepArchitectError(
                f"run_search: evaluation {evaluation_id} returned no {missing[0]!r} entry "
                f"(keys: {sorted(map(str, results))}); is metric={missing[0]!r} misspelt? "
                "Stopping the search before every evaluation is marked failed")

    def handle(self, outcome: Outcome) -> Job | None:
        """Logs and scores a finished job; returns the retry job if it gets one."""
        job = outcome.job
        kind, reason = outcome.failure_kind, outcome.failure_reason
        results = outcome.results
        if kind is None and isinstance(results, dict) and results.get("pruned") is True:
            results = {self.metric: results["last_value"], **results}
        if kind is None:
            reason = _score_problem(results, self.metrics)
            kind = None if reason is None else INVALID_RESULTS
            if isinstance(results, dict):
                self._check_metric_spelling(job.evaluation_id, results)
        if kind is not None and job.attempt <= self.max_retries:
            logger.warning("evaluation %d attempt %d failed (%s: %s); retrying",
                           job.evaluation_id, job.attempt, kind, reason)
            return dataclasses.replace(job, attempt=job.attempt + 1)
        if kind is not None:
            logger.warning("evaluation %d failed after %d attempt(s): %s: %s",
                           job.evaluation_id, job.attempt, kind, reason)
            results = {FAILED_KEY: True, "failure_kind": kind, "failure_reason": reason,
                       "failure_details": outcome.failure_details, "num_attempts": job.attempt}
        evaluation_logger = self.running_loggers.pop(job.evaluation_id, None)
        if evaluation_logger is None:  # an evaluation sampled before a restart
            evaluation_logger = self._logger(job.evaluation_id)
        evaluation_logger.log_results(results)
        self._finish(job.evaluation_id, results)
        if self.dedup is not None:
            fp = self.fingerprints.pop(job.evaluation_id)
            waiting = self.dedup.finish(fp, results, cache=not is_failed_results(results))
            for evaluation_id, reused in waiting:
                self._logger(evaluation_id).log_results(reused)
                self._finish(evaluation_id, reused)
        return None

    def loop(self, executor: Executor, timeout: float | None) -> None:
        """Keeps the executor full until every evaluation has finished."""
        num_in_flight = 0
        while True:
            searcher_waits = False
            while num_in_flight < executor.capacity:
                if self.to_run:
                    job = self.to_run.popleft()
                elif self.state["num_sampled"] < self.num_samples:
                    try:
                        job = self.sample()
                    except NoSampleAvailable:
                        searcher_waits = True
                        break
                    if job is None:  # answered by deduplication
                        continue
                else:
                    break
                executor.submit(job, timeout)
                num_in_flight += 1
            if num_in_flight == 0:
                check(not searcher_waits,
                      f"run_search: searcher {type(self.searcher).__name__} has nothing to "
                      f"sample after {self.state['num_sampled']} of {self.num_samples} "
                      "evaluations and none is running, so no result can unblock it (did "
                      "failed evaluations leave it waiting? see failure_value)")
                break
            for outcome in executor.wait():
                num_in_flight -= 1
                retry = self.handle(outcome)
                if retry is not None:
                    self.to_run.append(retry)
        self.journal.checkpoint(self.searcher, self.state)

    def read_all_results(self) -> list[dict[str, Any]]:
        return [self._logger(i).read_results() for i in range(self.state["num_sampled"])]


_SEARCHER_METHODS = ("sample", "update", "save_state", "load_state")
# Parameters that followed search_name in the deprecated signature, in order.
_LEGACY_OPTION_NAMES = ("executor", "metric", "max_retries", "timeout", "failure_value",
                        "show_progress", "pruner")


def _is_searcher(x: Any) -> bool:
    return all(callable(getattr(x, m, None)) for m in _SEARCHER_METHODS)


def _search_space_fn_of(searcher: Any) -> Callable[[], Any]:
    space_fn = _search_space_fn_of_or_none(searcher)
    check(space_fn is not None,
          f"run_search: searcher {type(searcher).__name__} has no search_space_fn attribute "
          "(searchers built on deep_architect.searchers.common.Searcher have one)")
    return space_fn


def _search_space_fn_of_or_none(searcher: Any) -> Callable[[], Any] | None:
    space_fn = getattr(searcher, "search_space_fn", None)
    if not callable(space_fn):
        return None
    # Searchers keep the user's function inside a SearchSpaceFactory (searchers
    # wrapping searchers, one per layer); workers wrap it in their own, so ship
    # the user's function itself.
    while isinstance(getattr(space_fn, "__self__", None), mo.SearchSpaceFactory):
        space_fn = space_fn.__self__.search_space_fn
    return space_fn


def _resolve_legacy_call(args: dict[str, Any], legacy_args: tuple,
                         options: dict[str, Any]) -> Callable[[], Any]:
    """Turns a call in the deprecated form into the new one; returns the search-space function.

    ``args`` maps the five new positional names to what the caller passed and is
    rewritten in place; ``options`` likewise holds the keyword options.
    """
    if not legacy_args:
        raise DeepArchitectError(
            "run_search: the deprecated form run_search(search_space_fn, searcher, "
            "evaluator_fn, num_samples, folderpath, search_name, ...) needs all six arguments")
    warnings.warn(
        "run_search(search_space_fn, searcher, ...) is deprecated: the searcher already holds "
        "the search-space function; call run_search(searcher, evaluator_fn, num_samples, "
        "folderpath, search_name, ...)", DeprecationWarning, stacklevel=3)
    check(len(legacy_args) <= 1 + len(_LEGACY_OPTION_NAMES),
          f"run_search: {5 + len(legacy_args)} positional arguments given, expected at most "
          f"{6 + len(_LEGACY_OPTION_NAMES)}")
    search_space_fn = args["searcher"]
    names = ["searcher", "evaluator_fn", "num_samples", "folderpath", "search_name"]
    values = [args[name] for name in names[1:]] + [legacy_args[0]]
    args.update(zip(names, values))
    for name, value in zip(_LEGACY_OPTION_NAMES, legacy_args[1:]):
        check(options[name] is _UNSET,
              f"run_search: {name} given both by position and by keyword")
        options[name] = value
    return search_space_fn


_UNSET: Any = object()
_DEFAULT_OPTIONS: dict[str, Any] = {
    "executor": None, "metric": "validation_accuracy", "max_retries": 0, "timeout": None,
    "failure_value": None, "show_progress": None, "pruner": None, "dedup": False, "resume": True,
    "overwrite": False,
}


def _clear_search_folder(folderpath: str, search_name: str, resume: bool,
                         overwrite: bool) -> None:
    """Deletes (``overwrite``) or renames aside (not ``resume``) an existing search folder."""
    search_folderpath = sl.get_search_folderpath(folderpath, search_name)
    if not os.path.isdir(search_folderpath) or not os.listdir(search_folderpath):
        return
    if overwrite:
        ut.delete_folder(search_folderpath, abort_if_nonempty=False)
    elif not resume:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside, n = f"{search_folderpath}.{stamp}", 1
        while os.path.lexists(aside):
            aside, n = f"{search_folderpath}.{stamp}-{n}", n + 1
        shutil.move(search_folderpath, aside)  # a folder, not a file being written
        logger.warning("resume=False: moved the previous search folder to %r", aside)


def _is_count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def run_search(
    searcher: Any,
    evaluator_fn: Any,
    num_samples: int,
    folderpath: str,
    search_name: str,
    *legacy_args: Any,
    executor: Executor | None = _UNSET,
    metric: str | list[str] = _UNSET,
    max_retries: int = _UNSET,
    timeout: float | None = _UNSET,
    failure_value: float | None = _UNSET,
    show_progress: bool | None = _UNSET,
    pruner: Any = _UNSET,
    dedup: bool = _UNSET,
    resume: bool = _UNSET,
    overwrite: bool = _UNSET,
) -> list[dict[str, Any]]:
    """Runs (or resumes) a search until ``num_samples`` evaluations have finished.

    Calling it again with the same arguments after the process was killed
    resumes the search where it stopped (see the module documentation); calling
    it on a finished search only returns the logged results.

    The searcher already holds the search-space function; workers call that
    function to rebuild each architecture from its value list (for process and
    Ray executors it must be picklable: defined at module level). Searchers
    working in rounds may answer "nothing to hand out now" and give each
    evaluation a budget (:mod:`deep_architect.searchers.protocol`).

    The evaluator can be given in two ways:

    * an evaluator, i.e. an object with ``eval(inputs, outputs) -> dict``: it is
      used as is in this process, and copied (pickled) to each worker process;
    * a factory: a zero-argument function or a class returning an evaluator.
      Each worker process calls it once and reuses the evaluator, so heavy
      set-up (loading data, importing a framework) happens in the workers.

    The form ``run_search(search_space_fn, searcher, evaluator_fn, num_samples,
    folderpath, search_name, ...)`` of earlier versions still works and warns
    with a ``DeprecationWarning``.

    Args:
        searcher: Object with ``sample()``, ``update(val, token)``,
            ``save_state(folderpath)``, ``load_state(folderpath)`` and the
            ``search_space_fn`` it samples from.
        evaluator_fn: An evaluator or a zero-argument factory of evaluators
            (see above); ``None`` with an executor whose workers hold their own
            (``executor.workers_hold_functions``, the communicators).
        num_samples: Total number of evaluations of the search.
        folderpath: Folder containing the search folder (created if missing).
        search_name: Name of the search folder.
        *legacy_args: Only for the deprecated form: ``search_name`` and then
            the options below by position.
        executor: Back end running the evaluations; defaults to
            :class:`~deep_architect.executors.in_process.InProcessExecutor`.
            It is started and closed by this call.
        metric: Results entry passed to ``searcher.update`` (maximised), or a
            list of entries for multi-objective searchers such as
            :class:`~deep_architect.searchers.nsga2.NSGA2Searcher`: ``update``
            then receives ``{name: value}`` for those entries, and
            ``failure_value``, if given, must be such a dict too.
        max_retries: Extra attempts for an evaluation that fails.
        timeout: Seconds allowed per evaluation attempt, or ``None``.
        failure_value: Score given to ``searcher.update`` for a failed
            evaluation; ``None`` does not tell the searcher about failures.
        show_progress: Whether to show a progress bar (``None``: only when the
            output is a terminal).
        pruner: A :class:`~deep_architect.pruning.Pruner` that evaluators
            accepting a ``reporter`` consult to stop early, or ``None``. Such
            evaluators log their intermediate values either way.
        dedup: Whether to never evaluate the same architecture twice: an
            architecture whose :func:`~deep_architect.analysis.fingerprint`
            was evaluated already reuses the logged results (its
            ``results.json`` gets a ``deduplicated_from`` entry naming the
            evaluation that was trained), and the searcher is updated as if it
            had been evaluated. A duplicate of a running evaluation waits for
            it; failed evaluations are not reused. Works across resumes.
        resume: Whether to continue the search logged in the folder. With
            ``False`` an existing search folder is renamed aside to
            ``<search_name>.<UTC time>`` (nothing logged is lost) and a new
            search starts.
        overwrite: Whether to delete an existing search folder and start a new
            search (its logs are lost).

    Returns:
        The logged results dict of every evaluation, in id order (failed ones
        are recognised by :func:`is_failed_results`).

    Raises:
        DeepArchitectError: On invalid arguments, on a folder that this function
            did not create, if the user's functions cannot reach the workers, or
            if the searcher has nothing to sample while no evaluation runs.
    """
    options = {"executor": executor, "metric": metric, "max_retries": max_retries,
               "timeout": timeout, "failure_value": failure_value,
               "show_progress": show_progress, "pruner": pruner, "dedup": dedup, "resume": resume,
               "overwrite": overwrite}
    args = {"searcher": searcher, "evaluator_fn": evaluator_fn, "num_samples": num_samples,
            "folderpath": folderpath, "search_name": search_name}
    if not _is_searcher(searcher) and _is_searcher(evaluator_fn):
        search_space_fn = _resolve_legacy_call(args, legacy_args, options)
        check(callable(search_space_fn),
              f"run_search: search_space_fn {search_space_fn!r} is not callable")
    else:
        check(not legacy_args,
              f"run_search: {5 + len(legacy_args)} positional arguments given; pass the "
              "options (executor, metric, ...) by keyword")
        check(_is_searcher(searcher),
              f"run_search: searcher {searcher!r} lacks " + "/".join(_SEARCHER_METHODS))
        search_space_fn = _search_space_fn_of(searcher)
    for name, default in _DEFAULT_OPTIONS.items():
        if options[name] is _UNSET:
            options[name] = default
    evaluator_fn = args["evaluator_fn"]
    if evaluator_fn is not None or not getattr(options["executor"], "workers_hold_functions",
                                               False):
        evaluator_fn = evaluator_factory(evaluator_fn)
    return _run(search_space_fn, args["searcher"], evaluator_fn,
                args["num_samples"], args["folderpath"], args["search_name"], **options)


def _run(search_space_fn: Callable[[], Any], searcher: Any, evaluator_fn: Callable[[], Any],
         num_samples: int, folderpath: str, search_name: str, executor: Executor | None,
         metric: str | list[str], max_retries: int, timeout: float | None,
         failure_value: Any, show_progress: bool | None,
         pruner: Any, dedup: bool, resume: bool,
         overwrite: bool) -> list[dict[str, Any]]:
    check(isinstance(metric, str) or (
        isinstance(metric, (list, tuple)) and len(metric) > 0
        and all(isinstance(m, str) for m in metric)),
        f"run_search: metric must be a results entry name or a non-empty list of names, "
        f"got {metric!r}")
    check(_is_count(num_samples),
          f"run_search: num_samples must be a non-negative int, got {num_samples!r}")
    check(_is_count(max_retries),
          f"run_search: max_retries must be a non-negative int, got {max_retries!r}")
    check(timeout is None or (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
                              and timeout > 0),
          f"run_search: timeout must be None or a positive number of seconds, got {timeout!r}")
    check(isinstance(resume, bool) and isinstance(overwrite, bool),
          f"run_search: resume and overwrite must be True or False, got {resume!r}, "
          f"{overwrite!r}")
    check(pruner is None or callable(getattr(pruner, "should_prune", None)),
          f"run_search: pruner {pruner!r} has no should_prune method (use a "
          "deep_architect.pruning.Pruner)")
    check(isinstance(dedup, bool), f"run_search: dedup must be True or False, got {dedup!r}")
    sl.check_search_name(search_name)
    _clear_search_folder(folderpath, search_name, resume, overwrite)
    sl.create_search_folderpath(folderpath, search_name, create_parent_folders=True)
    sl.record_search_space(folderpath, search_name, search_space_fn)
    run = _SearchRun(searcher, num_samples, folderpath, search_name, metric, max_retries,
                     failure_value, search_space_fn, dedup,
                     space_fingerprint(search_space_fn, searcher))
    try:
        run.recover()
        remaining = len(run.state["pending"]) + max(0, num_samples - run.state["num_sampled"])
        if remaining > 0:
            from deep_architect.progress import SearchProgress

            executor = InProcessExecutor() if executor is None else executor
            run.progress = SearchProgress(remaining, enabled=show_progress)
            try:
                executor.start(WorkerSetup(
                    search_space_fn, evaluator_fn,
                    all_evaluations_folderpath=sl.get_all_evaluations_folderpath(
                        folderpath, search_name),
                    pruner=pruner))
                run.loop(executor, timeout)
            finally:
                executor.close()
                run.progress.close()
        return run.read_all_results()
    finally:
        run.journal.close()
