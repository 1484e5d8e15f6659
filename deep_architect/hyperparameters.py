"""Independent hyperparameter types and a helper to share hyperparameters lazily.

Besides finite lists (:class:`Discrete`), hyperparameters can range over an
interval: :class:`Int` (integers, optionally on a step grid) and :class:`Float`,
both optionally log-scaled. Searchers see a range through its *unit scale*: a
number in ``[0, 1]`` that maps linearly (or logarithmically with ``log=True``)
onto the range, so "uniform", "perturb a little" and "split into bins" mean
the same thing for every range.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> D = hp.Discrete
    >>> h = D([32, 64, 128])
    >>> h.assign_value(64)
    >>> h.get_value()
    64
    >>> lr = hp.Float(1e-4, 1e-1, log=True)
    >>> lr.from_unit(0.5)  # the geometric middle of the range
    0.003162277660168382
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import deep_architect.core as co
from deep_architect.errors import DeepArchitectError, check

__all__ = [
    "Discrete",
    "D",
    "Bool",
    "OneOfK",
    "OneOfKFactorial",
    "Range",
    "Int",
    "Float",
    "HyperparameterSharer",
]


def _json_normalised(x: Any) -> Any:
    """Returns ``x`` as it would come back from a JSON round trip (tuples become lists)."""
    if isinstance(x, (list, tuple)):
        return [_json_normalised(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _json_normalised(v) for k, v in x.items()}
    return x


def _raise_bad_values(h: Any, name: str | None, vs: Any) -> None:
    raise DeepArchitectError(
        "%s(%s): expected a list of values, got %r (write [%r] for a single value)"
        % (type(h).__name__, "" if name is None else "name=%r" % name, vs, vs))


def _has_duplicates(vs: list) -> bool:
    try:
        return len(set(vs)) != len(vs)
    except TypeError:  # unhashable values (lists, dicts): compare pairwise
        return any(vs[i] == vs[j] for i in range(len(vs)) for j in range(i))


def warn_duplicate_values(hyperps: Any) -> None:
    """Warns about each ``Discrete`` of ``hyperps`` that lists a value twice, naming it.

    Args:
        hyperps: Hyperparameters, e.g. ``core.get_all_hyperparameters(outputs)``.

    Warns:
        UserWarning: Once per such hyperparameter.
    """
    for h in hyperps:
        vs = getattr(h, "vs", None)
        if isinstance(h, Discrete) and len(vs) > 1 and _has_duplicates(vs):
            warnings.warn("%s: duplicate values in %r make samplers favour them; list each "
                          "value once" % (h.get_name(), vs), stacklevel=3)


def _check_count(h: Any, k: Any) -> None:
    check(isinstance(k, int) and not isinstance(k, bool) and k >= 1,
          "%s: k must be a positive int, got %r", type(h).__name__, k)


class Discrete(co.Hyperparameter):
    """A hyperparameter taking one of a finite list of values.

    A single-value ``Discrete`` is not assigned automatically: searchers assign
    it like any other, and it takes a slot in the logged value list.

    Values read back from JSON logs are matched after normalisation, so a value
    list containing ``[1, 3]`` replays onto ``Discrete([(1, 3), (3, 1)])`` and
    assigns the tuple ``(1, 3)``.

    Example:
        >>> h = Discrete(["relu", "tanh"])
        >>> h.vs
        ['relu', 'tanh']

    Args:
        vs: The allowed values, in order (searchers index into ``h.vs``). A
            copy is stored.
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``Discrete`` if ``None``).

    Raises:
        DeepArchitectError: If ``vs`` is empty or not a list-like of values
            (a string or a number; no name is consumed then).

    A value listed twice (the original accepted it) makes every sampler
    favour it: :func:`warn_duplicate_values` says so, and search-space
    factories call it once on the first space they build (not here: this
    constructor runs for every sample, and the check would slow it down).
    """

    def __init__(
        self, vs: Sequence, scope: co.Scope | None = None, name: str | None = None
    ) -> None:
        if type(vs) is not list:  # the common case pays one type test, no more
            if isinstance(vs, (str, bytes)):
                # A string is a sequence of characters, never the intended list of values.
                _raise_bad_values(self, name, vs)
            try:
                vs = list(vs)
            except TypeError:
                _raise_bad_values(self, name, vs)
        else:
            vs = list(vs)
        if not vs:
            raise DeepArchitectError(
                "%s(%s): the list of values must not be empty"
                % (type(self).__name__, "" if name is None else "name=%r" % name)
            )
        co.Hyperparameter.__init__(self, scope, name)
        self.vs = vs

    def validate(self, val: Any) -> Any:
        """Returns the element of ``vs`` equal to ``val`` (after JSON normalisation).

        Raises:
            DeepArchitectError: If ``val`` is not allowed; the message names the
                hyperparameter, the allowed values and ``val``.
        """
        if val in self.vs:
            return val
        if isinstance(val, (list, tuple, dict)):
            normalised = _json_normalised(val)
            for v in self.vs:
                if _json_normalised(v) == normalised:
                    return v
        raise DeepArchitectError(
            "%s: value %r is not one of the allowed values %r" % (self.get_name(), val, self.vs)
        )


D = Discrete


class Bool(Discrete):
    """``Discrete([0, 1])``: the values are the integers 0 and 1 (``True``/``False`` accepted)."""

    def __init__(self, scope: co.Scope | None = None, name: str | None = None) -> None:
        Discrete.__init__(self, [0, 1], scope, name)


class OneOfK(Discrete):
    """``Discrete(list(range(k)))``.

    Args:
        k: Number of values (positive).
    """

    def __init__(self, k: int, scope: co.Scope | None = None, name: str | None = None) -> None:
        _check_count(self, k)
        Discrete.__init__(self, list(range(k)), scope, name)


class OneOfKFactorial(Discrete):
    """``Discrete(list(range(k!)))``: an index into the permutations of ``k`` items.

    Use it with :func:`deep_architect.modules.siso_permutation`.

    Args:
        k: Number of items to permute (positive).
    """

    def __init__(self, k: int, scope: co.Scope | None = None, name: str | None = None) -> None:
        _check_count(self, k)
        Discrete.__init__(self, list(range(math.factorial(k))), scope, name)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_integral(x: Any) -> bool:
    return _is_real(x) and math.isfinite(x) and float(x) == int(x)


class Range(co.Hyperparameter):
    """Base class of hyperparameters ranging over an interval ``[low, high]``.

    Subclasses define the mapping between values and the unit scale
    ``[0, 1]``: :meth:`from_unit` turns a uniform draw (or any point of the
    scale) into a valid value, :meth:`to_unit` places a value on the scale.
    With ``log=True`` the scale is logarithmic, so equal steps on it multiply
    the value by equal factors.

    Attributes:
        low: Smallest allowed value.
        high: Largest allowed value.
        log: Whether the unit scale is logarithmic.
    """

    def __init__(self, low: Any, high: Any, log: bool, scope: co.Scope | None,
                 name: str | None) -> None:
        what = "%s(low=%r, high=%r%s)" % (
            type(self).__name__, low, high, "" if name is None else ", name=%r" % name)
        check(_is_real(low) and _is_real(high) and math.isfinite(low) and math.isfinite(high),
              "%s: low and high must be finite numbers", what)
        check(low <= high, "%s: low must not exceed high", what)
        check(isinstance(log, bool), "%s: log must be True or False, got %r", what, log)
        check(not log or low > 0, "%s: log=True needs low > 0 (a log scale has no zero)", what)
        co.Hyperparameter.__init__(self, scope, name)
        self.low = low
        self.high = high
        self.log = log

    def from_unit(self, u: float) -> Any:
        """Returns the value at position ``u`` of the unit scale (clipped into ``[0, 1]``)."""
        raise NotImplementedError

    def to_unit(self, val: Any) -> float:
        """Returns the position of the allowed value ``val`` on the unit scale, in ``[0, 1]``."""
        raise NotImplementedError

    def grid(self, num_points: int) -> list:
        """Returns up to ``num_points`` distinct values at the centres of equal bins of the scale.

        This is the stable discretisation used by searchers that need a finite
        set of choices (MCTS): the same range always gives the same grid.

        Args:
            num_points: Number of bins (positive).
        """
        check(isinstance(num_points, int) and num_points >= 1,
              "%s.grid: num_points must be a positive int, got %r", self, num_points)
        return list(dict.fromkeys(self.from_unit((i + 0.5) / num_points)
                                  for i in range(num_points)))

    def _out_of_range(self, val: Any, expected: str) -> DeepArchitectError:
        return DeepArchitectError("%s: value %r is not %s" % (self.get_name(), val, expected))

    def _scale(self, x: float) -> float:
        return math.log(x) if self.log else x

    def _unscale(self, y: float) -> float:
        return math.exp(y) if self.log else y


def _clip_unit(u: float) -> float:
    return 0.0 if u < 0.0 else 1.0 if u > 1.0 else u


class Int(Range):
    """An integer in ``[low, high]`` on the grid ``low, low + step, ...``.

    Uniform sampling picks each allowed integer with the same probability;
    with ``log=True`` it is log-uniform (small values are as likely, per
    factor, as large ones), as for a width between 8 and 1024.

    Example:
        >>> width = Int(8, 1024, log=True)
        >>> width.from_unit(0.0), width.from_unit(1.0)
        (8, 1024)
        >>> Int(0, 10, step=5).grid(3)
        [0, 5, 10]

    Args:
        low: Smallest value (an integer).
        high: Largest value (an integer); with ``step`` it need not be on the grid,
            the largest grid point not above it is the largest value.
        step: Distance between allowed values (a positive integer; must be 1
            with ``log=True``).
        log: Whether to sample on a logarithmic scale (``low`` must be positive).
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``Int`` if ``None``).

    Raises:
        DeepArchitectError: On non-integer bounds or step, ``low > high``, or
            ``log=True`` with ``low <= 0`` or ``step != 1``.
    """

    def __init__(self, low: int, high: int, step: int = 1, log: bool = False,
                 scope: co.Scope | None = None, name: str | None = None) -> None:
        what = "Int(low=%r, high=%r, step=%r%s)" % (
            low, high, step, "" if name is None else ", name=%r" % name)
        check(_is_integral(low) and _is_integral(high), "%s: low and high must be integers", what)
        check(_is_integral(step) and step >= 1, "%s: step must be a positive integer", what)
        check(not log or step == 1, "%s: log=True needs step=1", what)
        Range.__init__(self, int(low), int(high), log, scope, name)
        self.step = int(step)
        self.num_values = (self.high - self.low) // self.step + 1
        # Rounding a log-uniform draw over [low - 1/2, high + 1/2] gives each
        # integer the mass of its own half-open neighbourhood.
        self._lo = self._scale(self.low - 0.5) if log else 0.0
        self._hi = self._scale(self.high + 0.5) if log else 1.0

    def from_unit(self, u: float) -> int:
        """Returns the integer at position ``u`` in ``[0, 1]`` of the (log) range."""
        u = _clip_unit(u)
        if self.log:
            val = int(round(self._unscale(self._lo + u * (self._hi - self._lo))))
            return min(max(val, self.low), self.high)
        return self.low + self.step * min(int(u * self.num_values), self.num_values - 1)

    def to_unit(self, val: int) -> float:
        """Returns the position in ``[0, 1]`` of ``val``; the inverse of :meth:`from_unit`."""
        val = self.validate(val)
        if self.log:
            return (self._scale(val) - self._lo) / (self._hi - self._lo)
        return ((val - self.low) // self.step + 0.5) / self.num_values

    def values(self) -> range:
        """Every allowed value, in increasing order."""
        return range(self.low, self.high + 1, self.step)

    def validate(self, val: Any) -> int:
        """Returns ``val`` as an ``int`` if it is an allowed integer; raises otherwise."""
        if not _is_integral(val):
            raise self._out_of_range(val, "an integer")
        val = int(val)
        if not self.low <= val <= self.high or (val - self.low) % self.step:
            raise self._out_of_range(
                val, "in the range [%d, %d] with step %d" % (self.low, self.high, self.step))
        return val


class Float(Range):
    """A real number in ``[low, high]``, sampled uniformly or log-uniformly.

    Values are stored and logged as plain Python floats, so a logged value
    list replays exactly.

    Example:
        >>> dropout = Float(0.0, 0.5)
        >>> dropout.from_unit(0.5)
        0.25
        >>> dropout.to_unit(0.25)
        0.5

    Args:
        low: Smallest value.
        high: Largest value.
        log: Whether to sample on a logarithmic scale (``low`` must be positive).
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``Float`` if ``None``).

    Raises:
        DeepArchitectError: On non-finite bounds, ``low > high`` or ``log=True``
            with ``low <= 0``.
    """

    def __init__(self, low: float, high: float, log: bool = False,
                 scope: co.Scope | None = None, name: str | None = None) -> None:
        Range.__init__(self, low, high, log, scope, name)
        self.low = float(low)
        self.high = float(high)
        self._lo = self._scale(self.low)
        self._hi = self._scale(self.high)

    def from_unit(self, u: float) -> float:
        """Returns the number at position ``u`` in ``[0, 1]`` of the (log) range."""
        val = self._unscale(self._lo + _clip_unit(u) * (self._hi - self._lo))
        # exp(log(x)) may land a rounding error outside the bounds.
        return min(max(val, self.low), self.high)

    def to_unit(self, val: float) -> float:
        """Returns the position in ``[0, 1]`` of ``val``; the inverse of :meth:`from_unit`."""
        val = self.validate(val)
        if self._hi == self._lo:
            return 0.5
        return _clip_unit((self._scale(val) - self._lo) / (self._hi - self._lo))

    def validate(self, val: Any) -> float:
        """Returns ``val`` as a ``float`` if it lies in the range; raises otherwise."""
        if not (_is_real(val) and self.low <= val <= self.high):
            raise self._out_of_range(val, "a number in the range [%r, %r]" % (self.low, self.high))
        return float(val)


class HyperparameterSharer:
    """A registry of named hyperparameter factories, created on first use.

    Create the sharer inside the search-space function, so each new search
    space gets fresh hyperparameters.

    Example:
        >>> sharer = HyperparameterSharer()
        >>> sharer.register("drop_rate", lambda: Discrete([0.0, 0.5]))
        >>> sharer.get("drop_rate") is sharer.get("drop_rate")
        True

    Attributes:
        name_to_h_fn: Name to zero-argument factory.
        name_to_h: Name to the hyperparameter created so far.
    """

    def __init__(self) -> None:
        self.name_to_h_fn: OrderedDict[str, Callable[[], co.Hyperparameter]] = OrderedDict()
        self.name_to_h: OrderedDict[str, co.Hyperparameter] = OrderedDict()

    def register(self, hyperp_name: str, hyperp_fn: Callable[[], co.Hyperparameter]) -> None:
        """Registers a factory under ``hyperp_name`` (nothing is created yet).

        Raises:
            DeepArchitectError: If the name is already registered.
        """
        check(
            hyperp_name not in self.name_to_h_fn,
            "HyperparameterSharer: %r is already registered",
            hyperp_name,
        )
        self.name_to_h_fn[hyperp_name] = hyperp_fn

    def get(self, hyperp_name: str) -> co.Hyperparameter:
        """Returns the shared hyperparameter, creating it on the first call.

        Raises:
            DeepArchitectError: If the name was never registered.
        """
        if hyperp_name not in self.name_to_h_fn:
            raise DeepArchitectError(
                "HyperparameterSharer: %r is not registered (registered: %s)"
                % (hyperp_name, list(self.name_to_h_fn))
            )
        if hyperp_name not in self.name_to_h:
            self.name_to_h[hyperp_name] = self.name_to_h_fn[hyperp_name]()
        return self.name_to_h[hyperp_name]
