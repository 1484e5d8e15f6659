"""The package's layout rules, checked on the source files.

* nothing outside ``contrib/`` imports from ``contrib/``;
* the modules of the package import each other without a circle;
* no file of the package is over 800 lines;
* names that moved stay importable, as the same objects, from their old places.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re

import pytest

import deep_architect

PACKAGE_DIR = os.path.dirname(os.path.abspath(deep_architect.__file__))
ROOT = os.path.dirname(PACKAGE_DIR)
MAX_LINES = 800


def _module_name(path: str) -> str:
    name = os.path.relpath(path, ROOT)[: -len(".py")].replace(os.sep, ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _package_files() -> dict[str, str]:
    files = {}
    for dirpath, _, filenames in os.walk(PACKAGE_DIR):
        for filename in filenames:
            if filename.endswith(".py"):
                path = os.path.join(dirpath, filename)
                files[_module_name(path)] = path
    return files


FILES = _package_files()


def _imported_names(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([node.module] if node.module else []))
    else:
        base = node.module
    # `from package import name` may import the submodule package.name.
    return [base] + [base + "." + alias.name for alias in node.names]


def _package_module(name: str) -> str | None:
    while name and name not in FILES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, top_level_only: bool) -> set[str]:
    path = FILES[module]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    if top_level_only:
        # What runs when the module is imported: its body, including the
        # branches of top-level if/try statements, but no function bodies.
        nodes, stack = [], list(tree.body)
        while stack:
            node = stack.pop()
            nodes.append(node)
            if isinstance(node, (ast.If, ast.Try)):
                stack.extend(ast.iter_child_nodes(node))
    else:
        nodes = list(ast.walk(tree))
    found = set()
    for node in nodes:
        for name in _imported_names(node, module, path.endswith("__init__.py")):
            target = _package_module(name)
            if target is not None and target != module:
                found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_nothing_outside_contrib_imports_contrib():
    contrib = "deep_architect.contrib"
    upward = [
        (module, target)
        for module in FILES
        if not (module == contrib or module.startswith(contrib + "."))
        for target in _imports(module, top_level_only=False)
        if target == contrib or target.startswith(contrib + ".")
    ]
    assert upward == []


def test_replay_needs_no_searcher():
    # Specifying a space is a graph operation: what runs, logs or reports
    # evaluations imports deep_architect.specify, never the searchers.
    graph_side = ("deep_architect.executors", "deep_architect.helpers", "deep_architect.report",
                  "deep_architect.specify", "deep_architect.core", "deep_architect.modules",
                  "deep_architect.hyperparameters", "deep_architect.search_logging")
    offenders = {
        module: sorted(t for t in _imports(module, top_level_only=False)
                       if t.startswith("deep_architect.searchers"))
        for module in FILES
        if module.startswith(graph_side)
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_package_modules_import_each_other_without_a_circle():
    graph = {module: _imports(module, top_level_only=True) for module in FILES}
    assert _cycles(graph) == []


def test_no_package_file_is_over_the_line_limit():
    too_long = {}
    for path in FILES.values():
        with open(path, encoding="utf-8") as f:
            num_lines = sum(1 for _ in f)
        if num_lines > MAX_LINES:
            too_long[os.path.relpath(path, ROOT)] = num_lines
    assert too_long == {}


def _calls(module: str) -> list[str]:
    """Dotted names of the functions called in a module (``os.replace``, ``json.dump``...)."""
    path = FILES[module]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts, func = [], node.func
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                names.append(".".join([func.id, *reversed(parts)]))
    return names


def test_files_are_written_through_the_one_atomic_writer():
    # Renaming a temporary file into place and dumping JSON straight into a file
    # happen in deep_architect.utils only; everything else calls its writers.
    writers = {"os.replace", "os.rename", "os.link", "json.dump"}
    elsewhere = {
        module: sorted(writers.intersection(_calls(module)))
        for module in FILES
        if not module.startswith("deep_architect.utils")
    }
    assert {m: w for m, w in elsewhere.items() if w} == {}


@pytest.mark.parametrize("facade", ["deep_architect.core", "deep_architect.utils"])
def test_split_modules_export_every_public_name_through_their_facade(facade):
    package = importlib.import_module(facade)
    submodules = sorted(m for m in FILES if m.startswith(facade + "."))
    assert submodules and all(m.rpartition(".")[2].startswith("_") for m in submodules)
    for name in package.__all__:
        assert hasattr(package, name), name
    for module_name in submodules:
        module = importlib.import_module(module_name)
        defined_here = [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and getattr(obj, "__module__", None) == module_name
            and (inspect.isfunction(obj) or inspect.isclass(obj))
        ]
        missing = [name for name in defined_here if name not in package.__all__]
        assert missing == [], (module_name, missing)


def test_core_keeps_the_private_names_other_code_used():
    import deep_architect.core as co

    assert co._paused_gc is co.paused_gc
    assert callable(co.note_graph_edit) and next(co._graph_edit_counter) >= 0


def test_sources_do_not_cite_tracker_numbers():
    # Docstrings and comments describe the code; issue numbers belong to commit messages.
    pattern = re.compile(r"\b(issue|ticket|bug) ?#?[0-9]+|\(#[0-9]+\)", re.IGNORECASE)
    cited = []
    for folder in ["deep_architect", "tests", "tools", "examples", os.path.join("docs", "source")]:
        for dirpath, _, filenames in os.walk(os.path.join(ROOT, folder)):
            for filename in filenames:
                if filename.endswith((".py", ".rst", ".md")):
                    path = os.path.join(dirpath, filename)
                    with open(path, encoding="utf-8") as f:
                        for number, line in enumerate(f, 1):
                            if pattern.search(line):
                                cited.append(f"{os.path.relpath(path, ROOT)}:{number}")
    assert cited == []


def test_development_tools_are_not_in_the_package():
    assert "deep_architect.doc_code" not in FILES
    assert os.path.isfile(os.path.join(ROOT, "tools", "doc_code.py"))


@pytest.mark.parametrize(
    ("old_module", "new_module"),
    [
        ("deep_architect.searchers.common", "deep_architect.specify"),
        ("deep_architect.contrib.misc.gpu_utils", "deep_architect.gpus"),
    ],
)
def test_moved_names_stay_importable_from_their_old_module(old_module, new_module):
    old = importlib.import_module(old_module)
    new = importlib.import_module(new_module)
    assert len(new.__all__) > 5
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name), name
        assert name in old.__all__, name
