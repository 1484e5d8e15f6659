"""A static HTML report of a logged search, browsable from disk without a server.

Usage::

    python -m deep_architect.report LOG_FOLDER [--out OUT_FOLDER] [--metric KEY]
                                    [--search-space MODULE:FUNCTION] [--watch SECONDS]
                                    [--objectives KEY:max,KEY:min]

``LOG_FOLDER`` is a search folder (``<folderpath>/<search_name>``). The report
folder (``LOG_FOLDER/report`` by default) holds ``index.html`` and an
``images/`` folder with:

* the progress plots (best and per-evaluation score vs evaluation index and vs
  wall time), the optimization history and the hyperparameter importances
  (:mod:`deep_architect.importance`); pruned evaluations are drawn as crosses
  and their status says at which step they were stopped;
* one drawing per architecture: an SVG/PNG found in the evaluation's
  ``eval_data`` (e.g. written by ``draw_graph``), else one rendered from a
  ``.dot`` found there, else, with ``--search-space``, one drawn by replaying
  the logged value list on the search space.

The page has a sortable table of the evaluations (click a column header), with
a column per numeric results entry. With two ``--objectives`` (for instance
``validation_accuracy:max,latency_ms:min``) a search's page also has a Pareto
plot of every evaluation with the front highlighted, and its table marks
front members.

The report writes only files it created: it records them in
``OUT_FOLDER/.deep_architect_report.json`` and, when run again, replaces those
and nothing else. An ``--out`` folder holding other files (an ``images``
folder of your own, say) is refused. Images in ``eval_data`` are copied only
if they are regular files inside the search folder: symbolic links out of it
are skipped.

When ``LOG_FOLDER`` is not a search folder but contains some (at any depth),
an overview report compares them side by side: progress curves overlaid
(searches sharing a sub-folder are repeated runs, plotted as mean and spread),
one table of evaluations per search, and a link to each search's own report.

To watch a search while it runs, pass ``--watch SECONDS``: the report is
regenerated every ``SECONDS`` until interrupted, and the pages reload
themselves at the same interval, so a browser pointed at ``index.html`` on
disk follows the search with no server involved.
"""

from __future__ import annotations

import argparse
import html
import importlib
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import deep_architect.search_logging as sl
import deep_architect.utils as ut
from deep_architect.errors import DeepArchitectError, check

__all__ = ["collect_evaluations", "generate_report", "generate_overview_report", "main"]

_IMAGE_EXTS = (".svg", ".png")
_MAX_VALUES_TEXT = 80


def collect_evaluations(
    search_folderpath: str, metric: str = "validation_accuracy"
) -> list[dict[str, Any]]:
    """Summarises every evaluation of a search (gaps and unreadable files included).

    Args:
        search_folderpath: The search folder.
        metric: Key of the results used as the score.

    Returns:
        One dict per evaluation folder, by id, with keys ``id``, ``score``
        (``None`` if missing), ``results``, ``hyperp_value_lst`` (``None`` if
        unreadable), ``hyperp_names`` (``None`` unless the config logged
        them), ``status`` (``'done'``, ``'pruned at step <s>'``,
        ``'running or interrupted'``, ``'unreadable'``), ``finished`` (seconds
        since the first logged config, or ``None``) and ``folderpath``.
    """
    evaluations_folderpath = os.path.join(search_folderpath, "evaluations")
    rows = []
    for i in sl.list_evaluation_ids(search_folderpath):
        folderpath = os.path.join(evaluations_folderpath, "x%d" % i)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            log = sl.read_evaluation_folder(folderpath, tolerant=True)
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        results = log.get("results", {})
        score = results.get(metric)
        if caught:
            status = "unreadable"
        elif results.get("pruned") is True:
            status = f"pruned at step {results.get('pruned_at_step')}"
        else:
            status = "done" if "results" in log else "running or interrupted"
        rows.append(
            {
                "id": i,
                "score": score if isinstance(score, (int, float)) else None,
                "results": results,
                "hyperp_value_lst": log.get("config", {}).get("hyperp_value_lst"),
                "hyperp_names": log.get("config", {}).get("hyperp_names"),
                "status": status,
                "timestamps": sl.get_evaluation_timestamps(folderpath),
                "folderpath": folderpath,
            }
        )
    config_times = [r["timestamps"]["config"] for r in rows if r["timestamps"]["config"]]
    start = min(config_times) if config_times else 0.0
    for r in rows:
        t = r.pop("timestamps")["results"]
        r["finished"] = None if t is None else t - start
    return rows


