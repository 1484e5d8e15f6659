"""Stable keys for the modules and hyperparameters of a search space (no framework imports).

A supernet expands every substitution module of a space once per value, while a
searcher's space expands each one once, in whatever order the values arrive;
scope names therefore differ between the two. What does not differ is *where*
an object was created: the k-th object made directly by the substitution of
module M with values V is the same object in both worlds, because both call
the same substitution function with the same values. :class:`RecordingScope`
gives every module and hyperparameter that key, which is how a derived
architecture, a path and inherited weights travel between a supernet and a
space built by a searcher.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import deep_architect.core as co
import deep_architect.modules as mo

Key = tuple
"""A creation key: ``(..., (module_index, values), ..., index)``."""


def values_id(values: dict) -> tuple:
    """A hashable, process-independent description of a dict of hyperparameter values."""
    return tuple((name, repr(values[name])) for name in sorted(values))


class RecordingScope(co.Scope):
    """A scope that keys each module and hyperparameter by where it was created.

    It numbers objects exactly like :class:`~deep_architect.core.Scope`, so a
    space built in it gets the names it would get after
    ``Scope.reset_default_scope()``. Substitution modules created in it record
    their substitution under a frame, so objects they create are keyed relative
    to ``(module key, values)`` whenever the substitution happens.
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[int, Key] = {}
        self._frames: list[list] = [[(), 0]]

    def _register_next(self, prefix: str, elem: co.Addressable) -> int:
        frame = self._frames[-1]
        self._keys[id(elem)] = (*frame[0], frame[1])
        frame[1] += 1
        if isinstance(elem, mo.SubstitutionModule):
            # An instance attribute shadows the method for both callers of
            # _update (the module's own constructor and Hyperparameter.assign_value).
            elem._update = lambda: self._substitute(elem)
        return super()._register_next(prefix, elem)

    def key(self, elem: co.Addressable) -> Key | None:
        """The creation key of a module or hyperparameter of this scope (``None`` if unknown)."""
        return self._keys.get(id(elem))

    @contextlib.contextmanager
    def frame(self, module: co.Module, values: dict) -> Iterator[None]:
        """Keys the objects created inside the block relative to ``(module, values)``."""
        self._frames.append([(*self._keys[id(module)], values_id(values)), 0])
        try:
            yield
        finally:
            self._frames.pop()

    def _substitute(self, module: mo.SubstitutionModule) -> None:
        hyperps = module.hyperps
        if module._is_done or not all(h.assign_done for h in hyperps.values()):
            return
        with self.frame(module, {name: h.val for name, h in hyperps.items()}):
            type(module)._update(module)


def build_space(search_space_fn: Callable[[], Any]) -> mo.Fragment:
    """Builds a buffered space in the current default scope (install a :class:`RecordingScope`)."""
    result = search_space_fn()
    mo._check_fragment(search_space_fn, result)
    return mo.buffer_io(*result)


def replay(search_space_fn: Callable[[], Any],
           choose: Callable[[co.Hyperparameter, RecordingScope], Any]
           ) -> tuple[list, mo.Fragment, RecordingScope]:
    """Builds a fresh recorded space and assigns ``choose(h, scope)`` to each hyperparameter.

    Returns:
        ``(values, (inputs, outputs), scope)``; ``values`` replays with
        :func:`~deep_architect.searchers.common.specify`.
    """
    with co.use_scope(RecordingScope()) as scope:
        inputs, outputs = build_space(search_space_fn)
        values = []
        for h in co.unassigned_independent_hyperparameter_iterator(outputs):
            val = choose(h, scope)
            h.assign_value(val)
            values.append(h.val)
    return values, (inputs, outputs), scope
