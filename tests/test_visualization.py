"""Tests for deep_architect.visualization: graph drawings, evolution, plots, text dump."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import toy
from hypothesis import given, settings
from hypothesis import strategies as st

import deep_architect.core as co
import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.search_logging as sl
import deep_architect.visualization as vi
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import random_specify, specify

pytest.importorskip("graphviz", reason="the viz extra (graphviz) is not installed")
pytest.importorskip("matplotlib", reason="the viz extra (matplotlib) is not installed")
D = hp.Discrete
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


def dense(h_units, h_act):
    return toy.op("Dense", units=h_units, act=h_act)


def search_space():
    h_double = co.DependentHyperparameter(lambda d: 2 * d["u"], {"u": D([1, 2])})
    return mo.siso_sequential(
        [
            dense(D([64, 128]), D(["relu", "tanh"])),
            mo.siso_optional(lambda: dense(h_double, D(["<b>&"])), D([0, 1])),
        ]
    )


def fresh_space():
    return mo.SearchSpaceFactory(search_space).get_search_space()


def specified_space(vs):
    inputs, outputs = fresh_space()
    specify(outputs, vs)
    return inputs, outputs


VS = [1, "relu", 64, "<b>&", 1]  # optional taken, first Dense, then the optional Dense, u=1


def test_importing_does_not_import_drawing_or_plotting_libraries():
    code = (
        "import sys, deep_architect.visualization, deep_architect.search_logging, "
        "deep_architect.progress, deep_architect.utils\n"
        "heavy = {'matplotlib', 'graphviz', 'tqdm', 'torch', 'tensorflow', 'keras'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_value_list_fixture_specifies_the_space():
    _, outputs = specified_space(VS)
    assert co.is_specified(outputs)


# ---------------------------------------------------------------------------
# draw_graph
# ---------------------------------------------------------------------------


def _dot_source(folder, name="graph"):
    with open(os.path.join(folder, name + ".dot")) as f:
        return f.read()


def test_draw_graph_unspecified_space_source(tmp_path):
    _, outputs = fresh_space()
    g = vi.draw_graph(outputs, out_folderpath=str(tmp_path), print_to_screen=False, format=[])
    src = _dot_source(str(tmp_path))
    assert src == g.source
    # Modules, hyperparameters, unconnected input and output terminals, with their styles.
    assert re.search(r'"M\.Dense-0" \[[^\]]*fillcolor=goldenrod[^\]]*shape=rectangle', src)
    assert re.search(r'"M\.SISOOptional-0" \[[^\]]*shape=rectangle', src)
    assert re.search(r'"M\.\w+-\d\.I\.in" \[[^\]]*fillcolor=firebrick[^\]]*shape=invhouse', src)
    assert re.search(
        r'"M\.[A-Za-z]+-\d\.O\.out" \[[^\]]*fillcolor=deepskyblue[^\]]*shape=house', src
    )
    assert re.search(r'"H\.Discrete-\d" \[[^\]]*fillcolor=darkseagreen', src)
    # Unassigned hyperparameters are labelled with their local name only.
    assert re.search(r'"H\.Discrete-\d" -> "M\.Dense-0" \[[^\]]*label=units', src)
    assert 'label="in:out"' in src or "label=in:out" in src
    assert (
        'xlabel=<<font point-size="10">act<br align="right"/>units<br align="right"/></font>>'
        in src
    )


def test_draw_graph_specified_architecture_labels_values_and_dependents(tmp_path):
    _, outputs = specified_space(VS)
    vi.draw_graph(outputs, out_folderpath=str(tmp_path), print_to_screen=False, format=[])
    src = _dot_source(str(tmp_path))
    assert "SISOOptional" not in src  # substituted away
    assert re.search(r'-> "H\.DependentHyperparameter-0" \[[^\]]*label="u=1"', src)
    assert re.search(r'-> "M\.Dense-1" \[[^\]]*label="units=2"', src)
    assert "act=&lt;b&gt;&amp;" in src  # HTML label is escaped
    assert re.search(r'"act=<b>&"', src)  # plain edge label is quoted as is


def test_draw_graph_flags(tmp_path):
    _, outputs = specified_space(VS)
    vi.draw_graph(outputs, False, False, False, str(tmp_path), print_to_screen=False, format=[])
    src = _dot_source(str(tmp_path))
    assert "H." not in src and "in:out" not in src and "xlabel" not in src
    assert '"M.Dense-0" -> "M.Dense-1"' in src or '"M.Identity-0" -> "M.Dense-0"' in src


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_draw_graph_renders_formats(tmp_path, fmt, magic):
    _, outputs = specified_space(VS)
    vi.draw_graph(
        outputs, out_folderpath=str(tmp_path), graph_name="arch", print_to_screen=False, format=fmt
    )
    with open(tmp_path / f"arch.{fmt}", "rb") as f:
        assert f.read(len(magic)) == magic
    assert (tmp_path / "arch.dot").exists()


@needs_dot
def test_draw_graph_svg_has_one_node_per_graph_element(tmp_path):
    _, outputs = specified_space(VS)
    vi.draw_graph(outputs, out_folderpath=str(tmp_path), print_to_screen=False, format="svg")
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.parse(tmp_path / "graph.svg").getroot()
    titles = {g.find("s:title", ns).text for g in root.iterfind(".//s:g[@class='node']", ns)}
    modules = co.get_modules_with_cond(outputs, lambda m: True)
    hyperps = list(co.get_all_hyperparameters(outputs))
    expected = {m.get_name() for m in modules} | {h.get_name() for h in hyperps}
    expected |= {ix.get_name() for ix in co.get_unconnected_inputs(outputs)}
    final_modules = co.extract_unique_modules(list(outputs.values()))
    expected |= {ox.get_name() for m in final_modules for ox in m.outputs.values()}
    assert titles == expected


def test_draw_graph_without_dot_writes_source_and_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(vi.shutil, "which", lambda name: None)
    _, outputs = fresh_space()
    with pytest.warns(UserWarning, match="'dot' program was not found"):
        vi.draw_graph(outputs, out_folderpath=str(tmp_path / "new"), print_to_screen=False)
    assert sorted(os.listdir(tmp_path / "new")) == ["graph.dot"]


@needs_dot
def test_draw_graph_defaults_write_to_cwd_and_viewer_failure_is_a_warning(tmp_path, monkeypatch):
    import graphviz

    def no_viewer(*args, **kwargs):
        raise RuntimeError("no display")

    monkeypatch.setattr(graphviz, "view", no_viewer)
    monkeypatch.chdir(tmp_path)
    _, outputs = fresh_space()
    with pytest.warns(UserWarning, match="could not open a viewer"):
        vi.draw_graph(outputs)
    assert sorted(os.listdir(tmp_path)) == ["graph.dot", "graph.pdf"]


def test_draw_graph_bad_input(tmp_path):
    with pytest.raises(DeepArchitectError, match="expected the outputs dict.*list"):
        vi.draw_graph([1, 2], out_folderpath=str(tmp_path))
    inputs, _ = fresh_space()
    with pytest.raises(
        DeepArchitectError, match=r"outputs\['in'\] must be a deep_architect Output"
    ):
        vi.draw_graph(inputs, out_folderpath=str(tmp_path))
    _, outputs = fresh_space()
    with pytest.raises(DeepArchitectError, match="out_folderpath or print_to_screen"):
        vi.draw_graph(outputs, print_to_screen=False)


# ---------------------------------------------------------------------------
# draw_graph_evolution
# ---------------------------------------------------------------------------


@needs_dot
def test_draw_graph_evolution_frames_and_combined_pdf(tmp_path):
    _, outputs = fresh_space()
    frames = vi.draw_graph_evolution(outputs, VS, str(tmp_path), graph_name="evo")
    assert frames == [str(tmp_path / f"evo-{i}.png") for i in range(len(VS) + 1)]
    assert all(os.path.exists(p) and os.path.exists(p[:-4] + ".dot") for p in frames)
    assert co.is_specified(outputs)
    with open(tmp_path / "evo.pdf", "rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(VS) + 1
    # The first frame is the unspecified space, the last one the architecture.
    assert "SISOOptional" in _dot_source(str(tmp_path), "evo-0")
    assert "SISOOptional" not in _dot_source(str(tmp_path), f"evo-{len(VS)}")


def test_draw_graph_evolution_without_dot_and_too_many_values(tmp_path, monkeypatch):
    monkeypatch.setattr(vi.shutil, "which", lambda name: None)
    _, outputs = fresh_space()
    with pytest.warns(UserWarning):
        frames = vi.draw_graph_evolution(outputs, VS[:2], str(tmp_path))
    assert frames == [str(tmp_path / f"graph-{i}.dot") for i in range(3)]
    _, outputs = fresh_space()
    with pytest.raises(DeepArchitectError, match="6 values given"):
        vi.draw_graph_evolution(outputs, VS + [0], str(tmp_path / "b"))


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------


def test_visualize_model_as_text(capsys):
    co.Scope.reset_default_scope()
    inputs, outputs = mo.siso_sequential(
        [dense(D([8]), D(["relu"])), dense(D([2]), D(["tanh"]))]
    )
    specify(outputs, ["tanh", 2, "relu", 8])
    vi.visualize_model_as_text(inputs, outputs)
    sep = "=" * 32
    assert capsys.readouterr().out.splitlines() == [
        sep,
        "I)",
        "  in : M.Dense-0.I.in",
        "O)",
        "  out : M.Dense-1.O.out",
        sep,
        "M.Dense-0",
        "  H)",
        "    act = relu",
        "    units = 8",
        "  C)",
        "M.Dense-1",
        "  H)",
        "    act = tanh",
        "    units = 2",
        "  C)",
        "    M.Dense-1.I.in <= M.Dense-0.O.out",
        sep,
    ]


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------


@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=30))
def test_running_max(vs):
    out = vi.running_max(vs)
    assert isinstance(out, np.ndarray)
    assert list(out) == [max(vs[: i + 1]) for i in range(len(vs))]


def test_line_plot(tmp_path):
    p = vi.LinePlot(title="t", xlabel="x", ylabel="y")
    p.add_line(
        [0, 1, 2], [1.0, 2.0, 1.5], label="a", err=[0.1, 0.1, 0.2], color="red", line_type="dashed"
    )
    p.add_line([0, 1], [0.5, 0.7], color="chartreuse", line_type="wavy")  # unknown names ignored
    assert p.data[0] == {
        "xs": [0, 1, 2],
        "ys": [1.0, 2.0, 1.5],
        "label": "a",
        "err": [0.1, 0.1, 0.2],
        "color": "red",
        "line_type": "dashed",
    }
    for ext in ["png", "pdf"]:
        fig = p.plot(show=False, fpath=str(tmp_path / f"p.{ext}"))
        assert (tmp_path / f"p.{ext}").stat().st_size > 0
    ax = fig.axes[0]
    assert ax.get_title() == "t" and ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a"]
    assert ax.lines[0].get_linestyle() == "--" and ax.lines[0].get_color() == "r"


def _log_search(folder, name, scores, start=1_000_000.0, step=10.0):
    logger = sl.SearchLogger(folder, name)
    for i, s in enumerate(scores):
        ev = logger.get_evaluation_logger(i)
        ev.log_config([i], {})
        os.utime(ev.config_filepath, (start + i * step, start + i * step))
        if s is not None:
            ev.log_results({"validation_accuracy": s})
            t = start + i * step + step / 2
            os.utime(ev.results_filepath, (t, t))
    return logger.get_search_folderpath()


def test_get_search_curve(tmp_path):
    path = _log_search(str(tmp_path), "s", [0.2, 0.5, None, 0.4])
    c = vi.get_search_curve(path)
    np.testing.assert_array_equal(c["scores"], [0.2, 0.5, np.nan, 0.4])
    np.testing.assert_array_equal(c["best"], [0.2, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(c["times"], [5.0, 15.0, np.nan, 35.0])


@settings(max_examples=50)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 100) | st.just(np.nan)), max_size=10),
    st.lists(st.floats(-10, 110), min_size=1, max_size=10),
)
def test_best_at_matches_brute_force(evals, grid):
    curve = {
        "scores": np.array([s for s, _ in evals], dtype=float),
        "times": np.array([t for _, t in evals], dtype=float),
    }
    out = vi._best_at(curve, np.array(grid))
    for g, o in zip(grid, out):
        done = [s for s, t in evals if not np.isnan(t) and t <= g]
        assert (np.isnan(o) and not done) or o == max(done)


def test_plot_search_progress_overlaid_runs(tmp_path):
    folder = str(tmp_path)
    random_runs = [_log_search(folder, f"random{k}", [0.1 * k, 0.3, 0.2]) for k in range(3)]
    random_runs.append(_log_search(folder, "random_short", [0.2]))  # stopped early
    mcts = _log_search(folder, "mcts", [0.5, None, 0.9, 0.7], step=5.0)
    for x_axis in ["evaluation", "time"]:
        fpath = str(tmp_path / f"cmp_{x_axis}.png")
        fig = vi.plot_search_progress(
            {"random": random_runs, "mcts": mcts}, x_axis=x_axis, fpath=fpath
        )
        assert os.path.getsize(fpath) > 0
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["random (mean of 4 runs)", "mcts"]
        assert len(ax.collections) >= 1  # the spread band of the repeated runs
        if x_axis == "evaluation":
            # Mean best-so-far of the random runs (k*0.1, then max(., 0.3)) and of the
            # short run, whose best stays 0.2 after it stopped.
            np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.125, 0.275, 0.275])
        else:
            # At the end of the time grid every run has finished: mean of the final bests.
            assert ax.lines[0].get_ydata()[-1] == pytest.approx(0.275)
        assert ax.get_xlabel() == ("evaluation" if x_axis == "evaluation" else "wall time (s)")
    fig = vi.plot_search_progress(mcts, fpath=str(tmp_path / "one.pdf"), show_evaluations=False)
    assert open(tmp_path / "one.pdf", "rb").read(4) == b"%PDF"
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [0.5, 0.5, 0.9, 0.9])
    with pytest.raises(DeepArchitectError, match="x_axis"):
        vi.plot_search_progress(mcts, x_axis="epochs")


def test_random_specify_then_draw_roundtrip(tmp_path):
    # A sampled architecture replays to the same drawing.
    _, outputs = fresh_space()
    vs = random_specify(outputs)
    vi.draw_graph(
        outputs, out_folderpath=str(tmp_path), graph_name="a", print_to_screen=False, format=[]
    )
    _, outputs2 = specified_space(vs)
    vi.draw_graph(
        outputs2, out_folderpath=str(tmp_path), graph_name="b", print_to_screen=False, format=[]
    )
    a = _dot_source(str(tmp_path), "a").replace("digraph a", "digraph")
    b = _dot_source(str(tmp_path), "b").replace("digraph b", "digraph")
    assert a == b
