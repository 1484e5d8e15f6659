"""Framework-independent building blocks for search spaces.

A graph fragment is a pair ``(inputs, outputs)`` of dicts from local names to
:class:`~deep_architect.core.Input` / :class:`~deep_architect.core.Output`.
Single-input single-output (SISO) fragments use ``'in'`` and ``'out'``;
multi-port ones use ``'in0'``, ``'in1'``, ... and ``'out0'``, .... A *thunk* is
a zero-argument function that returns a new fragment each time it is called.

Substitution modules (:class:`SubstitutionModule` and the ``siso_*`` /
``mimo_*`` constructs) are placeholders for structural choices: once all their
hyperparameters have values they build the chosen fragment, splice it in their
place and vanish.

Example:
    >>> import deep_architect.modules as mo
    >>> import deep_architect.hyperparameters as hp
    >>> from deep_architect.specify import random_specify
    >>> def search_space():
    ...     return mo.siso_sequential([
    ...         mo.siso_repeat(mo.identity, hp.Discrete([1, 2, 4])),
    ...         mo.siso_optional(mo.identity, hp.Discrete([0, 1])),
    ...     ])
    >>> inputs, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
    >>> values = random_specify(outputs)
    >>> len(values)
    2
"""

from __future__ import annotations

import contextlib
import math
import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import deep_architect.core as co
import deep_architect.hyperparameters as hp
from deep_architect.errors import DeepArchitectError, check

Fragment = tuple[dict, dict]
"""A pair ``(inputs, outputs)`` of dicts of ports."""

__all__ = [
    "Identity",
    "HyperparameterAggregator",
    "SubstitutionModule",
    "identity",
    "hyperparameter_aggregator",
    "get_hyperparameter_aggregators",
    "substitution_module",
    "mimo_or",
    "siso_or",
    "mimo_nested_repeat",
    "siso_nested_repeat",
    "siso_repeat",
    "siso_optional",
    "siso_permutation",
    "siso_split_combine",
    "preproc_apply_postproc",
    "dense_block",
    "siso_residual",
    "siso_sequential",
    "buffer_io",
    "SearchSpaceFactory",
]


def _get_name(name: str | None, default_name: str) -> str:
    return name if name is not None else default_name


# --------------------------------------------------------------------------- basic modules


class Identity(co.Module):
    """Copies its input ``'in'`` to its output ``'out'``; has no hyperparameters."""

    def __init__(self, scope: co.Scope | None = None, name: str | None = None) -> None:
        co.Module.__init__(self, scope, name)
        self._register(["in"], ["out"], {})

    def _compile(self) -> None:
        pass

    def _forward(self) -> None:
        self.outputs["out"].val = self.inputs["in"].val


def identity(scope: co.Scope | None = None, name: str | None = None) -> Fragment:
    """Returns the ports of a new :class:`Identity` module."""
    return Identity(scope, name).get_io()


class HyperparameterAggregator(co.Module):
    """A pass-through module that attaches hyperparameters to the graph.

    Use it for hyperparameters that are not part of any layer (a learning rate,
    a batch size) so that searchers assign them and they are logged with the
    architecture; read them back with :func:`get_hyperparameter_aggregators`.

    Args:
        name_to_hyperp: Local name to hyperparameter.
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``HyperparameterAggregator`` if ``None``).
    """

    def __init__(
        self,
        name_to_hyperp: Mapping[str, co.Hyperparameter],
        scope: co.Scope | None = None,
        name: str | None = None,
    ) -> None:
        co.Module.__init__(self, scope, name)
        self._register(["in"], ["out"], name_to_hyperp)

    def _compile(self) -> None:
        pass

    def _forward(self) -> None:
        self.outputs["out"].val = self.inputs["in"].val


