"""The graph model of deep_architect: scopes, hyperparameters, modules, traversals.

A search space is a graph of :class:`Module` objects connected through their
:class:`Input` and :class:`Output` ports, with :class:`Hyperparameter` objects
attached to modules. Searchers assign hyperparameter values in the order given
by :func:`unassigned_independent_hyperparameter_iterator`; that order is what
makes a logged value list replay to the same architecture, so every traversal
here follows a precisely defined order.

Example:
    >>> import deep_architect.core as co
    >>> import deep_architect.hyperparameters as hp
    >>> class AddConstant(co.Module):
    ...     def __init__(self, h_constant):
    ...         co.Module.__init__(self)
    ...         self._register(["in"], ["out"], {"constant": h_constant})
    ...     def _compile(self):
    ...         self.constant = self._get_hyperp_values()["constant"]
    ...     def _forward(self):
    ...         self._set_output_values({"out": self.inputs["in"].val + self.constant})
    >>> module = AddConstant(hp.Discrete([1, 2]))
    >>> module.hyperps["constant"].assign_value(2)
    >>> co.forward({module.inputs["in"]: 40})
    >>> module.outputs["out"].val
    42

This module depends on nothing outside the standard library.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from deep_architect.errors import DeepArchitectError, check

__all__ = [
    "DeepArchitectError",
    "sorted_values_by_key",
    "OrderedSet",
    "Scope",
    "use_scope",
    "Addressable",
    "Hyperparameter",
    "DependentHyperparameter",
    "Input",
    "Output",
    "Module",
    "extract_unique_modules",
    "determine_module_eval_seq",
    "traverse_backward",
    "traverse_forward",
    "get_modules_with_cond",
    "is_specified",
    "forward",
    "get_unconnected_inputs",
    "get_unconnected_outputs",
    "get_all_hyperparameters",
    "get_unassigned_independent_hyperparameters",
    "unassigned_independent_hyperparameter_iterator",
    "determine_input_output_cleanup_seq",
    "jsonify",
]


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


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector during a burst of graph construction.

    Building or specifying a space allocates thousands of objects that all stay
    alive; the collector would otherwise scan them repeatedly while they are
    being created, which made sampling cost grow faster than the space (about
    a third of the time at 1,500 modules). Collection resumes when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


class Hyperparameter(Addressable):
    """Base class of hyperparameters: write-once value holders.

    Assigning a value notifies the modules that use the hyperparameter (which is
    what triggers substitution modules) and then the dependent hyperparameters.
    Subclasses implement :meth:`_check_value`.

    Attributes:
        assign_done: Whether a value has been assigned.
        val: The value (``None`` until assigned).
        modules: The modules that registered this hyperparameter.
    """

    _scope_name = _Name(lambda h: h._name_stem + str(h._name_number))

    def __init__(self, scope: Scope | None = None, name: str | None = None) -> None:
        _register_numbered(self, scope, _HYPERPARAMETER_PREFIXES, "H", name)
        self.assign_done = False
        self.val: Any = None
        self.modules = OrderedSet()
        self._dependent_hyperps: OrderedSet | None = None

    def has_value_assigned(self) -> bool:
        """Returns whether a value has been assigned."""
        return self.assign_done

    def get_value(self) -> Any:
        """Returns the assigned value.

        Raises:
            DeepArchitectError: If no value has been assigned yet.
        """
        check(self.assign_done, "%s has no value assigned yet", self._scope_name)
        return self.val

    def assign_value(self, val: Any) -> None:
        """Assigns ``val`` and propagates it to modules and dependent hyperparameters.

        Raises:
            DeepArchitectError: If a value was already assigned or ``val`` is invalid.
        """
        if self.assign_done:
            raise DeepArchitectError(
                "%s already has value %r; cannot assign %r (hyperparameters are write-once)"
                % (self._scope_name, self.val, val)
            )
        val = self._validated_value(val)
        self.assign_done = True
        self.val = val
        # Snapshots: substitutions triggered below may register this
        # hyperparameter with modules they create; those are born up to date.
        for m in list(self.modules):
            m._update()
        if self._dependent_hyperps:
            for h in list(self._dependent_hyperps):
                if not h.assign_done:
                    h._update()

    @property
    def dependent_hyperps(self) -> OrderedSet:
        """The dependent hyperparameters computed from this one (created on first use).

        Most hyperparameters have none, so the set is only made when asked for.
        """
        if self._dependent_hyperps is None:
            self._dependent_hyperps = OrderedSet()
        return self._dependent_hyperps

    @dependent_hyperps.setter
    def dependent_hyperps(self, hyperps: OrderedSet) -> None:
        self._dependent_hyperps = hyperps

    def _register_module(self, module: Module) -> None:
        self.modules.add(module)

    def _register_dependent_hyperparameter(self, hyperp: DependentHyperparameter) -> None:
        check(
            isinstance(hyperp, DependentHyperparameter),
            "%s: only a DependentHyperparameter can depend on it, got %r",
            self._scope_name,
            hyperp,
        )
        check(
            hyperp not in self.dependent_hyperps,
            "%s: %s is already registered as a dependent",
            self._scope_name,
            hyperp,
        )
        self.dependent_hyperps.add(hyperp)

    def _validated_value(self, val: Any) -> Any:
        """Checks ``val`` and returns the value to store (``val`` itself by default)."""
        self._check_value(val)
        return val

    def _check_value(self, val: Any) -> None:
        raise NotImplementedError


class DependentHyperparameter(Hyperparameter):
    """A hyperparameter computed from other hyperparameters.

    It fires as soon as all its parents have values: at construction if they
    already do, otherwise inside the assignment of the last parent. Searchers
    never assign it.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> h_units = hp.Discrete([32, 64])
        >>> h_double = DependentHyperparameter(lambda d: 2 * d["u"], {"u": h_units})
        >>> h_units.assign_value(64)
        >>> h_double.get_value()
        128

    Args:
        fn: Called with one dict ``{local_name: parent_value}``; returns the value.
        hyperps: ``local_name -> Hyperparameter``. The same parent may appear
            under several names.
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``DependentHyperparameter`` if ``None``).
    """

    def __init__(
        self,
        fn: Callable[[dict], Any],
        hyperps: Mapping[str, Hyperparameter],
        scope: Scope | None = None,
        name: str | None = None,
    ) -> None:
        for local_name, h in hyperps.items():
            check(
                isinstance(h, Hyperparameter),
                "DependentHyperparameter: parent %r must be a Hyperparameter, got %r",
                local_name,
                h,
            )
        Hyperparameter.__init__(self, scope, name)
        self._hyperps: dict[str, Hyperparameter] = {k: hyperps[k] for k in sorted(hyperps)}
        self._fn = fn
        # The same parent may appear under several local names: register once.
        for h in dict.fromkeys(self._hyperps.values()):
            h._register_dependent_hyperparameter(self)
        self._update()

    def _update(self) -> None:
        if all(h.assign_done for h in self._hyperps.values()):
            self.assign_value(self._fn({k: h.val for k, h in self._hyperps.items()}))

    def _check_value(self, val: Any) -> None:
        pass


# Counts every new connection and every hyperparameter attached to a module in
# this process, so that the hyperparameter iterator can tell that a pass left
# the graph unchanged.
_graph_edit_counter = itertools.count()


def _already_connected_error(from_output: Output, to_input: Input) -> DeepArchitectError:
    return DeepArchitectError(
        "cannot connect %s to %s: the input is already connected to %s"
        % (from_output, to_input, to_input.from_output)
    )


class Input(Addressable):
    """A named input port of a module; fed by at most one output.

    Attributes:
        module: The owning module.
        from_output: The connected output, or ``None``.
        val: The value during forward (``None`` before).
    """

    __slots__ = ("module", "from_output", "val", "_local_name", "_spelled")

    _scope_name = _PortName(".I.")

    def __init__(self, module: Module, scope: Scope, name: str) -> None:
        # Recorded without a name: see Scope.
        scope._order.append(self)
        self.scope = scope
        self._local_name = name
        self._spelled = None
        self.module = module
        self.from_output: Output | None = None
        self.val: Any = None


    def is_connected(self) -> bool:
        """Returns whether an output feeds this input."""
        return self.from_output is not None

    def get_connected_output(self) -> Output | None:
        """Returns the output feeding this input, or ``None``."""
        return self.from_output

    def get_module(self) -> Module:
        """Returns the owning module."""
        return self.module

    def connect(self, from_output: Output) -> None:
        """Connects ``from_output`` to this input (appended to its fan-out list).

        Raises:
            DeepArchitectError: If ``from_output`` is not an Output or this input
                is already connected.
        """
        if not isinstance(from_output, Output):
            raise DeepArchitectError(
                "%s.connect: expected an Output, got %r" % (self._scope_name, from_output)
            )
        if self.from_output is not None:
            raise _already_connected_error(from_output, self)
        self.from_output = from_output
        from_output.to_inputs.append(self)
        next(_graph_edit_counter)

    def disconnect(self) -> None:
        """Disconnects this input from its output.

        Raises:
            DeepArchitectError: If the input is not connected.
        """
        if self.from_output is None:
            raise DeepArchitectError("%s.disconnect: it is not connected" % self._scope_name)
        self.from_output.to_inputs.remove(self)
        self.from_output = None

    def reroute_connected_output(self, to_input: Input) -> None:
        """Moves the connection of this input to ``to_input``, leaving this one unconnected.

        Raises:
            DeepArchitectError: If ``to_input`` is not an unconnected Input or this
                input is not connected.
        """
        # Plain ifs: every substitution reroutes its inputs through here.
        if not isinstance(to_input, Input):
            raise DeepArchitectError(
                "%s.reroute_connected_output: expected an Input, got %r"
                % (self._scope_name, to_input)
            )
        if self.from_output is None:
            raise DeepArchitectError(
                "%s.reroute_connected_output: it is not connected" % self._scope_name
            )
        if to_input.from_output is not None:
            raise DeepArchitectError(
                "cannot reroute %s to %s: %s is already connected to %s"
                % (self.from_output, to_input, to_input, to_input.from_output)
            )
        # What disconnect() then connect() would leave, without their checks.
        output = self.from_output
        to_inputs = output.to_inputs
        to_inputs.remove(self)
        to_inputs.append(to_input)
        self.from_output = None
        to_input.from_output = output
        next(_graph_edit_counter)


class Output(Addressable):
    """A named output port of a module; may feed any number of inputs.

    Attributes:
        module: The owning module.
        to_inputs: The connected inputs, in connection order.
        val: The value during forward (``None`` before).
    """

    __slots__ = ("module", "to_inputs", "val", "_local_name", "_spelled")

    _scope_name = _PortName(".O.")

    def __init__(self, module: Module, scope: Scope, name: str) -> None:
        # Recorded without a name: see Scope.
        scope._order.append(self)
        self.scope = scope
        self._local_name = name
        self._spelled = None
        self.module = module
        self.to_inputs: list[Input] = []
        self.val: Any = None


    def is_connected(self) -> bool:
        """Returns whether at least one input is fed by this output."""
        return len(self.to_inputs) > 0

    def get_connected_inputs(self) -> list[Input]:
        """Returns the live list of connected inputs."""
        return self.to_inputs

    def get_module(self) -> Module:
        """Returns the owning module."""
        return self.module

    def connect(self, to_input: Input) -> None:
        """Connects this output to ``to_input`` (see :meth:`Input.connect`)."""
        if not isinstance(to_input, Input):
            raise DeepArchitectError(
                "%s.connect: expected an Input, got %r" % (self._scope_name, to_input)
            )
        to_input.connect(self)

    def disconnect_all(self) -> None:
        """Disconnects every input fed by this output."""
        for ix in list(self.to_inputs):
            ix.disconnect()

    def reroute_all_connected_inputs(self, from_output: Output) -> None:
        """Moves every connected input, in order, to ``from_output``."""
        if not isinstance(from_output, Output):
            raise DeepArchitectError(
                "%s.reroute_all_connected_inputs: expected an Output, got %r"
                % (self._scope_name, from_output)
            )
        if from_output is self:
            return
        # What disconnecting and reconnecting each input in turn would leave,
        # in one step: every substitution moves its outputs' connections here.
        to_inputs = self.to_inputs
        for ix in to_inputs:
            ix.from_output = from_output
        from_output.to_inputs.extend(to_inputs)
        to_inputs.clear()
        next(_graph_edit_counter)


class Module(Addressable):
    """Base class of all modules.

    Basic modules compute through :meth:`_compile` (once, lazily, with the first
    input values available) and :meth:`_forward` (every call). Substitution
    modules (see :mod:`deep_architect.modules`) replace themselves instead.

    Attributes:
        inputs: Local name to :class:`Input`, in registration order (live dict).
        outputs: Local name to :class:`Output` (live dict).
        hyperps: Local name to :class:`Hyperparameter` (live dict).
    """

    _scope_name = _Name(lambda m: m._name_stem + str(m._name_number))

    def __init__(self, scope: Scope | None = None, name: str | None = None) -> None:
        _register_numbered(self, scope, _MODULE_PREFIXES, "M", name)
        self.inputs: dict[str, Input] = {}
        self.outputs: dict[str, Output] = {}
        self.hyperps: dict[str, Hyperparameter] = {}
        self._is_compiled = False

    def _register_input(self, name: str) -> None:
        if name in self.inputs:
            raise DeepArchitectError("%s: duplicate input name %r" % (self._scope_name, name))
        self.inputs[name] = Input(self, self.scope, name)

    def _register_output(self, name: str) -> None:
        if name in self.outputs:
            raise DeepArchitectError("%s: duplicate output name %r" % (self._scope_name, name))
        self.outputs[name] = Output(self, self.scope, name)

    def _register_hyperparameter(self, name: str, h: Hyperparameter) -> None:
        if not isinstance(h, Hyperparameter):
            raise DeepArchitectError(
                "%s: hyperparameter %r must be a Hyperparameter, got %r of type %s"
                % (self._scope_name, name, h, type(h).__name__)
            )
        if name in self.hyperps:
            raise DeepArchitectError(
                "%s: duplicate hyperparameter name %r" % (self._scope_name, name)
            )
        self.hyperps[name] = h
        h._register_module(self)
        next(_graph_edit_counter)

    def _register(
        self,
        input_names: Iterable[str],
        output_names: Iterable[str],
        name_to_hyperp: Mapping[str, Hyperparameter],
    ) -> None:
        """Registers inputs, then outputs, then hyperparameters sorted by local name."""
        # The bodies of _register_input and _register_output, inlined: every
        # module of every sampled architecture goes through here.
        scope = self.scope
        inputs = self.inputs
        for name in input_names:
            if name in inputs:
                raise DeepArchitectError("%s: duplicate input name %r" % (self._scope_name, name))
            inputs[name] = Input(self, scope, name)
        outputs = self.outputs
        for name in output_names:
            if name in outputs:
                raise DeepArchitectError("%s: duplicate output name %r" % (self._scope_name, name))
            outputs[name] = Output(self, scope, name)
        if name_to_hyperp:
            for name in sorted(name_to_hyperp):
                self._register_hyperparameter(name, name_to_hyperp[name])

    def _get_input_values(self) -> dict[str, Any]:
        return {name: ix.val for name, ix in self.inputs.items()}

    def _get_hyperp_values(self) -> dict[str, Any]:
        values = {}
        for name, h in self.hyperps.items():
            if not h.assign_done:
                raise DeepArchitectError(
                    "%s: hyperparameter %r (%s) has no value assigned" % (self._scope_name, name, h)
                )
            values[name] = h.val
        return values

    def _set_output_values(self, output_name_to_val: Mapping[str, Any]) -> None:
        outputs = self.outputs
        for name, val in output_name_to_val.items():
            outputs[name].val = val

    def get_io(self) -> tuple[dict, dict]:
        """Returns the live ``(inputs, outputs)`` dicts."""
        return self.inputs, self.outputs

    def get_hyperps(self) -> dict:
        """Returns the live hyperparameter dict."""
        return self.hyperps

    def _update(self) -> None:
        """Called whenever one of this module's hyperparameters is assigned."""

    def _compile(self) -> None:
        raise NotImplementedError

    def _forward(self) -> None:
        raise NotImplementedError

    def forward(self) -> None:
        """Compiles on the first call, then computes the outputs from the inputs."""
        if not self._is_compiled:
            self._compile()
            self._is_compiled = True
        self._forward()


