"""Search spaces written inline in ordinary PyTorch modules.

Subclass :class:`ModelSpace` and write ``__init__`` and ``forward`` as for any
``nn.Module``, marking the open decisions inline: :func:`choice` for a value
(:func:`int_range` / :func:`float_range` for a number in a range),
:class:`LayerChoice` for one of several layers, :class:`InputChoice` for a
subset of inputs, :class:`Repeat` for a variable number of blocks, and the
``Mutable*`` layers, whose constructor arguments may be choices. A label names
each decision; the same label used twice is one decision (a channel count
shared by two layers stays consistent).

:meth:`ModelSpace.search_space_fn` turns the class into a search-space
function of the DeepArchitect search-space language, so every searcher works
on it. Each decision becomes a ``Discrete`` hyperparameter named after its
label (``H.<label>-0``), asked for in the order in which ``__init__`` first
uses it; a decision that an earlier one makes irrelevant (the layers of a
candidate not chosen by a lazy :class:`LayerChoice`, the blocks beyond the
chosen depth) is never asked. Once specified, :func:`get_model` returns a plain
instance of the user's class with concrete ``torch.nn`` layers, and a logged
value list rebuilds it with :func:`instantiate`.

Example:
    >>> import torch
    >>> from torch import nn
    >>> import deep_architect.helpers.pytorch_model_space as pms
    >>> class Net(pms.ModelSpace):
    ...     def __init__(self):
    ...         super().__init__()
    ...         width = pms.choice("width", [8, 16])
    ...         self.fc1 = pms.MutableLinear(4, width)
    ...         self.act = pms.LayerChoice([nn.ReLU(), nn.Tanh()], label="act")
    ...         self.fc2 = pms.MutableLinear(width, 2)
    ...     def forward(self, x):
    ...         return self.fc2(self.act(self.fc1(x)))
    >>> model = pms.instantiate(Net.search_space_fn(), [16, 1])
    >>> type(model).__name__, model.fc1.out_features, type(model.act).__name__
    ('Net', 16, 'Tanh')
    >>> model(torch.zeros(3, 4)).shape
    torch.Size([3, 2])

Construction runs the user's ``__init__`` several times per sample (once per
decision, on PyTorch's ``meta`` device, which allocates nothing, and once for
real when the model is needed), so ``__init__`` must not have side effects
beyond building the module. ``__init__`` may raise ``ValueError`` to reject a
combination of decisions; searchers then sample another architecture.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import operator
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
from deep_architect.errors import DeepArchitectError, check
from deep_architect.helpers.pytorch_support import PyTorchModule

__all__ = [
    "ValueChoice", "choice", "int_range", "float_range", "current_value", "LayerChoice",
    "InputChoice", "ChosenInputs",
    "Repeat", "MutableLinear", "MutableConv2d", "MutableBatchNorm2d", "MutableDropout",
    "ModelSpace", "get_model", "get_labeled_values", "instantiate",
]


class _Undecided(BaseException):
    """Raised inside a probing construction at the first decision without a value.

    A ``BaseException`` so that a user's ``except Exception`` does not swallow it.
    """

    def __init__(self, label: str, make_hyperparameter: Callable[[str], co.Hyperparameter]
                 ) -> None:
        BaseException.__init__(self, label)
        self.label = label
        self.make_hyperparameter = make_hyperparameter


class _Construction:
    """The decisions known while one ``ModelSpace.__init__`` runs.

    Attributes:
        decided: Label to chosen value.
        declared: Label to the definition declared for it in this run and the
            function making its hyperparameter from a name.
    """

    def __init__(self, decided: Mapping[str, Any], owner: str) -> None:
        self.decided = decided
        self.owner = owner
        self.declared: dict[str, tuple[Any, Callable[[str], co.Hyperparameter]]] = {}
        self._auto_counts: dict[str, int] = {}

    def check_label(self, label: Any, kind: str) -> None:
        check(isinstance(label, str) and label != "",
              "%s: a label must be a non-empty string, got %r (in %s)", kind, label, self.owner)

    def declare_values(self, label: Any, values: Any, kind: str) -> None:
        """Declares a decision among ``values`` (a ``Discrete`` hyperparameter)."""
        self.check_label(label, kind)
        check(isinstance(values, Sequence) and not isinstance(values, str) and len(values) > 0,
              "%s(%r): the values must be a non-empty list, got %r", kind, label, values)
        values = list(values)
        self.declare(label, values, lambda name: hp.Discrete(values, name=name))

    def declare(self, label: str, definition: Any,
                make_hyperparameter: Callable[[str], co.Hyperparameter]) -> None:
        """Records a decision; ``definition`` must be equal each time the label is used."""
        previous = self.declared.setdefault(label, (definition, make_hyperparameter))[0]
        if previous != definition:
            raise DeepArchitectError(
                "label %r is used twice with different values: %r and then %r (in %s); a "
                "label names one decision, use another label for another decision"
                % (label, previous, definition, self.owner))

    def auto_label(self, kind: str, label: str | None) -> str:
        """``label``, or ``<kind>_<i>`` numbered by creation order within the construction."""
        if label is not None:
            return label
        i = self._auto_counts.get(kind, 0)
        self._auto_counts[kind] = i + 1
        return "%s_%d" % (kind, i)

    def value(self, label: str) -> Any:
        if label in self.decided:
            return self.decided[label]
        raise _Undecided(label, self.declared[label][1])


class _Stack(threading.local):
    """The constructions under way, per thread (searchers may sample in threads)."""

    def __init__(self) -> None:
        self.constructions: list[_Construction] = []


_STACK = _Stack()


def _innermost() -> _Construction | None:
    constructions = _STACK.constructions
    return constructions[-1] if constructions else None


@contextmanager
def _constructing(decided: Mapping[str, Any], owner: str) -> Iterator[_Construction]:
    construction = _Construction(decided, owner)
    _STACK.constructions.append(construction)
    try:
        yield construction
    finally:
        _STACK.constructions.pop()


def _current(what: str) -> _Construction:
    construction = _innermost()
    if construction is None:
        raise DeepArchitectError(
            "%s is used outside the construction of a ModelSpace: build the model through "
            "YourModelSpace.search_space_fn() (and a searcher, specify or instantiate), not by "
            "calling its constructor directly" % what)
    return construction


def _operator(fn: Callable[[Any, Any], Any], reflected: bool = False) -> Callable:
    """A ``ValueChoice`` arithmetic method: ``choice <op> other``, derived lazily.

    ``other <op> choice`` when ``reflected`` (the ``__r<op>__`` methods).
    """
    if reflected:
        return lambda self, other: self._derive(fn, other, self)
    return lambda self, other: self._derive(fn, self, other)


class ValueChoice:
    """A value still to be chosen, as returned by :func:`choice`.

    Give it to a ``Mutable*`` layer, or read it with :func:`current_value`.
    ``+``, ``-``, ``*`` and ``//`` with numbers or other choices give derived
    values (``2 * width``) that follow the choice.
    """

    __slots__ = ("label", "values", "_fn", "_operands")

    def __init__(self, label: str, values: list | None, _fn: Callable | None = None,
                 _operands: tuple = ()) -> None:
        self.label = label
        self.values = values
        self._fn = _fn
        self._operands = _operands

    def _resolve(self, construction: _Construction) -> Any:
        if self._fn is None:
            return construction.value(self.label)
        return self._fn(*(_resolve(x, construction) for x in self._operands))

    def _derive(self, fn: Callable, *operands: Any) -> ValueChoice:
        return ValueChoice(self.label, self.values, fn, operands)

    __add__, __radd__ = _operator(operator.add), _operator(operator.add, reflected=True)
    __sub__, __rsub__ = _operator(operator.sub), _operator(operator.sub, reflected=True)
    __mul__, __rmul__ = _operator(operator.mul), _operator(operator.mul, reflected=True)
    __floordiv__ = _operator(operator.floordiv)

    def __repr__(self) -> str:
        kind = "ValueChoice" if self._fn is None else "derived ValueChoice"
        return "%s(%r, %r)" % (kind, self.label, self.values)


def _resolve(x: Any, construction: _Construction) -> Any:
    if isinstance(x, ValueChoice):
        return x._resolve(construction)
    if isinstance(x, (list, tuple)):
        return type(x)(_resolve(v, construction) for v in x)
    if isinstance(x, dict):
        return {k: _resolve(v, construction) for k, v in x.items()}
    return x


def _contains_choice(x: Any) -> bool:
    if isinstance(x, ValueChoice):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_choice(v) for v in x)
    if isinstance(x, dict):
        return any(_contains_choice(v) for v in x.values())
    return False


def choice(label: str, values: Sequence) -> ValueChoice:
    """Declares a decision among ``values``, named ``label``, inside a :class:`ModelSpace`.

    Using the same label again (with the same values) refers to the same
    decision.

    Args:
        label: Name of the decision; the hyperparameter is named after it.
        values: The candidate values (JSON-serialisable, so logs replay).

    Returns:
        A :class:`ValueChoice` to give to ``Mutable*`` layers or :func:`current_value`.

    Raises:
        DeepArchitectError: Outside the construction of a ``ModelSpace``, for an
            empty value list, or if ``label`` was declared with other values.
    """
    construction = _current("choice(%r)" % (label,))
    construction.declare_values(label, values, "choice")
    return ValueChoice(label, list(values))


def int_range(label: str, low: int, high: int, step: int = 1, log: bool = False) -> ValueChoice:
    """Declares an integer decision in ``[low, high]`` (an ``hp.Int`` hyperparameter).

    Args:
        label: Name of the decision.
        low: Smallest value.
        high: Largest value.
        step: Distance between allowed values.
        log: Whether searchers sample on a logarithmic scale.

    Raises:
        DeepArchitectError: Outside a ``ModelSpace`` construction, for an
            invalid range, or if ``label`` was declared differently.
    """
    return _declare_range("int_range", label, hp.Int, low, high, step, log)


def float_range(label: str, low: float, high: float, log: bool = False) -> ValueChoice:
    """Declares a real decision in ``[low, high]`` (an ``hp.Float`` hyperparameter).

    Args:
        label: Name of the decision.
        low: Smallest value.
        high: Largest value.
        log: Whether searchers sample on a logarithmic scale.

    Raises:
        DeepArchitectError: Outside a ``ModelSpace`` construction, for an
            invalid range, or if ``label`` was declared differently.
    """
    return _declare_range("float_range", label, hp.Float, low, high, log)


def _declare_range(kind: str, label: str, hyperp_cls: type, *args: Any) -> ValueChoice:
    """Declares a range decision ``hyperp_cls(*args)`` from the function ``kind``."""
    construction = _current("%s(%r)" % (kind, label))
    construction.check_label(label, kind)
    hyperp_cls(*args, scope=co.Scope())  # checks the arguments, with messages
    construction.declare(label, (kind, *args), lambda name: hyperp_cls(*args, name=name))
    return ValueChoice(label, None)


def current_value(x: Any) -> Any:
    """The chosen value of ``x`` (a :class:`ValueChoice`, or a structure holding some).

    Use it in ``__init__`` where a plain Python value is needed, for instance to
    pass a chosen width to a layer that is not ``Mutable*``. Plain values are
    returned unchanged.
    """
    if not _contains_choice(x):
        return x
    return _resolve(x, _current("current_value(%r)" % (x,)))


def _resolve_arguments(what: str, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    if not (_contains_choice(args) or _contains_choice(kwargs)):
        return args, kwargs
    construction = _current(what)
    return _resolve(args, construction), _resolve(kwargs, construction)


class _MutableLayer:
    """Mixin whose constructor returns the plain layer built from the chosen arguments."""

    _layer_class: type[nn.Module]

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = _resolve_arguments(cls.__name__, args, kwargs)
        return cls._layer_class(*args, **kwargs)


class MutableLinear(_MutableLayer, nn.Linear):
    """``nn.Linear`` whose arguments may be choices; constructing it gives an ``nn.Linear``."""

    _layer_class = nn.Linear


class MutableConv2d(_MutableLayer, nn.Conv2d):
    """``nn.Conv2d`` whose arguments may be choices; constructing it gives an ``nn.Conv2d``."""

    _layer_class = nn.Conv2d


class MutableBatchNorm2d(_MutableLayer, nn.BatchNorm2d):
    """``nn.BatchNorm2d`` whose arguments may be choices; gives an ``nn.BatchNorm2d``."""

    _layer_class = nn.BatchNorm2d


class MutableDropout(_MutableLayer, nn.Dropout):
    """``nn.Dropout`` whose arguments may be choices; gives an ``nn.Dropout``."""

    _layer_class = nn.Dropout


class _Unresolved(nn.Module):
    """Base of the choice modules, which exist as objects only outside a construction."""

    label: str | None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise DeepArchitectError(
            "%s %r is used in forward before it was resolved: build the model through "
            "YourModelSpace.search_space_fn() and a searcher, specify or instantiate, which "
            "replace it by the chosen layer" % (type(self).__name__, self.label))


def _call_candidate(candidate: Any) -> nn.Module:
    # Zero-argument factories let unchosen candidates (and their choices) go unbuilt.
    return candidate if isinstance(candidate, nn.Module) else candidate()


class LayerChoice(_Unresolved):
    """One of several candidate layers; it becomes the chosen candidate itself.

    Candidates are modules or zero-argument functions returning a module. The
    choices inside module candidates are all decided, since those candidates
    were built before the choice; those inside factories are decided only when
    their candidate is chosen.

    Args:
        candidates: A list (values are indices) or a dict (values are its keys).
        label: Name of the decision (``layerchoice_<i>`` if ``None``).
    """

    def __new__(cls, candidates: Sequence | Mapping, label: str | None = None) -> Any:
        """Records the choice while a space is being built; a plain module otherwise."""
        construction = _innermost()
        if construction is None:
            return nn.Module.__new__(cls)
        label = construction.auto_label("layerchoice", label)
        keys = list(candidates) if isinstance(candidates, Mapping) else list(
            range(len(candidates)))
        construction.declare_values(label, keys, "LayerChoice")
        return _call_candidate(candidates[construction.value(label)])

    def __init__(self, candidates: Sequence | Mapping, label: str | None = None) -> None:
        nn.Module.__init__(self)
        self.label = label
        self.candidates = candidates


class ChosenInputs(nn.Module):
    """Selects inputs from a list and reduces them; what an :class:`InputChoice` becomes.

    Args:
        indices: Positions to select.
        reduction: ``"sum"``, ``"mean"``, ``"concat"`` (along dimension 1) or ``"none"``
            (the list of selected inputs).
    """

    def __init__(self, indices: Sequence[int], reduction: str = "sum") -> None:
        nn.Module.__init__(self)
        self.indices = list(indices)
        self.reduction = reduction

    def forward(self, inputs: Sequence[torch.Tensor]) -> Any:
        """Returns the reduction of ``inputs[i]`` for the chosen ``i``."""
        chosen = [inputs[i] for i in self.indices]
        if self.reduction == "none":
            return chosen
        if self.reduction == "concat":
            return torch.cat(chosen, dim=1)
        total = chosen[0]
        for x in chosen[1:]:
            total = total + x
        return total / len(chosen) if self.reduction == "mean" else total


_REDUCTIONS = ("sum", "mean", "concat", "none")


class InputChoice(_Unresolved):
    """Chooses ``n_chosen`` of ``n_candidates`` inputs; it becomes a :class:`ChosenInputs`.

    The values are the input indices (``0 ... n_candidates - 1``) when one
    input is chosen, otherwise the sorted index lists of every combination.

    Args:
        n_candidates: Number of inputs the module receives (a list in ``forward``).
        n_chosen: How many of them to keep.
        reduction: See :class:`ChosenInputs`.
        label: Name of the decision (``inputchoice_<i>`` if ``None``).
    """

    def __new__(cls, n_candidates: int, n_chosen: int = 1, reduction: str = "sum",
                label: str | None = None) -> Any:
        """Records the choice while a space is being built; a plain module otherwise."""
        construction = _innermost()
        if construction is None:
            return nn.Module.__new__(cls)
        label = construction.auto_label("inputchoice", label)
        check(isinstance(n_candidates, int) and isinstance(n_chosen, int)
              and 1 <= n_chosen <= n_candidates,
              "InputChoice(%r): expected integers 1 <= n_chosen <= n_candidates, got "
              "n_candidates=%r, n_chosen=%r", label, n_candidates, n_chosen)
        check(reduction in _REDUCTIONS, "InputChoice(%r): reduction must be one of %s, got %r",
              label, _REDUCTIONS, reduction)
        if n_chosen == 1:
            values: list = list(range(n_candidates))
        else:
            values = [list(c) for c in itertools.combinations(range(n_candidates), n_chosen)]
        construction.declare_values(label, values, "InputChoice")
        chosen = construction.value(label)
        return ChosenInputs([chosen] if n_chosen == 1 else chosen, reduction)

    def __init__(self, n_candidates: int, n_chosen: int = 1, reduction: str = "sum",
                 label: str | None = None) -> None:
        nn.Module.__init__(self)
        self.label = label
        self.n_candidates = n_candidates
        self.n_chosen = n_chosen


def _call_block(block_fn: Any, index: int) -> nn.Module:
    if isinstance(block_fn, nn.Module):
        return copy.deepcopy(block_fn)
    try:
        takes_index = len(inspect.signature(block_fn).parameters) > 0
    except (TypeError, ValueError):
        takes_index = True
    return block_fn(index) if takes_index else block_fn()


class Repeat(_Unresolved):
    """A chosen number of blocks in sequence; it becomes an ``nn.Sequential``.

    Args:
        block_fn: Function of the block index (or of nothing) returning a new
            block, or a module to copy. Choices inside share their labels
            across blocks unless the labels include the index.
        depth_values: The candidate depths (non-negative integers), or one
            integer for a fixed depth.
        label: Name of the decision (``repeat_<i>`` if ``None``).
    """

    def __new__(cls, block_fn: Any, depth_values: int | Sequence[int],
                label: str | None = None) -> Any:
        """Records the choice while a space is being built; a plain module otherwise."""
        construction = _innermost()
        if construction is None:
            return nn.Module.__new__(cls)
        label = construction.auto_label("repeat", label)
        depths = [depth_values] if isinstance(depth_values, int) else depth_values
        check(isinstance(depths, Sequence)
              and all(isinstance(d, int) and d >= 0 for d in depths),
              "Repeat(%r): depth_values must be non-negative integers, got %r",
              label, depth_values)
        if isinstance(depth_values, int):
            depth = depth_values
        else:
            construction.declare_values(label, depths, "Repeat")
            depth = construction.value(label)
        return nn.Sequential(*[_call_block(block_fn, i) for i in range(depth)])

    def __init__(self, block_fn: Any, depth_values: int | Sequence[int],
                 label: str | None = None) -> None:
        nn.Module.__init__(self)
        self.label = label
        self.depth_values = depth_values


class ModelSpace(nn.Module):
    """Base class of inline search spaces: write ``__init__`` and ``forward`` as usual.

    Do not instantiate the class directly when it holds choices; get a
    search-space function with :meth:`search_space_fn` and give it to a
    searcher (or to :func:`instantiate` with a value list).
    """

    @classmethod
    def search_space_fn(cls, *args: Any, **kwargs: Any) -> Callable[[], mo.Fragment]:
        """Returns a search-space function building this class with these arguments.

        Each call of the returned function gives a fresh ``(inputs, outputs)``
        pair with input ``'in'`` and output ``'out'``; once specified, the graph
        holds one module computing ``model(x)``, where ``model`` (see
        :func:`get_model`) is an instance of this class with concrete layers.
        The function is picklable when the class is importable.

        Args:
            *args: Positional arguments of the class's constructor.
            **kwargs: Keyword arguments of the class's constructor.
        """
        return _SearchSpaceFn(cls, args, kwargs)


class _SearchSpaceFn:
    """The search-space function of a :class:`ModelSpace` (a class, so it pickles)."""

    def __init__(self, cls: type, args: tuple, kwargs: dict) -> None:
        check(isinstance(cls, type) and issubclass(cls, ModelSpace),
              "search_space_fn: %r is not a subclass of ModelSpace", cls)
        self.cls = cls
        self.args = args
        self.kwargs = kwargs
        self.__name__ = "%s.search_space_fn" % cls.__name__

    def __call__(self) -> mo.Fragment:
        return _Decisions(self).next_fragment()

    def __repr__(self) -> str:
        return "<search space of %s>" % self.cls.__name__


class _Decisions:
    """The decisions of one search space, made one at a time by substitution modules."""

    def __init__(self, space_fn: _SearchSpaceFn) -> None:
        self.space_fn = space_fn
        self.decided: dict[str, Any] = {}
        self.hyperps: dict[str, co.Hyperparameter] = {}

    def construct(self, probing: bool) -> nn.Module:
        cls = self.space_fn.cls
        with _constructing(self.decided, cls.__name__):
            if probing:
                with torch.device("meta"):
                    return cls(*self.space_fn.args, **self.space_fn.kwargs)
            return cls(*self.space_fn.args, **self.space_fn.kwargs)

    def next_fragment(self) -> mo.Fragment:
        try:
            self.construct(probing=True)
        except _Undecided as undecided:
            label = undecided.label
            h = undecided.make_hyperparameter(label)
            self.hyperps[label] = h

            def substitution_fn(dh: dict) -> mo.Fragment:
                self.decided[label] = dh[label]
                return self.next_fragment()

            return mo.substitution_module(self.space_fn.cls.__name__ + "Decision",
                                          substitution_fn, {label: h}, ["in"], ["out"])
        return _ModelModule(self).get_io()


class _ModelModule(PyTorchModule):
    """The module an inline space becomes once every decision is made.

    Its hyperparameters are the decisions, keyed by label (so drawings and
    ``core.jsonify`` show them); it computes ``model(x)``.
    """

    _is_plain_layer = True

    def __init__(self, decisions: _Decisions) -> None:
        self._decisions = decisions
        self._model: nn.Module | None = None
        PyTorchModule.__init__(self, decisions.space_fn.cls.__name__, self._compile_model,
                               dict(decisions.hyperps), ["in"], ["out"])

    def _compile_model(self, di: dict, dh: dict) -> tuple[Callable, list]:
        model = self.get_model()
        return (lambda d: {"out": model(d["in"])}), [model]

    def get_model(self) -> nn.Module:
        """The user's model with the chosen layers (built once, on first request)."""
        if self._model is None:
            self._model = self._decisions.construct(probing=False)
        return self._model

    def get_labeled_values(self) -> dict[str, Any]:
        """Label to chosen value, in the order the decisions were made."""
        return dict(self._decisions.decided)


