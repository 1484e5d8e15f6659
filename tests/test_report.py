"""Tests for deep_architect.report, including a real headless browser (chromium + selenium)."""
from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest
import toy

import deep_architect.hyperparameters as hp
import deep_architect.modules as mo
import deep_architect.report as rp
import deep_architect.search_logging as sl
import deep_architect.visualization as vi
from deep_architect.errors import DeepArchitectError
from deep_architect.searchers.common import random_specify

pytest.importorskip("graphviz", reason="the viz extra (graphviz) is not installed")
pytest.importorskip("matplotlib", reason="the viz extra (matplotlib) is not installed")
D = hp.Discrete
HAS_DOT = shutil.which("dot") is not None
FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "original_logs", "cifar", "mcts_run")
SCORES = [0.25, 0.75, None, 0.5, 0.125]  # None: evaluation 2 was interrupted


def search_space():
    return mo.siso_sequential(
        [toy.op("Layer", units=D([8, 16])),
         mo.siso_optional(lambda: toy.op("Layer", units=D([4])), D([0, 1]))]
    )


class TableParser(html.parser.HTMLParser):
    """Collects the table rows (cell data-values) and the image sources of a page."""

    def __init__(self):
        super().__init__()
        self.rows, self.images, self.headers = [], [], []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "id" in a:
            self.rows.append([])
        elif tag == "td" and self.rows:
            self.rows[-1].append(a["data-value"])
        elif tag == "img":
            self.images.append(a["src"])
        self._in_th = tag == "th"

    def handle_data(self, data):
        if self._in_th:
            self.headers.append(data)
            self._in_th = False


def parse(index_filepath):
    p = TableParser()
    with open(index_filepath) as f:
        p.feed(f.read())
    return p


@pytest.fixture
def search_folder(tmp_path):
    logger = sl.SearchLogger(str(tmp_path / "logs"), "demo")
    np.random.seed(1)
    for i, score in enumerate(SCORES):
        _, outputs = mo.SearchSpaceFactory(search_space).get_search_space()
        ev = logger.get_evaluation_logger(i)
        ev.log_config(random_specify(outputs), {})
        if score is not None:
            ev.log_results(
                {"validation_accuracy": score, "num_parameters": 10 * i, "tag": "t%d" % i}
            )
        if i % 2 == 1:  # drawn during the search; the others have no drawing
            vi.draw_graph(
                outputs,
                out_folderpath=ev.get_evaluation_data_folderpath(),
                print_to_screen=False,
                format="svg" if HAS_DOT else [],
            )
    return logger.get_search_folderpath()


def test_collect_evaluations(search_folder):
    rows = rp.collect_evaluations(search_folder)
    assert [r["id"] for r in rows] == list(range(len(SCORES)))
    assert [r["score"] for r in rows] == SCORES
    assert [r["status"] for r in rows].count("running or interrupted") == 1
    assert rows[2]["finished"] is None and all(r["finished"] >= 0 for r in rows if r["score"])


def test_report_folder_contents(search_folder, tmp_path):
    index = rp.generate_report(search_folder, str(tmp_path / "out"))
    assert index == str(tmp_path / "out" / "index.html")
    page = parse(index)
    assert [int(r[0]) for r in page.rows] == list(range(len(SCORES)))
    assert page.headers[:3] == ["id", "validation_accuracy", "num_parameters"]
    assert [r[1] for r in page.rows] == ["" if s is None else str(s) for s in SCORES]
    assert "images/progress_evaluation.png" in page.images
    assert "images/progress_time.png" in page.images
    for src in page.images:  # every image is inside the report folder
        assert os.path.getsize(tmp_path / "out" / src) > 0
    if HAS_DOT:
        assert "images/x1-graph.svg" in page.images and "images/x3-graph.svg" in page.images
    assert not any(src.startswith(("images/x0", "images/x2")) for src in page.images)


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' not installed")
def test_report_draws_missing_architectures_from_the_search_space(search_folder, tmp_path):
    index = rp.generate_report(search_folder, str(tmp_path / "out"), search_space_fn=search_space)
    graphs = [src for src in parse(index).images if "graph" in src]
    assert graphs == ["images/x%d-graph.svg" % i for i in range(len(SCORES))]


def test_report_on_original_fixture_with_corrupt_file(tmp_path, capsys):
    search = str(tmp_path / "mcts_run")
    shutil.copytree(FIXTURE, search)
    with open(os.path.join(search, "evaluations", "x0", "results.json"), "w") as f:
        f.write("{not json")
    index = rp.generate_report(search)
    assert index == os.path.join(search, "report", "index.html")
    assert "x0" in capsys.readouterr().err  # the corrupt file is named
    page = parse(index)
    assert [(r[0], r[1]) for r in page.rows] == [("0", ""), ("1", "0.90625"), ("2", "")]
    with open(index) as f:
        text = f.read()
    assert "unreadable" in text and "running or interrupted" in text


