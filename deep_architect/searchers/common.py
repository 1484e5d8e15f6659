"""The searcher API; the specification helpers are re-exported from :mod:`deep_architect.specify`.

Every searcher subclasses :class:`Searcher` (defined in
:mod:`deep_architect.searchers.base`, re-exported here) and honours one small contract:
``sample()`` returns ``(inputs, outputs, hyperp_value_lst, searcher_eval_token)``
for a fully specified architecture, and ``update(val, searcher_eval_token)``
reports its score (higher is better). The value list replays the architecture
on a fresh search space with :func:`~deep_architect.specify.specify`, in this
process or another.
"""

from __future__ import annotations

import deep_architect.specify as _specify
from deep_architect.searchers.base import Searcher, SearcherSample
from deep_architect.searchers.protocol import BUDGET_KEY, NoSampleAvailable
from deep_architect.searchers.warm_start import warm_start
from deep_architect.specify import *  # noqa: F403

__all__ = ["Searcher", "SearcherSample", "NoSampleAvailable", "BUDGET_KEY", "warm_start",
           *_specify.__all__]
