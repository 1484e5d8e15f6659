"""Pareto dominance, non-dominated sorting, crowding distance and 2-D hypervolume.

Objectives are named in a dict ``{metric_name: "max" | "min"}``;
:func:`objective_vector` turns a results dict into a tuple to *maximise*
(minimised metrics are negated), and every other function works on such tuples.

Example:
    >>> objectives = {"validation_accuracy": "max", "latency_ms": "min"}
    >>> results = [{"validation_accuracy": 0.9, "latency_ms": 5.0},
    ...            {"validation_accuracy": 0.8, "latency_ms": 2.0},
    ...            {"validation_accuracy": 0.7, "latency_ms": 6.0}]
    >>> points = [objective_vector(r, objectives) for r in results]
    >>> pareto_front(points)
    [0, 1]
    >>> hypervolume_2d(points, reference=(0.0, -10.0))
    6.9
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from deep_architect.errors import check

__all__ = ["check_objectives", "objective_vector", "dominates", "non_dominated_sort",
           "pareto_front", "crowding_distance", "hypervolume_2d"]

Point = Sequence[float]


def check_objectives(objectives: Any, owner: str) -> dict[str, str]:
    """Returns ``objectives`` as a dict after checking it maps names to ``"max"``/``"min"``.

    Raises:
        DeepArchitectError: Naming ``owner`` and the offending entry.
    """
    check(isinstance(objectives, Mapping) and len(objectives) >= 1,
          f"{owner}: objectives must be a non-empty dict {{metric_name: 'max' or 'min'}}, "
          f"got {objectives!r}")
    bad = {k: v for k, v in objectives.items() if not isinstance(k, str) or v not in ("max",
                                                                                     "min")}
    check(not bad, f"{owner}: objectives map metric names to 'max' or 'min'; bad entries {bad}")
    return dict(objectives)


def objective_vector(results: Mapping[str, Any], objectives: Mapping[str, str]) -> tuple:
    """The values of the objectives in a results dict, negated where minimised.

    Raises:
        DeepArchitectError: If a metric is missing or is not a finite number.
    """
    vector = []
    for name, direction in objectives.items():
        check(isinstance(results, Mapping) and name in results,
              f"objective {name!r} is missing from the results "
              f"{sorted(results) if isinstance(results, Mapping) else results!r}")
        value = results[name]
        check(isinstance(value, int | float) and not isinstance(value, bool)
              and math.isfinite(value), f"objective {name!r} must be a finite number, got "
                                        f"{value!r}")
        vector.append(float(value) if direction == "max" else -float(value))
    return tuple(vector)


def dominates(a: Point, b: Point) -> bool:
    """Whether ``a`` is at least as good as ``b`` everywhere and better somewhere (maximising)."""
    return all(x >= y for x, y in zip(a, b)) and any(x > y for x, y in zip(a, b))


def non_dominated_sort(points: Sequence[Point]) -> list[list[int]]:
    """Indices of the points grouped into fronts: front 0 is non-dominated, and so on.

    Deb et al.'s fast non-dominated sort, O(M N^2).
    """
    n = len(points)
    dominated_by = [[] for _ in range(n)]  # dominated_by[i]: points that i dominates
    num_dominating = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if dominates(points[i], points[j]):
                dominated_by[i].append(j)
                num_dominating[j] += 1
            elif dominates(points[j], points[i]):
                dominated_by[j].append(i)
                num_dominating[i] += 1
    fronts = []
    current = [i for i in range(n) if num_dominating[i] == 0]
    while current:
        fronts.append(current)
        following = []
        for i in current:
            for j in dominated_by[i]:
                num_dominating[j] -= 1
                if num_dominating[j] == 0:
                    following.append(j)
        current = sorted(following)
    return fronts


def pareto_front(points: Sequence[Point]) -> list[int]:
    """Indices (ascending) of the non-dominated points."""
    return non_dominated_sort(points)[0] if points else []


def crowding_distance(points: Sequence[Point], front: Sequence[int]) -> dict[int, float]:
    """NSGA-II crowding distance of each index of ``front`` (boundary points get infinity)."""
    distance = {i: 0.0 for i in front}
    if len(front) <= 2:
        return {i: math.inf for i in front}
    for m in range(len(points[front[0]])):
        ordered = sorted(front, key=lambda i: points[i][m])
        low, high = points[ordered[0]][m], points[ordered[-1]][m]
        distance[ordered[0]] = distance[ordered[-1]] = math.inf
        if high == low:
            continue
        for k in range(1, len(ordered) - 1):
            distance[ordered[k]] += (points[ordered[k + 1]][m]
                                     - points[ordered[k - 1]][m]) / (high - low)
    return distance


def hypervolume_2d(points: Sequence[Point], reference: Point) -> float:
    """Area dominated by ``points`` and dominating ``reference`` (two objectives, maximising).

    Points that do not dominate the reference contribute nothing.
    """
    check(len(reference) == 2 and all(len(p) == 2 for p in points),
          "hypervolume_2d: points and reference must have two objectives")
    inside = sorted((p for p in points if p[0] > reference[0] and p[1] > reference[1]),
                    key=lambda p: (-p[0], -p[1]))
    area, best_second = 0.0, reference[1]
    for first, second in inside:
        if second > best_second:
            area += (first - reference[0]) * (second - best_second)
            best_second = second
    return area
