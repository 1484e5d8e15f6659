"""Sphinx configuration of the deep_architect documentation.

Build with ``bash utils.sh docs`` (or
``python -m sphinx -W --keep-going -b html docs/source docs/build/html``).
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# Document the checkout itself, and find the local extension.
sys.path.insert(0, os.path.abspath(os.path.join(_HERE, "..", "..")))
sys.path.insert(0, os.path.join(_HERE, "_ext"))

from sphinx.ext.autodoc.mock import mock  # noqa: E402

import deep_architect  # noqa: E402

project = "DeepArchitect"
author = "the deep_architect developers"
copyright = "2018-2026, " + author
release = deep_architect.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.graphviz",
    "da_api",
]

html_theme = "furo"
html_title = f"DeepArchitect {release}"

# Heavy frameworks are only needed by the helpers and contrib code; mocking them
# keeps the build fast and lets it run where they are not installed.
autodoc_mock_imports = [
    "tensorflow",
    "torch",
    "torchvision",
    "keras",
    "sklearn",
    "scipy",
    "ray",
    "mpi4py",
    "portalocker",
    "pymongo",
]
# autodoc only mocks while it imports a documented module; Sphinx later imports
# the module named by a mocked base class's __module__ for source analysis,
# which would load the real framework. Keep the mocks installed for the build.
_framework_mocks = mock(autodoc_mock_imports)  # keep a reference: closing it uninstalls
_framework_mocks.__enter__()
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
add_module_names = False
autodoc_default_options = {"member-order": "bysource", "ignore-module-all": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# The drawings of the tutorials are DOT files written by the tutorial code and
# rendered by Graphviz's `dot` at build time.
graphviz_output_format = "svg"
