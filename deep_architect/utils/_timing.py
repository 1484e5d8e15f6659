"""Trackers of metric sequences and named timers."""

from __future__ import annotations

import time
from typing import Any

from deep_architect.errors import check
from deep_architect.utils._units import convert_between_time_units


class SequenceTracker:
    """Accumulates named sequences of values (e.g. per-epoch metrics).

    Args:
        abort_if_different_lengths: Whether every ``append`` must leave all
            sequences with the same length.

    Attributes:
        d: Dict from sequence name to the list of its values.

    Example:
        >>> t = SequenceTracker()
        >>> t.append({"loss": 0.5}); t.append({"loss": 0.25})
        >>> t.get_dict()
        {'loss': [0.5, 0.25]}
    """

    def __init__(self, abort_if_different_lengths: bool = False) -> None:
        self.abort_if_different_lengths = abort_if_different_lengths
        self.d: dict[str, list[Any]] = {}

    def append(self, d: dict[str, Any]) -> None:
        """Appends each value of ``d`` to the sequence named by its key.

        Raises:
            DeepArchitectError: If a key is not a non-empty string, or lengths
                differ afterwards while ``abort_if_different_lengths``.
        """
        for k, v in d.items():
            check(
                isinstance(k, str) and len(k) > 0,
                f"SequenceTracker.append: keys must be non-empty strings, got {k!r}",
            )
            self.d.setdefault(k, []).append(v)
        if self.abort_if_different_lengths:
            lengths = {k: len(v) for k, v in self.d.items()}
            check(
                len(set(lengths.values())) <= 1,
                f"SequenceTracker.append: sequences have different lengths {lengths}",
            )

    def get_dict(self) -> dict[str, list[Any]]:
        """Returns a shallow copy of the dict of sequences."""
        return dict(self.d)


_RESERVED_EVENTS = ("start", "tick")


class TimerManager:
    """Named timers, each a set of named timestamped events.

    Attributes:
        init_time: Creation time (``time.time()``).
        last_registered: Creation time as well (kept for compatibility).
        name_to_timer: Dict from timer name to a dict from event name to timestamp.

    Example:
        >>> tm = TimerManager()
        >>> tm.create_timer("train")
        >>> tm.create_timer_event("train", "epoch1")
        >>> tm.get_time_between_events("train", "start", "epoch1") >= 0
        True
    """

    def __init__(self) -> None:
        self.init_time = time.time()
        self.last_registered = self.init_time
        self.name_to_timer: dict[str, dict[str, float]] = {}

    def _timer(self, timer_name: str) -> dict[str, float]:
        check(timer_name in self.name_to_timer, f"TimerManager: no timer named {timer_name!r}")
        return self.name_to_timer[timer_name]

    def _event_time(self, timer_name: str, event_name: str) -> float:
        timer = self._timer(timer_name)
        check(
            event_name in timer,
            f"TimerManager: timer {timer_name!r} has no event named {event_name!r}",
        )
        return timer[event_name]

    def create_timer(self, timer_name: str, abort_if_timer_exists: bool = True) -> None:
        """Creates (or restarts) a timer, setting its ``'start'`` and ``'tick'`` events to now."""
        check(
            not (abort_if_timer_exists and timer_name in self.name_to_timer),
            f"TimerManager.create_timer: timer {timer_name!r} already exists",
        )
        now = time.time()
        self.name_to_timer[timer_name] = {"start": now, "tick": now}

    def create_timer_event(
        self, timer_name: str, event_name: str, abort_if_event_exists: bool = True
    ) -> None:
        """Records the current time as event ``event_name`` of a timer.

        Raises:
            DeepArchitectError: If the timer is missing, the event name is
                reserved (``'start'``, ``'tick'``), or it exists and
                ``abort_if_event_exists``.
        """
        timer = self._timer(timer_name)
        check(
            event_name not in _RESERVED_EVENTS,
            f"TimerManager: event name {event_name!r} is reserved",
        )
        check(
            not (abort_if_event_exists and event_name in timer),
            f"TimerManager: timer {timer_name!r} already has an event {event_name!r}",
        )
        timer[event_name] = time.time()

    def tick_timer(self, timer_name: str) -> None:
        """Sets the ``'tick'`` event of a timer to now."""
        self._timer(timer_name)["tick"] = time.time()

    def get_time_since_event(
        self, timer_name: str, event_name: str, units: str = "seconds"
    ) -> float:
        """Time elapsed since an event of a timer, in ``units``."""
        delta = time.time() - self._event_time(timer_name, event_name)
        return convert_between_time_units(delta, "seconds", units)

    def get_time_between_events(
        self,
        timer_name: str,
        earlier_event_name: str,
        later_event_name: str,
        units: str = "seconds",
    ) -> float:
        """Time from ``earlier_event_name`` to ``later_event_name``, in ``units``.

        Raises:
            DeepArchitectError: If the "earlier" event happened after the later one.
        """
        delta = self._event_time(timer_name, later_event_name) - self._event_time(
            timer_name, earlier_event_name
        )
        check(
            delta >= 0,
            f"TimerManager: event {earlier_event_name!r} of timer {timer_name!r} happened "
            f"after {later_event_name!r}",
        )
        return convert_between_time_units(delta, "seconds", units)

    def get_time_since_last_tick(self, timer_name: str, units: str = "seconds") -> float:
        """Time elapsed since the last tick of a timer, in ``units``."""
        return self.get_time_since_event(timer_name, "tick", units)
