"""Drawings of search spaces and architectures, search-progress plots and a text dump.

* :func:`draw_graph` draws the current state of a graph (specified or not) with
  graphviz. The DOT source ``<graph_name>.dot`` is always written; the drawing
  (PDF by default, or SVG/PNG) is rendered only when Graphviz's ``dot``
  program is installed.
* :func:`draw_graph_evolution` draws every step of specifying a search space.
* :func:`plot_search_progress` plots validation scores of one or several
  searches (repeated runs shown as mean and spread); :class:`LinePlot` is a
  minimal line-plot accumulator.
* :func:`plot_optimization_history` plots each evaluation's score with the
  running best, marking pruned evaluations; :func:`plot_param_importances`
  draws the hyperparameter importances of :mod:`deep_architect.importance`.
* :func:`plot_pareto_front` plots two objectives of every evaluation (accuracy
  vs latency or parameters) with the Pareto front highlighted.
* :func:`visualize_model_as_text` prints a specified model.

``graphviz`` and ``matplotlib`` are imported only when needed, and matplotlib
uses the non-interactive Agg backend unless a plot is shown on screen.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import deep_architect.core as co
import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

__all__ = [
    "running_max",
    "draw_graph",
    "draw_graph_evolution",
    "LinePlot",
    "visualize_model_as_text",
    "get_search_curve",
    "plot_search_progress",
    "plot_optimization_history",
    "plot_param_importances",
    "plot_pareto_front",
]


def running_max(vs: Sequence[float]) -> np.ndarray:
    """Returns the running maximum of ``vs`` (the best value so far at each position)."""
    return np.maximum.accumulate(np.asarray(vs))


# ---------------------------------------------------------------------------
# Graph drawing
# ---------------------------------------------------------------------------


def _check_outputs(outputs: Any, fn_name: str) -> None:
    check(
        isinstance(outputs, Mapping) and len(outputs) > 0,
        f"{fn_name}: expected the outputs dict of a graph (local name -> Output), "
        f"got {type(outputs).__name__}",
    )
    for k, ox in outputs.items():
        check(
            isinstance(ox, co.Output),
            f"{fn_name}: outputs[{k!r}] must be a deep_architect Output, got {type(ox).__name__}",
        )


def _hyperp_label(local_name: str, h: co.Hyperparameter) -> str:
    return f"{local_name}={h.get_value()}" if h.has_value_assigned() else local_name


def _output_local_name(ox: co.Output) -> str:
    return next(k for k, o in ox.get_module().outputs.items() if o is ox)


def _build_digraph(
    outputs: Mapping[str, co.Output],
    draw_hyperparameters: bool,
    draw_io_labels: bool,
    draw_module_hyperparameter_info: bool,
    graph_name: str,
) -> Any:
    try:
        import graphviz
    except ImportError as e:
        raise DeepArchitectError(
            "draw_graph needs the 'graphviz' Python package (pip install graphviz)"
        ) from e
    g = graphviz.Digraph(name=graph_name)
    modules: list[co.Module] = []
    xlabels: dict[str, str] = {}

    def visit(m: co.Module) -> None:
        modules.append(m)
        for ix_local, ix in m.inputs.items():
            ox = ix.get_connected_output()
            if ox is not None:
                label = f"{ix_local}:{_output_local_name(ox)}" if draw_io_labels else ""
                g.edge(ox.get_module().get_name(), m.get_name(), label=label, fontsize="10")
            else:
                g.node(
                    ix.get_name(),
                    shape="invhouse",
                    style="filled",
                    fillcolor="firebrick",
                    penwidth="1",
                )
                g.edge(ix.get_name(), m.get_name())
        if draw_hyperparameters:
            for h_local, h in m.hyperps.items():
                g.edge(h.get_name(), m.get_name(), label=_hyperp_label(h_local, h), fontsize="10")
        if draw_module_hyperparameter_info and m.hyperps:
            lines = "".join(
                html.escape(_hyperp_label(k, h)) + '<br align="right"/>'
                for k, h in m.hyperps.items()
            )
            xlabels[m.get_name()] = f'<<font point-size="10">{lines}</font>>'

    co.traverse_backward(outputs, visit)
    if draw_hyperparameters:
        for h in co.get_all_hyperparameters(outputs):
            if isinstance(h, co.DependentHyperparameter):
                for p_local, p in h._hyperps.items():
                    g.edge(
                        p.get_name(), h.get_name(), label=_hyperp_label(p_local, p), fontsize="10"
                    )
            g.node(h.get_name(), fontsize="10", style="filled", fillcolor="darkseagreen")
    for m in co.extract_unique_modules(list(outputs.values())):
        for ox in m.outputs.values():
            g.node(
                ox.get_name(), shape="house", style="filled", fillcolor="deepskyblue", penwidth="1"
            )
            g.edge(m.get_name(), ox.get_name())
    for m in modules:
        name = m.get_name()
        attrs = {"xlabel": xlabels[name]} if name in xlabels else {}
        g.node(
            name, shape="rectangle", style="filled", fillcolor="goldenrod", penwidth="1", **attrs
        )
    return g


def _render(dot_filepath: str, fmt: str) -> str | None:
    """Renders a DOT file next to itself; returns the output path, or None without ``dot``."""
    if shutil.which("dot") is None:
        return None
    import graphviz

    out_filepath = os.path.splitext(dot_filepath)[0] + "." + fmt
    graphviz.render("dot", fmt, dot_filepath, outfile=out_filepath)
    return out_filepath


def draw_graph(
    outputs: Mapping[str, co.Output],
    draw_hyperparameters: bool = True,
    draw_io_labels: bool = True,
    draw_module_hyperparameter_info: bool = True,
    out_folderpath: str | None = None,
    graph_name: str = "graph",
    print_to_screen: bool = True,
    format: str | Sequence[str] = "pdf",
) -> Any:
    """Draws the graph reachable backwards from ``outputs`` (specified or not).

    Modules are goldenrod rectangles, hyperparameters green ellipses (edges
    labelled ``local`` or ``local=value``), unconnected inputs red and the
    outputs of the final modules blue; node texts are the scope full names.

    Writes ``<out_folderpath>/<graph_name>.dot`` (current directory when
    ``out_folderpath`` is ``None``) and, when Graphviz's ``dot`` program is
    installed, ``<graph_name>.<format>`` for each requested format.

    Args:
        outputs: Outputs dict of the graph.
        draw_hyperparameters: Whether to draw hyperparameter nodes and edges.
        draw_io_labels: Whether to label connections ``input:output``.
        draw_module_hyperparameter_info: Whether to list each module's
            hyperparameters next to it.
        out_folderpath: Folder for the files (created if missing).
        graph_name: Base name of the files.
        print_to_screen: Whether to open the drawing in the system viewer (a
            failure to do so is a warning).
        format: ``'pdf'``, ``'svg'``, ``'png'`` (or anything ``dot`` supports),
            or a list of them.

    Returns:
        The ``graphviz.Digraph``.

    Raises:
        DeepArchitectError: If ``outputs`` is not an outputs dict, or neither
            ``print_to_screen`` nor ``out_folderpath`` is given.
    """
    check(
        print_to_screen or out_folderpath is not None,
        "draw_graph: pass out_folderpath or print_to_screen=True, otherwise nothing is drawn",
    )
    _check_outputs(outputs, "draw_graph")
    g = _build_digraph(
        outputs, draw_hyperparameters, draw_io_labels, draw_module_hyperparameter_info, graph_name
    )
    folderpath = "." if out_folderpath is None else out_folderpath
    ut.create_folder(folderpath, abort_if_exists=False, create_parent_folders=True)
    dot_filepath = os.path.join(folderpath, graph_name + ".dot")
    ut.write_textfile(dot_filepath, [g.source], with_newline=False)
    fmts = [format] if isinstance(format, str) else list(format)
    rendered = [_render(dot_filepath, fmt) for fmt in fmts]
    if rendered and rendered[0] is None:
        warnings.warn(
            f"Graphviz's 'dot' program was not found; wrote only the source {dot_filepath!r}",
            stacklevel=2,
        )
    elif print_to_screen and rendered:
        try:
            import graphviz

            graphviz.view(rendered[0])
        except Exception as e:  # noqa: BLE001 - no viewer on headless machines is not an error
            warnings.warn(f"could not open a viewer for {rendered[0]!r}: {e}", stacklevel=2)
    return g


def draw_graph_evolution(
    outputs: Mapping[str, co.Output],
    hyperp_value_lst: Sequence[Any],
    out_folderpath: str,
    graph_name: str = "graph",
    draw_hyperparameters: bool = True,
    draw_io_labels: bool = True,
    draw_module_hyperparameter_info: bool = True,
) -> list[str]:
    """Draws each step of specifying ``outputs`` with ``hyperp_value_lst``.

    Step ``i`` (0 = the unspecified space, ``i`` = after assigning the ``i``-th
    value) is written as ``<graph_name>-<i>.dot`` and, with the ``dot``
    program, ``<graph_name>-<i>.png``; all steps are then combined into the
    multi-page ``<graph_name>.pdf`` (no external PDF tool needed). The search
    space becomes specified as a side effect.

    Args:
        outputs: Outputs dict of an unspecified search space.
        hyperp_value_lst: The values to assign, in iteration order.
        out_folderpath: Folder for the files (created if missing).
        graph_name: Base name of the files.
        draw_hyperparameters: As in :func:`draw_graph`.
        draw_io_labels: As in :func:`draw_graph`.
        draw_module_hyperparameter_info: As in :func:`draw_graph`.

    Returns:
        The paths of the step drawings (``.png``, or ``.dot`` without ``dot``).

    Raises:
        DeepArchitectError: If ``hyperp_value_lst`` has more values than the
            space has hyperparameters to assign.
    """
    _check_outputs(outputs, "draw_graph_evolution")
    flags = (draw_hyperparameters, draw_io_labels, draw_module_hyperparameter_info)
    has_dot = shutil.which("dot") is not None
    fmt = ["png"] if has_dot else []

    def draw(i: int) -> str:
        name = f"{graph_name}-{i}"
        draw_graph(outputs, *flags, out_folderpath, name, print_to_screen=False, format=fmt)
        return os.path.join(out_folderpath, name + (".png" if has_dot else ".dot"))

    frames = [draw(0)]
    hyperps = co.unassigned_independent_hyperparameter_iterator(outputs)
    for i, v in enumerate(hyperp_value_lst):
        h = next(hyperps, None)
        check(
            h is not None,
            f"draw_graph_evolution: {len(hyperp_value_lst)} values given but the space "
            f"was fully specified after {i}",
        )
        h.assign_value(v)
        frames.append(draw(i + 1))
    if has_dot:
        _combine_images_into_pdf(frames, os.path.join(out_folderpath, graph_name + ".pdf"))
    else:
        warnings.warn(
            "Graphviz's 'dot' program was not found; wrote only the .dot sources", stacklevel=2
        )
    return frames


def _pyplot(show: bool = False) -> Any:
    import matplotlib

    if not show and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # headless: never needs a display
    import matplotlib.pyplot as plt

    return plt


def _combine_images_into_pdf(image_filepaths: Sequence[str], pdf_filepath: str) -> None:
    plt = _pyplot()
    from matplotlib.backends.backend_pdf import PdfPages

    dpi = 96
    with PdfPages(pdf_filepath) as pdf:
        for p in image_filepaths:
            img = plt.imread(p)
            fig = plt.figure(figsize=(img.shape[1] / dpi, img.shape[0] / dpi), dpi=dpi)
            fig.figimage(img)
            pdf.savefig(fig)
            plt.close(fig)


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------


def _finish_figure(plt: Any, fig: Any, fpath: str | None, show: bool) -> Any:
    if fpath is not None:
        fig.savefig(fpath, bbox_inches="tight")
    if show:
        plt.show()
    return fig


class LinePlot:
    """Accumulates lines, then draws them with error bars in one matplotlib figure.

    Args:
        title: Figure title.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis.

    Example:
        >>> p = LinePlot(title="loss", xlabel="epoch")
        >>> p.add_line([0, 1, 2], [3.0, 2.0, 1.5], label="train", color="red")
        >>> fig = p.plot(show=False)
    """

    def __init__(
        self,
        title: str | None = None,
        xlabel: str | None = None,
        ylabel: str | None = None,
    ) -> None:
        self.data: list[dict[str, Any]] = []
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.color_to_str = {"black": "k", "red": "r"}
        self.line_type_to_str = {"solid": "-", "dotted": ":", "dashed": "--"}

    def add_line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        label: str | None = None,
        err: Sequence[float] | None = None,
        color: str | None = None,
        line_type: str | None = None,
    ) -> None:
        """Adds a line to the plot.

        ``color`` (``'black'``, ``'red'``) and ``line_type`` (``'solid'``,
        ``'dotted'``, ``'dashed'``) names outside those are ignored.
        """
        self.data.append(
            {"xs": xs, "ys": ys, "label": label, "err": err, "color": color, "line_type": line_type}
        )

    def plot(self, show: bool = True, fpath: str | None = None) -> Any:
        """Draws the lines in a new figure.

        Args:
            show: Whether to show the figure on screen.
            fpath: If given, the figure is saved there (format from the extension).

        Returns:
            The matplotlib figure.
        """
        plt = _pyplot(show)
        fig = plt.figure()
        for d in self.data:
            fmt = self.color_to_str.get(d["color"], "") + self.line_type_to_str.get(
                d["line_type"], ""
            )
            plt.errorbar(d["xs"], d["ys"], yerr=d["err"], label=d["label"], fmt=fmt)
        if self.title is not None:
            plt.title(self.title)
        if self.xlabel is not None:
            plt.xlabel(self.xlabel)
        if self.ylabel is not None:
            plt.ylabel(self.ylabel)
        if any(d["label"] is not None for d in self.data):
            plt.legend(loc="best")
        return _finish_figure(plt, fig, fpath, show)


def get_search_curve(
    search_folderpath: str, metric: str = "validation_accuracy"
) -> dict[str, np.ndarray]:
    """Reads the scores of a logged search.

    Args:
        search_folderpath: The search folder.
        metric: Key of the results to use as the score.

    Returns:
        ``"scores"``: score per evaluation (NaN where missing); ``"best"``: best
        score so far (NaN ignored); ``"times"``: seconds from the first logged
        config to each evaluation's results (NaN where missing); ``"pruned"``:
        whether each evaluation was stopped by a pruner.
    """
    logs = sl.read_search_folder(search_folderpath, tolerant=True)
    evaluations_folderpath = os.path.join(search_folderpath, "evaluations")
    scores, config_times, results_times, pruned = [], [], [], []
    for i, log in enumerate(logs):
        pruned.append(log.get("results", {}).get("pruned") is True)
        value = log.get("results", {}).get(metric)
        scores.append(float(value) if isinstance(value, (int, float)) else np.nan)
        ts = sl.get_evaluation_timestamps(os.path.join(evaluations_folderpath, "x%d" % i))
        config_times.append(np.nan if ts["config"] is None else ts["config"])
        results_times.append(np.nan if ts["results"] is None else ts["results"])
    scores_arr = np.asarray(scores, dtype=float)
    known_config_times = [t for t in config_times if not np.isnan(t)]
    start = min(known_config_times) if known_config_times else 0.0
    return {
        "scores": scores_arr,
        "best": np.fmax.accumulate(scores_arr),
        "times": np.asarray(results_times, dtype=float) - start,
        "pruned": np.asarray(pruned, dtype=bool),
    }


def _best_at(curve: dict[str, np.ndarray], grid: np.ndarray) -> np.ndarray:
    """Best score among the evaluations finished by each time of ``grid`` (NaN before any)."""
    done = ~np.isnan(curve["times"])
    order = np.argsort(curve["times"][done], kind="stable")
    times = curve["times"][done][order]
    best = np.fmax.accumulate(curve["scores"][done][order])
    idx = np.searchsorted(times, grid, side="right") - 1
    out = np.full(len(grid), np.nan)
    out[idx >= 0] = best[idx[idx >= 0]]
    return out


def plot_search_progress(
    searches: str | Sequence[str] | Mapping[str, str | Sequence[str]],
    metric: str = "validation_accuracy",
    x_axis: str = "evaluation",
    fpath: str | None = None,
    show: bool = False,
    title: str | None = None,
    show_evaluations: bool = True,
) -> Any:
    """Plots the best score so far (and each evaluation's score) of logged searches.

    Several searches can be overlaid (e.g. to compare searchers); a label with
    several folders (repeated runs) is drawn as the mean best-so-far curve with
    a band of one standard deviation; a run that is shorter than the others
    keeps its final best value until the end. Evaluations stopped by a pruner
    are drawn as crosses (their score is their last reported value).

    Args:
        searches: A search folder, a list of them (one line each), or a dict
            from label to a search folder or a list of repeated runs.
        metric: Key of the results to use as the score.
        x_axis: ``'evaluation'`` (evaluation index) or ``'time'`` (wall-clock
            seconds since the search started).
        fpath: If given, the figure is saved there (PNG, PDF, ... by extension).
        show: Whether to show the figure on screen.
        title: Figure title.
        show_evaluations: Whether to draw each evaluation's score as a dot.

    Returns:
        The matplotlib figure.
    """
    check(
        x_axis in ("evaluation", "time"),
        f"plot_search_progress: x_axis must be 'evaluation' or 'time', got {x_axis!r}",
    )
    if isinstance(searches, str):
        searches = [searches]
    if not isinstance(searches, Mapping):
        searches = {os.path.basename(os.path.normpath(p)): p for p in searches}
    plt = _pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (label, paths) in enumerate(searches.items()):
        color = f"C{i % 10}"
        curves = [
            get_search_curve(p, metric) for p in ([paths] if isinstance(paths, str) else paths)
        ]
        if x_axis == "evaluation":
            n = max(len(c["scores"]) for c in curves)
            xs = np.arange(n)
            best = np.full((len(curves), n), np.nan)
            for j, c in enumerate(curves):
                best[j, : len(c["best"])] = c["best"]
                if len(c["best"]):  # a shorter run keeps its final best
                    best[j, len(c["best"]) :] = c["best"][-1]
        else:
            finished = [t for c in curves for t in c["times"] if not np.isnan(t)]
            t_max = max(finished) if finished else 0.0
            xs = np.linspace(0.0, t_max, 200)
            best = np.stack([_best_at(c, xs) for c in curves])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns are expected
            mean = np.nanmean(best, axis=0)
            std = np.nanstd(best, axis=0)
        name = label if len(curves) == 1 else f"{label} (mean of {len(curves)} runs)"
        ax.step(xs, mean, where="post", color=color, label=name)
        if len(curves) > 1:
            ax.fill_between(xs, mean - std, mean + std, step="post", color=color, alpha=0.2)
        if show_evaluations:
            for c in curves:
                x_pts = np.arange(len(c["scores"])) if x_axis == "evaluation" else c["times"]
                _plot_scores(ax, x_pts, c, color)
    ax.set_xlabel("evaluation" if x_axis == "evaluation" else "wall time (s)")
    ax.set_ylabel(metric)
    ax.set_title(title if title is not None else f"best {metric} so far")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return _finish_figure(plt, fig, fpath, show)


def _plot_scores(ax: Any, x_pts: np.ndarray, curve: dict[str, np.ndarray], color: str,
                 label: str | None = None) -> None:
    """Dots for completed evaluations, crosses for pruned ones."""
    pruned = curve["pruned"]
    ax.plot(x_pts[~pruned], curve["scores"][~pruned], "o", color=color, alpha=0.35,
            markersize=3, label=label)
    if pruned.any():
        ax.plot(x_pts[pruned], curve["scores"][pruned], "x", color=color, alpha=0.6,
                markersize=4, label=None if label is None else "pruned")


def plot_optimization_history(
    search_folderpath: str,
    metric: str = "validation_accuracy",
    fpath: str | None = None,
    show: bool = False,
) -> Any:
    """Plots every evaluation's score and the best score so far, in evaluation order.

    Pruned evaluations are drawn as crosses at their last reported value.

    Args:
        search_folderpath: The search folder.
        metric: Key of the results to use as the score.
        fpath: If given, the figure is saved there.
        show: Whether to show the figure on screen.

    Returns:
        The matplotlib figure.
    """
    curve = get_search_curve(search_folderpath, metric)
    plt = _pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs = np.arange(len(curve["scores"]))
    _plot_scores(ax, xs, curve, "C0", label="evaluation")
    ax.step(xs, curve["best"], where="post", color="C3", label="best so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel(metric)
    ax.set_title(f"optimization history ({int(curve['pruned'].sum())} pruned)")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return _finish_figure(plt, fig, fpath, show)


def plot_param_importances(
    search_folderpath: str,
    metric: str = "validation_accuracy",
    search_space_fn: Any | None = None,
    fpath: str | None = None,
    show: bool = False,
    max_params: int = 20,
) -> Any:
    """Draws the importances of the independent hyperparameters as horizontal bars.

    The estimate is described in :mod:`deep_architect.importance` (first-order
    fANOVA main effects computed from the logged samples; structural choices
    included).

    Args:
        search_folderpath: The search folder.
        metric: Key of the results to use as the score.
        search_space_fn: If given, bars are named by hyperparameter instead of
            by position in the value list.
        fpath: If given, the figure is saved there.
        show: Whether to show the figure on screen.
        max_params: How many of the most important hyperparameters to draw.

    Returns:
        The matplotlib figure.

    Raises:
        DeepArchitectError: If fewer than 3 evaluations have a score.
    """
    from deep_architect.importance import param_importances

    importances = param_importances(search_folderpath, metric, search_space_fn)
    shown = list(importances.items())[:max_params][::-1]
    plt = _pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.3 * max(1, len(shown))))
    ax.barh([name for name, _ in shown], [v for _, v in shown], color="C0")
    ax.set_xlabel("importance (share of explained score variance)")
    ax.set_title(f"hyperparameter importances for {metric}")
    ax.set_xlim(0, 1)
    return _finish_figure(plt, fig, fpath, show)


def plot_pareto_front(
    search_or_results: str | Sequence[Mapping[str, Any]],
    objectives: Mapping[str, str],
    fpath: str | None = None,
    show: bool = False,
    title: str | None = None,
) -> Any:
    """Scatter plot of two objectives of every evaluation, the Pareto front highlighted.

    The first objective is drawn on the vertical axis, the second on the
    horizontal one (e.g. ``{"validation_accuracy": "max", "latency_ms": "min"}``
    plots accuracy against latency). Front members are joined by a staircase
    line. Results lacking an objective (failed evaluations) are left out.

    Args:
        search_or_results: A search folder, or a list of results dicts.
        objectives: Two entries ``{metric_name: "max" | "min"}``.
        fpath: If given, the figure is saved there.
        show: Whether to show the figure on screen.
        title: Figure title.

    Returns:
        The matplotlib figure.

    Raises:
        DeepArchitectError: Unless there are exactly two well-formed objectives.
    """
    import deep_architect.pareto as pa

    objectives = pa.check_objectives(objectives, "plot_pareto_front")
    check(len(objectives) == 2,
          f"plot_pareto_front: expected two objectives, got {sorted(objectives)}")
    if isinstance(search_or_results, str):
        search_or_results = [log["results"] for log in sl.read_search_folder(search_or_results)]
    (y_name, y_dir), (x_name, x_dir) = objectives.items()
    points = []
    for results in search_or_results:
        try:
            points.append(pa.objective_vector(results, objectives))
        except DeepArchitectError:
            continue
    # Back to the metrics' own signs for drawing.
    ys = np.array([p[0] if y_dir == "max" else -p[0] for p in points])
    xs = np.array([p[1] if x_dir == "max" else -p[1] for p in points])
    front = sorted(pa.pareto_front(points), key=lambda i: xs[i])
    plt = _pyplot(show)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(xs, ys, "o", color="0.6", alpha=0.6, markersize=4,
            label=f"evaluations ({len(points)})")
    ax.step(xs[front], ys[front], where="post" if x_dir == "min" else "pre", color="C3",
            alpha=0.7)
    ax.plot(xs[front], ys[front], "D", color="C3", markersize=6,
            label=f"Pareto front ({len(front)})")
    ax.set_xlabel(f"{x_name} ({'higher' if x_dir == 'max' else 'lower'} is better)")
    ax.set_ylabel(f"{y_name} ({'higher' if y_dir == 'max' else 'lower'} is better)")
    ax.set_title(title if title is not None else f"{y_name} vs {x_name}")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return _finish_figure(plt, fig, fpath, show)


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def visualize_model_as_text(
    inputs: Mapping[str, co.Input], outputs: Mapping[str, co.Output]
) -> None:
    """Prints a fully specified model.

    First its border, then each module (in evaluation order) with its
    hyperparameter values and incoming connections.
    """
    d = co.jsonify(inputs, outputs)
    sep = "=" * 32
    lines = [sep, "I)"]
    lines += [f"  {k} : {d['unconnected_inputs'][k]}" for k in sorted(d["unconnected_inputs"])]
    lines.append("O)")
    lines += [f"  {k} : {d['unconnected_outputs'][k]}" for k in sorted(d["unconnected_outputs"])]
    lines.append(sep)
    for name in d["module_eval_seq"]:
        m = d["modules"][name]
        lines += [name, "  H)"]
        hs = m["hyperp_name_to_val"]
        lines += [f"    {k} = {hs[k]}" for k in sorted(hs)]
        lines.append("  C)")
        lines += [f"    {ix} <= {ox}" for ix, ox in sorted(m["in_connections"].items())]
    lines.append(sep)
    print("\n".join(lines))