def _model_module(outputs: Mapping[str, co.Output], caller: str) -> _ModelModule:
    found = co.get_modules_with_cond(outputs, lambda m: isinstance(m, _ModelModule))
    if found:
        return found[0]
    pending = co.get_unassigned_independent_hyperparameters(outputs)
    if pending:
        raise DeepArchitectError(
            "%s: the search space is not fully specified yet (next decision: %s)"
            % (caller, next(iter(pending)).get_name()))
    raise DeepArchitectError("%s: these outputs do not come from a ModelSpace search space"
                             % caller)


def get_model(outputs: Mapping[str, co.Output]) -> nn.Module:
    """The plain model of a specified inline search space.

    Args:
        outputs: The outputs of a specified space from a ``ModelSpace.search_space_fn``.

    Returns:
        An instance of the user's class with concrete layers (the same object
        on every call; it is the module the graph runs).

    Raises:
        DeepArchitectError: If the space is not specified or not an inline space.
    """
    return _model_module(outputs, "get_model").get_model()


def get_labeled_values(outputs: Mapping[str, co.Output]) -> dict[str, Any]:
    """Label to chosen value of a specified inline space, in decision order.

    Example:
        >>> import deep_architect.helpers.pytorch_model_space as pms
        >>> from deep_architect.modules import SearchSpaceFactory
        >>> from deep_architect.specify import specify
        >>> class Tiny(pms.ModelSpace):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = pms.MutableLinear(2, pms.choice("units", [4, 8]))
        >>> inputs, outputs = SearchSpaceFactory(Tiny.search_space_fn()).get_search_space()
        >>> specify(outputs, [8])
        >>> get_labeled_values(outputs)
        {'units': 8}
    """
    return _model_module(outputs, "get_labeled_values").get_labeled_values()


def instantiate(search_space_fn: Callable[[], mo.Fragment],
                hyperp_value_lst: Sequence) -> nn.Module:
    """Replays a value list on a fresh inline space and returns the model.

    Args:
        search_space_fn: From :meth:`ModelSpace.search_space_fn`.
        hyperp_value_lst: A value list, e.g. read from a search log.

    Returns:
        The user's model with the layers the values choose.

    Raises:
        DeepArchitectError: If the list does not fit the space.
    """
    from deep_architect.specify import specify

    _, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
    specify(outputs, hyperp_value_lst)
    return get_model(outputs)
