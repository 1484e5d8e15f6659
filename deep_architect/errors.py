"""The library's exception type.

Every contract violation (a value outside a hyperparameter's domain, a second
assignment, a bad connection, a replay list that does not fit, ...) raises
:class:`DeepArchitectError`. It subclasses ``AssertionError`` so that code
written for the original library, which caught bare assertion failures, keeps
working; and it is never a ``ValueError``, which searchers reserve for "this
architecture is invalid, sample another one".
"""
from __future__ import annotations


class DeepArchitectError(AssertionError):
    """A misuse of the deep_architect API, with a message naming the culprit.

    Example:
        >>> import deep_architect.hyperparameters as hp
        >>> h = hp.Discrete([1, 2])
        >>> try:
        ...     h.assign_value(3)
        ... except DeepArchitectError as e:
        ...     print("rejected")
        rejected
    """


def check(condition: object, message: str, *args: object) -> None:
    """Raises :class:`DeepArchitectError` with ``message % args`` unless ``condition`` holds.

    Unlike ``assert``, the check survives ``python -O``. The message is only
    formatted on failure, so checks cost almost nothing on hot paths.

    Args:
        condition: Anything truthy or falsy.
        message: What went wrong, naming the offending object and what was
            expected; a ``%``-format string when ``args`` are given.
        *args: Values for the format string.

    Raises:
        DeepArchitectError: If ``condition`` is falsy.
    """
    if not condition:
        raise DeepArchitectError(message % args if args else message)
