"""Names and scopes: every module, hyperparameter and port has a unique, readable name.

Also the small containers the graph code shares (:class:`OrderedSet`,
:func:`sorted_values_by_key`) and the :class:`Addressable` base class.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from deep_architect.errors import DeepArchitectError


def sorted_values_by_key(d: Mapping) -> list:
    """Returns the values of ``d`` ordered by the plain sort of its keys.

    Args:
        d: A mapping with sortable keys (string keys sort lexicographically,
            so ``"in10"`` comes before ``"in2"``).

    Returns:
        The list of values.
    """
    return [d[k] for k in sorted(d)]


class OrderedSet(dict):
    """A set that iterates in insertion order.

    It is a ``dict`` whose keys are the elements (so membership tests,
    ``len`` and iteration run at C speed); :attr:`d` is the set itself, for
    code that reads the backing mapping. Unlike a dict, two sets are equal
    only if they are the same object, and a set is hashable by identity.

    Example:
        >>> s = OrderedSet()
        >>> s.update([3, 1, 3, 2])
        >>> list(s)
        [3, 1, 2]
    """

    __slots__ = ()
    # The constructor is dict's (fast); it takes no arguments here.
    __signature__ = inspect.Signature()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def d(self) -> dict:
        """The backing mapping from element to ``None`` (the set itself)."""
        return self

    def add(self, x: Any) -> None:
        """Appends ``x`` unless it is already present."""
        self[x] = None

    def update(self, xs: Iterable) -> None:  # type: ignore[override]
        """Adds every element of ``xs``, in order."""
        for x in xs:
            self[x] = None

    def __repr__(self) -> str:
        return "OrderedSet(%r)" % list(self)


class Scope:
    """A registry of unique, readable names for modules, hyperparameters and ports.

    Names look like ``H.Discrete-0``, ``M.Dense-3``, ``M.Dense-3.I.in`` and
    ``M.Dense-3.O.out``. :attr:`Scope.default_scope` is used whenever an object is
    created without an explicit scope; :class:`deep_architect.modules.SearchSpaceFactory`
    resets it before building each search space so names restart from 0.

    Objects are recorded in creation order and their names are spelled out
    only when asked for: a module's or hyperparameter's name is its prefix and
    number, a port's its module's name and local name. Building a space then
    costs a list append per object instead of a new string and a dict entry.
    """

    default_scope: Scope

    def __init__(self) -> None:
        # Names registered by hand (Scope.register, Addressable(scope, name)):
        # the numbering of modules and hyperparameters skips them.
        self._hand_names: dict[str, Addressable] = {}
        # Every registered object in creation order; an object registered by
        # hand under a name other than its own appears as a (name, object) pair.
        self._order: list = []
        self._name_to_elem: dict[str, Addressable] = {}
        self._has_aliases = False
        # The next number for each prefix. Every number below it is taken:
        # names are never unregistered.
        self._next_index: dict[str, int] = {}

    @property
    def name_to_elem(self) -> dict[str, Addressable]:
        """Name to object, in registration (creation) order.

        The dict is rebuilt after new registrations; treat it as read-only.
        """
        order = self._order
        if len(self._name_to_elem) != len(order):
            name_to_elem = {}
            for entry in order:
                if type(entry) is tuple:
                    name_to_elem[entry[0]] = entry[1]
                else:
                    name_to_elem[entry._scope_name] = entry
            self._name_to_elem = name_to_elem
        return self._name_to_elem

    @property
    def elem_to_name(self) -> dict[Addressable, str]:
        """Object to name, in registration order (a new dict on each access)."""
        return {elem: name for name, elem in self.name_to_elem.items()}

    def register(self, name: str, elem: Addressable) -> None:
        """Records ``elem`` under ``name``.

        Raises:
            DeepArchitectError: If the name is taken or ``elem`` is not addressable.
        """
        if self._is_taken(name):
            raise DeepArchitectError(
                "Scope.register: the name %r is already registered in this scope" % name
            )
        if not isinstance(elem, Addressable):
            raise DeepArchitectError("Scope.register: %r is not an Addressable" % (elem,))
        self._hand_names[name] = elem
        if getattr(elem, "_scope_name", None) == name:
            self._order.append(elem)
        else:
            self._order.append((name, elem))
            self._has_aliases = True

    def _is_taken(self, name: str) -> bool:
        if name in self._hand_names:
            return True
        prefix, dash, number = name.rpartition("-")
        if dash and number.isascii() and number.isdigit() and str(int(number)) == number:
            if int(number) < self._next_index.get(prefix + dash, 0):
                return True
        # Only a port's name can still be taken; spelling them all out is rare.
        return (".I." in name or ".O." in name) and name in self.name_to_elem

    def get_unused_name(self, prefix: str) -> str:
        """Returns ``prefix + str(i)`` for the smallest unused ``i >= 0``; does not register it."""
        i = self._unused_number(prefix)
        self._next_index[prefix] = i
        return prefix + str(i)

    def _unused_number(self, prefix: str) -> int:
        i = self._next_index.get(prefix, 0)
        hand_names = self._hand_names
        if hand_names:
            while prefix + str(i) in hand_names:
                i += 1
        return i

    def _register_next(self, prefix: str, elem: Addressable) -> int:
        """Registers ``elem`` under ``get_unused_name(prefix)``; returns the number used.

        The name itself is only spelled out when asked for (see :class:`_Name`).
        """
        i = self._unused_number(prefix)
        self._next_index[prefix] = i + 1
        self._order.append(elem)
        return i

    def get_name(self, elem: Addressable) -> str:
        """Returns the name of ``elem`` (``KeyError`` if it is not registered here)."""
        if self._has_aliases:
            # Objects registered by hand under other names: the latest name wins.
            return self.elem_to_name[elem]
        name = getattr(elem, "_scope_name", None)
        if name is None or self.name_to_elem.get(name) is not elem:
            raise KeyError(elem)
        return name

    def get_elem(self, name: str) -> Addressable:
        """Returns the object registered as ``name`` (``KeyError`` if unknown)."""
        return self.name_to_elem[name]

    @staticmethod
    def reset_default_scope() -> None:
        """Replaces :attr:`Scope.default_scope` with a fresh, empty scope."""
        Scope.default_scope = Scope()


Scope.default_scope = Scope()


@contextlib.contextmanager
def use_scope(scope: Scope | None = None) -> Iterator[Scope]:
    """Temporarily installs ``scope`` (a fresh one if ``None``) as the default scope.

    The previous default scope is restored on exit, even if an exception is raised.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> with use_scope() as scope:
        ...     h = hp.Discrete([1, 2])
        >>> h.get_name(), h.scope is scope
        ('H.Discrete-0', True)

    Args:
        scope: The scope to install.

    Yields:
        The installed scope.
    """
    previous = Scope.default_scope
    Scope.default_scope = scope if scope is not None else Scope()
    try:
        yield Scope.default_scope
    finally:
        Scope.default_scope = previous


class _Name:
    """The ``_scope_name`` of modules and hyperparameters, spelled out on first use.

    ``spell`` builds the name from the object; the result is then stored on
    the object, which hides this (non-data) descriptor from later lookups.
    Ports have no instance dict and use :class:`_PortName` instead.
    """

    def __init__(self, spell: Callable[[Any], str]) -> None:
        self._spell = spell

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        name = self._spell(obj)
        obj._scope_name = name
        return name


class _PortName:
    """The ``_scope_name`` of ports: module name, separator and local name, spelled on first use.

    Ports have no instance dict (see :class:`Addressable`), so the spelled name
    is kept in their ``_spelled`` slot.
    """

    def __init__(self, separator: str) -> None:
        self._separator = separator

    def __get__(self, port: Any, objtype: type | None = None) -> Any:
        if port is None:
            return self
        name = port._spelled
        if name is None:
            name = port.module._scope_name + self._separator + port._local_name
            port._spelled = name
        return name

    def __set__(self, port: Any, name: str) -> None:
        port._spelled = name


class Addressable:
    """Base class of everything that has a name in a scope.

    Equality and hashing are by identity. The class declares ``__slots__`` so
    that ports, which are created by the thousand, can do without an instance
    dict; subclasses that declare no ``__slots__`` (modules, hyperparameters,
    user classes) have one as usual.
    """

    __slots__ = ("scope", "_scope_name", "__weakref__")

    def __init__(self, scope: Scope, name: str) -> None:
        self._scope_name = name
        scope.register(name, self)
        self.scope = scope

    def get_name(self) -> str:
        """Returns the full name of this object in its scope."""
        return self._scope_name

    def _get_base_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return self._scope_name


# Name prefixes such as "M.Dense-", keyed by class (default names) or by the
# name given. One string object per prefix has its hash computed once, instead
# of once per object created.
_MODULE_PREFIXES: dict[Any, str] = {}
_HYPERPARAMETER_PREFIXES: dict[Any, str] = {}
_MAX_CACHED_PREFIXES = 10000


def _register_numbered(
    obj: Addressable, scope: Scope | None, prefixes: dict, kind: str, name: str | None
) -> None:
    """Registers a new module or hyperparameter as ``kind + "." + base + "-" + number``.

    Sets ``obj.scope`` and what its name is spelled from. ``obj._get_base_name()``
    is asked once per class: it names the class.
    """
    if scope is None:
        scope = Scope.default_scope
    key = type(obj) if name is None else name
    prefix = prefixes.get(key)
    if prefix is None:
        prefix = "%s.%s-" % (kind, obj._get_base_name() if name is None else name)
        if len(prefixes) < _MAX_CACHED_PREFIXES:
            prefixes[key] = prefix
    obj.scope = scope
    obj._name_stem = prefix
    obj._name_number = scope._register_next(prefix, obj)
