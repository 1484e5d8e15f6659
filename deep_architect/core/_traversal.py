"""Traversals of a graph: modules in a defined order, and the hyperparameters to assign.

Searchers assign values in the order of
:func:`unassigned_independent_hyperparameter_iterator`; that order is what makes
a logged value list replay to the same architecture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from deep_architect.core._graph import (
    DependentHyperparameter,
    Hyperparameter,
    Input,
    Module,
    Output,
    _graph_edit_counter,
    extract_unique_modules,
)
from deep_architect.core._naming import OrderedSet, sorted_values_by_key


def _backward_order(outputs: Mapping[str, Output]) -> list[Module]:
    """Returns the modules breadth-first from ``outputs`` towards the inputs, each once.

    The breadth-first queue is the visit order; building the list in one go is
    cheaper than yielding module by module.
    """
    queue = extract_unique_modules(sorted_values_by_key(outputs))
    memo = set(queue)
    for m in queue:
        for ix in m.inputs.values():
            ox = ix.from_output
            if ox is not None:
                p = ox.module
                if p not in memo:
                    memo.add(p)
                    queue.append(p)
    return queue


def _forward_order(inputs: Mapping[str, Input]) -> list[Module]:
    """Returns the modules breadth-first from ``inputs`` towards the outputs, each once."""
    queue = extract_unique_modules(sorted_values_by_key(inputs))
    memo = set(queue)
    for m in queue:
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                c = ix.module
                if c not in memo:
                    memo.add(c)
                    queue.append(c)
    return queue


def traverse_backward(outputs: Mapping[str, Output], fn: Callable[[Module], Any]) -> None:
    """Calls ``fn`` on every module reachable backwards from ``outputs``, breadth-first.

    Starts from the owners of the outputs sorted by key; goes through each
    module's inputs in registration order. A truthy return value of ``fn`` stops
    the traversal.
    """
    for m in _backward_order(outputs):
        if fn(m):
            return


def traverse_forward(inputs: Mapping[str, Input], fn: Callable[[Module], Any]) -> None:
    """Calls ``fn`` on every module reachable forwards from ``inputs``, breadth-first.

    The mirror image of :func:`traverse_backward`: outputs in registration order,
    then their connected inputs in connection order.
    """
    for m in _forward_order(inputs):
        if fn(m):
            return


def get_modules_with_cond(outputs: Mapping[str, Output], cond_fn: Callable[[Module], Any]) -> list:
    """Returns the modules reachable backwards for which ``cond_fn`` is truthy, in visit order."""
    return [m for m in _backward_order(outputs) if cond_fn(m)]


def is_specified(outputs: Mapping[str, Output]) -> bool:
    """Returns whether every hyperparameter of every reachable module has a value."""
    for m in _backward_order(outputs):
        for h in m.hyperps.values():
            if not h.assign_done:
                return False
    return True


def get_all_hyperparameters(outputs: Mapping[str, Output]) -> OrderedSet:
    """Returns the reachable hyperparameters, including the parents of dependent ones.

    Order: modules in backward traversal order; each module's hyperparameters in
    dict order; the parents of a dependent hyperparameter inserted right after
    it, breadth-first, each parent's own parents sorted by local name.
    """
    result = OrderedSet()
    for m in _backward_order(outputs):
        for h in m.hyperps.values():
            if h not in result:
                result[h] = None
                if isinstance(h, DependentHyperparameter):
                    result.update(_new_ancestors(h, result))
    return result


def _new_ancestors(h: DependentHyperparameter, seen: Mapping | set) -> list[Hyperparameter]:
    """Returns the ancestors of ``h`` not in ``seen``, breadth-first, each once."""
    found = []
    work = [h]
    for dh in work:
        for parent in dh._hyperps.values():
            if parent not in seen and parent not in found:
                found.append(parent)
                if isinstance(parent, DependentHyperparameter):
                    work.append(parent)
    return found


def get_unassigned_independent_hyperparameters(outputs: Mapping[str, Output]) -> OrderedSet:
    """Returns the reachable independent hyperparameters without a value, in traversal order.

    The order is that of :func:`get_all_hyperparameters`. Unlike the original
    library, a fully specified graph gives an empty set instead of an error.
    """
    result = OrderedSet()
    result.update(_unassigned_independent(outputs))
    return result


def _unassigned_independent(outputs: Mapping[str, Output]) -> list[Hyperparameter]:
    """:func:`get_unassigned_independent_hyperparameters` as a plain list.

    It skips building the set of all hyperparameters: this runs in every pass
    of every sample.
    """
    seen = set()
    result = []
    for m in _backward_order(outputs):
        hyperps = m.hyperps
        if not hyperps:
            continue
        for h in hyperps.values():
            if h in seen:
                continue
            seen.add(h)
            if isinstance(h, DependentHyperparameter):
                for parent in _new_ancestors(h, seen):
                    seen.add(parent)
                    if not parent.assign_done and not isinstance(parent, DependentHyperparameter):
                        result.append(parent)
            elif not h.assign_done:
                result.append(h)
    return result


def unassigned_independent_hyperparameter_iterator(
    outputs: Mapping[str, Output],
) -> Iterator[Hyperparameter]:
    """Yields the hyperparameters a searcher must assign, in replayable order.

    Works in passes: each pass snapshots the unassigned independent
    hyperparameters (in :func:`get_unassigned_independent_hyperparameters`
    order) and yields those still unassigned when reached. Hyperparameters
    created by substitutions during a pass are found by the next pass. Ends when
    a pass finds nothing to assign. The consumer must assign each yielded
    hyperparameter before asking for the next one.

    Example:
        >>> import deep_architect.modules as mo
        >>> import deep_architect.hyperparameters as hp
        >>> inputs, outputs = mo.siso_repeat(mo.identity, hp.Discrete([1, 2]))
        >>> for h in unassigned_independent_hyperparameter_iterator(outputs):
        ...     h.assign_value(h.vs[-1])
        >>> is_specified(outputs)
        True
    """
    while True:
        snapshot = _unassigned_independent(outputs)
        if not snapshot:
            return
        connections_before = next(_graph_edit_counter)
        all_assigned = True
        for h in snapshot:
            if not h.assign_done:
                yield h
                all_assigned = all_assigned and h.assign_done
        # Without a new connection or hyperparameter the graph is the one this
        # pass walked, so once everything it found has a value the next pass
        # would find nothing.
        if all_assigned and next(_graph_edit_counter) == connections_before + 1:
            return


def get_unconnected_inputs(outputs: Mapping[str, Output]) -> list[Input]:
    """Returns the unconnected inputs of the modules reachable backwards from ``outputs``."""
    return [
        ix for m in _backward_order(outputs) for ix in m.inputs.values() if ix.from_output is None
    ]


def get_unconnected_outputs(inputs: Mapping[str, Input]) -> list[Output]:
    """Returns the unconnected outputs of the modules reachable forwards from ``inputs``."""
    return [ox for m in _forward_order(inputs) for ox in m.outputs.values() if not ox.to_inputs]
