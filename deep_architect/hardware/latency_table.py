"""Per-module latency lookup tables measured on the machine that will run the model.

A :class:`LatencyTable` times every basic module of a PyTorch architecture in
isolation, keyed by the module's kind, its hyperparameter values and the shapes
of its inputs, and predicts an architecture's latency as the sum of its
modules' entries (the lookup-table approach of ProxylessNAS and FBNet). A table
measured once on the target device is saved as JSON and reused.

Timing is made robust to a busy machine: a fixed number of threads, warm-up
calls, then the median over repeats of the mean time of a batch of calls long
enough for the clock's resolution. With one thread the default clock is the
measuring thread's CPU time, which leaves out the time spent waiting for a
core while other processes run (on a shared machine, wall-clock times mostly
measure the other processes); with several threads it is the wall clock.

Example:
    >>> import tempfile, os, torch
    >>> from deep_architect.helpers.pytorch_support import (
    ...     siso_pytorch_module_from_pytorch_layer_fn as layer)
    >>> from deep_architect.modules import siso_sequential
    >>> from deep_architect.searchers.common import specify
    >>> inputs, outputs = siso_sequential([
    ...     layer(torch.nn.Linear, {"in_features": 64, "out_features": 32}),
    ...     layer(torch.nn.Tanh, {})])
    >>> specify(outputs, [64, 32])
    >>> path = os.path.join(tempfile.mkdtemp(), "latency.json")
    >>> table = LatencyTable((64,), filepath=path, num_repeats=3)
    >>> table.predict(inputs, outputs) > 0
    True
    >>> len(table), table.num_measured
    (2, 2)
    >>> table.save()
    >>> len(LatencyTable((64,), filepath=path))
    2
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

__all__ = ["LatencyTable", "module_key"]

_FORMAT = "deep_architect.latency_table"
_VERSION = 1
_NAME_RE = re.compile(r"^M\.(.*)-\d+$")
# One timed repeat lasts at least this long, so that the clock's resolution and
# the cost of reading it stay negligible against the module's own time.
_MIN_REPEAT_SECONDS = 2e-3


def _describe(value: Any) -> Any:
    if callable(value):
        return getattr(value, "__qualname__", type(value).__name__)
    return repr(value)


def _shape(value: Any) -> Any:
    shape = getattr(value, "shape", None)
    return list(shape) if shape is not None else _describe(value)


def module_key(module: Any) -> str:
    """The table key of a compiled basic module: kind, hyperparameter values, input shapes.

    Args:
        module: A module whose inputs hold values (after a forward pass).
    """
    match = _NAME_RE.match(module.get_name())
    kind = match.group(1) if match else module.get_name()
    hyperps = json.dumps(module._get_hyperp_values(), sort_keys=True, default=_describe)
    shapes = json.dumps({k: _shape(v) for k, v in module._get_input_values().items()},
                        sort_keys=True)
    return f"{kind}|{hyperps}|{shapes}"


#: Clocks a table can time with: the calling thread's CPU time, or the wall clock.
TIMERS: dict[str, Callable[[], float]] = {"cpu": time.thread_time, "wall": time.perf_counter}


def time_call(fn: Callable[[], Any], num_warmup: int, num_repeats: int,
              timer: Callable[[], float] = time.perf_counter) -> float:
    """Median seconds per call of ``fn`` over ``num_repeats`` timed repeats, after warm-up.

    Each repeat times enough consecutive calls to last at least 2 ms.

    Args:
        fn: The call to time.
        num_warmup: Untimed calls first.
        num_repeats: Timed repeats.
        timer: The clock (see :data:`TIMERS`).
    """
    for _ in range(num_warmup):
        fn()
    start = timer()
    fn()
    once = max(timer() - start, 1e-7)
    number = max(1, math.ceil(_MIN_REPEAT_SECONDS / once))
    times = []
    for _ in range(num_repeats):
        start = timer()
        for _ in range(number):
            fn()
        times.append((timer() - start) / number)
    return statistics.median(times)


class LatencyTable:
    """Latency of basic PyTorch modules on this machine, measured once and reused.

    Entries are milliseconds per forward call in inference mode (``eval()``,
    no gradients) with inputs of ``batch_size`` examples. Modules that are not
    compiled framework modules (identities, the leftovers of substitution
    modules) cost nothing.

    Args:
        example_shape: Shape of one example of the architecture's single input
            (without the batch axis), e.g. ``(1, 8, 8)`` or ``(64,)``.
        filepath: JSON file to load the table from (if it exists) and to save to.
        batch_size: Examples per forward call.
        num_threads: PyTorch intra-op threads while timing (restored afterwards).
        num_warmup: Untimed calls before timing each module.
        num_repeats: Timed repeats per module; the median is kept.
        timer: ``"cpu"`` (CPU time of the measuring thread; only with one
            thread) or ``"wall"``; by default ``"cpu"`` with one thread and
            ``"wall"`` with more.

    Raises:
        DeepArchitectError: If ``filepath`` exists but is not a readable table,
            or holds a table measured with another batch size or thread count.
            The file is left untouched.
    """

    def __init__(self, example_shape: Sequence[int], filepath: str | None = None,
                 batch_size: int = 1, num_threads: int = 1, num_warmup: int = 5,
                 num_repeats: int = 11, timer: str | None = None) -> None:
        for name, value, low in [("batch_size", batch_size, 1), ("num_threads", num_threads, 1),
                                 ("num_warmup", num_warmup, 0), ("num_repeats", num_repeats, 1)]:
            check(isinstance(value, int) and not isinstance(value, bool) and value >= low,
                  f"LatencyTable: {name} must be an int >= {low}, got {value!r}")
        check(isinstance(example_shape, Sequence)
              and all(isinstance(d, int) and d > 0 for d in example_shape),
              f"LatencyTable: example_shape must be a sequence of positive ints (one "
              f"example, no batch axis), got {example_shape!r}")
        timer = ("cpu" if num_threads == 1 else "wall") if timer is None else timer
        check(timer in TIMERS and (timer == "wall" or num_threads == 1),
              f"LatencyTable: timer must be 'wall', or 'cpu' with num_threads=1 (the CPU time "
              f"of one thread), got {timer!r} with num_threads={num_threads}")
        self.timer = timer
        self.example_shape = tuple(example_shape)
        self.filepath = filepath
        self.batch_size = batch_size
        self.num_threads = num_threads
        self.num_warmup = num_warmup
        self.num_repeats = num_repeats
        self.entries: dict[str, float] = {}
        self.num_measured = 0
        if filepath is not None and os.path.exists(filepath):
            self.entries = self._read(filepath)

    def __len__(self) -> int:
        return len(self.entries)

    def _settings(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "num_threads": self.num_threads,
                "timer": self.timer}

    def _read(self, filepath: str) -> dict[str, float]:
        def corrupt(reason: str) -> DeepArchitectError:
            return DeepArchitectError(
                f"latency table file {filepath!r} is corrupt ({reason}); it was left "
                f"untouched: repair or remove it, or give another filepath")
        try:
            with open(filepath) as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise corrupt(f"not readable JSON: {e}") from None
        if not (isinstance(data, dict) and data.get("format") == _FORMAT):
            raise corrupt(f"expected a JSON object with format {_FORMAT!r}")
        if data.get("version") != _VERSION:
            raise corrupt(f"unsupported version {data.get('version')!r}")
        entries = data.get("entries")
        if not (isinstance(entries, dict) and all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                and v >= 0 for v in entries.values())):
            raise corrupt("'entries' must map keys to non-negative milliseconds")
        settings = {k: data.get(k) for k in self._settings()}
        check(settings == self._settings(),
              f"latency table file {filepath!r} was measured with {settings}, not "
              f"{self._settings()}; use a file per setting (it was left untouched)")
        return {k: float(v) for k, v in entries.items()}

    def save(self, filepath: str | None = None) -> None:
        """Writes the table as JSON (atomically, creating folders), merged with the file's entries.

        Args:
            filepath: Target file; defaults to the table's ``filepath``.

        Raises:
            DeepArchitectError: If no path is known, or the target exists but is
                not a table of the same settings (it is never overwritten).
        """
        filepath = self.filepath if filepath is None else filepath
        check(filepath is not None, "LatencyTable.save: no filepath given or set")
        entries = dict(self._read(filepath)) if os.path.exists(filepath) else {}
        entries.update(self.entries)
        data = {"format": _FORMAT, "version": _VERSION, **self._settings(),
                "example_shape": list(self.example_shape), "machine": platform.machine(),
                "processor": platform.processor(), "unit": "milliseconds",
                "entries": dict(sorted(entries.items()))}
        if os.path.dirname(filepath):
            os.makedirs(os.path.dirname(filepath), exist_ok=True)
        ut.write_jsonfile(data, filepath, indent=1)

    def _with_threads(self, fn: Callable[[], Any]) -> Any:
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        try:
            with torch.no_grad():
                return fn()
        finally:
            torch.set_num_threads(previous)

    def _example_input(self) -> Any:
        import torch

        gen = torch.Generator().manual_seed(0)
        return torch.randn((self.batch_size,) + self.example_shape, generator=gen)

    def _compiled_modules(self, inputs: Mapping, outputs: Mapping) -> tuple:
        """Compiles the architecture; returns the model and its modules with input values."""
        import deep_architect.core as co
        from deep_architect.helpers._common import CompileFnModule, forward_dict
        from deep_architect.zero_cost.evaluator import build_model

        x = self._example_input()
        # Compiling runs in training mode, where batch normalization needs two
        # examples; the timed passes run in inference mode with the real batch.
        model = build_model(inputs, outputs, x if self.batch_size > 1 else x.repeat(
            (2,) + (1,) * len(self.example_shape))).eval()
        seq = co.determine_module_eval_seq(inputs)
        # A forward through the graph itself leaves each module's input values in place.
        forward_dict(inputs, outputs, {next(iter(inputs)): x}, seq)
        return model, x, [m for m in seq if isinstance(m, CompileFnModule)]

    def predict(self, inputs: Mapping, outputs: Mapping) -> float:
        """Predicted latency (ms) of a specified architecture: the sum of its modules' entries.

        Entries missing from the table are measured now and added.

        Args:
            inputs: The architecture's inputs (single input).
            outputs: The architecture's outputs, fully specified.
        """
        return self._with_threads(lambda: self._predict(inputs, outputs))

    def _predict(self, inputs: Mapping, outputs: Mapping) -> float:
        check(len(inputs) == 1, f"LatencyTable: architectures must have a single input, got "
                                f"{sorted(inputs)}")
        _, _, modules = self._compiled_modules(inputs, outputs)
        total = 0.0
        for m in modules:
            key = module_key(m)
            if key not in self.entries:
                values = m._get_input_values()
                seconds = time_call(lambda m=m, values=values: m._call_forward_fn(values),
                                    self.num_warmup, self.num_repeats, TIMERS[self.timer])
                self.entries[key] = seconds * 1e3
                self.num_measured += 1
            total += self.entries[key]
        return total

    def measure_end_to_end(self, inputs: Mapping, outputs: Mapping) -> float:
        """Measured latency (ms) of the whole compiled architecture, timed like an entry."""
        def measure() -> float:
            model, x, _ = self._compiled_modules(inputs, outputs)
            feed = {next(iter(inputs)): x}
            return time_call(lambda: model(feed), self.num_warmup, self.num_repeats,
                             TIMERS[self.timer]) * 1e3
        return self._with_threads(measure)
