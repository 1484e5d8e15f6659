"""Knowing a search space before training: size, static checks and fingerprints.

Nothing here imports a deep-learning framework: shape checks run the user's
own modules on example inputs the user passes in.
"""

from deep_architect.analysis.fingerprint import fingerprint, module_kind
from deep_architect.analysis.size import DEFAULT_MAX_ENUMERATION, space_size

__all__ = ["space_size", "DEFAULT_MAX_ENUMERATION", "fingerprint", "module_kind"]
