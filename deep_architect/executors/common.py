"""What every execution back end of :func:`deep_architect.search_loop.run_search` shares.

The search loop (the *master*) owns the searcher and the search folder; an
:class:`Executor` only runs evaluations. A :class:`Job` carries the value list
of an architecture, never a pickled graph: the process that evaluates it calls
the search-space function again and replays the values with
:func:`deep_architect.specify.specify` (:func:`run_job`), exactly like
the workers of the original multi-worker examples. (In the search's own
thread, the graph the loop already has is evaluated instead: the searcher's
own, or the one replayed to name the hyperparameters; see
:func:`hand_over_replay`.)

Each finished job yields an :class:`Outcome`: either the evaluator's results
dict, or a failure with one of the kinds in :data:`FAILURE_KINDS` and a
human-readable reason. Executors never raise for a failing evaluation; they
raise :class:`~deep_architect.errors.DeepArchitectError` only when the back end
itself cannot work (for example, functions that cannot be sent to a worker).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import pickle
import threading
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from deep_architect.errors import DeepArchitectError

#: The evaluator raised an exception.
EXCEPTION = "exception"
#: The process running the evaluation died (crash, out-of-memory kill, signal).
WORKER_DIED = "worker_died"
#: The evaluation exceeded its time limit and was stopped.
TIMEOUT = "timeout"
#: The evaluator returned something unusable (no dict, no score, a NaN score).
INVALID_RESULTS = "invalid_results"
#: Every failure kind an :class:`Outcome` can carry.
FAILURE_KINDS = (EXCEPTION, WORKER_DIED, TIMEOUT, INVALID_RESULTS)


@dataclasses.dataclass(frozen=True)
class Job:
    """One attempt at evaluating one architecture.

    Attributes:
        evaluation_id: Id of the evaluation (its folder is ``x<evaluation_id>``).
        attempt: 1 for the first attempt, 2 for the first retry, and so on.
        hyperp_value_lst: Values replayed with ``specify`` to rebuild the architecture.
        budget: The budget the searcher gave this evaluation (see
            :mod:`deep_architect.searchers.protocol`), or ``None``.
    """

    evaluation_id: int
    attempt: int
    hyperp_value_lst: list[Any]
    budget: float | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What came back for a :class:`Job`.

    Attributes:
        job: The job this outcome answers.
        results: The evaluator's return value when it returned (not yet validated).
        failure_kind: ``None`` on success, else one of :data:`FAILURE_KINDS`.
        failure_reason: One line saying what went wrong (``None`` on success).
        failure_details: Longer diagnostics such as a traceback, or ``None``.
    """

    job: Job
    results: Any = None
    failure_kind: str | None = None
    failure_reason: str | None = None
    failure_details: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the job failed."""
        return self.failure_kind is not None


@dataclasses.dataclass(frozen=True)
class EvaluationContext:
    """Identifies the evaluation running in the current process.

    Attributes:
        evaluation_id: Id of the evaluation being run.
        attempt: Attempt number (1 for the first attempt).
        budget: The evaluation's budget (epochs, seconds, ...: the evaluator
            decides what it means), or ``None`` when the searcher gave none.
    """

    evaluation_id: int
    attempt: int
    budget: float | None = None


@dataclasses.dataclass(frozen=True)
class WorkerSetup:
    """The user functions a worker needs, shipped once per worker.

    Attributes:
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair.
        evaluator_fn: Zero-argument callable returning an evaluator, i.e. an
            object with ``eval(inputs, outputs) -> dict``. It is called once per
            worker process and the evaluator is reused by that process.
        key: Unique id of this setup, so a reused process never mixes the
            evaluators of two searches.
        all_evaluations_folderpath: The search's folder of ``x<id>`` folders;
            evaluators that accept a ``reporter`` log intermediate values there
            (``None``: they get no reporter).
        pruner: The :class:`~deep_architect.pruning.Pruner` reporters consult,
            or ``None``.
    """

    search_space_fn: Callable[[], Any]
    evaluator_fn: Callable[[], Any]
    key: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex)
    all_evaluations_folderpath: str | None = None
    pruner: Any = None

    def to_bytes(self) -> bytes:
        """Pickles the setup for a worker process.

        Raises:
            DeepArchitectError: If a function cannot be pickled (lambdas, closures,
                functions defined inside other functions).
        """
        try:
            return pickle.dumps(self)
        except Exception as e:
            raise DeepArchitectError(
                "search_space_fn and evaluator_fn must be picklable to run in other "
                "processes: define them at module level (not as lambdas or closures); "
                f"pickling failed with {type(e).__name__}: {e}"
            ) from e


class _GivenEvaluator:
    """Evaluator factory handing out one evaluator built by the caller (picklable)."""

    def __init__(self, evaluator: Any) -> None:
        self.evaluator = evaluator

    def __call__(self) -> Any:
        return self.evaluator


def evaluator_factory(evaluator: Any, owner: str = "run_search") -> Callable[[], Any]:
    """Turns "an evaluator or a factory of evaluators" into a factory.

    An object with an ``eval`` method (but not a class, which has one too) is an
    evaluator: the factory returns that very object (a copy of it in another
    process). Anything else callable is taken as a zero-argument factory.

    Example:
        >>> class Evaluator:
        ...     def eval(self, inputs, outputs):
        ...         return {"validation_accuracy": 1.0}
        >>> evaluator = Evaluator()
        >>> evaluator_factory(evaluator)() is evaluator
        True
        >>> evaluator_factory(Evaluator) is Evaluator
        True

    Args:
        evaluator: An evaluator, or a zero-argument function or class returning one.
        owner: Name of the caller, used in the error message.

    Returns:
        A zero-argument callable returning an evaluator.

    Raises:
        DeepArchitectError: If ``evaluator`` is neither.
    """
    if not isinstance(evaluator, type) and callable(getattr(evaluator, "eval", None)):
        return _GivenEvaluator(evaluator)
    if not callable(evaluator):
        raise DeepArchitectError(
            f"{owner}: evaluator_fn {evaluator!r} is neither an evaluator (an object with "
            "eval(inputs, outputs)) nor a zero-argument function or class returning one")
    return evaluator


class Executor:
    """Runs jobs for the search loop; subclasses implement one back end.

    The loop calls :meth:`start` once, then alternates :meth:`submit` (while
    fewer than :attr:`capacity` jobs are in flight) and :meth:`wait`, and calls
    :meth:`close` at the end (also on errors and interruptions). Executors are
    context managers that call :meth:`close` on exit.

    Attributes:
        workers_hold_functions: True for back ends whose workers were started
            by the user with their own search-space function and evaluator
            (the communicators); the master then needs no evaluator.
    """

    workers_hold_functions = False

    @property
    def capacity(self) -> int:
        """How many jobs may be in flight at once."""
        raise NotImplementedError

    def start(self, setup: WorkerSetup) -> None:
        """Prepares the workers for a search.

        Args:
            setup: Search-space function and evaluator factory of the search.
        """
        raise NotImplementedError

    def submit(self, job: Job, timeout: float | None) -> None:
        """Starts one job; the loop never exceeds :attr:`capacity` jobs in flight.

        Args:
            job: The job to run.
            timeout: Seconds after which the job is stopped and reported as a
                :data:`TIMEOUT` failure, or ``None`` for no limit.
        """
        raise NotImplementedError

    def wait(self) -> list[Outcome]:
        """Blocks until at least one job in flight has finished.

        Returns:
            The outcomes of every job that finished, in no particular order.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Stops every worker; unfinished jobs are abandoned."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


