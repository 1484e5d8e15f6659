"""Tests for deep_architect.progress."""
from __future__ import annotations

import io
import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deep_architect.errors import DeepArchitectError
from deep_architect.progress import SearchProgress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_disabled_when_stream_is_not_a_terminal():
    out = io.StringIO()
    with SearchProgress(total=3, file=out) as p:
        p.update(0.5)
    assert not p.enabled
    assert out.getvalue() == ""
    assert p.num_done == 1 and p.best_score == 0.5


def test_disabled_on_request_even_on_a_terminal():
    out = FakeTerminal()
    with SearchProgress(total=3, enabled=False, file=out) as p:
        p.update(0.5)
    assert out.getvalue() == ""


def test_tqdm_bar_on_a_terminal_shows_counts_and_best():
    out = FakeTerminal()
    with SearchProgress(total=4, file=out, desc="demo") as p:
        assert p.enabled
        for score in [0.25, 0.75, None, 0.5]:
            p.update(score)
    text = out.getvalue()
    assert "demo" in text
    assert "4/4" in text
    assert "best=0.75" in text
    assert "eval/s" in text or "s/eval" in text


def test_plain_text_fallback_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    out = io.StringIO()
    with SearchProgress(total=2, enabled=True, file=out) as p:
        p.update(0.5)
        p.update(float("nan"))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("search: 1/2 evaluations, best 0.5, ")
    assert lines[1].startswith("search: 2/2 evaluations, best 0.5, ")
    assert lines[1].endswith("eval/s")


def test_unknown_total_and_close_is_idempotent():
    out = FakeTerminal()
    p = SearchProgress(file=out)
    p.update(1.0, n=3)
    p.close()
    p.close()
    assert p.num_done == 3
    assert "3" in out.getvalue()


@given(st.lists(st.none() | st.floats(allow_infinity=False), max_size=20))
def test_best_score_is_max_of_valid_scores(scores):
    p = SearchProgress(enabled=False)
    for s in scores:
        p.update(s)
    valid = [s for s in scores if s is not None and not math.isnan(s)]
    assert p.num_done == len(scores)
    assert p.best_score == (max(valid) if valid else None)


def test_non_numeric_score_is_refused():
    p = SearchProgress(enabled=False)
    with pytest.raises(DeepArchitectError, match="must be a number"):
        p.update("0.5")
    assert p.num_done == 0
