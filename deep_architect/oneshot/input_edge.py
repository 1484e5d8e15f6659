"""A hyperparameter marking the operation on one incoming edge of a cell node."""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import deep_architect.core as co
import deep_architect.hyperparameters as hp
from deep_architect.errors import check


class InputEdge(hp.Discrete):
    """The operation on one edge into a cell node; ``none_value`` removes the edge.

    To a searcher it is an ordinary :class:`~deep_architect.hyperparameters.Discrete`.
    :meth:`deep_architect.oneshot.Supernet.derive` with ``top_k_inputs=k`` uses
    the extra information: among the edges with the same ``node`` it keeps the
    ``k`` whose strongest operation other than ``none_value`` weighs most, gives
    each its strongest such operation, and sets the others to ``none_value``
    (the rule of the DARTS paper for reading a cell off the mixture).

    Example:
        >>> h = InputEdge(["skip", "conv", "none"], node=2)
        >>> h.vs, h.node, h.none_value
        (['skip', 'conv', 'none'], 2, 'none')

    Args:
        ops: Operation names, ``none_value`` among them.
        node: Identifies the node the edge enters (edges of a node share it).
        none_value: The value meaning "no edge".
        scope: Scope to register in (default scope if ``None``).
        name: Name base (``InputEdge`` if ``None``).
    """

    def __init__(self, ops: Sequence, node: Hashable, none_value: object = "none",
                 scope: co.Scope | None = None, name: str | None = None) -> None:
        check(none_value in list(ops),
              "InputEdge(node=%r): none_value %r must be one of the operations %r",
              node, none_value, list(ops))
        hp.Discrete.__init__(self, ops, scope, name)
        self.node = node
        self.none_value = none_value
