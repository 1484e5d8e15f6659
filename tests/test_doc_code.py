"""The documentation's code runs: README blocks, tutorial files, and the tooling itself.

Scripts run in subprocesses (each framework import stays in its own process)
inside a temporary working directory, so whatever they write is thrown away.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deep_architect.errors import DeepArchitectError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(REPO, "docs", "source")
CODE = os.path.join(DOCS, "code")
# The documentation tool is a script of the repository, not a module of the package.
DOC_CODE = os.path.join(REPO, "tools", "doc_code.py")
sys.path.insert(0, os.path.dirname(DOC_CODE))
import doc_code as dc  # noqa: E402

DRAWINGS = os.path.join(DOCS, "tutorials", "drawings")

# Each tutorial script: the packages it imports (skipped where one is missing) and a
# pattern its output must contain.
SCRIPTS = {
    "quickstart.py": (["keras"], r"best: \(\["),
    "search_space_constructs.py": (["keras", "graphviz"], r"training hyperparameters: \{"),
    "new_modules.py": (["keras"], r"pool stacks: only valid ones sampled"),
    "new_searchers.py": ([], r"EvolutionSearcher +best score after 64 samples"),
    "new_frameworks.py": ([], r"best: \(\["),
    "frameworks_pytorch.py": (["torch"], r"'validation_accuracy': 0\.\d+"),
    "frameworks_sklearn.py": (["sklearn"], r"\d_logisticregression|\d_randomforestclassifier"),
    "logging_and_visualization.py": (["keras", "graphviz", "matplotlib"],
                                     r"report: \S+index\.html"),
    "parallel.py": ([], r"rounds: budgets \[(1\.0, ){8}(2\.0, ){4}4\.0, 4\.0\]\n"
                        r"log folders: 8 evaluations in 2 worker processes"),
    "optuna_style.py": (["optuna", "matplotlib"], r"pruned \d+ of 30 evaluations"),
    "hardware_aware.py": (["torch", "matplotlib"],
                          r"rejected before evaluation: \d+\n(front: .*\n)+report: \S+index\.html"),
    "oneshot.py": (["torch", "sklearn"], r"DARTS cell: 14 edges, 8 kept"),
    "analysis.py": (["torch"], r"3 value lists, 2 different networks\n"
                               r"60 evaluations logged, \d+ trained, \d+ reused\n"
                               r"best validation accuracy after 300 lookups: 0\.\d+"),
    "inline_model_space.py": (["torch", "sklearn"],
                              r"DigitsMLP with 2 hidden blocks of width 64(.|\n)*"
                              r"loaded DigitsMLP with validation accuracy 0\.\d+"),
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def _run(args: list[str], cwd: str, timeout: float = 240) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(args)} failed with status {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-6000:]}")
    return proc.stdout


def _skip_without(modules: list[str]) -> None:
    for name in modules:
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"{name} is not installed")


# ---------------------------------------------------------------- the tooling

MD_DOC = """# Title

Some text.

```python
x = 1
if x:
    y = 2
```

```bash
echo not python
```

   ```py
   print(x + y)

   z = 3
   ```
"""

RST_DOC = """Title
=====

.. code-block:: python
   :caption: first

   a = [1,
        2]

Text in between.

.. code:: python

    b = sum(a)
        # deeper indentation survives dedenting

.. code-block:: text

   not python

  .. code-block:: python

     c = b * 2
