"""Processes, unit conversions and name parsing."""

from __future__ import annotations

import subprocess
import time

from deep_architect.errors import check


def sleep(time_in_seconds: float) -> None:
    """Sleeps for the given number of seconds."""
    time.sleep(time_in_seconds)


def run_bash_command(cmd: str, text: bool = False) -> bytes | str:
    """Runs a shell command and returns its standard output.

    Args:
        cmd: The command line, run through the shell.
        text: Whether to decode the output to ``str`` (the default returns bytes).

    Returns:
        The captured standard output.

    Raises:
        subprocess.CalledProcessError: If the command exits with a non-zero status.
    """
    return subprocess.check_output(cmd, shell=True, text=text)


# Seconds per unit. 'miliseconds' (sic) is the original spelling, kept because
# it appears as a results key; 'milliseconds' is accepted as an alias.
_SECONDS_PER_UNIT = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "days": 86400.0,
    "weeks": 604800.0,
    "miliseconds": 1e-3,
    "milliseconds": 1e-3,
    "microseconds": 1e-6,
    "nanoseconds": 1e-9,
}

_BYTES_PER_UNIT = {
    "bytes": 1,
    "kilobytes": 1024,
    "megabytes": 1024**2,
    "gigabytes": 1024**3,
    "terabytes": 1024**4,
}


def _convert(x: float, src_units: str, dst_units: str, factors: dict[str, float]) -> float:
    for units in (src_units, dst_units):
        check(units in factors, "unknown unit %r; expected one of %s", units, list(factors))
    return x * factors[src_units] / factors[dst_units]


def convert_between_time_units(
    x: float, src_units: str = "seconds", dst_units: str = "hours"
) -> float:
    """Converts a duration from one unit to another.

    The units are ``'seconds'``, ``'minutes'``, ``'hours'``, ``'days'``,
    ``'weeks'``, ``'miliseconds'`` (or ``'milliseconds'``), ``'microseconds'`` and
    ``'nanoseconds'``.

    Example:
        >>> convert_between_time_units(90, "minutes", "hours")
        1.5
    """
    return _convert(x, src_units, dst_units, _SECONDS_PER_UNIT)


def convert_between_byte_units(
    x: float, src_units: str = "bytes", dst_units: str = "megabytes"
) -> float:
    """Converts a size from one unit to another.

    The units are ``'bytes'``, ``'kilobytes'``, ``'megabytes'``,
    ``'gigabytes'`` and ``'terabytes'`` (powers of 1024).

    Example:
        >>> convert_between_byte_units(2048, "kilobytes", "megabytes")
        2.0
    """
    return _convert(x, src_units, dst_units, _BYTES_PER_UNIT)


def extract_simple_name(s: str) -> str:
    """Returns the part of a full name between its first ``'.'`` and last ``'-'``.

    Example:
        >>> extract_simple_name("M.Conv2D-3")
        'Conv2D'
    """
    start = s.find(".")
    end = s.rfind("-")
    check(
        0 <= start < end,
        "extract_simple_name: expected a name like 'M.Conv2D-3', got %r",
        s,
    )
    return s[start + 1 : end]
