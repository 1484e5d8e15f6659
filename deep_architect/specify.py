"""Assigning and replaying hyperparameter values on a search space.

These functions are graph operations: they need the core, the hyperparameter
types and the modules, but no searcher. A value list produced by
:func:`random_specify` (or by any searcher) rebuilds the same architecture on a
fresh search space with :func:`specify`, in this process or another.

Example:
    >>> import deep_architect.core as co
    >>> import deep_architect.hyperparameters as hp
    >>> import deep_architect.modules as mo
    >>> from deep_architect.specify import random_specify, specify
    >>> def search_space():
    ...     return mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 3]))
    >>> factory = mo.SearchSpaceFactory(search_space)
    >>> inputs, outputs = factory.get_search_space()
    >>> values = random_specify(outputs)
    >>> description = co.jsonify(inputs, outputs)
    >>> inputs, outputs = factory.get_search_space()
    >>> specify(outputs, values)
    >>> co.jsonify(inputs, outputs) == description
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError

__all__ = [
    "random_specify_hyperparameter",
    "random_index",
    "random_specify",
    "specify",
    "specify_and_name",
    "sample_until_valid",
    "enumerate_value_lists",
    "DEFAULT_MAX_INVALID_ATTEMPTS",
]

DEFAULT_MAX_INVALID_ATTEMPTS = 1000
"""How many consecutive invalid architectures a searcher tolerates before giving up."""

T = TypeVar("T")

# The global generator's draw, looked up once: np.random.seed reseeds that same
# generator in place, so the bound method stays the one seeded scripts use.
_global_random_sample = np.random.random_sample


def random_index(n: int, rng: Any = None) -> int:
    """Returns a uniformly random integer in ``range(n)``.

    One uniform float scaled by ``n`` picks each index with probability
    ``1/n`` (up to ``n / 2**53``) at a fraction of the cost of ``randint``,
    which matters where a searcher draws once per hyperparameter.

    Args:
        n: Number of choices (positive).
        rng: ``None`` for NumPy's global generator (so ``np.random.seed``
            controls it), or a ``numpy.random.Generator`` or ``RandomState``.

    Example:
        >>> import numpy as np
        >>> random_index(3, np.random.RandomState(0)) in (0, 1, 2)
        True
    """
    if rng is None:
        u = _global_random_sample()
    elif hasattr(rng, "integers"):
        u = rng.random()
    else:
        u = rng.random_sample()
    return int(u * n)


def random_specify_hyperparameter(hyperp: co.Hyperparameter, rng: Any = None) -> Any:
    """Assigns a uniformly random value to a ``Discrete``, ``Int`` or ``Float`` hyperparameter.

    ``Discrete`` values are equally likely; a range
    (:class:`~deep_architect.hyperparameters.Range`) is sampled uniformly on
    its unit scale, i.e. log-uniformly when it was declared with ``log=True``.

    Args:
        hyperp: An unassigned ``Discrete`` or range hyperparameter.
        rng: Optional ``numpy.random.Generator`` or ``RandomState``; the global
            NumPy generator when ``None`` (so ``np.random.seed`` controls it).

    Returns:
        The assigned value.

    Raises:
        DeepArchitectError: If ``hyperp`` already has a value or is neither a
            ``Discrete`` nor a range.
    """
    if hyperp.assign_done:
        raise DeepArchitectError(
            "random_specify_hyperparameter: %s already has value %r" % (hyperp, hyperp.val)
        )
    if not isinstance(hyperp, hp.Discrete):
        return _random_specify_range(hyperp, rng)
    vs = hyperp.vs
    if rng is None:
        # random_index's draw, inlined for the generator most scripts use.
        val = vs[int(_global_random_sample() * len(vs))]
    else:
        val = vs[random_index(len(vs), rng)]
    hyperp.assign_value(val)
    return val


def _random_specify_range(hyperp: co.Hyperparameter, rng: Any) -> Any:
    if not isinstance(hyperp, hp.Range):
        raise DeepArchitectError(
            "random_specify_hyperparameter: %s is a %s; only Discrete, Int and Float "
            "hyperparameters can be sampled" % (hyperp, type(hyperp).__name__)
        )
    if rng is None:
        u = _global_random_sample()
    else:
        u = rng.random() if hasattr(rng, "integers") else rng.random_sample()
    val = hyperp.from_unit(u)
    hyperp.assign_value(val)
    return val


def random_specify(outputs: Mapping[str, co.Output], rng: Any = None,
                   assigned: list | None = None) -> list:
    """Assigns random values to every hyperparameter until the space is specified.

    A substitution function may raise ``ValueError`` to reject the
    architecture; it propagates (see :func:`sample_until_valid`).

    Args:
        outputs: The outputs of a search space.
        rng: Optional random generator (see :func:`random_specify_hyperparameter`).
        assigned: Optional list that receives the hyperparameters, in
            assignment order (so that their names can be logged beside the
            values without replaying the list).

    Returns:
        The values in assignment order, replayable with :func:`specify`.
    """
    hyperps = co.unassigned_independent_hyperparameter_iterator(outputs)
    with co.paused_gc():
        if assigned is None:
            return [random_specify_hyperparameter(h, rng) for h in hyperps]
        values = []
        for h in hyperps:
            values.append(random_specify_hyperparameter(h, rng))
            assigned.append(h)
        return values


def specify(outputs: Mapping[str, co.Output], hyperp_value_lst: Sequence,
            assigned: list | None = None) -> None:
    """Replays a value list on a fresh search space.

    The i-th value is assigned to the i-th hyperparameter yielded by
    :func:`~deep_architect.core.unassigned_independent_hyperparameter_iterator`.

    Args:
        outputs: The outputs of a fresh search space.
        hyperp_value_lst: The values, in assignment order.
        assigned: Optional list that receives the hyperparameters, in
            assignment order.

    Raises:
        DeepArchitectError: If the list is too short, too long, or a value is
            not allowed for the hyperparameter at its position.
    """
    with co.paused_gc():
        _specify(outputs, hyperp_value_lst, assigned)


def specify_and_name(outputs: Mapping[str, co.Output], hyperp_value_lst: Sequence) -> list:
    """Like :func:`specify`, and returns the names of the hyperparameters assigned.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> import deep_architect.modules as mo
        >>> _, outputs = mo.SearchSpaceFactory(
        ...     lambda: mo.siso_optional(mo.identity, hp.Bool(name="skip"))).get_search_space()
        >>> specify_and_name(outputs, [1])
        ['H.skip-0']

    Returns:
        The name of the hyperparameter each value went to, in value-list order
        (what logs show beside the values).
    """
    assigned: list = []
    specify(outputs, hyperp_value_lst, assigned)
    return [h.get_name() for h in assigned]


def _specify(outputs: Mapping[str, co.Output], hyperp_value_lst: Sequence,
             assigned: list | None = None) -> None:
    if not isinstance(hyperp_value_lst, (list, tuple)):
        try:
            len(hyperp_value_lst)  # any other sized sequence will do
        except TypeError:
            raise DeepArchitectError(
                "specify: expected the list of hyperparameter values, got %r" % (hyperp_value_lst,)
            ) from None
    num_values = len(hyperp_value_lst)
    i = 0
    for h in co.unassigned_independent_hyperparameter_iterator(outputs):
        if i >= num_values:
            raise DeepArchitectError(
                "specify: the value list has %d values but the search space needs more "
                "(next unassigned hyperparameter: %s)" % (num_values, h)
            )
        try:
            h.assign_value(hyperp_value_lst[i])
        except DeepArchitectError as e:
            if h.assign_done:
                # Raised by what the assignment triggered, not by the value check.
                raise
            raise DeepArchitectError(
                "specify: value #%d of the list does not fit: %s" % (i, e)
            ) from None
        if assigned is not None:
            assigned.append(h)
        i += 1
    if i != num_values:
        raise DeepArchitectError(
            "specify: the value list has %d values but the search space was fully specified "
            "after %d; the list does not belong to this search space" % (num_values, i)
        )


def sample_until_valid(
    attempt_fn: Callable[[], T],
    max_attempts: int = DEFAULT_MAX_INVALID_ATTEMPTS,
    description: str = "search space",
) -> T:
    """Calls ``attempt_fn`` until it does not raise ``ValueError``.

    Substitution functions raise ``ValueError`` to reject an invalid
    architecture (for example a NAS-Bench cell with too many edges); searchers
    wrap each sampling attempt (fresh space + specification) in this function.

    Args:
        attempt_fn: Builds and specifies one candidate; returns what the caller needs.
        max_attempts: How many attempts before giving up.
        description: Named in the error message.

    Returns:
        The first result of ``attempt_fn`` that did not raise ``ValueError``.

    Raises:
        DeepArchitectError: After ``max_attempts`` rejections, with the last reason.
    """
    last_error = None
    for _ in range(max_attempts):
        try:
            return attempt_fn()
        except ValueError as e:
            last_error = e
    raise DeepArchitectError(
        "%s: %d consecutive sampled architectures were rejected as invalid (ValueError); "
        "last reason: %r" % (description, max_attempts, last_error)
    )


def enumerate_value_lists(search_space_fn: Callable[[], mo.Fragment]) -> Iterator[list]:
    """Yields the value list of every architecture of a search space, depth-first.

    Each prefix of decisions is replayed with :func:`specify` on a fresh space
    and the next unassigned hyperparameter is branched on. Once no substitution
    module is left, the remaining hyperparameters cannot change the structure,
    so their combinations are produced directly (in iteration order) instead of
    replaying each one. Prefixes rejected by a substitution's ``ValueError`` are
    skipped. Every hyperparameter must be a ``Discrete`` or an ``Int`` (whose
    allowed values are enumerated in increasing order).

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> space = lambda: mo.siso_repeat(
        ...     lambda: mo.siso_optional(mo.identity, hp.Bool()), hp.Discrete([1, 2]))
        >>> list(enumerate_value_lists(space))
        [[1, 0], [1, 1], [2, 0, 0], [2, 0, 1], [2, 1, 0], [2, 1, 1]]

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.

    Yields:
        Value lists, each replayable with :func:`specify`.

    Raises:
        DeepArchitectError: If a hyperparameter to enumerate is a ``Float`` (the
            space is infinite) or of an unknown type.
    """
    for prefix, domains in _enumeration_blocks(search_space_fn):
        for suffix in itertools.product(*domains):
            yield prefix + list(suffix)


def _enumeration_blocks(search_space_fn: Callable[[], mo.Fragment]) -> Iterator[tuple[list, list]]:
    """Yields ``(prefix, domains)``: a replayed structural prefix and the remaining domains.

    (:func:`deep_architect.analysis.space_size` counts spaces, ranges included,
    without enumerating them.)
    """
    factory = mo.SearchSpaceFactory(search_space_fn)
    stack = [[]]
    while stack:
        prefix = stack.pop()
        _, outputs = factory.get_search_space()
        it = co.unassigned_independent_hyperparameter_iterator(outputs)
        try:
            for val, h in zip(prefix, it):
                h.assign_value(val)
            if co.get_modules_with_cond(outputs, _is_substitution_module):
                vs = _finite_values(next(it))
                stack.extend(prefix + [v] for v in reversed(vs))
                continue
        except ValueError:
            continue
        # No structural choice is left, so the order of the remaining
        # hyperparameters does not depend on their values: record it once.
        domains = []
        for h in it:
            vs = _finite_values(h)
            domains.append(vs)
            h.assign_value(vs[0])
        yield prefix, domains


def _finite_values(h: co.Hyperparameter) -> Sequence:
    if isinstance(h, hp.Discrete):
        return h.vs
    if isinstance(h, hp.Int):
        return h.values()
    if isinstance(h, hp.Float):
        raise DeepArchitectError(
            "enumerate_value_lists: %s is a Float, so the search space is infinite and cannot "
            "be enumerated; use a Discrete or Int instead, or a searcher that samples" % h
        )
    raise DeepArchitectError(
        "enumerate_value_lists: %s is a %s; only Discrete and Int hyperparameters can be "
        "enumerated" % (h, type(h).__name__)
    )


def _is_substitution_module(m: co.Module) -> bool:
    return isinstance(m, mo.SubstitutionModule)
