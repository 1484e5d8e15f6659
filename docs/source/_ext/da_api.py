"""Sphinx extension generating the API reference of deep_architect.

The directive ``.. automodules:: NAME [NAME ...]`` expands into one section
with an ``automodule`` per module; a package name stands for every module
inside it (recursively, found on disk, sorted by name); a package whose modules
are all private (a facade such as ``deep_architect.core``) counts as one
module. After reading all pages the extension warns about every public module of the package that no
page documents, so a new module without a reference page fails ``sphinx -W``.
"""

from __future__ import annotations

import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

ROOT_PACKAGE = "deep_architect"
_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
logger = logging.getLogger(__name__)


def _is_public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def modules_under(name: str) -> list[str]:
    """Public modules named ``name`` or inside the package ``name``, sorted.

    Args:
        name: Dotted module or package name, e.g. ``deep_architect.searchers``.
    """
    path = os.path.join(_REPO, *name.split("."))
    if os.path.isfile(path + ".py"):
        return [name]
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if os.path.isfile(
            os.path.join(dirpath, d, "__init__.py")))
        package = os.path.relpath(dirpath, _REPO).replace(os.sep, ".")
        modules = [package + "." + f[:-3] for f in filenames
                   if f.endswith(".py") and f != "__init__.py"]
        if not dirnames and not any(_is_public(m) for m in modules):
            # A facade package (core, utils): its public names are in __init__.
            modules = [package]
        found += modules
    return sorted(m for m in found if _is_public(m))


def _documented(env: BuildEnvironment) -> dict[str, str]:
    """Module name -> page documenting it; stored on the (pickled) environment."""
    if not hasattr(env, "da_api_documented"):
        env.da_api_documented = {}
    return env.da_api_documented


class AutoModules(SphinxDirective):
    """``.. automodules:: NAME ...``: one section with an automodule per module."""

    required_arguments = 1
    optional_arguments = 50

    def run(self) -> list[nodes.Node]:
        documented = _documented(self.env)
        lines = []
        for arg in self.arguments:
            names = modules_under(arg)
            if not names:
                logger.warning("automodules: no module found for %r", arg,
                               location=self.get_location())
            for name in names:
                documented[name] = self.env.docname
                lines += [name, "-" * len(name), "",
                          f".. automodule:: {name}", "   :members:",
                          "   :show-inheritance:", ""]
        container = nodes.section()
        nested_parse_with_titles(self.state, StringList(lines, self.get_source_info()[0]),
                                 container)
        return container.children


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    documented = _documented(env)
    for name in [n for n, doc in documented.items() if doc == docname]:
        del documented[name]


def _check_coverage(app: Sphinx, env: BuildEnvironment) -> None:
    documented = _documented(env)
    for name in modules_under(ROOT_PACKAGE):
        if name not in documented:
            logger.warning("API reference: module %s is documented on no page "
                           "(add it to an automodules directive)", name)


def setup(app: Sphinx) -> dict:
    """Registers the directive and the coverage check."""
    app.add_directive("automodules", AutoModules)
    app.connect("env-purge-doc", _purge)
    app.connect("env-check-consistency", _check_coverage)
    return {"parallel_read_safe": False, "env_version": 1}