def test_cli(search_folder, tmp_path):
    out = str(tmp_path / "cli_report")
    cmd = [sys.executable, "-m", "deep_architect.report", search_folder, "--out", out]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == os.path.join(out, "index.html")
    empty = str(tmp_path / "empty")
    os.mkdir(empty)
    bad = subprocess.run(
        [sys.executable, "-m", "deep_architect.report", empty], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "not a search folder" in bad.stderr and empty in bad.stderr
    assert rp.main([search_folder, "--search-space", "nodots"]) == 2
    assert rp.main([search_folder, "--search-space", "no_such_module_xyz:f"]) == 2


def test_overview_report_groups_repeated_runs(tmp_path, monkeypatch):
    root = str(tmp_path / "logs")
    for rel, scores in [
        ("random/run0", [0.1, 0.4]),
        ("random/run1", [0.3, 0.2]),
        ("mcts/run0", [0.5]),
        ("single", [0.6, None]),
    ]:
        logger = sl.SearchLogger(os.path.join(root, os.path.dirname(rel)), os.path.basename(rel))
        for i, score in enumerate(scores):
            ev = logger.get_evaluation_logger(i)
            ev.log_config([i], {})
            if score is not None:
                ev.log_results({"validation_accuracy": score})
    plotted = []
    original = vi.plot_search_progress
    monkeypatch.setattr(
        vi,
        "plot_search_progress",
        lambda searches, *a, **k: plotted.append(searches) or original(searches, *a, **k),
    )
    assert rp.main([root]) == 0
    index = os.path.join(root, "report", "index.html")
    page = parse(index)
    searches, evaluations = page.rows[:4], page.rows[4:]
    assert [r[0] for r in searches] == ["mcts/run0", "random/run0", "random/run1", "single"]
    assert [r[2] for r in searches] == ["0.5", "0.4", "0.3", "0.6"]
    # One table of evaluations per search follows, side by side, in the same order.
    assert [r[1] for r in evaluations] == ["0.5", "0.1", "0.4", "0.3", "0.2", "0.6", ""]
    assert plotted[-1] == {  # the overview plots come last
        "mcts": [os.path.join(root, "mcts", "run0")],
        "random": [os.path.join(root, "random", "run0"), os.path.join(root, "random", "run1")],
        "single": [os.path.join(root, "single")],
    }
    for rel in ["mcts/run0", "random/run0", "random/run1", "single"]:
        sub = parse(os.path.join(root, "report", "searches", rel, "index.html"))
        assert len(sub.rows) == (2 if rel != "mcts/run0" else 1)
    with pytest.raises(DeepArchitectError, match="contains no search folder"):
        rp.generate_overview_report(str(tmp_path / "logs" / "random" / "run0" / "search_data"))


# ---------------------------------------------------------------------------
# Real browser
# ---------------------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ]:
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _column(driver, col):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#evaluations tbody tr'))"
        ".map(r => r.cells[arguments[0]].dataset.value);",
        col,
    )


def test_report_in_headless_browser(browser, search_folder, tmp_path):
    index = rp.generate_report(search_folder, str(tmp_path / "out"))
    browser.get("file://" + index)
    assert browser.title == "Search report: demo"
    assert len(browser.find_elements("css selector", "#evaluations tbody tr")) == len(SCORES)
    score_header = browser.find_elements("css selector", "#evaluations th")[1]
    assert score_header.text.startswith("validation_accuracy")
    valid = sorted(s for s in SCORES if s is not None)
    score_header.click()
    assert score_header.get_attribute("aria-sort") == "ascending"
    assert _column(browser, 1) == [str(s) for s in valid] + [""]  # missing scores last
    score_header.click()
    assert score_header.get_attribute("aria-sort") == "descending"
    assert _column(browser, 1) == [str(s) for s in reversed(valid)] + [""]
    assert _column(browser, 0) == ["1", "3", "0", "4", "2"]  # ids follow their rows
    browser.find_elements("css selector", "#evaluations th")[0].click()
    assert _column(browser, 0) == [str(i) for i in range(len(SCORES))]
    images = browser.execute_script(
        "return Array.from(document.images)"
        ".map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);"
    )
    assert len(images) >= 2
    for src, complete, width in images:
        assert complete and width > 0, src


# ---------------------------------------------------------------------------
# Pruned evaluations, analysis plots, live refresh, side-by-side comparison
# ---------------------------------------------------------------------------


def _pruned_search(folderpath, name, num_samples):
    from pruning_toys import CurveEvaluator, curve_space

    from deep_architect.pruning import MedianPruner
    from deep_architect.search_loop import run_search
    from deep_architect.searchers.random import RandomSearcher

    np.random.seed(0)
    run_search(RandomSearcher(curve_space), CurveEvaluator, num_samples, folderpath,
               name, show_progress=False, pruner=MedianPruner(n_startup=2))
    return sl.get_search_folderpath(folderpath, name)


