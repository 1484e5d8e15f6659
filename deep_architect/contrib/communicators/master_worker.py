"""Ready-made master and worker calls for the communicators (thin wrappers).

Every process of the search runs the same script; it creates its communicator
and calls :func:`run_master` if ``comm.is_master()`` else :func:`run_worker`.
Both delegate to the one search loop and the one worker body:
:func:`run_master` is :func:`deep_architect.search_loop.run_search` with a
:class:`~deep_architect.contrib.communicators.executor.CommunicatorExecutor`
(so the master gets its logging, crash recovery and failure records, see
:func:`deep_architect.search_loop.is_failed_results`), and :func:`run_worker`
is :func:`~deep_architect.contrib.communicators.executor.serve`. Use those
directly for the loop's other options (retries, time limits, budgets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import deep_architect.search_logging as sl
from deep_architect.contrib.communicators.communicator import Communicator
from deep_architect.contrib.communicators.executor import CommunicatorExecutor, serve


def run_master(comm: Communicator, searcher: Any, num_samples: int,
               search_logger: sl.SearchLogger,
               metric: str = "validation_accuracy") -> list[dict]:
    """Hands out ``num_samples`` architectures, collects the results, then stops the workers.

    Args:
        comm: Communicator of the master process.
        searcher: Searcher that samples the architectures.
        num_samples: Number of evaluations.
        search_logger: Logger of the search folder (evaluation ``i`` goes to
            ``x<i>``); rerunning on the same folder resumes the search.
        metric: Results entry given to ``searcher.update``.

    Returns:
        The results dict of every evaluation, in id order.
    """
    from deep_architect.search_loop import run_search

    return run_search(searcher, None, num_samples, search_logger.folderpath,
                      search_logger.search_name, executor=CommunicatorExecutor(comm),
                      metric=metric, show_progress=False)


def run_worker(comm: Communicator, search_space_fn: Callable[[], Any], evaluator: Any) -> int:
    """Evaluates the architectures the master sends until told to stop.

    Args:
        comm: Communicator of a worker process.
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair (the same
            function the master's searcher uses).
        evaluator: An evaluator (``eval(inputs, outputs) -> dict``) or a
            zero-argument factory of one.

    Returns:
        The number of architectures this worker evaluated.
    """
    return serve(comm, search_space_fn, evaluator)