# --------------------------------------------------------------------------- traversals


def extract_unique_modules(input_or_output_lst: Iterable[Input | Output]) -> list[Module]:
    """Returns the owning modules of the given ports, each once, in first-seen order.

    Raises:
        DeepArchitectError: If an element is neither an Input nor an Output.
    """
    modules = {}
    for x in input_or_output_lst:
        if not isinstance(x, (Input, Output)):
            raise DeepArchitectError("expected an Input or an Output, got %r" % (x,))
        modules[x.module] = None
    return list(modules)


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


# --------------------------------------------------------------------------- evaluation


def _eval_seq_and_skipped(inputs: Mapping[str, Input]) -> tuple[list, list]:
    """Returns the evaluation order and the discovered modules that never became ready.

    A module is queued again each time one of its inputs is fed (as in the
    original) and runs at the first queue position where all its inputs are fed.
    A counter of unfed inputs per module keeps each check O(1), so the whole
    walk is linear in the number of connections.
    """
    input_memo = set(inputs.values())
    queue = extract_unique_modules(inputs.values())
    unfed = {}
    for m in queue:
        unfed[m] = sum(1 for ix in m.inputs.values() if ix not in input_memo)
    seq = []
    done = set()
    for m in queue:
        if m in done or unfed[m] != 0:
            continue
        seq.append(m)
        done.add(m)
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                c = ix.module
                if c not in unfed:
                    unfed[c] = sum(1 for jx in c.inputs.values() if jx not in input_memo)
                if ix not in input_memo:
                    input_memo.add(ix)
                    unfed[c] -= 1
                queue.append(c)
    return seq, [m for m in unfed if m not in done]


