"""Environment-variable and NVIDIA GPU helpers (via ``nvidia-smi``; no framework imports).

The executors use :func:`get_total_num_gpus` to pin workers to GPUs;
:mod:`deep_architect.contrib.misc.gpu_utils` re-exports every name for old imports.

Every query degrades gracefully on machines without NVIDIA GPUs: when
``nvidia-smi`` is missing or fails, there are no GPUs (empty list, 0, ``None``).
Call :func:`set_visible_gpus` **before** importing a deep-learning framework:
CUDA reads ``CUDA_VISIBLE_DEVICES`` once, when it initialises.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from deep_architect.errors import check

__all__ = [
    "get_available_gpu",
    "get_environment_variable",
    "get_gpu_information",
    "get_monitored_gpu_id",
    "get_total_num_gpus",
    "is_environment_variable_defined",
    "set_environment_variable",
    "set_visible_gpus",
    "use_available_gpu",
]

_NVIDIA_SMI_TIMEOUT_IN_SECONDS = 10.0


def is_environment_variable_defined(name: str) -> bool:
    """Returns whether the environment variable ``name`` is set."""
    return name in os.environ


def set_environment_variable(name: str, value: str, abort_if_notexists: bool = True) -> None:
    """Sets the environment variable ``name`` to ``value`` (converted to ``str``).

    Raises:
        DeepArchitectError: If the variable is not yet defined and ``abort_if_notexists``.
    """
    check(not abort_if_notexists or is_environment_variable_defined(name),
          "set_environment_variable: %r is not defined (pass abort_if_notexists=False "
          "to create it)." % name)
    os.environ[name] = str(value)


def get_environment_variable(name: str, abort_if_notexists: bool = True) -> str | None:
    """Returns the value of ``name``, or ``None`` if it is unset and not aborting.

    Raises:
        DeepArchitectError: If the variable is not defined and ``abort_if_notexists``.
    """
    check(not abort_if_notexists or is_environment_variable_defined(name),
          "get_environment_variable: %r is not defined." % name)
    return os.environ.get(name)


def _run_nvidia_smi(args: Sequence[str]) -> list[str] | None:
    """Non-empty output lines of ``nvidia-smi <args>``, or ``None`` if it is unavailable."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, *args], capture_output=True, text=True, check=True,
                             timeout=_NVIDIA_SMI_TIMEOUT_IN_SECONDS).stdout
    except (OSError, subprocess.SubprocessError):
        # A broken driver behaves like no GPU: callers then run on the CPU.
        return None
    return [line.strip() for line in out.splitlines() if line.strip()]


def _leading_number(field: str) -> float:
    return float(field.strip().split()[0])


def get_gpu_information() -> list[dict[str, float]]:
    """Returns the current utilisation of every NVIDIA GPU, in ``nvidia-smi`` order.

    Returns:
        One dict per GPU with keys ``gpu_id`` (int), ``gpu_utilization_in_percent``,
        ``gpu_memory_utilization_in_gigabytes`` and ``gpu_total_memory_in_gigabytes``
        (1024-based units); an empty list without ``nvidia-smi``.
    """
    lines = _run_nvidia_smi(["--query-gpu=utilization.gpu,memory.used,memory.total",
                             "--format=csv,noheader"])
    gpus = []
    for i, line in enumerate(lines or []):
        util, used_mib, total_mib = line.split(",")
        gpus.append({"gpu_id": i,
                     "gpu_utilization_in_percent": _leading_number(util),
                     "gpu_memory_utilization_in_gigabytes": _leading_number(used_mib) / 1024.0,
                     "gpu_total_memory_in_gigabytes": _leading_number(total_mib) / 1024.0})
    return gpus


def get_available_gpu(memory_threshold_in_gigabytes: float,
                      utilization_threshold_in_percent: float) -> int | None:
    """Returns the id of the first GPU below both thresholds, or ``None`` if there is none."""
    for gpu in get_gpu_information():
        if (gpu["gpu_memory_utilization_in_gigabytes"] <= memory_threshold_in_gigabytes
                and gpu["gpu_utilization_in_percent"] <= utilization_threshold_in_percent):
            return gpu["gpu_id"]
    return None


def use_available_gpu(memory_threshold_in_gigabytes: float = 0.1,
                      utilization_threshold_in_percent: float = 5.0) -> int | None:
    """Restricts CUDA to the first idle GPU, if there is one.

    Call it before any framework is imported: CUDA reads ``CUDA_VISIBLE_DEVICES``
    only once.

    Args:
        memory_threshold_in_gigabytes: Most memory in use for a GPU to count as idle.
        utilization_threshold_in_percent: Highest utilisation for a GPU to count as idle.

    Returns:
        The id of the GPU now visible, or ``None`` (nothing changed) if none is idle.
    """
    gpu_id = get_available_gpu(memory_threshold_in_gigabytes, utilization_threshold_in_percent)
    if gpu_id is not None:
        set_visible_gpus([gpu_id])
    return gpu_id


def get_total_num_gpus() -> int:
    """Returns the number of NVIDIA GPUs (lines of ``nvidia-smi -L``); 0 without one."""
    return len(_run_nvidia_smi(["-L"]) or [])


def set_visible_gpus(gpu_ids: Sequence[int]) -> None:
    """Restricts CUDA to ``gpu_ids`` by setting ``CUDA_VISIBLE_DEVICES``.

    Raises:
        DeepArchitectError: If an id is not that of an existing GPU.
    """
    n = get_total_num_gpus()
    bad = [i for i in gpu_ids if not 0 <= int(i) < n]
    check(not bad, "set_visible_gpus: GPU ids %s do not exist; this machine has %d GPU(s)."
          % (bad, n))
    os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(str(int(i)) for i in gpu_ids)


def get_monitored_gpu_id() -> int | None:
    """Returns the one GPU this process uses, for utilisation monitoring, else ``None``.

    That is the single id in ``CUDA_VISIBLE_DEVICES`` when exactly one is listed,
    else 0 when the machine has exactly one GPU.
    """
    visible = [v for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
    if len(visible) == 1 and visible[0].strip().isdigit():
        return int(visible[0])
    return 0 if not visible and get_total_num_gpus() == 1 else None