def test_report_marks_pruned_evaluations_and_shows_history_and_importances(tmp_path):
    folder = _pruned_search(str(tmp_path), "pruned", 8)
    rows = rp.collect_evaluations(folder)
    pruned = [r for r in rows if r["status"].startswith("pruned at step ")]
    assert pruned and all(r["results"]["pruned"] for r in pruned)
    curve = vi.get_search_curve(folder)
    assert [bool(p) for p in curve["pruned"]] == [bool(r["results"].get("pruned")) for r in rows]
    index = rp.generate_report(folder, str(tmp_path / "out"))
    page = parse(index)
    assert {"images/history.png", "images/importances.png"} <= set(page.images)
    assert f"{len(pruned)} pruned" in open(index).read()
    assert 'http-equiv="refresh"' not in open(index).read()


def test_cli_watch_regenerates_with_self_refreshing_pages(tmp_path, capsys):
    folder = _pruned_search(str(tmp_path), "w", 4)
    assert rp.main([folder, "--watch", "0.01", "--max-refreshes", "2"]) == 0
    index = capsys.readouterr().out.strip()
    assert '<meta http-equiv="refresh" content="0.01">' in open(index).read()
    assert rp.main([folder, "--watch", "-1"]) == 2


def test_live_report_and_side_by_side_comparison_in_headless_browser(browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    folder = _pruned_search(str(tmp_path), "live", 4)
    index = rp.generate_report(folder, str(tmp_path / "out"), refresh_seconds=1)
    browser.get("file://" + index)
    # The page reloads itself every second: a query may hit a page being
    # replaced, so any WebDriver error just means "ask again".
    from selenium.common.exceptions import WebDriverException

    wait = WebDriverWait(browser, 60, ignored_exceptions=(WebDriverException,))

    def summary_starts(text):
        return lambda d: d.find_element("id", "summary").text.startswith(text)

    wait.until(summary_starts("4 evaluations"))
    # The search goes on; the report is regenerated and the open page reloads itself.
    _pruned_search(str(tmp_path), "live", 7)
    rp.generate_report(folder, str(tmp_path / "out"), refresh_seconds=1)
    wait.until(summary_starts("7 evaluations"))
    # Columns end with: finished, status, hyperparameter values, graph.
    script = """
        var heads = document.querySelectorAll('#evaluations th');
        var images = Array.from(document.images);
        if (heads.length === 0 || !images.every(i => i.complete)) { return null; }
        return [Array.from(document.querySelectorAll('#evaluations tbody tr'))
                    .map(r => r.cells[heads.length - 3].dataset.value),
                images.filter(i => i.naturalWidth > 0).map(i => i.id)];"""
    statuses, shown = wait.until(lambda d: d.execute_script(script))
    assert len(statuses) == 7 and any(s.startswith("pruned at step") for s in statuses)
    assert {"plot-history", "plot-importances"} <= set(shown)

    _pruned_search(str(tmp_path), "other", 5)
    overview = rp.generate_overview_report(str(tmp_path), str(tmp_path / "overview"))
    browser.set_window_size(1800, 1000)
    browser.get("file://" + overview)
    tables = browser.find_elements("css selector", ".side-by-side table")
    assert [len(t.find_elements("css selector", "tbody tr")) for t in tables] == [7, 5]
    sections = browser.find_elements("css selector", ".side-by-side section")
    first, second = (t.rect for t in sections)
    assert first["x"] + first["width"] <= second["x"] and abs(first["y"] - second["y"]) < 5


def test_report_never_deletes_or_overwrites_files_it_did_not_write(search_folder, tmp_path):
    out = tmp_path / "out"
    (out / "images").mkdir(parents=True)
    (out / "images" / "mine.png").write_text("my own figure")
    with pytest.raises(DeepArchitectError, match="holds files the report did not write"):
        rp.generate_report(search_folder, str(out))
    assert (out / "images" / "mine.png").read_text() == "my own figure"
    # Its own previous output is replaced, nothing else is touched.
    fresh = tmp_path / "fresh"
    rp.generate_report(search_folder, str(fresh))
    (fresh / "notes.txt").write_text("keep")
    rp.generate_report(search_folder, str(fresh))
    assert (fresh / "notes.txt").read_text() == "keep"
    assert os.path.exists(fresh / "images" / "progress_evaluation.png")


def test_report_does_not_copy_links_out_of_the_search_folder(search_folder, tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>secret</svg>")
    data = os.path.join(search_folder, "evaluations", "x0", "eval_data")
    os.symlink(secret, os.path.join(data, "graph.svg"))
    index = rp.generate_report(search_folder, str(tmp_path / "out"))
    assert not any(src.startswith("images/x0") for src in parse(index).images)
    copied = [name for name in os.listdir(tmp_path / "out" / "images") if name.startswith("x0")]
    assert copied == []


def test_report_of_a_results_file_holding_a_list(search_folder, tmp_path, capsys):
    results = os.path.join(search_folder, "evaluations", "x0", "results.json")
    os.remove(results)
    with open(results, "w") as f:
        f.write("[1, 2]")
    rows = rp.collect_evaluations(search_folder)
    assert rows[0]["status"] == "unreadable" and rows[0]["score"] is None
    assert "holds a JSON list" in capsys.readouterr().err
    rp.generate_report(search_folder, str(tmp_path / "out"))
