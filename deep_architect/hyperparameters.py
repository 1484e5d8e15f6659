"""Independent hyperparameter types and a helper to share hyperparameters lazily.

Example:
    >>> import deep_architect.hyperparameters as hp
    >>> D = hp.Discrete
    >>> h = D([32, 64, 128])
    >>> h.assign_value(64)
    >>> h.get_value()
    64
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import deep_architect.core as co
from deep_architect.errors import DeepArchitectError, check

__all__ = ["Discrete", "D", "Bool", "OneOfK", "OneOfKFactorial", "HyperparameterSharer"]


def _json_normalised(x: Any) -> Any:
    """Returns ``x`` as it would come back from a JSON round trip (tuples become lists)."""
    if isinstance(x, (list, tuple)):
        return [_json_normalised(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _json_normalised(v) for k, v in x.items()}
    return x


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
        DeepArchitectError: If ``vs`` is empty (no name is consumed then).
    """

    def __init__(
        self, vs: Sequence, scope: co.Scope | None = None, name: str | None = None
    ) -> None:
        vs = list(vs)
        if not vs:
            raise DeepArchitectError(
                "%s(%s): the list of values must not be empty"
                % (type(self).__name__, "" if name is None else "name=%r" % name)
            )
        co.Hyperparameter.__init__(self, scope, name)
        self.vs = vs

    def _validated_value(self, val: Any) -> Any:
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

    def _check_value(self, val: Any) -> None:
        self._validated_value(val)


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
        Discrete.__init__(self, list(range(k)), scope, name)


class OneOfKFactorial(Discrete):
    """``Discrete(list(range(k!)))``: an index into the permutations of ``k`` items.

    Use it with :func:`deep_architect.modules.siso_permutation`.

    Args:
        k: Number of items to permute (positive).
    """

    def __init__(self, k: int, scope: co.Scope | None = None, name: str | None = None) -> None:
        Discrete.__init__(self, list(range(math.factorial(k))), scope, name)


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
