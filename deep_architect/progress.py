"""A progress display for search loops: evaluations done, best score so far, rate.

Uses a ``tqdm`` bar when tqdm is installed, otherwise prints one plain line per
evaluation. By default it shows only when its stream (standard error) is a
terminal, so logs of batch jobs stay clean.

Example:
    >>> with SearchProgress(total=3, enabled=False) as progress:
    ...     for score in [0.5, 0.7, 0.6]:
    ...         progress.update(score)
    >>> progress.num_done, progress.best_score
    (3, 0.7)
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from typing import Any, TextIO

from deep_architect.errors import check

__all__ = ["SearchProgress"]


class SearchProgress:
    """Shows the progress of a search, one :meth:`update` per finished evaluation.

    Args:
        total: Expected number of evaluations, or ``None`` if unknown.
        enabled: ``True`` to always show, ``False`` to never show, ``None`` to
            show only when ``file`` is a terminal.
        desc: Label shown in front of the counts.
        file: Stream to write to; standard error by default.

    Attributes:
        num_done: Number of evaluations reported so far.
        best_score: Highest score reported so far (``None`` before any).
        enabled: Whether anything is displayed.
    """

    def __init__(
        self,
        total: int | None = None,
        enabled: bool | None = None,
        desc: str = "search",
        file: TextIO | None = None,
    ) -> None:
        self.total = total
        self.desc = desc
        self.file = sys.stderr if file is None else file
        if enabled is None:
            isatty = getattr(self.file, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.num_done = 0
        self.best_score: float | None = None
        self._start_time = time.time()
        self._bar: Any = None
        if self.enabled:
            try:
                from tqdm import tqdm  # optional: plain lines without it
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(
                    total=total, desc=desc, unit="eval", file=self.file, dynamic_ncols=True
                )

    def update(self, score: float | None = None, n: int = 1) -> None:
        """Records ``n`` finished evaluations, the last of which scored ``score``.

        Args:
            score: Score of the evaluation (maximised); ``None`` or NaN for a
                failed evaluation, which does not affect the best score.
            n: Number of evaluations finished.

        Raises:
            DeepArchitectError: If ``score`` is neither a number nor ``None``.
        """
        check(
            score is None or isinstance(score, numbers.Real),
            f"SearchProgress.update: score must be a number or None, got {score!r}",
        )
        self.num_done += n
        if score is not None and not math.isnan(score):
            if self.best_score is None or score > self.best_score:
                self.best_score = score
        if not self.enabled:
            return
        if self._bar is not None:
            if self.best_score is not None:
                self._bar.set_postfix(best=f"{self.best_score:.4g}", refresh=False)
            self._bar.update(n)
        else:
            self.file.write(self._plain_line() + "\n")
            self.file.flush()

    def _plain_line(self) -> str:
        done = f"{self.num_done}/{self.total}" if self.total is not None else f"{self.num_done}"
        best = "n/a" if self.best_score is None else f"{self.best_score:.4g}"
        elapsed = max(time.time() - self._start_time, 1e-9)
        return f"{self.desc}: {done} evaluations, best {best}, {self.num_done / elapsed:.3g} eval/s"

    def close(self) -> None:
        """Finishes the display (idempotent)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "SearchProgress":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
