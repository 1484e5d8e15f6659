"""How well one-shot (weight-sharing) scores rank the architectures of the bundled table.

A supernet of :func:`~.nb201_space.nb201_supernet_net` at the table's size is
trained single-path (one uniformly sampled architecture per batch, SPOS-style)
on the table's training split; then ``--archs`` architectures drawn from the
table are scored with the weights they inherit, on the validation split, and
ranked against the table's validation accuracy (mean of its seeds) with
Kendall's tau and Spearman's rho. The parameter count, a score that needs no
training at all, is ranked the same way for context, and so is one table seed
against the other (how far a single stand-alone training ranks the mean).

Usage::

    python -m deep_architect.contrib.benchmarks.oneshot_correlation --seed 0

Batch norms: ``--batch_norm recalibrate`` (default) re-estimates the running
statistics of each path on three training batches, then scores in evaluation
mode; ``batch`` scores each path with the statistics of the validation split
(one batch). The two rank alike here (see the README's figures).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from deep_architect.contrib.benchmarks.generate_nb201_digits import digits_splits
from deep_architect.contrib.benchmarks.nb201_space import nb201_supernet_net
from deep_architect.contrib.benchmarks.tabular import TRAINING_BUDGET, TabularEvaluator
from deep_architect.errors import check

__all__ = ["supernet_table_space", "train_supernet", "score_paths", "measure", "main"]


def supernet_table_space():
    """The per-edge form of the table's space (one cell, the budget's channels)."""
    return nb201_supernet_net(TRAINING_BUDGET["num_cells"], TRAINING_BUDGET["channels"])


def train_supernet(supernet, train: tuple, epochs: int, learning_rate: float, seed: int,
                   progress: Callable[[str], None] = print) -> float:
    """Trains the weights one uniformly sampled path per batch; returns the seconds taken.

    Args:
        supernet: A :class:`~deep_architect.oneshot.Supernet`.
        train: ``(images, labels)`` tensors.
        epochs: Passes over ``train`` in batches of the table's batch size.
        learning_rate: Adam's learning rate.
        seed: Seeds the batch order and the sampled paths.
        progress: Called with a line after every tenth of the epochs.
    """
    import torch

    x_train, y_train = train
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(supernet.weight_parameters(), lr=learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = TRAINING_BUDGET["batch_size"]
    start = time.perf_counter()
    supernet.train()
    for epoch in range(epochs):
        order = torch.from_numpy(rng.permutation(len(y_train)))
        losses = []
        for k in range(0, len(order), batch):
            idx = order[k : k + batch]
            supernet.sample_path(rng)
            optimizer.zero_grad()
            loss = loss_fn(supernet.predict(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        if (epoch + 1) % max(1, epochs // 10) == 0 or epoch + 1 == epochs:
            progress("  epoch %d/%d: mean loss %.3f (%.1f s)"
                     % (epoch + 1, epochs, np.mean(losses), time.perf_counter() - start))
    supernet.clear_path()
    return time.perf_counter() - start


def _recalibrate(norms: list, supernet, batches: list) -> None:
    import torch

    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a plain average over the batches
    supernet.train()
    with torch.no_grad():
        for x in batches:
            supernet.predict(x)


def score_paths(supernet, value_lists: list, validation: tuple,
                batch_norm: str = "recalibrate",
                calibration_batches: list | None = None) -> list[float]:
    """The validation accuracy of each value list's path with inherited weights.

    Args:
        supernet: A trained :class:`~deep_architect.oneshot.Supernet`.
        value_lists: Architectures of the supernet's space.
        validation: ``(images, labels)`` tensors, scored as one batch.
        batch_norm: ``"batch"`` (batch statistics) or ``"recalibrate"``
            (running statistics re-estimated per path on ``calibration_batches``,
            the supernet's own restored afterwards).
        calibration_batches: Image tensors for ``"recalibrate"``.
    """
    from deep_architect.oneshot import WeightSharingEvaluator

    check(batch_norm in ("batch", "recalibrate"),
          "score_paths: batch_norm must be 'batch' or 'recalibrate', got %r" % (batch_norm,))
    check(batch_norm == "batch" or calibration_batches,
          "score_paths: batch_norm='recalibrate' needs calibration_batches")
    if batch_norm == "batch":
        evaluator = WeightSharingEvaluator(supernet, validation, batch_norm_statistics="batch")
        return [evaluator.eval_values(vs)["validation_accuracy"] for vs in value_lists]
    import torch

    x_val, y_val = validation
    norms = [m for m in supernet.layers.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [(m.momentum, m.running_mean.clone(), m.running_var.clone()) for m in norms]
    scores = []
    try:
        for vs in value_lists:
            supernet.set_path(vs)
            _recalibrate(norms, supernet, calibration_batches)
            supernet.eval()
            with torch.no_grad():
                predictions = supernet.predict(x_val).argmax(dim=1)
            scores.append(float((predictions == y_val).float().mean()))
    finally:
        supernet.clear_path()
        for m, (momentum, mean, var) in zip(norms, saved, strict=True):
            m.momentum = momentum
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
    return scores


def _correlations(scores, targets) -> dict:
    from scipy.stats import kendalltau, spearmanr

    return {"kendall_tau": float(kendalltau(scores, targets)[0]),
            "spearman_rho": float(spearmanr(scores, targets)[0])}


def measure(num_archs: int = 200, epochs: int = 300, seed: int = 0, arch_seed: int = 0,
            learning_rate: float = TRAINING_BUDGET["learning_rate"],
            batch_norm: str = "recalibrate",
            progress: Callable[[str], None] = print) -> dict:
    """Trains a supernet and ranks ``num_archs`` table architectures with it.

    Args:
        num_archs: Distinct table entries to score (drawn with ``arch_seed``).
        epochs: Supernet training epochs.
        seed: Seeds the supernet's weights, batch order and sampled paths.
        arch_seed: Seeds the choice of table entries (fixed by default, so
            that training seeds are compared on the same architectures).
        learning_rate: Adam's learning rate for the supernet.
        batch_norm: See :func:`score_paths`.
        progress: Called with progress lines.

    Returns:
        ``{"one_shot": ..., "num_parameters": ..., "table_seed": ...}``, each
        ``{"kendall_tau", "spearman_rho"}`` against the table's mean
        validation accuracy (``"table_seed"``: seed 0 against seed 1), and
        ``"one_shot_vs_num_parameters"`` (how much of the one-shot ranking
        the parameter count explains), plus ``"fingerprints"``, ``"scores"``,
        ``"train_seconds"`` and ``"score_seconds"``.

    Raises:
        DeepArchitectError: If ``num_archs`` is not between 2 and the table's size.
    """
    import torch

    from deep_architect.oneshot import Supernet

    entries = TabularEvaluator().table["entries"]
    check(isinstance(num_archs, int) and 2 <= num_archs <= len(entries),
          "oneshot_correlation: num_archs must be an int between 2 and %d (the table's "
          "entries), got %r" % (len(entries), num_archs))
    chosen = list(np.random.RandomState(arch_seed).choice(sorted(entries), num_archs,
                                                          replace=False))
    splits = {name: tuple(torch.from_numpy(a) for a in part)
              for name, part in digits_splits().items()}
    torch.manual_seed(seed)
    supernet = Supernet(supernet_table_space, {"in": splits["train"][0][:2]})
    progress("supernet: %d decisions, %d weight tensors; training %d epochs (seed %d)"
             % (len(supernet.decisions), len(supernet.weight_parameters()), epochs, seed))
    train_seconds = train_supernet(supernet, splits["train"], epochs, learning_rate, seed,
                                   progress)
    start = time.perf_counter()
    x_train = splits["train"][0]
    batch = TRAINING_BUDGET["batch_size"]
    scores = score_paths(supernet, [entries[fp]["value_list"] for fp in chosen],
                         splits["validation"], batch_norm,
                         [x_train[k : k + batch] for k in range(0, 3 * batch, batch)])
    score_seconds = time.perf_counter() - start
    progress("scored %d architectures in %.1f s" % (num_archs, score_seconds))
    accuracy = [float(np.mean(entries[fp]["validation_accuracy"])) for fp in chosen]
    per_seed = np.array([entries[fp]["validation_accuracy"] for fp in chosen])
    num_parameters = [entries[fp]["num_parameters"] for fp in chosen]
    return {
        "one_shot": _correlations(scores, accuracy),
        "num_parameters": _correlations(num_parameters, accuracy),
        "table_seed": _correlations(per_seed[:, 0], per_seed[:, 1]),
        "one_shot_vs_num_parameters": _correlations(scores, num_parameters),
        "fingerprints": chosen,
        "scores": scores,
        "train_seconds": train_seconds,
        "score_seconds": score_seconds,
    }


def main(argv: list[str] | None = None) -> dict:
    """Command-line entry point (see the module docstring); returns :func:`measure`'s result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archs", type=int, default=200, help="table architectures to score")
    parser.add_argument("--epochs", type=int, default=300, help="supernet training epochs")
    parser.add_argument("--seed", type=int, default=0, help="supernet training seed")
    parser.add_argument("--arch_seed", type=int, default=0, help="seed choosing the archs")
    parser.add_argument("--lr", type=float, default=TRAINING_BUDGET["learning_rate"],
                        help="Adam learning rate (the table's by default)")
    parser.add_argument("--batch_norm", choices=["batch", "recalibrate"], default="recalibrate")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    result = measure(args.archs, args.epochs, args.seed, args.arch_seed, args.lr,
                     args.batch_norm)
    print("%d table architectures, mean validation accuracy of the table's seeds as truth"
          % args.archs)
    rows = [("one-shot (%s BN)" % args.batch_norm, "one_shot"),
            ("parameter count", "num_parameters"),
            ("table seed 0 vs 1", "table_seed")]
    for label, key in rows:
        print("  %-22s kendall tau %+.3f  spearman rho %+.3f"
              % (label, result[key]["kendall_tau"], result[key]["spearman_rho"]))
    print("  (one-shot vs parameter count: kendall tau %+.3f  spearman rho %+.3f)"
          % tuple(result["one_shot_vs_num_parameters"].values()))
    print("train %.1f s, score %.1f s, total %.1f s"
          % (result["train_seconds"], result["score_seconds"], time.perf_counter() - start))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
