"""Contract checks for code that plugs into the library, like scikit-learn's ``check_estimator``.

:func:`check_searcher` runs a searcher through everything a search loop, a
log folder and a restarted master will ask of it, and fails with a message
naming the broken promise. Run it in the tests of every searcher you write.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.searchers.random import RandomSearcher
    >>> def space():
    ...     return mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))
    >>> check_searcher(RandomSearcher, space)
"""

from __future__ import annotations

import json
import math
import random
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError
from deep_architect.search_journal import uses_state_dict
from deep_architect.specify import specify_and_name

__all__ = ["check_searcher"]

_CONTINUATION_SEED = 20261207


def _fail(check_name: str, message: str) -> None:
    raise DeepArchitectError(f"check_searcher [{check_name}]: {message}")


def _is_plain_json(x: Any) -> bool:
    if isinstance(x, dict):
        return all(isinstance(k, str) and _is_plain_json(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_is_plain_json(v) for v in x)
    return x is None or type(x) in (bool, int, float, str)


def _round_trip(x: Any) -> Any:
    return json.loads(json.dumps(x))


def _score(vs: list) -> float:
    # Any deterministic function of the architecture will do; varied scores
    # make model-based searchers learn something.
    return float(len(json.dumps(vs)) % 7) / 7.0


def _checked_sample(searcher: Any, factory: mo.SearchSpaceFactory) -> tuple:
    """One sample, checked for shape, specification, plain JSON and replay."""
    sample = searcher.sample()
    if not (isinstance(sample, tuple) and len(sample) == 4):
        _fail("sample", f"sample() must return (inputs, outputs, hyperp_value_lst, token), "
                        f"got {type(sample).__name__} {sample!r:.200}")
    inputs, outputs, vs, token = sample
    if not co.is_specified(outputs):
        _fail("specified", "sample() returned outputs with unassigned hyperparameters")
    if not (isinstance(vs, list) and _is_plain_json(vs)):
        _fail("json", f"the value list must be a list of plain JSON values (no NumPy "
                      f"scalars, no tuples), got {vs!r:.200}")
    if not (isinstance(token, dict) and _is_plain_json(token)):
        _fail("json", f"the token must be a dict of plain JSON values, got {token!r:.200}")
    replay_inputs, replay_outputs = factory.get_search_space()
    try:
        replay_names = specify_and_name(replay_outputs, _round_trip(vs))
    except DeepArchitectError as e:
        _fail("replay", f"the value list does not replay on a fresh space: {e}")
    if co.jsonify(replay_inputs, replay_outputs) != co.jsonify(inputs, outputs):
        _fail("replay", "specify(value list) on a fresh space builds another architecture")
    names = getattr(sample, "hyperp_names", None)
    if names is not None and names != replay_names:
        _fail("names", f"sample().hyperp_names {names!r:.200} differ from the names a replay "
                       f"on a fresh space gives, {replay_names!r:.200}")
    return vs, token


def _run(searcher: Any, factory: mo.SearchSpaceFactory, num_steps: int) -> list:
    """``num_steps`` checked samples, each updated at once; returns (score, token) pairs."""
    logged = []
    for _ in range(num_steps):
        vs, token = _checked_sample(searcher, factory)
        token = _round_trip(token)
        searcher.update(_score(vs), token)
        logged.append((_score(vs), token))
    return logged


def _get_state(searcher: Any, folderpath: str) -> Any:
    if uses_state_dict(searcher):
        state = searcher.get_state()
        if not (isinstance(state, dict) and _is_plain_json(state)):
            _fail("state", f"get_state() must return a dict of plain JSON values, got "
                           f"{state!r:.200}")
        return _round_trip(state)
    searcher.save_state(folderpath)
    return folderpath


def _set_state(searcher: Any, state: Any) -> None:
    before = (np.random.get_state()[1].tolist(), random.getstate())
    if uses_state_dict(searcher):
        searcher.set_state(state)
    else:
        searcher.load_state(state)
    if (np.random.get_state()[1].tolist(), random.getstate()) != before:
        _fail("state", "restoring a state changed the global NumPy or random generator")


def _continuation(searcher: Any, pending: tuple, factory: mo.SearchSpaceFactory) -> list:
    """Updates the pending token, then three more steps, from a fixed global seed."""
    np.random.seed(_CONTINUATION_SEED)
    random.seed(_CONTINUATION_SEED)
    searcher.update(*pending)
    return [_checked_sample(searcher, factory)[0] for _ in range(3)]


def _expect_rejection(check_name: str, call: Callable[[], Any], what: str) -> None:
    try:
        call()
    except DeepArchitectError:
        return
    except Exception as e:  # noqa: BLE001 (any other type is the failure reported)
        _fail(check_name, f"{what} raised {type(e).__name__}: {e}; expected a messaged "
                          f"deep_architect.errors.DeepArchitectError")
    _fail(check_name, f"{what} was accepted; expected a DeepArchitectError")


def check_searcher(make_searcher: Callable[[Callable[[], Any]], Any],
                   search_space_fn: Callable[[], Any], num_steps: int = 12) -> None:
    """Checks that a searcher keeps the library's contract; raises on the first broken promise.

    Checks, in order:

    * **specified output**: ``sample()`` returns four values and a fully
      specified architecture;
    * **plain JSON**: the value list and the token are made of JSON types only
      (what logging, workers and the journal need);
    * **replay**: ``specify`` of the value list on a fresh space builds the
      same architecture;
    * **names**: hyperparameter names reported with a sample
      (``SearcherSample.hyperp_names``, which a search loop logs instead of
      replaying) are those of that replay;
    * **state round trip**: after some updates and with one token pending, a
      new searcher restored from the state (``get_state``/``set_state``, or
      ``save_state``/``load_state`` for searchers keeping files) continues
      exactly as the original (same global seed for both); restoring leaves
      the global generators alone, and the state is plain JSON;
    * **warm start**: a fresh searcher accepts every logged token with its
      score (tokens it did not issue), then samples on;
    * **bad input**: a non-finite score, a token that is not a dict, and a
      token used twice are refused with
      :class:`~deep_architect.errors.DeepArchitectError`.

    The global NumPy and ``random`` generators are restored on return.

    Args:
        make_searcher: ``make_searcher(search_space_fn)`` returns a new searcher.
        search_space_fn: A search space the searcher supports.
        num_steps: Sample/update rounds before the state round trip.

    Raises:
        DeepArchitectError: Naming the failed check and what was wrong.
    """
    saved_generators = (np.random.get_state(), random.getstate())
    try:
        _check(make_searcher, search_space_fn, num_steps)
    finally:
        np.random.set_state(saved_generators[0])
        random.setstate(saved_generators[1])


def _check(make_searcher: Callable[[Callable[[], Any]], Any],
           search_space_fn: Callable[[], Any], num_steps: int) -> None:
    factory = mo.SearchSpaceFactory(search_space_fn)
    searcher = make_searcher(search_space_fn)
    logged = _run(searcher, factory, num_steps)

    vs, token = _checked_sample(searcher, factory)
    pending = (_score(vs), _round_trip(token))
    with tempfile.TemporaryDirectory() as folderpath:
        state = _get_state(searcher, folderpath)
        restored = make_searcher(search_space_fn)
        _set_state(restored, state)
        expected = _continuation(searcher, pending, factory)
        got = _continuation(restored, pending, factory)
    if got != expected:
        _fail("state", f"a restored searcher continues with {got!r:.300} instead of "
                       f"{expected!r:.300}")

    fresh = make_searcher(search_space_fn)
    for score, logged_token in logged + [pending]:
        try:
            fresh.update(score, logged_token)
        except DeepArchitectError as e:
            _fail("warm start", f"a fresh searcher refused a logged token: {e}")
    _run(fresh, factory, 2)

    vs, token = _checked_sample(fresh, factory)
    _expect_rejection("bad input", lambda: fresh.update(math.nan, token), "a NaN score")
    _expect_rejection("bad input", lambda: fresh.update(math.inf, token), "an infinite score")
    _expect_rejection("bad input", lambda: fresh.update(0.5, ["not", "a", "token"]),
                      "a token that is not a dict")
    fresh.update(_score(vs), token)
    _expect_rejection("bad input", lambda: fresh.update(_score(vs), token),
                      "a token used a second time")