def hyperparameter_aggregator(
    name_to_hyperp: Mapping[str, co.Hyperparameter],
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Returns the ports of a new :class:`HyperparameterAggregator`.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> agg_in, agg_out = hyperparameter_aggregator({"lr": hp.Discrete([1e-2, 1e-3])})
        >>> [m.get_name() for m in get_hyperparameter_aggregators(agg_out)]
        ['M.HyperparameterAggregator-0']
    """
    return HyperparameterAggregator(name_to_hyperp, scope, name).get_io()


def get_hyperparameter_aggregators(outputs: Mapping[str, co.Output]) -> list:
    """Returns the :class:`HyperparameterAggregator` modules reachable from ``outputs``.

    Returns:
        The modules in backward traversal order.
    """
    return co.get_modules_with_cond(outputs, lambda m: isinstance(m, HyperparameterAggregator))


# --------------------------------------------------------------------------- substitution


class SubstitutionModule(co.Module):
    """A placeholder that replaces itself by a new fragment once its hyperparameters have values.

    When the last of its hyperparameters is assigned (or at construction, if
    they all already have values) it calls ``substitution_fn`` with one dict
    ``{local_name: value}``, checks the returned fragment's port names, moves
    every connection of its own ports to the new ports, and updates its live
    ``inputs``/``outputs`` dicts to point at them. A substitution function may
    raise ``ValueError`` to reject an invalid architecture; searchers then
    sample again.

    Args:
        name: Name base of the module (first argument, as in the original).
        substitution_fn: ``dict -> (inputs, outputs)``.
        name_to_hyperp: Local name to hyperparameter.
        input_names: Names of the inputs.
        output_names: Names of the outputs.
        scope: Scope to register in (default scope if ``None``).
        allow_input_subset: Whether the new fragment may lack some inputs
            (those are disconnected).
        allow_output_subset: The same for outputs.
    """

    def __init__(
        self,
        name: str | None,
        substitution_fn: Callable[[dict], Fragment],
        name_to_hyperp: Mapping[str, co.Hyperparameter],
        input_names: Sequence[str],
        output_names: Sequence[str],
        scope: co.Scope | None = None,
        allow_input_subset: bool = False,
        allow_output_subset: bool = False,
    ) -> None:
        co.Module.__init__(self, scope, name)
        self.allow_input_subset = allow_input_subset
        self.allow_output_subset = allow_output_subset
        self._substitution_fn = substitution_fn
        self._is_done = False
        self._register(input_names, output_names, name_to_hyperp)
        self._update()

    def _check_ports(self, kind: str, new: Any, old: Mapping, allow_subset: bool) -> None:
        if not isinstance(new, Mapping):
            raise DeepArchitectError(
                "substitution function of %s returned %s of type %s; expected a dict of ports"
                % (self.get_name(), kind, type(new).__name__)
            )
        if new.keys() == old.keys():
            return
        new_names, old_names = set(new), set(old)
        if not (allow_subset and new_names <= old_names):
            raise DeepArchitectError(
                "substitution function of %s returned %s %s; expected %s%s"
                % (
                    self.get_name(),
                    kind,
                    sorted(new_names),
                    "a subset of " if allow_subset else "exactly ",
                    sorted(old_names),
                )
            )

    def _update(self) -> None:  # noqa: C901 (one body: it runs for every substitution)
        if self._is_done:
            return
        values = {}
        for name, h in self.hyperps.items():
            if not h.assign_done:
                return
            values[name] = h.val
        result = self._substitution_fn(values)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise DeepArchitectError(
                "substitution function of %s must return a pair (inputs, outputs), got %r"
                % (self.get_name(), result)
            )
        new_inputs, new_outputs = result
        inputs = self.inputs
        outputs = self.outputs
        # Dicts with the same names are the common case: accepted without a call.
        if type(new_inputs) is not dict or new_inputs.keys() != inputs.keys():
            self._check_ports("inputs", new_inputs, inputs, self.allow_input_subset)
        if type(new_outputs) is not dict or new_outputs.keys() != outputs.keys():
            self._check_ports("outputs", new_outputs, outputs, self.allow_output_subset)
        # Every port is checked before any connection moves, so a bad fragment
        # leaves the graph as it was.
        for ix in new_inputs.values():
            if not isinstance(ix, co.Input):
                raise self._port_type_error(ix, "Input")
        for ox in new_outputs.values():
            if not isinstance(ox, co.Output):
                raise self._port_type_error(ox, "Output")
        # Only existing keys are reassigned, so iterating the live dicts is safe.
        for name, old_ix in inputs.items():
            if name in new_inputs:
                if old_ix.from_output is not None:
                    old_ix.reroute_connected_output(new_inputs[name])
                inputs[name] = new_inputs[name]
            elif old_ix.from_output is not None:
                old_ix.disconnect()
        for name, old_ox in outputs.items():
            if name in new_outputs:
                old_ox.reroute_all_connected_inputs(new_outputs[name])
                outputs[name] = new_outputs[name]
            else:
                old_ox.disconnect_all()
        # The live dicts now lead to the new fragment even where no connection
        # moved (a substitution module on the border of the space): an edit.
        co.note_graph_edit()
        self._is_done = True
        # The function and the thunks it holds are not needed any more; letting
        # them go now spares the garbage collector thousands of closures per sample.
        self._substitution_fn = None

    def _port_type_error(self, port: Any, expected: str) -> DeepArchitectError:
        return DeepArchitectError(
            "substitution function of %s returned %r where an %s was expected"
            % (self.get_name(), port, expected)
        )

    def _compile(self) -> None:
        raise DeepArchitectError(
            "%s is a substitution module: it cannot be compiled; assign its hyperparameters "
            "first" % self.get_name()
        )

    def _forward(self) -> None:
        self._compile()


def substitution_module(
    name: str | None,
    substitution_fn: Callable[[dict], Fragment],
    name_to_hyperp: Mapping[str, co.Hyperparameter],
    input_names: Sequence[str],
    output_names: Sequence[str],
    scope: co.Scope | None = None,
    allow_input_subset: bool = False,
    allow_output_subset: bool = False,
) -> Fragment:
    """Returns the ports of a new :class:`SubstitutionModule` (same arguments).

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> def choose(dh):
        ...     return identity(name="Width%d" % dh["width"])
        >>> inputs, outputs = substitution_module("ChooseWidth", choose,
        ...                                       {"width": hp.Discrete([8, 16])}, ["in"], ["out"])
        >>> outputs["out"].module.hyperps["width"].assign_value(16)
        >>> outputs["out"].get_name()
        'M.Width16-0.O.out'
    """
    return SubstitutionModule(name, substitution_fn, name_to_hyperp, input_names, output_names,
                              scope, allow_input_subset, allow_output_subset).get_io()


def mimo_or(
    fn_lst: Sequence[Callable[[], Fragment]] | Mapping[Any, Callable[[], Fragment]],
    h_or: co.Hyperparameter,
    input_names: Sequence[str],
    output_names: Sequence[str],
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Chooses one of several fragments: ``fn_lst[value of h_or]()``.

    Args:
        fn_lst: Thunks, indexed by the hyperparameter's value (a list indexed by
            integers, or a dict keyed by the values).
        h_or: The choice (local name ``'idx'``).
        input_names: Input names shared by every option.
        output_names: Output names shared by every option.
        scope: Scope of the substitution module.
        name: Name base (``Or`` if ``None``).
    """

    def substitution_fn(dh: dict) -> Fragment:
        try:
            fn = fn_lst[dh["idx"]]
        except (IndexError, KeyError, TypeError):
            valid = list(fn_lst) if isinstance(fn_lst, Mapping) else list(range(len(fn_lst)))
            raise DeepArchitectError("%s: hyperparameter %s has value %r, which selects none of "
                                     "the options %r" % (_get_name(name, "Or"), h_or.get_name(),
                                                         dh["idx"], valid)) from None
        return fn()

    return substitution_module(
        _get_name(name, "Or"), substitution_fn, {"idx": h_or}, input_names, output_names, scope
    )


def siso_or(
    fn_lst: Sequence[Callable[[], Fragment]] | Mapping[Any, Callable[[], Fragment]],
    h_or: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """SISO :func:`mimo_or` (name base ``SISOOr``).

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> inputs, outputs = siso_or({"a": lambda: identity(name="A"),
        ...                            "b": lambda: identity(name="B")}, hp.Discrete(["a", "b"]))
    """
    return mimo_or(fn_lst, h_or, ["in"], ["out"], scope, _get_name(name, "SISOOr"))


def _is_integer(value: Any) -> bool:
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


#: Largest count of repeating modules (``siso_repeat``, nested repeats, split-combine): a
#: typo such as ``10**9`` fails at once instead of eating all memory. Overridable.
MAX_NUM_REPEATS = 10000


def _check_positive(module_kind: str, key: str, value: Any) -> None:
    if not (_is_integer(value) and value > 0):
        raise DeepArchitectError(
            "%s: hyperparameter %r must be a positive integer, got %r" % (module_kind, key, value)
        )
    check(value <= MAX_NUM_REPEATS, "%s: hyperparameter %r is %r, above deep_architect.modules."
          "MAX_NUM_REPEATS = %d (raise that limit if you mean it)", module_kind, key, value,
          MAX_NUM_REPEATS)


def mimo_nested_repeat(
    fn_first: Callable[[], Fragment],
    fn_iter: Callable[[dict, dict], Fragment],
    h_num_repeats: co.Hyperparameter,
    input_names: Sequence[str],
    output_names: Sequence[str],
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Builds ``fn_first()`` and then applies ``fn_iter(inputs, outputs)`` ``num_reps - 1`` times.

    ``fn_iter`` does its own wiring, typically
    ``lambda i, o: siso_sequential([(i, o), new_fragment()])``.

    Args:
        fn_first: Thunk for the first fragment.
        fn_iter: Takes the previous fragment's ports and returns the next fragment.
        h_num_repeats: Number of applications (local name ``'num_reps'``), > 0.
        input_names: Input names of the fragment.
        output_names: Output names of the fragment.
        scope: Scope of the substitution module.
        name: Name base (``NestedRepeat`` if ``None``).
    """

    def substitution_fn(dh: dict) -> Fragment:
        _check_positive("nested repeat", "num_reps", dh["num_reps"])
        inputs, outputs = fn_first()
        for _ in range(1, dh["num_reps"]):
            inputs, outputs = fn_iter(inputs, outputs)
        return inputs, outputs

    return substitution_module(
        _get_name(name, "NestedRepeat"),
        substitution_fn,
        {"num_reps": h_num_repeats},
        input_names,
        output_names,
        scope,
    )


def siso_nested_repeat(
    fn_first: Callable[[], Fragment],
    fn_iter: Callable[[dict, dict], Fragment],
    h_num_repeats: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """SISO :func:`mimo_nested_repeat` (name base ``SISONestedRepeat``)."""
    return mimo_nested_repeat(fn_first, fn_iter, h_num_repeats, ["in"], ["out"], scope,
                              _get_name(name, "SISONestedRepeat"))


def siso_repeat(
    fn: Callable[[], Fragment],
    h_num_repeats: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Chains ``num_reps`` fragments made by ``fn`` (name base ``SISORepeat``).

    All the fragments are created first, in order, then connected. A value of 0
    gives an :class:`Identity` (an extension: the original rejects 0).

    Args:
        fn: Thunk for one repetition.
        h_num_repeats: Number of repetitions (local name ``'num_reps'``), >= 0.
        scope: Scope of the substitution module.
        name: Name base.
    """

    def substitution_fn(dh: dict) -> Fragment:
        num_reps = dh["num_reps"]
        if num_reps == 0:
            return identity(scope)
        _check_positive("siso_repeat", "num_reps", num_reps)
        fragments = [fn() for _ in range(num_reps)]
        return siso_sequential(fragments)

    return substitution_module(
        _get_name(name, "SISORepeat"),
        substitution_fn,
        {"num_reps": h_num_repeats},
        ["in"],
        ["out"],
        scope,
    )


def siso_optional(
    fn: Callable[[], Fragment],
    h_opt: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """``fn()`` if the hyperparameter's value is truthy, an :class:`Identity` otherwise.

    Args:
        fn: Thunk for the optional fragment.
        h_opt: Whether to include it (local name ``'opt'``).
        scope: Scope of the substitution module (and of the identity).
        name: Name base (``SISOOptional`` if ``None``).
    """

    def substitution_fn(dh: dict) -> Fragment:
        return fn() if dh["opt"] else identity(scope)

    return substitution_module(
        _get_name(name, "SISOOptional"), substitution_fn, {"opt": h_opt}, ["in"], ["out"], scope
    )


def _kth_permutation(n: int, k: int) -> list[int]:
    """Returns the ``k``-th permutation of ``range(n)`` in lexicographic order."""
    items = list(range(n))
    perm = []
    for i in range(n, 0, -1):
        block = math.factorial(i - 1)
        perm.append(items.pop(k // block))
        k %= block
    return perm


def siso_permutation(
    fn_lst: Sequence[Callable[[], Fragment]],
    h_perm: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Chains the fragments of ``fn_lst`` in a chosen order (name base ``SISOPermutation``).

    The value indexes the permutations of ``range(len(fn_lst))`` in
    lexicographic (``itertools.permutations``) order; use
    :class:`~deep_architect.hyperparameters.OneOfKFactorial`. The thunks are
    called in permuted order.

    Args:
        fn_lst: Thunks to order.
        h_perm: Permutation index (local name ``'perm_idx'``).
        scope: Scope of the substitution module.
        name: Name base.
    """
    n = len(fn_lst)

    def substitution_fn(dh: dict) -> Fragment:
        k = dh["perm_idx"]
        if not (_is_integer(k) and 0 <= k < math.factorial(n)):
            raise DeepArchitectError(
                "siso_permutation: 'perm_idx' must be an integer in [0, %d), got %r"
                % (math.factorial(n), k)
            )
        return siso_sequential([fn_lst[i]() for i in _kth_permutation(n, k)])

    return substitution_module(
        _get_name(name, "SISOPermutation"),
        substitution_fn,
        {"perm_idx": h_perm},
        ["in"],
        ["out"],
        scope,
    )


def siso_split_combine(
    fn: Callable[[], Fragment],
    combine_fn: Callable[[int], Fragment],
    h_num_splits: co.Hyperparameter,
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """Runs ``num_splits`` parallel branches from ``fn`` and merges them with ``combine_fn``.

    Creation order: the branches, then ``combine_fn(n)`` (inputs ``'in0'`` ...
    ``'in{n-1}'``, output ``'out'``), then an identity that feeds every branch.

    Args:
        fn: Thunk for one branch.
        combine_fn: Takes the number of branches, returns the combining fragment.
        h_num_splits: Number of branches (local name ``'num_splits'``).
        scope: Scope of the substitution module.
        name: Name base (``SISOSplitCombine`` if ``None``).
    """

    def substitution_fn(dh: dict) -> Fragment:
        n = dh["num_splits"]
        _check_positive("siso_split_combine", "num_splits", n)
        branches = [fn() for _ in range(n)]
        c_inputs, c_outputs = combine_fn(n)
        i_inputs, i_outputs = identity(scope)
        for i, (b_inputs, b_outputs) in enumerate(branches):
            i_outputs["out"].connect(b_inputs["in"])
            b_outputs["out"].connect(c_inputs["in%d" % i])
        return i_inputs, c_outputs

    return substitution_module(
        _get_name(name, "SISOSplitCombine"),
        substitution_fn,
        {"num_splits": h_num_splits},
        ["in"],
        ["out"],
        scope,
    )


def dense_block(
    h_num_applies: co.Hyperparameter,
    h_end_in_combine: co.Hyperparameter,
    apply_fn: Callable[[], Fragment],
    combine_fn: Callable[[int], Fragment],
    scope: co.Scope | None = None,
    name: str | None = None,
) -> Fragment:
    """A DenseNet-like block: each application sees the combination of all earlier outputs.

    With ``n`` applications: an identity ``I``; application ``k`` reads the
    latest combination (``I`` for ``k = 0``); after every application but the
    last (and after the last too when ``end_in_combine`` is truthy),
    ``combine_fn(k + 2)`` merges ``I`` and all applications so far. The block
    ends in the last combination if ``end_in_combine``, else in the last
    application.

    Args:
        h_num_applies: Number of applications (local name ``'num_applies'``), > 0.
        h_end_in_combine: Whether to end with a combination (``'end_in_combine'``).
        apply_fn: Thunk for one SISO application.
        combine_fn: Takes the number of inputs, returns a fragment with inputs
            ``'in0'`` ... and output ``'out'``.
        scope: Scope of the substitution module.
        name: Name base (``DenseBlock`` if ``None``).
    """

    def substitution_fn(dh: dict) -> Fragment:
        n = dh["num_applies"]
        _check_positive("dense_block", "num_applies", n)
        end_in_combine = dh["end_in_combine"]
        i_inputs, i_outputs = identity(scope)
        apply_outputs = [i_outputs]
        combine_outputs = [i_outputs]
        for idx in range(n):
            a_inputs, a_outputs = apply_fn()
            combine_outputs[-1]["out"].connect(a_inputs["in"])
            apply_outputs.append(a_outputs)
            if idx < n - 1 or end_in_combine:
                c_inputs, c_outputs = combine_fn(idx + 2)
                for j, outputs in enumerate(apply_outputs):
                    outputs["out"].connect(c_inputs["in%d" % j])
                combine_outputs.append(c_outputs)
        return i_inputs, (combine_outputs[-1] if end_in_combine else apply_outputs[-1])

    return substitution_module(
        _get_name(name, "DenseBlock"),
        substitution_fn,
        {"num_applies": h_num_applies, "end_in_combine": h_end_in_combine},
        ["in"],
        ["out"],
        scope,
    )


# --------------------------------------------------------------------------- combinators


def siso_sequential(io_lst: Sequence[Fragment]) -> Fragment:
    """Chains SISO fragments: each ``'out'`` feeds the next ``'in'``.

    The first element may be a partial pair ``(None, outputs)`` to continue from
    an existing output.

    Example:
        >>> import deep_architect.core as co
        >>> with co.use_scope():
        ...     inputs, outputs = siso_sequential([identity(), identity()])
        >>> outputs["out"].get_name()
        'M.Identity-1.O.out'

    Raises:
        DeepArchitectError: If ``io_lst`` is empty.
    """
    check(len(io_lst) > 0, "siso_sequential: the list of fragments must not be empty")
    for (_, prev_outputs), (next_inputs, _) in zip(io_lst[:-1], io_lst[1:], strict=True):
        prev_outputs["out"].connect(next_inputs["in"])
    return io_lst[0][0], io_lst[-1][1]


def siso_residual(
    main_fn: Callable[[], Fragment],
    residual_fn: Callable[[], Fragment],
    combine_fn: Callable[[], Fragment],
) -> Fragment:
    """Runs a main and a residual branch on the same input and combines them.

    Calls ``main_fn()``, ``residual_fn()``, ``combine_fn()`` (inputs ``'in0'``,
    ``'in1'``) in that order, then an identity that feeds both branches.
    """
    m_inputs, m_outputs = main_fn()
    r_inputs, r_outputs = residual_fn()
    c_inputs, c_outputs = combine_fn()
    i_inputs, i_outputs = identity()
    i_outputs["out"].connect(m_inputs["in"])
    i_outputs["out"].connect(r_inputs["in"])
    m_outputs["out"].connect(c_inputs["in0"])
    r_outputs["out"].connect(c_inputs["in1"])
    return i_inputs, c_outputs


def preproc_apply_postproc(
    preproc_fn: Callable[[], Fragment],
    apply_fn: Callable[[], Fragment],
    postproc_fn: Callable[[], Fragment],
) -> Fragment:
    """``siso_sequential([preproc_fn(), apply_fn(), postproc_fn()])``."""
    return siso_sequential([preproc_fn(), apply_fn(), postproc_fn()])


def buffer_io(inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]) -> Fragment:
    """Wraps border ports that belong to substitution modules with identities.

    After a substitution, the border ports of the substitution module are
    replaced; exposing identity ports instead keeps the objects a caller holds
    valid. Input identities are created before output identities.

    Returns:
        New ``(inputs, outputs)`` dicts with the same keys.
    """
    new_inputs = {}
    for name, ix in inputs.items():
        if isinstance(ix.get_module(), SubstitutionModule):
            b_inputs, b_outputs = identity()
            b_outputs["out"].connect(ix)
            new_inputs[name] = b_inputs["in"]
        else:
            new_inputs[name] = ix
    new_outputs = {}
    for name, ox in outputs.items():
        if isinstance(ox.get_module(), SubstitutionModule):
            b_inputs, b_outputs = identity()
            ox.connect(b_inputs["in"])
            new_outputs[name] = b_outputs["out"]
        else:
            new_outputs[name] = ox
    return new_inputs, new_outputs


# Search-space functions checked for duplicate values (once: per Discrete would slow sampling).
_values_checked: weakref.WeakSet = weakref.WeakSet()


def _note_values_checked(search_space_fn: Callable) -> None:
    with contextlib.suppress(TypeError):  # not weakly referenceable: checked every time
        _values_checked.add(search_space_fn)


class SearchSpaceFactory:
    """Builds fresh, buffered search spaces from a search-space function.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> factory = SearchSpaceFactory(lambda: siso_optional(identity, hp.Bool()))
        >>> inputs, outputs = factory.get_search_space()
        >>> sorted(outputs)
        ['out']

    Args:
        search_space_fn: Returns a new ``(inputs, outputs)`` pair per call.
        reset_default_scope_upon_get: Whether to reset the default scope before
            each construction, so names restart from 0 every time.
        reset_scope_upon_get: Deprecated alias of ``reset_default_scope_upon_get``.
    """

    def __init__(
        self,
        search_space_fn: Callable[[], Fragment],
        reset_default_scope_upon_get: bool = True,
        reset_scope_upon_get: bool | None = None,
    ) -> None:
        check(
            callable(search_space_fn),
            "SearchSpaceFactory: search_space_fn must be callable, got %r",
            search_space_fn,
        )
        if reset_scope_upon_get is not None:
            reset_default_scope_upon_get = reset_scope_upon_get
        self.search_space_fn = search_space_fn
        self.reset_default_scope_upon_get = reset_default_scope_upon_get

    @property
    def reset_scope_upon_get(self) -> bool:
        """Deprecated alias of :attr:`reset_default_scope_upon_get`."""
        return self.reset_default_scope_upon_get

    def get_search_space(self) -> Fragment:
        """Returns a new, buffered, unspecified ``(inputs, outputs)`` pair.

        Raises:
            DeepArchitectError: If the search-space function does not return a
                pair of dicts.
        """
        if self.reset_default_scope_upon_get:
            co.Scope.reset_default_scope()
        with co.paused_gc():
            result = self.search_space_fn()
            _check_fragment(self.search_space_fn, result)
            if self.search_space_fn not in _values_checked:
                _note_values_checked(self.search_space_fn)
                hp.warn_duplicate_values(co.get_all_hyperparameters(result[1]))
            return buffer_io(*result)


def _check_fragment(search_space_fn: Callable, result: Any) -> None:
    if isinstance(result, tuple) and len(result) == 2 and all(
            isinstance(x, Mapping) for x in result):
        return
    got = ("a tuple of %d elements" % len(result) if isinstance(result, tuple)
           else "an object of type %s" % type(result).__name__)
    raise DeepArchitectError(
        "search space function %s must return a pair (inputs, outputs) of dicts, got %s"
        % (getattr(search_space_fn, "__name__", search_space_fn), got))
