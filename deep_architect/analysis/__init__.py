"""Knowing a search space before training: size, static checks and fingerprints.

Nothing here imports a deep-learning framework: shape checks run the user's
own modules on example inputs the user passes in.

* :func:`space_size` counts the architectures of a space exactly, without
  enumerating them.
* :class:`Deduplicator` (and ``run_search(..., dedup=True)``) never trains the
  same architecture twice.
* :func:`check_space` reports likely bugs of a space (also from the command
  line: ``python -m deep_architect.analysis MODULE:FUNCTION``).
* :func:`fingerprint` hashes a specified architecture, so that duplicates are
  recognised whatever value list produced them.
"""
from __future__ import annotations

from deep_architect.analysis.checks import Problem, SpaceReport, check_space
from deep_architect.analysis.dedup import Deduplicator
from deep_architect.analysis.fingerprint import fingerprint, fragment_hash, module_kind
from deep_architect.analysis.size import DEFAULT_MAX_ENUMERATION, space_size

__all__ = [
    "space_size",
    "DEFAULT_MAX_ENUMERATION",
    "check_space",
    "Problem",
    "SpaceReport",
    "fingerprint",
    "fragment_hash",
    "Deduplicator",
    "module_kind",
]
