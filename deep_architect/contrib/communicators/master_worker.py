"""Ready-made master and worker loops for the communicators.

Every process of the search runs the same script; it creates its communicator
and calls :func:`run_master` if ``comm.is_master()`` else :func:`run_worker`.
The master samples, logs each configuration and its results in the standard
search folder and updates the searcher; workers rebuild each architecture
from its value list and evaluate it. An evaluator exception does not stop a
worker: the master logs it as a failed evaluation (same record as
:func:`deep_architect.search_loop.run_search`, see
:func:`deep_architect.search_loop.is_failed_results`) and does not update the
searcher with it.

For crash recovery, retries and time limits, prefer
:func:`deep_architect.search_loop.run_search`.
"""

from __future__ import annotations

import time
import traceback
from typing import Any, Callable, List

import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.specify as sp
from deep_architect.contrib.communicators.communicator import Communicator
from deep_architect.executors.common import EXCEPTION
from deep_architect.search_loop import FAILED_KEY, is_failed_results

#: Seconds the master sleeps when no message arrived, so that it does not spin a core.
MASTER_POLL_INTERVAL_IN_SECONDS = 0.005


def run_master(comm: Communicator, searcher: Any, num_samples: int,
               search_logger: sl.SearchLogger,
               metric: str = "validation_accuracy") -> List[dict]:
    """Hands out ``num_samples`` architectures, collects the results, then stops the workers.

    Args:
        comm: Communicator of the master process.
        searcher: Searcher that samples the architectures.
        num_samples: Number of evaluations.
        search_logger: Logger of the search folder (evaluation ``i`` goes to ``x<i>``).
        metric: Results entry given to ``searcher.update``.

    Returns:
        The results dict of every evaluation, in id order.
    """
    all_results: List[Any] = [None] * num_samples
    num_sampled = num_finished = num_killed = 0
    while num_finished < num_sampled or num_killed < comm.num_workers:
        progressed = False
        if num_sampled < num_samples:
            if comm.is_ready_to_publish_architecture():
                _, _, vs, token = searcher.sample()
                search_logger.get_evaluation_logger(num_sampled).log_config(vs, token)
                comm.publish_architecture_to_worker(vs, num_sampled, token)
                num_sampled += 1
                progressed = True
        elif num_killed < comm.num_workers and comm.is_ready_to_publish_architecture():
            comm.kill_worker()
            num_killed += 1
            progressed = True
        for worker in range(comm.num_workers):
            message = comm.receive_results_in_master(worker)
            if message is None:
                continue
            results, evaluation_id, token = message
            search_logger.get_evaluation_logger(evaluation_id).log_results(results)
            if not is_failed_results(results):
                searcher.update(results[metric], token)
            all_results[evaluation_id] = results
            num_finished += 1
            progressed = True
        if not progressed:
            time.sleep(MASTER_POLL_INTERVAL_IN_SECONDS)
    return all_results


def run_worker(comm: Communicator, search_space_fn: Callable[[], Any], evaluator: Any) -> int:
    """Evaluates the architectures the master sends until told to stop.

    Args:
        comm: Communicator of a worker process.
        search_space_fn: Returns a fresh ``(inputs, outputs)`` pair (the same
            function the master's searcher uses).
        evaluator: Object with ``eval(inputs, outputs) -> dict``.

    Returns:
        The number of architectures this worker evaluated.
    """
    factory = mo.SearchSpaceFactory(search_space_fn)
    num_evaluated = 0
    while True:
        message = comm.receive_architecture_in_worker()
        if message is None:
            return num_evaluated
        vs, evaluation_id, token = message
        try:
            inputs, outputs = factory.get_search_space()
            sp.specify(outputs, vs)
            results = evaluator.eval(inputs, outputs)
        except Exception as e:
            results = {FAILED_KEY: True, "failure_kind": EXCEPTION,
                       "failure_reason": f"{type(e).__name__}: {e}",
                       "failure_details": traceback.format_exc(), "num_attempts": 1}
        comm.publish_results_to_master(results, evaluation_id, token)
        num_evaluated += 1
