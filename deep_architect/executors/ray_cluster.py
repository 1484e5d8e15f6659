"""Cluster back end: each evaluation is a Ray task with its own resource request."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from deep_architect.errors import DeepArchitectError, check
from deep_architect.executors.common import (
    TIMEOUT,
    WORKER_DIED,
    Executor,
    Job,
    Outcome,
    WorkerSetup,
    run_job,
)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise DeepArchitectError(
            "RayExecutor needs the 'ray' package: pip install 'deep_architect[distributed]'"
        ) from e
    return ray


def _run_job_task(setup: WorkerSetup, job: Job) -> Outcome:
    # The body of the Ray task; Ray workers are reused, and so is the evaluator
    # that run_job caches per setup.
    return run_job(setup, job)


class RayExecutor(Executor):
    """Runs each evaluation as a Ray task, locally or on an existing cluster.

    If Ray is not initialised yet, :meth:`start` calls
    ``ray.init(address=address, **init_kwargs)`` and :meth:`close` shuts it
    down again; a Ray session started by the caller is used and left running.
    Ray schedules a task only where its resources (``num_cpus``, ``num_gpus``,
    custom ``resources``) are free, and sets ``CUDA_VISIBLE_DEVICES`` for GPU tasks.

    Args:
        address: Cluster address for ``ray.init`` (``'auto'`` joins the cluster
            this machine belongs to); ``None`` starts a local Ray instance.
        num_workers: Evaluations in flight at once; defaults to how many tasks
            the cluster's CPUs (and GPUs, if requested) can hold.
        num_cpus: CPUs reserved per evaluation.
        num_gpus: GPUs reserved per evaluation.
        remote_options: Extra Ray task options, e.g. ``{"resources": {"TPU": 1}}``
            or ``{"max_calls": 1}`` for a fresh worker process per evaluation.
        init_kwargs: Extra keyword arguments for ``ray.init``.
    """

    def __init__(
        self,
        address: str | None = None,
        num_workers: int | None = None,
        num_cpus: float = 1,
        num_gpus: float = 0,
        remote_options: Mapping[str, Any] | None = None,
        init_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        check(num_workers is None or (isinstance(num_workers, int) and num_workers >= 1),
              f"RayExecutor: num_workers must be None or a positive int, got {num_workers!r}")
        check(num_cpus >= 0 and num_gpus >= 0 and num_cpus + num_gpus > 0,
              f"RayExecutor: num_cpus={num_cpus!r} and num_gpus={num_gpus!r} must be "
              "non-negative and not both zero")
        self.address = address
        self.num_workers = num_workers
        self.task_options: dict[str, Any] = {
            "num_cpus": num_cpus, "num_gpus": num_gpus, "max_retries": 0,
            **(remote_options or {}),
        }
        self.init_kwargs = dict(init_kwargs or {})
        self._ray: Any = None
        self._owns_ray = False
        self._capacity = 0
        self._setup_ref: Any = None
        self._task: Any = None
        self._in_flight: dict[Any, tuple] = {}

    @property
    def capacity(self) -> int:
        """Evaluations in flight at once (known after :meth:`start`)."""
        return self._capacity

    def _cluster_capacity(self) -> int:
        resources = self._ray.cluster_resources()
        limits = []
        for name, key in (("CPU", "num_cpus"), ("GPU", "num_gpus")):
            if self.task_options[key] > 0:
                limits.append(int(resources.get(name, 0) // self.task_options[key]))
        capacity = min(limits)
        check(capacity >= 1, f"RayExecutor: the cluster ({resources}) cannot hold one "
                             f"evaluation needing {self.task_options}")
        return capacity

    def start(self, setup: WorkerSetup) -> None:
        """Connects to Ray (initialising it if needed) and ships the user's functions.

        Args:
            setup: Search-space function and evaluator factory of the search.
        """
        self._ray = _import_ray()
        if not self._ray.is_initialized():
            self._ray.init(address=self.address, **self.init_kwargs)
            self._owns_ray = True
        self._capacity = self.num_workers or self._cluster_capacity()
        self._setup_ref = self._ray.put(setup)
        self._task = self._ray.remote(_run_job_task).options(**self.task_options)

    def submit(self, job: Job, timeout: float | None) -> None:
        """Launches ``job`` as a Ray task.

        Args:
            job: The job to run.
            timeout: Seconds before the task is force-cancelled (its worker
                process is killed) and reported as a timeout, or ``None``.
        """
        check(self._task is not None, "RayExecutor.submit called before start")
        deadline = float("inf") if timeout is None else time.monotonic() + timeout
        ref = self._task.remote(self._setup_ref, job)
        self._in_flight[ref] = (job, timeout, deadline)

    def wait(self) -> list[Outcome]:
        """Blocks until a task finishes, fails or exceeds its deadline.

        Returns:
            The outcomes of the tasks that ended.
        """
        check(len(self._in_flight) > 0, "RayExecutor.wait called with no job in flight")
        ray = self._ray
        while True:
            deadline = min(entry[2] for entry in self._in_flight.values())
            remaining = None if deadline == float("inf") else max(0.0, deadline - time.monotonic())
            ready, _ = ray.wait(list(self._in_flight), num_returns=1, timeout=remaining)
            if ready:
                ready, _ = ray.wait(list(self._in_flight), num_returns=len(self._in_flight),
                                    timeout=0)
            outcomes = [self._collect(ref) for ref in ready]
            now = time.monotonic()
            for ref, (job, timeout, deadline) in list(self._in_flight.items()):
                if now >= deadline:
                    ray.cancel(ref, force=True)
                    del self._in_flight[ref]
                    outcomes.append(Outcome(
                        job, failure_kind=TIMEOUT,
                        failure_reason=f"evaluation did not finish within {timeout} s; "
                                       "Ray task cancelled"))
            if outcomes:
                return outcomes

    def _collect(self, ref: Any) -> Outcome:
        job, _, _ = self._in_flight.pop(ref)
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayError as e:
            # run_job catches the evaluator's exceptions, so this is the worker itself.
            return Outcome(job, failure_kind=WORKER_DIED,
                           failure_reason=f"Ray task failed: {type(e).__name__}: "
                                          f"{str(e).splitlines()[0] if str(e) else ''}",
                           failure_details=str(e))

    def close(self) -> None:
        """Cancels unfinished tasks; shuts Ray down if :meth:`start` initialised it."""
        if self._ray is None:
            return
        for ref in self._in_flight:
            self._ray.cancel(ref, force=True)
        self._in_flight.clear()
        if self._owns_ray:
            self._ray.shutdown()
            self._owns_ray = False
        self._task = self._setup_ref = None
