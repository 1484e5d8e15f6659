"""Tools to choose an evaluation budget: does a short training rank architectures correctly?

Given learning curves of many runs (time and value sequences), these helpers
rank the runs, plot the curves of runs at selected ranks, tabulate how the
ranking at intermediate times agrees with the final one, and compare the
rankings the same models get under different budgets. Plotting goes through
:class:`deep_architect.visualization.LinePlot` (imported when first needed).
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

from deep_architect.errors import check


def map_dict(d: dict[Any, Any], fn: Callable[[Any, Any], Any]) -> dict[Any, Any]:
    """Returns ``{k: fn(k, v)}`` for every item of ``d``."""
    return {k: fn(k, v) for k, v in d.items()}


def zip_toggle(xs: list[Sequence[Any]]) -> list[tuple]:
    """Transposes a list of sequences: ``[(a, 1), (b, 2)]`` -> ``[(a, b), (1, 2)]``.

    Raises:
        DeepArchitectError: If ``xs`` is not a list.
    """
    check(isinstance(xs, list), "zip_toggle: expected a list, got %s." % type(xs).__name__)
    return list(zip(*xs, strict=False))


def argsort(xs: Sequence[Any], fns: Sequence[Callable[[Any], Any]],
            increasing: bool = True) -> list[int]:
    """Indices that sort ``xs`` by the key ``(fns[0](x), fns[1](x), ...)``; stable."""
    return sorted(range(len(xs)), key=lambda i: tuple(f(xs[i]) for f in fns),
                  reverse=not increasing)


def sort(xs: Sequence[Any], fns: Sequence[Callable[[Any], Any]],
         increasing: bool = True) -> list[Any]:
    """Returns ``xs`` sorted by the key of :func:`argsort`."""
    return [xs[i] for i in argsort(xs, fns, increasing)]


def apply_permutation(xs: Sequence[Any], idxs: Sequence[int]) -> list[Any]:
    """Returns ``[xs[i] for i in idxs]``.

    Raises:
        DeepArchitectError: If ``idxs`` is not a permutation of ``range(len(xs))``.
    """
    check(sorted(idxs) == list(range(len(xs))),
          "apply_permutation: idxs must be a permutation of 0..%d." % (len(xs) - 1))
    return [xs[i] for i in idxs]


def keep_top_k(ds: Sequence[Any], fn: Callable[[Any], Any], k: int,
               maximizing: bool = True) -> list[Any]:
    """Returns the ``k`` elements of ``ds`` with the best ``fn`` value, best first."""
    return sort(ds, [fn], increasing=not maximizing)[:k]


def generate_indices(num_items: int, max_num_indices: int = 32, increase_factor: int = 2,
                     use_multiplicative_increases: bool = True) -> list[int]:
    """Spread-out indices below ``num_items``: ``0, 1, 3, 7, 15, ...`` or ``0, f, 2f, ...``.

    Multiplicative steps map ``v`` to ``(v + 1) * f - 1`` (dense among the best
    ranks, sparse further down); additive steps map ``v`` to ``v + f``.

    Raises:
        DeepArchitectError: If the factor would not make the indices grow.
    """
    if use_multiplicative_increases:
        check(increase_factor > 1, "generate_indices: a multiplicative increase_factor must "
              "be > 1, got %r." % (increase_factor,))
    else:
        check(increase_factor >= 1, "generate_indices: an additive increase_factor must be "
              ">= 1, got %r." % (increase_factor,))
    indices: list[int] = []
    v = 0
    while len(indices) < max_num_indices and v < num_items:
        indices.append(v)
        v = (v + 1) * increase_factor - 1 if use_multiplicative_increases else v + increase_factor
    return indices


def sort_sequences(sequence_lst_lst: Sequence[Sequence[Any]], value_lst: Sequence[float],
                   maximizing: bool) -> list[list[Any]]:
    """Permutes each list of ``sequence_lst_lst`` by the ranking of ``value_lst`` (best first)."""
    idxs = argsort(value_lst, [lambda x: x], increasing=not maximizing)
    return [apply_permutation(lst, idxs) for lst in sequence_lst_lst]


def _best(values: Sequence[float], maximizing: bool) -> float:
    return max(values) if maximizing else min(values)


def time_calibration_plot(time_sequence_lst, value_sequence_lst, maximizing: bool = True,
                          max_num_plots: int = 8, increase_factor: int = 2,
                          use_multiplicative_increases: bool = True,
                          time_axis_label: str | None = None,
                          value_axis_label: str | None = None, show: bool = True,
                          plot_filepath: str | None = None):
    """Plots the learning curves of the runs at ranks ``generate_indices(...)``.

    Runs are ranked by their best value; each drawn line is labelled with its rank.

    Returns:
        The matplotlib figure.
    """
    import deep_architect.visualization as vi

    best = [_best(vs, maximizing) for vs in value_sequence_lst]
    times, values = sort_sequences([list(time_sequence_lst), list(value_sequence_lst)], best,
                                   maximizing)
    plot = vi.LinePlot(title="Total number of sequences: %d" % len(values),
                       xlabel=time_axis_label, ylabel=value_axis_label)
    for rank in generate_indices(len(values), max_num_plots, increase_factor,
                                 use_multiplicative_increases):
        plot.add_line(times[rank], values[rank], label=str(rank))
    return plot.plot(show=show, fpath=plot_filepath)


def get_value_at_time(query_time: float, time_sequence: Sequence[float],
                      value_sequence: Sequence[float], maximizing: bool = True) -> float:
    """Value of the last point at or before ``query_time`` (times sorted increasingly).

    Before the first point the run has no value yet: ``-inf`` when maximizing,
    ``+inf`` otherwise (so it ranks last).
    """
    i = bisect.bisect_right(list(time_sequence), query_time)
    if i == 0:
        return float("-inf") if maximizing else float("inf")
    return value_sequence[i - 1]


def _time_instants(start_time: float, num: int, factor: float, multiplicative: bool):
    return [start_time * factor ** k if multiplicative else start_time + k * factor
            for k in range(num)]


def calibration_table(time_sequence_lst, value_sequence_lst, maximizing: bool = True,
                      max_num_ranks: int = 8, rank_increase_factor: int = 2,
                      rank_multiplicative_increases: bool = True, start_time: float = 1e-3,
                      num_time_instants: int = 16, time_increase_factor: float = 2,
                      time_multiplicative_increases: bool = True,
                      time_label: str | None = None, value_label: str | None = None,
                      show: bool = True, table_filepath: str | None = None) -> list[str]:
    """Text table of the rank, at increasing times, of the runs at selected final ranks.

    Columns are final ranks (by best value, from ``generate_indices``); rows
    are time instants ``start_time * f**k`` (or ``start_time + k * f`` for
    additive increases); a cell is the rank the run with that final rank had
    at that time (by :func:`get_value_at_time`). A budget is long enough once
    its row matches the header.

    Returns:
        The table's lines (also printed when ``show``, written when ``table_filepath``).
    """
    import deep_architect.utils as ut

    best = [_best(vs, maximizing) for vs in value_sequence_lst]
    times, values = sort_sequences([list(time_sequence_lst), list(value_sequence_lst)], best,
                                   maximizing)
    ranks = generate_indices(len(values), max_num_ranks, rank_increase_factor,
                             rank_multiplicative_increases)
    header = "%-12s | %s" % (time_label or "time", " ".join("%5d" % r for r in ranks))
    lines = ["value: %s" % value_label if value_label else "final ranks by best value",
             header, "-" * len(header)]
    for t in _time_instants(start_time, num_time_instants, time_increase_factor,
                            time_multiplicative_increases):
        current = [get_value_at_time(t, ts, vs, maximizing) for ts, vs in
                   zip(times, values, strict=True)]
        order = argsort(current, [lambda x: x], increasing=not maximizing)
        rank_at_t = {run: r for r, run in enumerate(order)}
        lines.append("%-12.4g | %s" % (t, " ".join("%5d" % rank_at_t[r] for r in ranks)))
    if show:
        print("\n".join(lines))
    if table_filepath is not None:
        ut.write_textfile(table_filepath, lines)
    return lines


def budget_calibration_plot(reference_value_sequence: Sequence[float],
                            other_value_sequence_lst: Sequence[Sequence[float]],
                            maximizing: bool = True, reference_label: str | None = None,
                            other_label_lst: Sequence[str] | None = None,
                            max_num_guidelines: int = 8, increase_factor: int = 2,
                            use_multiplicative_increases: bool = True,
                            value_axis_label: str | None = None, show: bool = True,
                            plot_filepath: str | None = None):
    """Compares the rankings the same models get under a reference and other budgets.

    Entry ``i`` of every sequence is model ``i``'s value under that budget.
    Each budget is drawn as its sorted value curve (x = rank); dashed black
    guide lines follow the reference's models at ranks ``generate_indices(...)``
    to the ranks they get under the other budgets.

    Returns:
        The matplotlib figure.
    """
    import deep_architect.visualization as vi

    all_seqs = [list(reference_value_sequence)] + [list(s) for s in other_value_sequence_lst]
    n = len(all_seqs[0])
    check(all(len(s) == n for s in all_seqs),
          "budget_calibration_plot: every value sequence must hold the same %d models." % n)
    labels = [reference_label] + list(other_label_lst or [None] * (len(all_seqs) - 1))
    check(len(labels) == len(all_seqs),
          "budget_calibration_plot: %d labels for %d other sequences."
          % (len(labels) - 1, len(all_seqs) - 1))
    plot = vi.LinePlot(xlabel="rank", ylabel=value_axis_label)
    rank_of = []
    for seq, label in zip(all_seqs, labels, strict=True):
        order = argsort(seq, [lambda x: x], increasing=not maximizing)
        rank_of.append({model: r for r, model in enumerate(order)})
        plot.add_line(list(range(n)), [seq[m] for m in order], label=label)
    for ref_rank in generate_indices(n, max_num_guidelines, increase_factor,
                                     use_multiplicative_increases):
        model = argsort(all_seqs[0], [lambda x: x], increasing=not maximizing)[ref_rank]
        plot.add_line([ranks[model] for ranks in rank_of], [seq[model] for seq in all_seqs],
                      color="black", line_type="dashed")
    return plot.plot(show=show, fpath=plot_filepath)
