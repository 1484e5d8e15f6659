"""The graph objects: hyperparameters, modules and the ports that connect them.

Every new connection and every hyperparameter attached to a module is counted
(see :data:`note_graph_edit`), which lets the hyperparameter iterator stop as
soon as a pass leaves the graph unchanged.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from deep_architect.core._naming import (
    _HYPERPARAMETER_PREFIXES,
    _MODULE_PREFIXES,
    Addressable,
    OrderedSet,
    Scope,
    _Name,
    _PortName,
    _register_numbered,
)
from deep_architect.errors import DeepArchitectError, check


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector during a burst of graph construction.

    Use it around code that creates a whole search space or specifies one
    (:func:`deep_architect.specify.random_specify` and
    :meth:`deep_architect.modules.SearchSpaceFactory.get_search_space` do).

    Building or specifying a space allocates thousands of objects that all stay
    alive; the collector would otherwise scan them repeatedly while they are
    being created, which makes sampling cost grow faster than the space.
    Collection resumes when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Hyperparameter(Addressable):
    """Base class of hyperparameters: write-once value holders.

    Assigning a value notifies the modules that use the hyperparameter (which is
    what triggers substitution modules) and then the dependent hyperparameters.
    Subclasses implement :meth:`validate`, the one check of a value.

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
        val = self.validate(val)
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

    def validate(self, val: Any) -> Any:
        """Checks ``val`` and returns the value to store; the one validation hook.

        :meth:`assign_value` calls it once per assignment. Subclasses override
        it and raise :class:`~deep_architect.errors.DeepArchitectError` (never
        ``ValueError``) naming the hyperparameter and what was expected. A
        subclass written for the original library overrides ``_check_value``
        instead (same check, returns nothing); this default calls it.

        Example:
            >>> import deep_architect.hyperparameters as hp
            >>> hp.Discrete([(1, 3), (3, 1)]).validate([1, 3])  # as read back from JSON
            (1, 3)

        Args:
            val: The candidate value.

        Returns:
            The value to store (``val`` itself unless the subclass normalises it).

        Raises:
            DeepArchitectError: If ``val`` is not allowed.
        """
        if type(self)._check_value is Hyperparameter._check_value:
            raise NotImplementedError(
                "%s: subclasses of Hyperparameter implement validate" % type(self).__name__
            )
        self._check_value(val)
        return val

    def _check_value(self, val: Any) -> None:
        # The original library's name of the hook, for code that calls it.
        self.validate(val)


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

    def validate(self, val: Any) -> Any:
        """Accepts any value: it is computed, never chosen."""
        return val


# Counts every new connection and every hyperparameter attached to a module in
# this process, so that the hyperparameter iterator can tell that a pass left
# the graph unchanged.
_graph_edit_counter = itertools.count()

#: Records one edit of a graph. Code that rewires ports other than through
#: :meth:`Input.connect` and the reroute methods (which record their edits),
#: such as a substitution module replacing itself, calls it once afterwards.
#: It is the counter's own ``__next__``: a call costs no Python frame.
note_graph_edit = _graph_edit_counter.__next__


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