def determine_module_eval_seq(inputs: Mapping[str, Input]) -> list[Module]:
    """Returns a topological order of the modules reachable forwards from ``inputs``.

    Discovery starts from the owners of ``inputs`` in dict iteration order.
    Modules that can never run (for example because one of their inputs is
    unconnected and not among ``inputs``) are left out; :func:`forward` reports
    them as an error.
    """
    return _eval_seq_and_skipped(inputs)[0]


def _describe_unready(modules: list[Module]) -> str:
    parts = []
    for m in modules:
        unfed = [ix.get_name() for ix in m.inputs.values() if ix.from_output is None]
        parts.append("%s (unconnected inputs: %s)" % (m, ", ".join(unfed) or "none"))
    return "; ".join(parts)


def forward(input_to_val: Mapping[Input, Any], _module_seq: list[Module] | None = None) -> None:
    """Runs the graph on the given input values; read results from the outputs' ``val``.

    Each module compiles on its first forward. Output values are copied into the
    connected inputs after each module runs. Pass ``_module_seq`` (from
    :func:`determine_module_eval_seq`) to avoid recomputing the order per call.

    Args:
        input_to_val: Input port to value.
        _module_seq: A precomputed evaluation order.

    Raises:
        DeepArchitectError: If a module would be left out because some of its
            inputs are unconnected, or a module to compile has unassigned
            hyperparameters.
    """
    if _module_seq is None:
        named = {"in%d" % i: ix for i, ix in enumerate(input_to_val)}
        _module_seq, skipped = _eval_seq_and_skipped(named)
        if skipped:
            raise DeepArchitectError(
                "forward: these modules can never run because some of their inputs are "
                "neither connected nor given values: " + _describe_unready(skipped)
            )
    for ix, val in input_to_val.items():
        ix.val = val
    for m in _module_seq:
        if not m._is_compiled:
            _check_compilable(m)
        m.forward()
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                ix.val = ox.val