"""


def test_extract_markdown_blocks():
    assert dc.extract_code(MD_DOC, "md") == [
        "x = 1\nif x:\n    y = 2\n", "print(x + y)\n\nz = 3\n"]


def test_extract_rst_blocks_dedents_and_skips_options():
    assert dc.extract_code(RST_DOC, "rst") == [
        "a = [1,\n     2]\n",
        "b = sum(a)\n    # deeper indentation survives dedenting\n",
        "c = b * 2\n",
    ]


@pytest.mark.parametrize("text,fmt", [(MD_DOC, "md"), (RST_DOC, "rst")])
def test_replacing_blocks_with_their_own_code_is_identity(text, fmt):
    assert dc.replace_code(text, fmt, dc.extract_code(text, fmt)) == text


@pytest.mark.parametrize("text,fmt", [(MD_DOC, "md"), (RST_DOC, "rst")])
def test_replace_changes_only_the_code(text, fmt):
    codes = [f"v{i} = {i}\n" for i in range(len(dc.extract_code(text, fmt)))]
    new_text = dc.replace_code(text, fmt, codes)
    assert dc.extract_code(new_text, fmt) == codes
    # Everything but the code lines is untouched.
    old_blocks = dc.find_code_blocks(text, fmt)
    old_lines = text.splitlines()
    kept = [line for i, line in enumerate(old_lines)
            if not any(b.start <= i < b.end for b in old_blocks)]
    new_blocks = dc.find_code_blocks(new_text, fmt)
    new_lines = new_text.splitlines()
    assert kept == [line for i, line in enumerate(new_lines)
                    if not any(b.start <= i < b.end for b in new_blocks)]


def test_errors_name_the_problem():
    with pytest.raises(DeepArchitectError, match="never closed"):
        dc.extract_code("```python\nx = 1\n", "md")
    with pytest.raises(DeepArchitectError, match="2 python code blocks but 1"):
        dc.replace_code(MD_DOC, "md", ["x = 1\n"])
    with pytest.raises(DeepArchitectError, match=r"notes\.txt.*\.md"):
        dc.doc_format("notes.txt")
    with pytest.raises(DeepArchitectError, match="before it"):
        dc.split_blocks("x = 1\n" + dc.MARKER + "\n")


_code_line = st.text(alphabet="abcxyz0123 =+()#:", max_size=20).filter(
    lambda s: s.strip() == s and "```" not in s)
_block = st.lists(st.one_of(_code_line, st.just("")), min_size=1, max_size=5).map(
    lambda lines: "".join(line + "\n" for line in lines))


@given(st.lists(_block, max_size=5))
def test_join_and_split_are_inverse(codes):
    assert dc.split_blocks(dc.join_blocks(codes)) == codes


@given(st.lists(_block.filter(lambda c: c.strip()), min_size=1, max_size=4),
       st.sampled_from(["md", "rst"]))
def test_blocks_survive_a_round_trip_through_a_document(codes, fmt):
    # Blank lines at the ends of a block are layout, not code, in reStructuredText.
    codes = [re.sub(r"^\n+|\n+(?=\n$)", "", c) for c in codes]
    parts = ["Intro paragraph.\n"]
    for code in codes:
        if fmt == "md":
            parts.append("```python\n" + code + "```\n")
        else:
            body = "".join("   " + line + "\n" if line else "\n" for line in code.splitlines())
            parts.append(".. code-block:: python\n\n" + body)
        parts.append("Between.\n")
    doc = "\n".join(parts)
    assert dc.extract_code(doc, fmt) == codes
    assert dc.replace_code(doc, fmt, codes) == doc


def test_command_line_extract_update_run(tmp_path):
    doc = tmp_path / "guide.md"
    doc.write_text(MD_DOC.replace("print(x + y)", "print('sum', x + y)"))
    out = _run([DOC_CODE, "extract", str(doc)], cwd=str(tmp_path))
    extracted = tmp_path / "guide.py"
    assert out.strip() == str(extracted)
    assert extracted.read_text().count(dc.MARKER) == 2
    extracted.write_text(extracted.read_text().replace("x = 1", "x = 40"))
    _run([DOC_CODE, "update", str(doc)], cwd=str(tmp_path))
    assert "x = 40" in doc.read_text() and "echo not python" in doc.read_text()
    assert "sum 42" in _run([DOC_CODE, "run", str(doc)],
                            cwd=str(tmp_path))


def test_run_reports_the_failing_line(tmp_path):
    doc = tmp_path / "broken.rst"
    doc.write_text(".. code-block:: python\n\n   x = 1\n   raise RuntimeError('boom')\n")
    with pytest.raises(RuntimeError, match="boom"):
        dc.run_file(str(doc))


# ------------------------------------------------------------- the documents

def _skip_without_imports_of(doc_filepath: str, fmt: str) -> None:
    codes = dc.extract_code(open(doc_filepath, encoding="utf-8").read(), fmt)
    _skip_without(sorted({name for code in codes for name in re.findall(
        r"^\s*(?:import|from)\s+(\w+)", code, flags=re.MULTILINE)}))


def _rst_files_with_python() -> list[str]:
    files = sorted(glob.glob(os.path.join(DOCS, "**", "*.rst"), recursive=True))
    return [os.path.relpath(f, REPO) for f in files
            if dc.extract_code(open(f, encoding="utf-8").read(), "rst")]


def test_readme_code_runs(tmp_path):
    readme = os.path.join(REPO, "README.md")
    _skip_without_imports_of(readme, "md")
    _run([DOC_CODE, "run", readme], cwd=str(tmp_path))


@pytest.mark.parametrize("relpath", _rst_files_with_python())
def test_inline_rst_code_runs(relpath, tmp_path):
    _skip_without_imports_of(os.path.join(REPO, relpath), "rst")
    _run([DOC_CODE, "run", os.path.join(REPO, relpath)],
         cwd=str(tmp_path))


def test_every_tutorial_script_is_tested():
    scripts = sorted(os.path.basename(p) for p in glob.glob(os.path.join(CODE, "*.py")))
    assert scripts == sorted(SCRIPTS)


def test_every_included_file_exists():
    for rst in glob.glob(os.path.join(DOCS, "**", "*.rst"), recursive=True):
        text = open(rst, encoding="utf-8").read()
        for target in re.findall(r"^\s*\.\. (?:literalinclude|graphviz)::\s*(\S+)\s*$", text,
                                 flags=re.MULTILINE):
            path = os.path.normpath(os.path.join(os.path.dirname(rst), target))
            assert os.path.isfile(path), f"{rst} includes missing file {target}"


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s != "search_space_constructs.py"])
def test_tutorial_script_runs(script, tmp_path):
    needs, expected = SCRIPTS[script]
    _skip_without(needs)
    out = _run([os.path.join(CODE, script)], cwd=str(tmp_path))
    assert re.search(expected, out), f"{script}: output lacks {expected!r}:\n{out[-3000:]}"
    if script == "logging_and_visualization.py":
        search = tmp_path / "logs" / "logging_tutorial"
        assert sorted(os.listdir(search / "evaluations")) == ["x0", "x1", "x2"]
        drawing = "graph.svg" if shutil.which("dot") else "graph.dot"
        assert (search / "evaluations" / "x0" / "eval_data" / drawing).is_file()
        assert (search / "report" / "index.html").is_file()


def test_mpi_search_of_the_parallel_page(tmp_path):
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep
                           + os.environ.get("PATH", ""))
    if mpiexec is None:
        pytest.skip("mpiexec is not installed")
    _skip_without(["mpi4py"])
    proc = subprocess.run([mpiexec, "-n", "3", sys.executable, os.path.join(CODE, "parallel.py"),
                           "mpi", "logs"], cwd=str(tmp_path), env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "12 evaluations" in proc.stdout
    assert len(os.listdir(tmp_path / "logs" / "mpi" / "evaluations")) == 12


def test_search_space_constructs_script_reproduces_the_drawings(tmp_path):
    needs, expected = SCRIPTS["search_space_constructs.py"]
    _skip_without(needs)
    out = _run([os.path.join(CODE, "search_space_constructs.py"), "drawings"],
               cwd=str(tmp_path))
    assert re.search(expected, out) and "mlp [" in out
    if shutil.which("dot"):  # without Graphviz's program only the .dot sources are written
        assert (tmp_path / "drawings" / "nested_evolution.pdf").is_file()
    committed = sorted(os.listdir(DRAWINGS))
    assert committed, "no committed drawings"
    for name in committed:
        produced = tmp_path / "drawings" / name
        assert produced.is_file(), f"the script no longer draws {name}"
        assert produced.read_text() == open(os.path.join(DRAWINGS, name)).read(), (
            f"{name} is stale; to refresh the committed drawings run, from a temporary folder: "
            f"python {os.path.join(CODE, 'search_space_constructs.py')} drawings && "
            f"cp {' '.join('drawings/' + n for n in committed)} {DRAWINGS}/")


def test_docs_build_without_warnings(tmp_path):
    # The dummy builder reads every page and runs autodoc (where warnings come from)
    # without writing HTML; `bash utils.sh docs` does the full build.
    _skip_without(["sphinx", "furo"])
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "dummy",
         os.path.join(DOCS), str(tmp_path / "build")],
        cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0 and not warnings, "\n".join(warnings) or proc.stderr[-4000:]


def test_api_reference_finds_every_public_module():
    sys.path.insert(0, os.path.join(DOCS, "_ext"))
    try:
        import da_api
    finally:
        sys.path.remove(os.path.join(DOCS, "_ext"))
    searchers = da_api.modules_under("deep_architect.searchers")
    assert "deep_architect.searchers.random" in searchers
    assert "deep_architect.searchers.common" in searchers
    assert not any(name.split(".")[-1].startswith("_") for name in searchers)
    assert da_api.modules_under("deep_architect.core") == ["deep_architect.core"]
    assert da_api.modules_under("deep_architect.no_such_module") == []
    everything = da_api.modules_under("deep_architect")
    assert "deep_architect.specify" in everything and everything == sorted(everything)
    assert not any(name.startswith("deep_architect.doc_code") for name in everything)
