"""The pruner base class, the reporter handed to evaluators and the on-disk curves."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Sequence
from typing import Any

from deep_architect.errors import DeepArchitectError, check

#: File of an evaluation's folder holding its intermediate values, one JSON object a line.
INTERMEDIATE_VALUES_FILENAME = "intermediate_values.jsonl"
#: Key set to ``True`` in the results of a pruned evaluation.
PRUNED_KEY = "pruned"

_EVALUATION_FOLDER_RE = re.compile(r"^x(\d+)$")


class EvaluationPruned(Exception):
    """Raised by an evaluator to stop because :meth:`Reporter.should_prune` said so.

    The search loop logs the evaluation as pruned, with its last reported
    value as the score. It is an ``Exception`` (not a ``ValueError``, which
    means "invalid architecture").
    """


@dataclasses.dataclass
class Curve:
    """The intermediate values of one evaluation, as read from its folder.

    Attributes:
        evaluation_id: Id of the evaluation.
        values: Step to value; a step reported twice keeps its last value.
        finished: Whether the evaluation's results were logged.
        pruned: Whether it finished by being pruned.
    """

    evaluation_id: int
    values: dict[int, float] = dataclasses.field(default_factory=dict)
    finished: bool = False
    pruned: bool = False

    @property
    def last_step(self) -> int | None:
        """The largest reported step, or ``None`` if nothing was reported."""
        return max(self.values) if self.values else None

    def best_up_to(self, step: int) -> float | None:
        """The highest value reported at a step ``<= step``, or ``None``."""
        best = None
        for s, v in self.values.items():
            if s <= step and (best is None or v > best):
                best = v
        return best


class Pruner:
    """Base class of pruners: decide from curves whether to stop an evaluation.

    Subclasses implement :meth:`should_prune`. A pruner is a plain picklable
    object with no state of its own: everything it knows comes from the
    curves, so the same decision is reached in any process. Values are
    maximised, like the search's metric.

    Example:
        >>> class BelowPruner(Pruner):
        ...     def __init__(self, threshold):
        ...         self.threshold = threshold
        ...     def should_prune(self, curve, others):
        ...         return curve.values[curve.last_step] < self.threshold
        >>> BelowPruner(0.5).should_prune(Curve(0, {3: 0.2}), [])
        True
    """

    def should_prune(self, curve: Curve, others: Sequence[Curve]) -> bool:
        """Whether to stop the evaluation whose curve is ``curve``.

        Args:
            curve: The running evaluation's values of this attempt, ending
                with the report just made.
            others: The curves of every other evaluation of the search
                (finished or still running).
        """
        raise NotImplementedError


def _evaluation_id(folderpath: str) -> int:
    match = _EVALUATION_FOLDER_RE.match(os.path.basename(os.path.normpath(folderpath)))
    check(match is not None, f"{folderpath!r} is not an evaluation folder (x<id>)")
    return int(match.group(1))


def _read_lines(filepath: str) -> list[dict[str, Any]]:
    try:
        with open(filepath) as f:
            text = f.read()
    except FileNotFoundError:
        return []
    records = []
    for line in text.split("\n"):
        try:
            records.append(json.loads(line))
        except ValueError:
            pass  # an empty line, or the unfinished last line of a killed writer
    return records


def _results_status(evaluation_folderpath: str) -> tuple[bool, bool]:
    try:
        with open(os.path.join(evaluation_folderpath, "results.json")) as f:
            results = json.load(f)
    except (FileNotFoundError, ValueError):
        return False, False
    return True, results.get(PRUNED_KEY) is True


def read_curve(evaluation_folderpath: str) -> Curve:
    """Reads the curve of one evaluation (its latest attempt) from its folder.

    Each attempt (including a rerun after the search was killed) starts with
    a marker line; only the lines after the last marker are the curve, the
    earlier ones stay in the file.

    Args:
        evaluation_folderpath: The evaluation's ``x<id>`` folder.

    Returns:
        The :class:`Curve`, empty if nothing was reported.
    """
    curve = Curve(_evaluation_id(evaluation_folderpath))
    for record in _read_lines(os.path.join(evaluation_folderpath, INTERMEDIATE_VALUES_FILENAME)):
        if "attempt" in record:
            curve.values = {}
        elif "step" in record and "value" in record:
            curve.values[int(record["step"])] = float(record["value"])
    curve.finished, curve.pruned = _results_status(evaluation_folderpath)
    return curve


# Curves of finished evaluations never change again: each process reads them
# once, keyed by the results file's identity in case a folder is recreated.
_finished_curves: dict[tuple[str, int, int], Curve] = {}


def _results_key(evaluation_folderpath: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(os.path.join(evaluation_folderpath, "results.json"))
    except FileNotFoundError:
        return None
    return evaluation_folderpath, st.st_ino, st.st_mtime_ns


def read_curves(all_evaluations_folderpath: str) -> list[Curve]:
    """Reads the curve of every evaluation in a search's ``evaluations`` folder.

    Args:
        all_evaluations_folderpath: Folder holding the ``x<id>`` folders.

    Returns:
        The curves, in evaluation id order.
    """
    try:
        names = os.listdir(all_evaluations_folderpath)
    except FileNotFoundError:
        return []
    curves = []
    for name in names:
        if _EVALUATION_FOLDER_RE.match(name) is None:
            continue
        folderpath = os.path.join(all_evaluations_folderpath, name)
        key = _results_key(folderpath)
        curve = None if key is None else _finished_curves.get(key)
        if curve is None:
            curve = read_curve(folderpath)
            if key is not None and curve.finished:
                _finished_curves[key] = curve
        curves.append(curve)
    curves.sort(key=lambda c: c.evaluation_id)
    return curves


class Reporter:
    """Handed to an evaluator: records intermediate values and asks the pruner.

    Every :meth:`report` appends one line to the evaluation's
    ``intermediate_values.jsonl`` with a single write, so a process killed at
    any moment leaves at most an unfinished last line, which readers skip.

    Args:
        evaluation_folderpath: The evaluation's ``x<id>`` folder.
        attempt: Attempt number, recorded in the marker that starts the attempt.
        pruner: The search's pruner, or ``None`` (then :meth:`should_prune` is
            always false but values are still logged).

    Attributes:
        curve: This attempt's values so far.
    """

    def __init__(self, evaluation_folderpath: str, attempt: int,
                 pruner: Pruner | None = None) -> None:
        self.evaluation_folderpath = evaluation_folderpath
        self.attempt = attempt
        self.pruner = pruner
        self.curve = Curve(_evaluation_id(evaluation_folderpath))
        self._filepath = os.path.join(evaluation_folderpath, INTERMEDIATE_VALUES_FILENAME)
        self._started = False

    def _append(self, record: dict[str, Any], prefix: str = "") -> None:
        fd = os.open(self._filepath, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, (prefix + json.dumps(record) + "\n").encode("utf-8"))
        finally:
            os.close(fd)

    def report(self, value: float, step: int) -> None:
        """Records ``value`` (to maximise) at ``step`` (epochs, batches, ...).

        Raises:
            DeepArchitectError: If ``value`` is not a finite number or ``step``
                is not a non-negative int.
        """
        ok_value = isinstance(value, (int, float)) or hasattr(value, "item")
        if ok_value:
            value = float(value)
        check(ok_value and math.isfinite(value),
              f"Reporter.report ({self.evaluation_folderpath}): value must be a finite "
              f"number, got {value!r}")
        check(isinstance(step, int) and not isinstance(step, bool) and step >= 0,
              f"Reporter.report ({self.evaluation_folderpath}): step must be a non-negative "
              f"int, got {step!r}")
        if not self._started:
            # The newline ends a line torn by a killed earlier attempt.
            self._append({"attempt": self.attempt}, prefix="\n")
            self._started = True
        self._append({"step": step, "value": value})
        self.curve.values[step] = value

    def should_prune(self) -> bool:
        """Whether the pruner says to stop now (false before the first report)."""
        if self.pruner is None or not self.curve.values:
            return False
        own = os.path.normpath(self.evaluation_folderpath)
        others = [c for c in read_curves(os.path.dirname(own))
                  if c.evaluation_id != self.curve.evaluation_id]
        return bool(self.pruner.should_prune(self.curve, others))

    def pruned_results(self) -> dict[str, Any]:
        """The results logged when the evaluation is pruned: its last value and step.

        Raises:
            DeepArchitectError: If nothing was reported (no value to log).
        """
        if not self.curve.values:
            raise DeepArchitectError(
                f"evaluation {self.evaluation_folderpath!r} raised EvaluationPruned before "
                "reporting any value with reporter.report(value, step)")
        step = self.curve.last_step
        return {PRUNED_KEY: True, "pruned_at_step": step, "last_value": self.curve.values[step]}
