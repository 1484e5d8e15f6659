"""Scalar objectives trading accuracy against latency.

Example:
    >>> latency_penalty(0.9, latency=5.0, target=10.0)  # under the target: unchanged
    0.9
    >>> round(latency_penalty(0.9, latency=20.0, target=10.0), 4)  # twice the target
    0.3182
"""
from __future__ import annotations

import math

from deep_architect.errors import check

__all__ = ["latency_penalty"]


def latency_penalty(accuracy: float, latency: float, target: float,
                    exponent: float = 1.5) -> float:
    """Accuracy scaled down by how far the latency exceeds the target.

    ``accuracy * min(1, target / latency) ** exponent``: the multiplicative
    soft constraint of MnasNet (``ACC * (LAT / T) ** w``) with ``w = 0`` within
    the target and ``w = -exponent`` beyond it, so architectures within budget
    compete on accuracy alone and slower ones lose smoothly.

    Args:
        accuracy: The accuracy (or any score to maximise, >= 0).
        latency: The architecture's latency (> 0, same unit as ``target``).
        target: The latency target (> 0).
        exponent: How steeply exceeding the target is penalised (>= 0).

    Raises:
        DeepArchitectError: For a non-positive target or latency, a negative
            exponent, or non-finite values.
    """
    for name, value in [("accuracy", accuracy), ("latency", latency), ("target", target),
                        ("exponent", exponent)]:
        check(isinstance(value, int | float) and math.isfinite(value),
              f"latency_penalty: {name} must be a finite number, got {value!r}")
    check(target > 0, f"latency_penalty: the latency target must be > 0, got {target!r}")
    check(latency > 0, f"latency_penalty: latency must be > 0, got {latency!r}")
    check(exponent >= 0, f"latency_penalty: exponent must be >= 0, got {exponent!r}")
    return float(accuracy) * min(1.0, target / latency) ** exponent
