"""Bad input: each case raises a DeepArchitectError naming what is wrong.

The cases are listed in one table so the count of messaged errors is easy to
read off; each must fail with the message, not with a bare Python exception.
"""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import specify

D = hp.Discrete


def _or_with_missing_option():
    inputs, outputs = mo.siso_or([mo.identity], D([5]))
    specify(outputs, [5])


def _repeat(count):
    inputs, outputs = mo.siso_repeat(mo.identity, D([count]))
    specify(outputs, [count])


CONSTRUCTION_CASES = [
    ("D(5)", lambda: D(5), r"Discrete\(\): expected a list of values, got 5"),
    ("D('abc')", lambda: D("abc"), r"expected a list of values, got 'abc'"),
    ("OneOfK(2.5)", lambda: hp.OneOfK(2.5), r"OneOfK: k must be a positive int, got 2.5"),
    ("OneOfKFactorial(0)", lambda: hp.OneOfKFactorial(0), r"positive int, got 0"),
    ("siso_or index", _or_with_missing_option,
     r"SISOOr: hyperparameter H.Discrete-0 has value 5, which selects none of the options \[0\]"),
    ("specify(outputs, None)", lambda: specify(_space()[1], None),
     r"specify: expected the list of hyperparameter values, got None"),
    ("siso_repeat above limit", lambda: _repeat(mo.MAX_NUM_REPEATS + 1),
     r"siso_repeat: hyperparameter 'num_reps' is 10001, above .*MAX_NUM_REPEATS"),
]


@pytest.mark.parametrize("case, fn, message", CONSTRUCTION_CASES,
                         ids=[c[0] for c in CONSTRUCTION_CASES])
def test_bad_construction_raises_a_messaged_error(case, fn, message):
    with pytest.raises(DeepArchitectError, match=message):
        fn()


def test_repeat_limit_is_overridable(monkeypatch):
    monkeypatch.setattr(mo, "MAX_NUM_REPEATS", 20000)
    _repeat(10001)


def _space_with(values):
    def space():
        return mo.siso_optional(mo.identity, D(values))
    return space


def test_duplicate_discrete_values_warn_naming_the_hyperparameter():
    from deep_architect.searchers.random import RandomSearcher

    searcher = RandomSearcher(_space_with([1, 1]))
    with pytest.warns(UserWarning, match=r"H.Discrete-0: duplicate values in \[1, 1\]"):
        searcher.sample()
    with warnings.catch_warnings():  # once per search-space function
        warnings.simplefilter("error")
        searcher.sample()
    with pytest.warns(UserWarning, match="duplicate values"):
        hp.warn_duplicate_values([D([[1], [1]])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RandomSearcher(_space_with([0, 1])).sample()
        hp.warn_duplicate_values([D([[1], [2]])])


_HUGE_REPEAT = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
import deep_architect.hyperparameters as hp, deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import specify
inputs, outputs = mo.siso_repeat(mo.identity, hp.Discrete([10**9]))
try:
    specify(outputs, [10**9])
except DeepArchitectError as e:
    print("refused:", e)
"""


def test_huge_repeat_count_is_refused_before_allocating():
    # Under a 1 GiB address-space limit, building 10**9 modules would die with MemoryError.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    completed = subprocess.run([sys.executable, "-c", _HUGE_REPEAT], env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "refused: siso_repeat: hyperparameter 'num_reps' is 1000000000" in completed.stdout


def _space():
    return mo.siso_optional(mo.identity, hp.Bool())


class _Evaluator:
    def eval(self, inputs, outputs):
        return {"validation_accuracy": 0.5}


@pytest.mark.parametrize("kwargs, message", [
    ({"timeout": "5"}, r"timeout must be None or a positive number of seconds, got '5'"),
    ({"num_samples": True}, r"num_samples must be a non-negative int, got True"),
    ({"max_retries": 1.5}, r"max_retries must be a non-negative int, got 1.5"),
    ({"metric": 3}, r"metric must be a results entry name or a non-empty list of names, got 3"),
])
def test_bad_run_search_arguments_raise_a_messaged_error(tmp_path, kwargs, message):
    from deep_architect.search_loop import run_search
    from deep_architect.searchers.random import RandomSearcher

    arguments = {"num_samples": 1, **kwargs}
    num_samples = arguments.pop("num_samples")
    with pytest.raises(DeepArchitectError, match=message):
        run_search(RandomSearcher(_space), _Evaluator, num_samples, str(tmp_path), "s",
                   show_progress=False, **arguments)


def test_graph_cycles_are_detected_by_forward():
    import deep_architect.core as co

    (a_in, a_out), (b_in, b_out) = mo.identity(), mo.identity()
    a_out["out"].connect(b_in["in"])
    b_out["out"].connect(a_in["in"])
    with pytest.raises(DeepArchitectError, match="the graph has a cycle: M.Identity-1 feeds "
                                                 "M.Identity-0, which feeds it back"):
        co.forward({a_in["in"]: 1})


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", r"RandomSearcher.load_state: RandomSearcher.set_state: expected a dict, got a list"),
    ('{"next_sample_id": "x"}', r"RandomSearcher.load_state: the state in .* is malformed "
                                r"\(ValueError"),
    ('{"next_sample_id": 0, "pending": 5}', r"is malformed \(TypeError"),
    ("{", r"is not valid JSON"),
])
def test_malformed_searcher_state_raises_a_messaged_error(tmp_path, content, message):
    from deep_architect.searchers.random import RandomSearcher

    searcher = RandomSearcher(_space)
    searcher.save_state(str(tmp_path))
    (filename,) = os.listdir(tmp_path)
    (tmp_path / filename).write_text(content)
    with pytest.raises(DeepArchitectError, match=message):
        searcher.load_state(str(tmp_path))