def _check_compilable(m: Module) -> None:
    unassigned = [name for name, h in m.hyperps.items() if not h.assign_done]
    if unassigned:
        raise DeepArchitectError(
            "forward: module %s has unassigned hyperparameters %s; specify the search space "
            "(e.g. with deep_architect.searchers.common.random_specify) before forward"
            % (m, ", ".join("%r (%s)" % (n, m.hyperps[n]) for n in unassigned))
        )


def get_unconnected_inputs(outputs: Mapping[str, Output]) -> list[Input]:
    """Returns the unconnected inputs of the modules reachable backwards from ``outputs``."""
    return [
        ix for m in _backward_order(outputs) for ix in m.inputs.values() if ix.from_output is None
    ]


def get_unconnected_outputs(inputs: Mapping[str, Input]) -> list[Output]:
    """Returns the unconnected outputs of the modules reachable forwards from ``inputs``."""
    return [ox for m in _forward_order(inputs) for ox in m.outputs.values() if not ox.to_inputs]


def determine_input_output_cleanup_seq(inputs: Mapping[str, Input]) -> tuple[list, list]:
    """Says, per module of the evaluation order, which values can be freed after it runs.

    Returns:
        ``(input_cleanup_seq, output_cleanup_seq)``, aligned with
        :func:`determine_module_eval_seq`: the inputs of module ``i``, and the
        outputs whose last consumer is module ``i``.
    """
    module_seq = determine_module_eval_seq(inputs)
    remaining = {}
    input_cleanup_seq = []
    output_cleanup_seq = []
    for m in module_seq:
        input_cleanup_seq.append(list(m.inputs.values()))
        freed = []
        for ix in m.inputs.values():
            ox = ix.from_output
            if ox is None:
                continue
            left = remaining.get(ox, len(ox.to_inputs)) - 1
            remaining[ox] = left
            if left == 0:
                freed.append(ox)
        output_cleanup_seq.append(freed)
    return input_cleanup_seq, output_cleanup_seq


