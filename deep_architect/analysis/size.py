"""Counting the architectures of a search space without enumerating them.

A value list is the sequence of decisions a searcher makes, so the number of
distinct value lists is the number of leaves of the decision tree that
:func:`~deep_architect.core.unassigned_independent_hyperparameter_iterator`
walks. That tree is a product of independent parts almost everywhere: two
``siso_or`` modules that share nothing expand independently, and a layer
width used by one basic module multiplies the count by its number of values.
:func:`space_size` exploits this. It groups the substitution modules of a
fragment by the hyperparameters that trigger them, enumerates only the values
of each group (one group per shared hyperparameter, not per space), expands
the group's substitution functions on the side and counts each expansion the
same way, recursively. The live graph is never specified.

Sharing that only shows up inside expansions (one hyperparameter object
created by two different branches) couples parts that looked independent;
when that happens the counter falls back to walking the decision tree, which
is exact but proportional to the size of the space.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError

__all__ = ["space_size", "DEFAULT_MAX_ENUMERATION"]

#: How many value lists the fallback walk may visit before it gives up.
DEFAULT_MAX_ENUMERATION = 1_000_000

# Marks a hyperparameter in the context that an enclosing level counts as a
# free (non-structural) factor: inside an expansion it is already assigned.
_FREE = object()


class _Promote(Exception):
    """A hyperparameter counted as free by an enclosing level steers a substitution."""

    def __init__(self, hyperp: co.Hyperparameter) -> None:
        Exception.__init__(self)
        self.hyperp = hyperp


class _HiddenSharing(Exception):
    """Two parts counted as independent turned out to share a hyperparameter."""


def space_size(
    search_space_fn: Callable[[], mo.Fragment],
    max_enumeration: int = DEFAULT_MAX_ENUMERATION,
) -> int | float:
    """Returns the number of distinct value lists (architectures) of a search space.

    The number is counted, not enumerated (see the module docstring): the
    NeurIPS paper's example space answers 25,008 in milliseconds and a space
    of 10**30 architectures in well under a second. Value lists rejected by a
    substitution function's ``ValueError`` are not counted, exactly as
    :func:`~deep_architect.searchers.common.enumerate_value_lists` skips them.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> import deep_architect.modules as mo
        >>> space = lambda: mo.siso_repeat(
        ...     lambda: mo.siso_optional(mo.identity, hp.Bool()), hp.Discrete([1, 2]))
        >>> space_size(space)
        6

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.
        max_enumeration: Cap on the value lists visited by the exact fallback
            used when branches share hyperparameters created inside them.

    Returns:
        An ``int``, or ``math.inf`` when a hyperparameter of the space has
        infinitely many values (a continuous range, for example).

    Raises:
        DeepArchitectError: If the fallback would have to visit more than
            ``max_enumeration`` value lists.
    """
    _, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    try:
        with co.paused_gc():
            count, _ = _count_level(list(outputs.values()), {})
        return count
    except _HiddenSharing:
        return _count_by_walking(search_space_fn, max_enumeration)


def _domain(h: co.Hyperparameter) -> Sequence | None:
    """The finite sequence of values of ``h``, or ``None`` when it has infinitely many."""
    if isinstance(h, hp.Discrete):
        return h.vs
    if isinstance(h, hp.Int):
        return h.values()
    return None


def _domain_size(h: co.Hyperparameter) -> int | float:
    values = _domain(h)
    return math.inf if values is None else len(values)


def _independent_ancestors(h: co.Hyperparameter) -> list[co.Hyperparameter]:
    """``h`` itself if it is independent, else the independent hyperparameters it depends on."""
    if not isinstance(h, co.DependentHyperparameter):
        return [h]
    found = []
    work = [h]
    seen = {h}
    for dh in work:
        for parent in dh._hyperps.values():
            if parent in seen:
                continue
            seen.add(parent)
            if isinstance(parent, co.DependentHyperparameter):
                work.append(parent)
            else:
                found.append(parent)
    return found


def _value_of(h: co.Hyperparameter, ctx: Mapping) -> Any:
    """The value ``h`` takes once the hyperparameters decided in ``ctx`` are assigned."""
    if h.assign_done:
        return h.val
    if isinstance(h, co.DependentHyperparameter):
        return h._fn({k: _value_of(p, ctx) for k, p in h._hyperps.items()})
    return ctx[h]


def _modules_behind(ports: Iterable[co.Output]) -> list[co.Module]:
    outputs = {str(i): ox for i, ox in enumerate(ports)}
    return co.get_modules_with_cond(outputs, lambda m: True)


def _count_level(ports: list[co.Output], ctx: dict) -> tuple[int | float, set]:
    """Counts the value lists of the fragment behind ``ports``.

    ``ctx`` maps hyperparameters decided by enclosing levels to their values
    (or to ``_FREE``). Returns the count and the hyperparameters this level
    and its expansions decide, for the independence check of the caller.
    """
    forced: list[co.Hyperparameter] = []
    while True:
        try:
            return _count_level_conditioned(ports, ctx, forced)
        except _Promote as e:
            if e.hyperp in ctx or e.hyperp in forced:
                raise
            # This level counted the hyperparameter as a free factor, but an
            # expansion below substitutes on it: branch on its values here.
            forced.append(e.hyperp)


def _count_level_conditioned(
    ports: list[co.Output], ctx: dict, forced: list[co.Hyperparameter]
) -> tuple[int | float, set]:
    modules = _modules_behind(ports)
    structural, groups, free = _analyse(modules, ctx, forced)
    touched = set(structural) | set(free) | set(forced)
    if any(_domain(h) is None for h in itertools.chain(structural, forced)):
        return math.inf, touched
    free_factor = math.prod(_domain_size(h) for h in free)
    if free_factor == 0:
        return 0, touched
    child_ctx = dict(ctx)
    for h in free:
        child_ctx[h] = _FREE
    used = set(ports)
    total: int | float = 0
    below: set = set()
    for forced_values in itertools.product(*(_domain(h) for h in forced)):
        child_ctx.update(zip(forced, forced_values))
        # Fresh per assignment of the forced values: alternatives may meet the
        # same hidden hyperparameter, independent factors may not.
        product, seen = _independent_product(_count_group, groups, child_ctx, used,
                                             set(touched), free_factor)
        below |= seen
        total += product
    return total, touched | below


def _independent_product(count_fn: Callable[[Any, dict, set], tuple[int | float, set]],
                         factors: Iterable, ctx: dict, used: set, seen: set,
                         product: int | float = 1) -> tuple[int | float, set]:
    """Multiplies the counts of independent factors, checking that they are independent.

    Args:
        count_fn: ``count_fn(factor, ctx, used)`` returns the factor's count and
            the hyperparameters it decides; not called once the product is 0.
        factors: The factors.
        ctx: Passed to ``count_fn``.
        used: Passed to ``count_fn``.
        seen: Hyperparameters already decided; extended in place.
        product: The product's initial value.

    Returns:
        The product and ``seen``.

    Raises:
        _HiddenSharing: If two factors (or a factor and ``seen``) decide the
            same hyperparameter.
    """
    for factor in factors:
        count, touched = count_fn(factor, ctx, used)
        if seen & touched:
            raise _HiddenSharing()
        seen |= touched
        product *= count
        if product == 0:
            break
    return product, seen


def _analyse(modules: list[co.Module], ctx: Mapping, forced: list[co.Hyperparameter]) -> tuple:
    """Splits the hyperparameters of ``modules`` into structural groups and free factors."""
    free: dict = {}
    structural: dict = {}
    triggers = []
    for m in modules:
        is_substitution = isinstance(m, mo.SubstitutionModule)
        trigger: dict = {}
        for h in m.hyperps.values():
            for a in _independent_ancestors(h):
                if a.assign_done or a in forced:
                    continue
                decided = ctx.get(a)
                if decided is _FREE:
                    if is_substitution:
                        raise _Promote(a)
                    continue
                if a in ctx:
                    continue
                if is_substitution:
                    trigger[a] = None
                    structural[a] = None
                else:
                    free[a] = None
        if is_substitution:
            triggers.append((m, list(trigger)))
    for h in structural:
        free.pop(h, None)
    return list(structural), _group(triggers), list(free)


def _group(triggers: list) -> list[tuple[list, list]]:
    """Merges substitution modules whose trigger sets overlap (union-find over hyperparameters)."""
    parent: dict = {}

    def find(x: Any) -> Any:
        while parent[x] is not x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m, hyperps in triggers:
        parent.setdefault(m, m)
        for h in hyperps:
            parent.setdefault(h, h)
            parent[find(h)] = find(m)
    groups: dict = {}
    for m, hyperps in triggers:
        entry = groups.setdefault(find(m), ({}, []))
        entry[0].update(dict.fromkeys(hyperps))
        entry[1].append(m)
    return [(list(hs), ms) for hs, ms in groups.values()]


def _count_group(group: tuple[list, list], ctx: dict, used: set) -> tuple[int | float, set]:
    """Sums, over the values of a group's hyperparameters, the product of its expansions."""
    hyperps, modules = group
    touched: set = set()
    total: int | float = 0
    for values in itertools.product(*(_domain(h) for h in hyperps)):
        local = dict(ctx)
        local.update(zip(hyperps, values))
        product, seen = _independent_product(_count_expansion, modules, local, used, set())
        touched |= seen
        total += product
    return total, touched


def _count_expansion(m: mo.SubstitutionModule, ctx: dict, used: set) -> tuple[int | float, set]:
    """Counts the value lists of the fragment ``m`` would substitute itself with."""
    values = {name: _value_of(h, ctx) for name, h in m.hyperps.items()}
    try:
        _, new_outputs = m._substitution_fn(values)
    except ValueError:
        return 0, set()
    ports = [
        new_outputs[name]
        for name, ox in m.outputs.items()
        if name in new_outputs and (ox.to_inputs or ox in used)
    ]
    return _count_level(ports, ctx)


def _count_by_walking(search_space_fn: Callable[[], mo.Fragment], max_enumeration: int) -> int:
    from deep_architect.searchers.common import enumerate_value_lists

    count = 0
    for _ in enumerate_value_lists(search_space_fn):
        count += 1
        if count > max_enumeration:
            raise DeepArchitectError(
                "space_size: branches of %s share hyperparameters created inside them, so the "
                "space cannot be counted part by part, and walking it visited more than "
                "max_enumeration=%d value lists; raise max_enumeration to walk further"
                % (getattr(search_space_fn, "__name__", search_space_fn), max_enumeration)
            )
    return count
