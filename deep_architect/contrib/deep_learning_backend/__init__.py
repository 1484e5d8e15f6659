"""Framework-neutral op layer (experimental): see README.md in this folder."""
from __future__ import annotations

import warnings

warnings.warn("deep_architect.contrib.deep_learning_backend is experimental: its op set and "
              "module names may still change.", UserWarning, stacklevel=2)