def _load_search_space_fn(spec: str) -> Callable[[], Any]:
    module_name, sep, fn_name = spec.partition(":")
    check(sep and module_name and fn_name, f"--search-space must be MODULE:FUNCTION, got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise DeepArchitectError(f"--search-space: cannot import {module_name!r} ({e})") from e
    fn = getattr(module, fn_name, None)
    check(callable(fn), f"--search-space: {fn_name!r} is not a function of {module_name!r}")
    return fn


def _recorded_search_space_fn(search_folderpath: str) -> Callable[[], Any] | None:
    # The search noted its space; drawing is a bonus, so a space that no longer
    # imports only costs the drawings (with a note on stderr).
    spec = sl.recorded_search_space(search_folderpath)
    if spec is None:
        return None
    try:
        return _load_search_space_fn(spec)
    except DeepArchitectError as e:
        print(f"warning: no architecture drawings from the recorded search space: {e}",
              file=sys.stderr)
        return None


def _architecture_images(
    row: dict[str, Any], images_folderpath: str, search_space_fn: Callable[[], Any] | None
) -> list[str]:
    """Copies or draws the architecture images of an evaluation; returns their file names."""
    data_folderpath = os.path.join(row["folderpath"], "eval_data")
    files = ut.list_files(data_folderpath) if ut.folder_exists(data_folderpath) else []
    # A link out of the search folder would copy some other file into the report.
    search_realpath = os.path.realpath(os.path.dirname(os.path.dirname(row["folderpath"])))
    files = [p for p in files if not os.path.islink(p)
             and os.path.commonpath([os.path.realpath(p), search_realpath]) == search_realpath]
    prefix = "x%d-" % row["id"]
    out = []
    for p in files:
        if p.endswith(_IMAGE_EXTS):
            out.append(prefix + os.path.basename(p))
            shutil.copyfile(p, os.path.join(images_folderpath, out[-1]))
    if out:
        return out
    from deep_architect import visualization as vi

    dot_files = [p for p in files if p.endswith(".dot")]
    if dot_files and shutil.which("dot") is not None:
        for p in dot_files:
            name = prefix + os.path.splitext(os.path.basename(p))[0]
            shutil.copyfile(p, os.path.join(images_folderpath, name + ".dot"))
            if vi._render(os.path.join(images_folderpath, name + ".dot"), "svg"):
                out.append(name + ".svg")
    elif search_space_fn is not None and row["hyperp_value_lst"] is not None:
        import deep_architect.modules as mo
        from deep_architect.specify import specify

        _, outputs = mo.SearchSpaceFactory(search_space_fn).get_search_space()
        specify(outputs, row["hyperp_value_lst"])
        outputs = _without_identities(outputs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # without `dot`, only the .dot source is kept
            vi.draw_graph(
                outputs,
                draw_hyperparameters=False,
                out_folderpath=images_folderpath,
                graph_name=prefix + "graph",
                print_to_screen=False,
                format="svg",
            )
        if ut.file_exists(os.path.join(images_folderpath, prefix + "graph.svg")):
            out.append(prefix + "graph.svg")
    return out


def _without_identities(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Rewires a specified graph around its identity modules; returns its outputs.

    Optional and repeat choices leave identities behind: about half the nodes
    of a typical architecture, which only clutter a drawing.
    """
    import deep_architect.core as co
    import deep_architect.modules as mo

    outputs = dict(outputs)
    for m in co.get_modules_with_cond(outputs, lambda m: type(m) is mo.Identity):
        ix, ox = m.inputs["in"], m.outputs["out"]
        source = ix.get_connected_output()
        if source is None:  # the graph's input: kept, so the drawing shows where data enters
            continue
        targets = list(ox.to_inputs)
        ix.disconnect()
        for target in targets:
            target.disconnect()
            source.connect(target)
        outputs = {k: source if v is ox else v for k, v in outputs.items()}
    return outputs


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def _cell(value: Any, text: str | None = None, title: str | None = None) -> str:
    # data-value drives sorting: numbers sort numerically, empty cells last.
    sort_value = "" if value is None else str(value)
    title_attr = f' title="{html.escape(title)}"' if title else ""
    shown = _fmt(value) if text is None else text
    return f'<td data-value="{html.escape(sort_value)}"{title_attr}>{html.escape(shown)}</td>'


def _table(rows: Sequence[dict[str, Any]], metric: str, graph_ids: Sequence[int],
           table_id: str = "evaluations", front_ids: Sequence[int] | None = None) -> str:
    extra_keys = sorted(
        {
            k
            for r in rows
            for k, v in r["results"].items()
            if k != metric and isinstance(v, (int, float, str, bool))
        }
    )
    headers = [("id", "number"), (metric, "number")]
    headers += [(k, "number" if _all_numeric(rows, k) else "text") for k in extra_keys]
    headers += [("finished (s)", "number"), ("status", "text"), ("hyperparameter values", "text")]
    headers += [("graph", "text")]
    if front_ids is not None:
        headers.insert(2, ("Pareto front", "text"))
    body = []
    for r in rows:
        values = _values_text(r)
        short = values if len(values) <= _MAX_VALUES_TEXT else values[: _MAX_VALUES_TEXT - 1] + "…"
        cells = [_cell(r["id"]), _cell(r["score"])]
        if front_ids is not None:
            cells.append(_cell("yes" if r["id"] in front_ids else None))
        cells += [_cell(r["results"].get(k)) for k in extra_keys]
        cells += [_cell(None if r["finished"] is None else round(r["finished"], 3))]
        cells += [_cell(r["status"]), _cell(values, short, title=values)]
        link = f'<a href="#graph-x{r["id"]}">x{r["id"]}</a>' if r["id"] in graph_ids else ""
        cells.append(f'<td data-value="">{link}</td>')
        body.append((f"{table_id}-row-x{r['id']}", cells))
    return _html_table(table_id, headers, body)


def _values_text(row: dict[str, Any]) -> str:
    """The value list, as ``name=value`` pairs when the config logged the names."""
    values, names = row["hyperp_value_lst"], row.get("hyperp_names")
    if values is None:
        return ""
    if not isinstance(names, list) or len(names) != len(values):
        return json.dumps(values)
    return ", ".join(f"{name}={json.dumps(value)}" for name, value in zip(names, values))


def _html_table(
    table_id: str, headers: Sequence[tuple[str, str]], body: Sequence[tuple[str, list[str]]]
) -> str:
    """A sortable table; ``headers`` are (name, 'number' or 'text'), ``body`` (row id, cells)."""
    head = "".join(
        f'<th data-type="{t}" aria-sort="none" tabindex="0">{html.escape(h)}</th>'
        for h, t in headers
    )
    rows = "".join(f'<tr id="{html.escape(i)}">{"".join(cells)}</tr>' for i, cells in body)
    return (
        f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _all_numeric(rows: Sequence[dict[str, Any]], key: str) -> bool:
    vals = [r["results"].get(key) for r in rows if r["results"].get(key) is not None]
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals)


_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #eee; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
tbody tr:nth-child(even) { background: #f8f8f8; }
img.plot { max-width: 48%; margin-right: 1%; }
figure { display: inline-block; vertical-align: top; margin: 0.5em; }
figure img { max-width: 420px; border: 1px solid #ddd; }
.side-by-side { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.side-by-side section { flex: 1 1 30em; overflow-x: auto; }
"""

# Clicking a header sorts by that column; numbers numerically, empty cells last;
# a second click reverses the order.
_SCRIPT = """
document.querySelectorAll("table.sortable thead th").forEach(function (th) {
  var col = th.cellIndex;
  function sortBy() {
    var table = th.closest("table"), tbody = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.dataset.type === "number";
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    table.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }
  th.addEventListener("click", sortBy);
  th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(); } });
});
"""


def generate_report(
    search_folderpath: str,
    out_folderpath: str | None = None,
    metric: str = "validation_accuracy",
    search_space_fn: Callable[[], Any] | None = None,
    title: str | None = None,
    refresh_seconds: float | None = None,
    objectives: Mapping[str, str] | None = None,
) -> str:
    """Writes the HTML report of a search.

    Args:
        search_folderpath: The search folder.
        out_folderpath: Report folder (``<search_folderpath>/report`` by
            default); created if missing, its previous content replaced.
        metric: Key of the results used as the score.
        search_space_fn: The search-space function, to draw architectures that
            have no drawing in their ``eval_data`` folder; by default the one
            :func:`~deep_architect.search_logging.record_search_space` noted in
            the folder, if it imports. Identity modules are left out of the
            drawings.
        title: Page title (the search folder name by default).
        refresh_seconds: If given, the page reloads itself at this interval
            (for a report regenerated while the search runs).
        objectives: Two entries ``{results_key: "max" | "min"}`` (e.g.
            accuracy and latency) for a Pareto section and a front column.

    Returns:
        The path of ``index.html``.

    Raises:
        DeepArchitectError: If ``search_folderpath`` is not a search folder, or
            the objectives are not two ``"max"``/``"min"`` entries.
    """
    if objectives is not None:
        import deep_architect.pareto as pa

        objectives = pa.check_objectives(objectives, "generate_report")
        check(len(objectives) == 2, f"generate_report: the Pareto plot needs two objectives, "
                                    f"got {sorted(objectives)}")
    if search_space_fn is None:
        search_space_fn = _recorded_search_space_fn(search_folderpath)
    rows = collect_evaluations(search_folderpath, metric)
    return _write_search_report(
        rows, search_folderpath, out_folderpath, metric, search_space_fn, title, refresh_seconds,
        objectives,
    )


def _write_search_report(
    rows: list[dict[str, Any]],
    search_folderpath: str,
    out_folderpath: str | None,
    metric: str,
    search_space_fn: Callable[[], Any] | None,
    title: str | None,
    refresh_seconds: float | None = None,
    objectives: Mapping[str, str] | None = None,
) -> str:
    if out_folderpath is None:
        out_folderpath = os.path.join(search_folderpath, "report")
    images_folderpath = _fresh_images_folder(out_folderpath)
    name = title or os.path.basename(os.path.abspath(search_folderpath))

    scored = [r for r in rows if r["score"] is not None]
    plots = _progress_plots({name: search_folderpath}, images_folderpath, metric) if scored else ""
    if scored:
        plots += _analysis_plots(search_folderpath, images_folderpath, metric, search_space_fn,
                                 len(scored))

    figures, graph_ids = [], []
    for r in rows:
        images = _architecture_images(r, images_folderpath, search_space_fn)
        if images:
            graph_ids.append(r["id"])
            imgs = "".join(
                f'<img src="images/{html.escape(f)}" alt="architecture x{r["id"]}">' for f in images
            )
            figures.append(
                f'<figure id="graph-x{r["id"]}"><figcaption>x{r["id"]} '
                f"({html.escape(metric)} = {html.escape(_fmt(r['score']))})</figcaption>"
                f"{imgs}</figure>"
            )

    best = max(scored, key=lambda r: r["score"]) if scored else None
    summary = (
        f"{len(rows)} evaluations: {sum(r['status'] == 'done' for r in rows)} done, "
        f"{sum(r['status'].startswith('pruned') for r in rows)} pruned, "
        f"{sum(r['status'] == 'running or interrupted' for r in rows)} running or interrupted, "
        f"{sum(r['status'] == 'unreadable' for r in rows)} unreadable."
    )
    if best is not None:
        summary += f" Best {metric}: {_fmt(best['score'])} (evaluation x{best['id']})."
    pareto, front_ids = "", None
    if objectives is not None:
        pareto, front_ids = _pareto_section(rows, objectives, images_folderpath)
    body = f"""<p id="summary">{html.escape(summary)}</p>
<h2>Progress</h2>
{plots or "<p>No scores logged yet.</p>"}
{pareto}<h2>Evaluations</h2>
{_table(rows, metric, graph_ids, front_ids=front_ids)}
<h2>Architectures</h2>
{"".join(figures) or "<p>No architecture drawings.</p>"}"""
    return _write_page(out_folderpath, f"Search report: {name}", body, refresh_seconds)


def _pareto_section(
    rows: Sequence[dict[str, Any]], objectives: Mapping[str, str], images_folderpath: str
) -> tuple[str, list[int]]:
    """Saves the Pareto plot; returns its HTML section and the ids of the front members."""
    import deep_architect.pareto as pa
    from deep_architect import visualization as vi

    ids, points = [], []
    for r in rows:
        try:
            points.append(pa.objective_vector(r["results"], objectives))
        except DeepArchitectError:
            continue
        ids.append(r["id"])
    front_ids = [ids[k] for k in pa.pareto_front(points)]
    if not points:
        return "<h2>Pareto front</h2><p>No evaluation has both objectives yet.</p>", front_ids
    fig = vi.plot_pareto_front([r["results"] for r in rows], objectives,
                               os.path.join(images_folderpath, "pareto.png"))
    vi._pyplot().close(fig)
    members = ", ".join(f'<a href="#evaluations-row-x{i}">x{i}</a>' for i in front_ids)
    section = (f'<h2>Pareto front</h2><img class="plot" id="plot-pareto" src="images/pareto.png"'
               f' alt="Pareto front"><p id="pareto-members">Front: {members}</p>')
    return section, front_ids


def _progress_plots(
    searches: Mapping[str, str | list[str]], images_folderpath: str, metric: str
) -> str:
    """Saves the progress plots by evaluation and by time; returns their <img> tags."""
    from deep_architect import visualization as vi

    plt = vi._pyplot()
    tags = []
    for x_axis in ("evaluation", "time"):
        fname = f"progress_{x_axis}.png"
        with warnings.catch_warnings():
            # Unreadable files were already reported by collect_evaluations.
            warnings.filterwarnings("ignore", message="skipping unreadable file")
            fig = vi.plot_search_progress(
                searches,
                metric,
                x_axis,
                os.path.join(images_folderpath, fname),
                title=f"best {metric} so far (by {x_axis})",
            )
        plt.close(fig)
        tags.append(f'<img class="plot" id="plot-{x_axis}" src="images/{fname}" alt="{fname}">')
    return "".join(tags)


def _analysis_plots(search_folderpath: str, images_folderpath: str, metric: str,
                    search_space_fn: Callable[[], Any] | None, num_scored: int) -> str:
    """Saves the optimization history and, with 3 scores or more, the importances."""
    from deep_architect import visualization as vi

    plt = vi._pyplot()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="skipping unreadable file")
        fig = vi.plot_optimization_history(
            search_folderpath, metric, os.path.join(images_folderpath, "history.png"))
        plt.close(fig)
        tags = ['<img class="plot" id="plot-history" src="images/history.png" alt="history">']
        if num_scored >= 3:
            fig = vi.plot_param_importances(
                search_folderpath, metric, search_space_fn,
                os.path.join(images_folderpath, "importances.png"))
            plt.close(fig)
            tags.append('<img class="plot" id="plot-importances" src="images/importances.png" '
                        'alt="importances">')
    return "".join(tags)


def _write_page(out_folderpath: str, title: str, body: str,
                refresh_seconds: float | None = None) -> str:
    refresh = ("" if refresh_seconds is None else
               f'<meta http-equiv="refresh" content="{refresh_seconds:g}">')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">{refresh}<title>{html.escape(title)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
{body}
<script>{_SCRIPT}</script>
</body>
</html>
"""
    index_filepath = os.path.join(out_folderpath, "index.html")
    # Written aside and renamed: a page reloading itself never reads half a file.
    ut.write_textfile(index_filepath, [page], with_newline=False)
    _record_written_files(out_folderpath)
    return index_filepath


_MANIFEST_FILENAME = ".deep_architect_report.json"


def _fresh_images_folder(out_folderpath: str) -> str:
    """Removes the files of a previous report in ``out_folderpath``; returns an empty images folder.

    Raises:
        DeepArchitectError: If ``index.html`` or ``images/`` hold files this
            report did not write.
    """
    images_folderpath = os.path.join(out_folderpath, "images")
    manifest_filepath = os.path.join(out_folderpath, _MANIFEST_FILENAME)
    written = ut.read_jsonfile(manifest_filepath) if os.path.isfile(manifest_filepath) else []
    written = written if isinstance(written, list) else []
    for rel in written:
        parts = rel.split("/") if isinstance(rel, str) else [".."]
        # Only the report's own images: never an absolute path or a way out.
        # index.html stays until it is replaced, so an open page keeps reloading.
        if parts[0] == "images" and len(parts) == 2 and parts[1] not in ("", ".", ".."):
            filepath = os.path.join(out_folderpath, *parts)
            if os.path.islink(filepath) or os.path.isfile(filepath):
                os.remove(filepath)  # a link itself, never its target
    index_filepath = os.path.join(out_folderpath, "index.html")
    foreign = ["index.html"] if os.path.lexists(index_filepath) and (
        "index.html" not in written or not os.path.isfile(index_filepath)
        or os.path.islink(index_filepath)) else []
    if os.path.lexists(images_folderpath):
        check(os.path.isdir(images_folderpath) and not os.path.islink(images_folderpath),
              f"report: {images_folderpath!r} is not a folder the report made; choose another "
              "--out folder")
        foreign += ["images/" + name for name in sorted(os.listdir(images_folderpath))]
    check(not foreign, f"report: {out_folderpath!r} holds files the report did not write "
                       f"({foreign[:5]}); choose another --out folder or remove them")
    ut.create_folder(images_folderpath, abort_if_exists=False, create_parent_folders=True)
    return images_folderpath


def _record_written_files(out_folderpath: str) -> None:
    """Lists what this report wrote, so that the next run replaces exactly that."""
    written = ["index.html"] + [
        "images/" + name for name in sorted(os.listdir(os.path.join(out_folderpath, "images")))]
    ut.write_jsonfile(written, os.path.join(out_folderpath, _MANIFEST_FILENAME))


def generate_overview_report(
    folderpath: str,
    out_folderpath: str | None = None,
    metric: str = "validation_accuracy",
    search_space_fn: Callable[[], Any] | None = None,
    refresh_seconds: float | None = None,
) -> str:
    """Writes a report comparing every search found under ``folderpath``, plus one report each.

    Searches in the same sub-folder of ``folderpath`` (e.g. ``random/run0``,
    ``random/run1``) are repeated runs of one searcher: they are plotted as a
    mean curve with a spread band labelled by the sub-folder. Searches directly
    in ``folderpath`` are plotted one by one.

    Args:
        folderpath: Folder containing search folders (at any depth).
        out_folderpath: Report folder (``<folderpath>/report`` by default); the
            report of search ``<rel>`` goes to ``<out_folderpath>/searches/<rel>``.
        metric: Key of the results used as the score.
        search_space_fn: As in :func:`generate_report`.
        refresh_seconds: As in :func:`generate_report`, for every page.

    Returns:
        The path of the overview ``index.html``.

    Raises:
        DeepArchitectError: If no search folder with evaluations is found.
    """
    search_folderpaths = sl.recursive_list_log_folders(folderpath)
    check(
        search_folderpaths,
        f"{folderpath!r} is not a search folder (no 'evaluations' sub-folder) "
        "and contains no search folder with evaluations",
    )
    if out_folderpath is None:
        out_folderpath = os.path.join(folderpath, "report")
    images_folderpath = _fresh_images_folder(out_folderpath)
    groups: dict[str, list[str]] = {}
    body, tables = [], []
    for k, p in enumerate(search_folderpaths):
        rel = os.path.relpath(p, folderpath)
        parent = os.path.dirname(rel)
        groups.setdefault(parent or rel, []).append(p)
        report_rel = os.path.join("searches", rel)
        rows = collect_evaluations(p, metric)
        out = os.path.join(out_folderpath, report_rel)
        _write_search_report(rows, p, out, metric, search_space_fn, rel, refresh_seconds)
        tables.append(f'<section><h3>{html.escape(rel)}</h3>'
                      f'{_table(rows, metric, [], f"evaluations-{k}")}</section>')
        scores = [r["score"] for r in rows if r["score"] is not None]
        cells = [
            f'<td data-value="{html.escape(rel)}">'
            f'<a href="{html.escape(report_rel)}/index.html">{html.escape(rel)}</a></td>',
            _cell(len(scores)),
            _cell(max(scores) if scores else None),
        ]
        body.append((f"search-{rel}", cells))
    headers = [
        ("search", "text"),
        ("evaluations with a score", "number"),
        (f"best {metric}", "number"),
    ]
    plots = _progress_plots(groups, images_folderpath, metric)
    sections = f"""<h2>Progress</h2>
{plots}
<h2>Searches</h2>
{_html_table("searches", headers, body)}
<h2>Evaluations, side by side</h2>
<div class="side-by-side">{"".join(tables)}</div>"""
    return _write_page(
        out_folderpath, f"Searches in {os.path.basename(os.path.abspath(folderpath))}", sections,
        refresh_seconds,
    )


def _parse_objectives(text: str) -> dict[str, str]:
    objectives = {}
    for entry in text.split(","):
        name, sep, direction = entry.rpartition(":")
        check(sep and name, f"--objectives entries must be KEY:max or KEY:min, got {entry!r}")
        objectives[name] = direction
    return objectives


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring.

    Returns:
        The process exit status (0 on success, 2 on bad input).
    """
    parser = argparse.ArgumentParser(
        prog="python -m deep_architect.report",
        description="Writes a static HTML report (index.html + images) of a search folder.",
    )
    parser.add_argument("log_folder", help="search folder (<folderpath>/<search_name>)")
    parser.add_argument("--out", default=None, help="report folder (default: LOG_FOLDER/report)")
    parser.add_argument("--metric", default="validation_accuracy", help="results key to rank by")
    parser.add_argument(
        "--search-space",
        default=None,
        help="MODULE:FUNCTION of the search space, to draw architectures missing a drawing",
    )
    parser.add_argument(
        "--watch",
        type=float,
        default=None,
        metavar="SECONDS",
        help="regenerate every SECONDS until interrupted; the pages reload at that interval",
    )
    parser.add_argument("--max-refreshes", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--objectives",
        default=None,
        help="two KEY:max or KEY:min entries, comma separated, for a Pareto plot "
        "(e.g. validation_accuracy:max,latency_ms:min)",
    )
    args = parser.parse_args(argv)
    num_written = 0
    try:
        fn = _load_search_space_fn(args.search_space) if args.search_space else None
        objectives = _parse_objectives(args.objectives) if args.objectives else None
        check(args.watch is None or args.watch > 0,
              f"--watch must be a positive number of seconds, got {args.watch!r}")
        while True:
            index_filepath = _write_any_report(args.log_folder, args.out, args.metric, fn,
                                               args.watch, objectives)
            num_written += 1
            if num_written == 1:
                print(index_filepath, flush=True)
            if args.watch is None or num_written == args.max_refreshes:
                return 0
            time.sleep(args.watch)
    except DeepArchitectError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _write_any_report(log_folder: str, out: str | None, metric: str,
                      fn: Callable[[], Any] | None, refresh_seconds: float | None,
                      objectives: dict[str, str] | None = None) -> str:
    if ut.folder_exists(os.path.join(log_folder, "evaluations")):
        return generate_report(log_folder, out, metric, fn, refresh_seconds=refresh_seconds,
                               objectives=objectives)
    return generate_overview_report(log_folder, out, metric, fn, refresh_seconds)


if __name__ == "__main__":
    sys.exit(main())
