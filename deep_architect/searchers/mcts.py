"""Monte Carlo tree search over the sequence of choices made while specifying.

Decision ``t`` of a sample is the index chosen for the ``t``-th hyperparameter
yielded by ``unassigned_independent_hyperparameter_iterator``. The tree assumes
that the search-space function is deterministic: the same prefix of decisions
always leads to the same next hyperparameter with the same number of values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.searchers.common as seco
from deep_architect.errors import DeepArchitectError, check
from deep_architect.searchers.base import RngLike, Searcher
from deep_architect.specify import random_index


class MCTSTreeNode:
    """A node of the search tree; its children are the values of one decision.

    Args:
        parent_node: The parent, or ``None`` for the root.
    """

    def __init__(self, parent_node: "MCTSTreeNode" | None) -> None:
        self.num_trials = 0
        self.sum_scores = 0.0
        self.parent = parent_node
        self.children: list[MCTSTreeNode] | None = None

    def is_leaf(self) -> bool:
        """Whether the node was never expanded."""
        return self.children is None

    def update_stats(self, score: float) -> None:
        """Records one more trial with the given score."""
        self.sum_scores += score
        self.num_trials += 1

    def expand(self, num_children: int) -> None:
        """Creates ``num_children`` leaf children (one per value of the decision)."""
        self.children = [MCTSTreeNode(self) for _ in range(num_children)]

    def best_child(self, exploration_bonus: float,
                   rng: np.random.RandomState | None = None) -> tuple["MCTSTreeNode", int]:
        """Child with the highest UCT score; ties broken uniformly at random.

        A child without trials scores ``+inf``; otherwise its score is its mean
        plus ``exploration_bonus * sqrt(2 ln(parent trials) / child trials)``.

        Args:
            exploration_bonus: Weight of the exploration term.
            rng: Generator breaking ties; the global NumPy one when ``None``.

        Returns:
            ``(child, index)`` with ``index`` a plain ``int``.
        """
        check(not self.is_leaf(), "MCTSTreeNode.best_child: the node has no children")
        children = self.children
        untried = [i for i, c in enumerate(children) if c.num_trials == 0]
        if untried:
            tied = untried
        else:
            log_trials = math.log(self.num_trials)
            scores = [c.sum_scores / c.num_trials
                      + exploration_bonus * math.sqrt(2.0 * log_trials / c.num_trials)
                      for c in children]
            best = max(scores)
            tied = [i for i, s in enumerate(scores) if s == best]
        if len(tied) == 1:
            idx = tied[0]
        else:
            idx = tied[random_index(len(tied), rng)]
        return children[idx], idx

    @staticmethod
    def serialize(node: "MCTSTreeNode") -> list:
        """Nested ``[num_trials, sum_scores, [children...]]`` (``[]`` for a leaf).

        Built without recursion, so deep trees do not hit Python's recursion limit.
        """
        root: list = [node.num_trials, node.sum_scores, []]
        stack = [(node, root)]
        while stack:
            current, out = stack.pop()
            for child in current.children or ():
                child_out = [child.num_trials, child.sum_scores, []]
                out[2].append(child_out)
                stack.append((child, child_out))
        return root

    @staticmethod
    def deserialize(serialization: list,
                    parent: "MCTSTreeNode" | None = None) -> "MCTSTreeNode":
        """Inverse of :meth:`serialize`; an empty child list becomes a leaf.

        Args:
            serialization: Output of :meth:`serialize` (lists or tuples).
            parent: Parent of the rebuilt node.
        """
        def make(ser: list, parent_node: MCTSTreeNode | None) -> MCTSTreeNode:
            if len(ser) != 3:
                raise DeepArchitectError(
                    "MCTSTreeNode.deserialize: expected [num_trials, sum_scores, children], "
                    f"got a {type(ser).__name__} of length {len(ser)}"
                )
            node = MCTSTreeNode(parent_node)
            node.num_trials, node.sum_scores = int(ser[0]), float(ser[1])
            return node

        root = make(serialization, parent)
        stack = [(root, serialization)]
        while stack:
            node, ser = stack.pop()
            # A real expanded node always has at least one child.
            if len(ser[2]) > 0:
                node.children = [make(child_ser, node) for child_ser in ser[2]]
                stack.extend(zip(node.children, ser[2]))
        return root


#: Values a range hyperparameter (``hp.Int``/``hp.Float``) offers to the tree.
RANGE_GRID_SIZE = 8


def _values_of(h: co.Hyperparameter) -> list:
    if isinstance(h, hp.Discrete):
        return h.vs
    if isinstance(h, hp.Range):
        return h.grid(RANGE_GRID_SIZE)
    raise DeepArchitectError(
        f"MCTSSearcher supports only Discrete, Int and Float hyperparameters; {h.get_name()} "
        f"is a {type(h).__name__}"
    )


class MCTSSearcher(Searcher):
    """Upper-confidence tree search with uniform random rollouts.

    Each sample walks the tree from the root choosing the best child by UCT,
    expands the first leaf it reaches (choosing one of the new children
    uniformly), then completes the architecture at random. ``update`` credits
    the root and the tree part of the path. Several samples may be
    outstanding: untried children score ``+inf``, so concurrent samples spread.
    A token from another instance (warm start) may go deeper than this tree:
    the missing nodes are expanded by replaying its indices on a fresh space.

    When the search space rejects an attempt (``ValueError``), the tree part of
    the rejected path is credited with the lowest value observed so far (if
    any), so that untried branches that always lead to invalid architectures
    do not keep their ``+inf`` score and get chosen forever.

    A range hyperparameter (``hp.Int``/``hp.Float``) is searched on a fixed
    grid: the :data:`RANGE_GRID_SIZE` values at the centres of equal bins of
    its (log-)scaled range (:meth:`~deep_architect.hyperparameters.Range.grid`;
    fewer for an ``Int`` with fewer values), the same grid in every sample and
    every process, so the tree's branches keep their meaning.

    Token: ``{"tree_hist": [int, ...], "rollout_hist": [int, ...]}`` (indices
    into the hyperparameters' value lists or grids). The state holds the tree under
    ``"mcts_root_node"`` (file ``mcts_searcher_state.json``).

    Args:
        search_space_fn: Deterministic function returning a fresh ``(inputs, outputs)``.
        exploration_bonus: Weight of the UCT exploration term.
        reset_default_scope_upon_sample: Whether each new search space resets
            the default scope.
        rng: ``None`` (global NumPy generator), an ``int`` seed or a ``RandomState``.
    """

    state_filename = "mcts_searcher_state.json"
    state_keys = ("mcts_root_node",)

    def __init__(self, search_space_fn: Callable[[], tuple[dict, dict]],
                 exploration_bonus: float = 1.0,
                 reset_default_scope_upon_sample: bool = True, rng: RngLike = None) -> None:
        Searcher.__init__(self, search_space_fn, reset_default_scope_upon_sample, rng)
        self.exploration_bonus = exploration_bonus
        self.mcts_root_node = MCTSTreeNode(None)
        self._lowest_val: float | None = None

    def propose(self) -> tuple:
        """Tree walk, expansion and random rollout (see the class documentation)."""
        return seco.sample_until_valid(self._sample_attempt, description=self._owner)

    def _sample_attempt(self) -> tuple:
        inputs, outputs = self.search_space_fn()
        tree_hist: list[int] = []
        rollout_hist: list[int] = []
        hyperps: list = []
        try:
            vs = self._specify(outputs, tree_hist, rollout_hist, hyperps)
        except ValueError:
            if self._lowest_val is not None:
                self._credit(tree_hist, [], self._lowest_val)
            raise
        return (inputs, outputs, vs, {"tree_hist": tree_hist, "rollout_hist": rollout_hist},
                hyperps)

    def _specify(self, outputs: dict[str, Any], tree_hist: list[int],
                 rollout_hist: list[int], hyperps: list) -> list[Any]:
        """Tree walk then rollout; appends the chosen indices to the two lists.

        The hyperparameters assigned are appended to ``hyperps``.
        """
        h_it = co.unassigned_independent_hyperparameter_iterator(outputs)
        vs: list[Any] = []
        node = self.mcts_root_node
        for h in h_it:
            values = _values_of(h)
            expanding = node.is_leaf()
            if expanding:
                node.expand(len(values))
                idx = random_index(len(values), self.rng)
            else:
                if len(node.children) != len(values):
                    raise DeepArchitectError(
                        f"MCTSSearcher: the tree has {len(node.children)} branches for "
                        f"{h.get_name()}, which has {len(values)} values; the search space "
                        f"function must be deterministic"
                    )
                node, idx = node.best_child(self.exploration_bonus, self.rng)
            tree_hist.append(idx)
            h.assign_value(values[idx])
            vs.append(values[idx])
            hyperps.append(h)
            if expanding:
                break
        for h in h_it:
            values = _values_of(h)
            idx = random_index(len(values), self.rng)
            rollout_hist.append(idx)
            h.assign_value(values[idx])
            vs.append(values[idx])
            hyperps.append(h)
        return vs

    def observe(self, val: float, token: dict[str, Any]) -> None:
        """Credits ``val`` to the root and the tree part of the token's path."""
        self.check_token_keys(token, ["tree_hist"])
        self._credit(token["tree_hist"], token.get("rollout_hist", []), val)
        if self._lowest_val is None or val < self._lowest_val:
            self._lowest_val = val

    def _credit(self, tree_hist: list[int], rollout_hist: list[int], val: float) -> None:
        """Adds a trial with score ``val`` to the root and the nodes of ``tree_hist``."""
        check(isinstance(tree_hist, list) and all(type(i) is int for i in tree_hist),
              "MCTSSearcher.update: the token's tree_hist %r is not a list of ints", tree_hist)
        path = [self.mcts_root_node]
        num_values: list[int] | None = None
        for depth, idx in enumerate(tree_hist):
            node = path[-1]
            if node.children is None:  # a token of another instance went deeper
                if num_values is None:
                    num_values = self._num_values_along(tree_hist + list(rollout_hist))
                if depth < len(num_values):
                    node.expand(num_values[depth])
            children = node.children
            if not (children is not None and 0 <= idx < len(children)):
                raise DeepArchitectError(
                    f"MCTSSearcher.update: the token's tree_hist {tree_hist} does "
                    f"not match the search tree"
                )
            path.append(children[idx])
        for node in path:
            node.update_stats(val)

    def _num_values_along(self, indices: list[int]) -> list[int]:
        """Number of values of each hyperparameter met when replaying ``indices``."""
        _, outputs = self.search_space_fn()
        counts: list[int] = []
        try:
            for idx, h in zip(indices, co.unassigned_independent_hyperparameter_iterator(outputs)):
                values = _values_of(h)
                counts.append(len(values))
                if not (type(idx) is int and 0 <= idx < len(values)):
                    break
                h.assign_value(values[idx])
        except ValueError:
            pass  # a rejected architecture: the decisions made so far still count
        return counts

    def get_state(self) -> dict[str, Any]:
        """The base state plus the tree (``"mcts_root_node"``) and the lowest score seen."""
        state = Searcher.get_state(self)
        state["mcts_root_node"] = MCTSTreeNode.serialize(self.mcts_root_node)
        state["lowest_val"] = self._lowest_val
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        """Restores :meth:`get_state`'s output or the original's ``{"mcts_root_node": ...}``."""
        Searcher.set_state(self, state)
        self.mcts_root_node = MCTSTreeNode.deserialize(state["mcts_root_node"])
        self._lowest_val = state.get("lowest_val")