# Per thread, so that workers evaluating in threads (communicator workers in
# tests, threaded back ends) each see their own evaluation and evaluator.
_context = threading.local()


def _thread_evaluators() -> dict[str, Any]:
    # Evaluators built in this thread, by setup key (a recycled worker reuses its own).
    if not hasattr(_context, "evaluators"):
        _context.evaluators = {}
    return _context.evaluators


def current_evaluation() -> EvaluationContext | None:
    """Returns the evaluation being run in this process, or ``None`` outside one.

    Evaluators can call it to learn their evaluation id (to name checkpoints or
    seed their random generators per evaluation, for instance).

    Returns:
        The :class:`EvaluationContext` of the running evaluation, or ``None``.
    """
    return getattr(_context, "current", None)


def _describe_exception(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def _accepts_reporter(evaluator: Any) -> bool:
    method = evaluator.eval
    function = getattr(method, "__func__", None)
    if function is None:  # not a method of the evaluator's class
        return _signature_accepts_reporter(method)
    # Asked once per evaluator class, not once per evaluation.
    return _function_accepts_reporter(function)


def _signature_accepts_reporter(fn: Callable) -> bool:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins and C extensions
        return False
    return "reporter" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


_function_accepts_reporter = functools.lru_cache(maxsize=128)(_signature_accepts_reporter)


# One architecture replayed by the search loop in this thread, handed to the
# next run_job of the same thread instead of being built a second time.
_handoff = threading.local()


def hand_over_replay(hyperp_value_lst: list[Any], inputs: dict, outputs: dict) -> None:
    """Offers the architecture of a value list to the next :func:`run_job` of this thread.

    The search loop has each sampled architecture as a graph: the
    searcher's own when the searcher reported its hyperparameters'
    names, otherwise the one it replays to name them. An in-process
    evaluation of that very list (the same list object, first attempt)
    then evaluates this graph instead of building and specifying the
    space again. Workers in other threads or
    processes never see it and rebuild as usual. Only the newest offer is
    kept, and :func:`run_job` takes it at most once.

    Args:
        hyperp_value_lst: The job's value list (matched by identity).
        inputs: Inputs of a fresh space specified with ``hyperp_value_lst``.
        outputs: Its outputs.
    """
    _handoff.replay = (hyperp_value_lst, inputs, outputs)


def _take_replay(job: Job) -> tuple[dict, dict] | None:
    replay = getattr(_handoff, "replay", None)
    _handoff.replay = None
    if replay is None or replay[0] is not job.hyperp_value_lst:
        return None
    return replay[1], replay[2]


def _evaluate(setup: WorkerSetup, evaluator: Any, job: Job, inputs: Any, outputs: Any) -> Any:
    if setup.all_evaluations_folderpath is None or not _accepts_reporter(evaluator):
        return evaluator.eval(inputs, outputs)
    from deep_architect.pruning import EvaluationPruned, Reporter

    reporter = Reporter(
        os.path.join(setup.all_evaluations_folderpath, f"x{job.evaluation_id}"),
        job.attempt, setup.pruner)
    try:
        return evaluator.eval(inputs, outputs, reporter=reporter)
    except EvaluationPruned:
        return reporter.pruned_results()


def run_job(setup: WorkerSetup, job: Job) -> Outcome:
    """Rebuilds the architecture of ``job`` and evaluates it in this process.

    Exceptions of the search space, of ``specify`` and of the evaluator are
    returned as :data:`EXCEPTION` failures (with the traceback as details).
    An evaluator whose ``eval`` accepts a ``reporter`` keyword gets a
    :class:`~deep_architect.pruning.Reporter` when the setup names the search
    folder; if it raises :class:`~deep_architect.pruning.EvaluationPruned`, the
    results are the reporter's :meth:`~deep_architect.pruning.Reporter.pruned_results`.

    Args:
        setup: Search-space function and evaluator factory.
        job: The job to run.

    Returns:
        The :class:`Outcome` of the job.
    """
    # Imported here: worker processes import this module before knowing the job.
    import deep_architect.modules as mo
    import deep_architect.specify as sp

    _context.current = EvaluationContext(job.evaluation_id, job.attempt, job.budget)
    try:
        evaluators = _thread_evaluators()
        if setup.key not in evaluators:
            evaluators.clear()
            evaluators[setup.key] = setup.evaluator_fn()
        replayed = _take_replay(job)
        if replayed is None:
            inputs, outputs = mo.SearchSpaceFactory(setup.search_space_fn).get_search_space()
            sp.specify(outputs, job.hyperp_value_lst)
        else:
            inputs, outputs = replayed
        results = _evaluate(setup, evaluators[setup.key], job, inputs, outputs)
    except Exception as e:
        return Outcome(
            job,
            failure_kind=EXCEPTION,
            failure_reason=_describe_exception(e),
            failure_details=traceback.format_exc(),
        )
    finally:
        _context.current = None
    return Outcome(job, results=results)
