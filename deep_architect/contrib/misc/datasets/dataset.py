"""An in-memory mini-batch iterator over a pair of arrays."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from deep_architect.errors import check


class InMemoryDataset:
    """Cycles through ``(X, y)`` in mini-batches, one epoch after another.

    Batches never straddle two epochs: the last batch of an epoch holds the
    remaining examples and may be smaller than requested. When
    ``shuffle_at_epoch_begin`` is true, ``X`` and ``y`` are permuted together
    at the start of every epoch, with the dataset's own generator: seeded with
    ``seed``, or else with one draw of the global NumPy generator at
    construction (so ``np.random.seed`` still makes runs repeatable). Shuffling
    never touches the global generator afterwards: a searcher drawing from it
    sees the same numbers however many epochs an evaluation ran (evaluations
    stopped by a time budget run a wall-clock-dependent number of them).

    Args:
        X: Inputs, indexed by example along the first axis.
        y: Targets, same number of examples as ``X``.
        shuffle_at_epoch_begin: Whether to permute the examples at each epoch start.
        batch_transform_fn: Optional ``fn(X_batch, y_batch) -> (X_batch, y_batch)``
            applied to every batch (e.g. data augmentation).
        seed: Seed of the shuffling generator (see above).

    Raises:
        DeepArchitectError: If ``X`` and ``y`` hold different numbers of examples,
            or hold none.

    Example:
        >>> ds = InMemoryDataset(np.arange(5), np.arange(5), False)
        >>> [ds.next_batch(2)[0].tolist() for _ in range(4)]
        [[0, 1], [2, 3], [4], [0, 1]]
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, shuffle_at_epoch_begin: bool,
                 batch_transform_fn: Callable[[Any, Any], tuple[Any, Any]] | None = None,
                 seed: int | None = None):
        check(len(X) == len(y),
              "InMemoryDataset: X has %d examples but y has %d; they must match."
              % (len(X), len(y)))
        check(len(X) > 0, "InMemoryDataset: X and y are empty; at least one example is needed.")
        self.X = X
        self.y = y
        self.shuffle_at_epoch_begin = shuffle_at_epoch_begin
        self.batch_transform_fn = batch_transform_fn
        self.iter_i = 0
        self.rng = np.random.RandomState(
            np.random.randint(2**31 - 1) if seed is None else seed)

    def get_num_examples(self) -> int:
        """Returns the number of examples (the length of the first axis of ``X``)."""
        return self.X.shape[0]

    def next_batch(self, batch_size: int) -> tuple[Any, Any]:
        """Returns the next ``(X_batch, y_batch)`` of at most ``batch_size`` examples.

        Args:
            batch_size: Maximum number of examples in the batch (positive).

        Returns:
            The batch, passed through ``batch_transform_fn`` when one was given.
        """
        check(int(batch_size) >= 1,
              "InMemoryDataset.next_batch: batch_size must be >= 1, got %r." % (batch_size,))
        n = self.get_num_examples()
        if self.iter_i == 0 and self.shuffle_at_epoch_begin:
            idxs = self.rng.permutation(n)
            self.X = self.X[idxs]
            self.y = self.y[idxs]
        end = min(self.iter_i + int(batch_size), n)
        X_batch = self.X[self.iter_i:end]
        y_batch = self.y[self.iter_i:end]
        self.iter_i = end % n
        if self.batch_transform_fn is not None:
            return self.batch_transform_fn(X_batch, y_batch)
        return X_batch, y_batch