def jsonify(inputs: Mapping[str, Input], outputs: Mapping[str, Output]) -> dict:
    """Returns a plain-data description of a fully specified graph.

    Every list in the result is in a deterministic (first-seen) order, so two
    replays of the same value list give identical results, also across processes.

    Raises:
        DeepArchitectError: If a module has an unassigned hyperparameter.
    """
    modules = {}
    for m in _backward_order(outputs):
        name = m.get_name()
        in_modules = {}
        for ix in m.inputs.values():
            if ix.from_output is not None:
                in_modules[ix.from_output.module.get_name()] = None
        out_modules = {}
        for ox in m.outputs.values():
            for ix in ox.to_inputs:
                out_modules[ix.module.get_name()] = None
        modules[name] = {
            "module_name": name,
            "module_type": name[name.index(".") + 1 : name.rindex("-")],
            "hyperp_name_to_val": m._get_hyperp_values(),
            "input_names": {k: ix.get_name() for k, ix in m.inputs.items()},
            "output_names": {k: ox.get_name() for k, ox in m.outputs.items()},
            "in_connections": {
                ix.get_name(): ix.from_output.get_name()
                for ix in m.inputs.values()
                if ix.from_output is not None
            },
            "out_connections": {
                ox.get_name(): [ix.get_name() for ix in ox.to_inputs]
                for ox in m.outputs.values()
                if ox.to_inputs
            },
            "in_modules": list(in_modules),
            "out_modules": list(out_modules),
        }
    input_cleanup_seq, output_cleanup_seq = determine_input_output_cleanup_seq(inputs)
    return {
        "modules": modules,
        "unconnected_inputs": {k: ix.get_name() for k, ix in inputs.items()},
        "unconnected_outputs": {k: ox.get_name() for k, ox in outputs.items()},
        "module_eval_seq": [m.get_name() for m in determine_module_eval_seq(inputs)],
        "input_cleanup_seq": [[ix.get_name() for ix in lst] for lst in input_cleanup_seq],
        "output_cleanup_seq": [[ox.get_name() for ox in lst] for lst in output_cleanup_seq],
    }
