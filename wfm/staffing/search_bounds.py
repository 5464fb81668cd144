"""How far every staffing search looks: shared by the vectorised searches
(wfm.staffing.required) and the compiled Erlang C kernel, which read the same numbers."""

from __future__ import annotations

import numpy as np

from wfm.staffing.erlang_c import FloatArray

CAP_AGENTS_PER_ERLANG = 20.0
CAP_EXTRA_AGENTS = 1000.0
"""Every search gives up at ``ceil(20 A + 1000)`` agents (a target no staffing meets) and
names the target."""


def search_cap(load: FloatArray) -> FloatArray:
    """Most agents any search tries: ``ceil(20 A + 1000)``."""
    out: FloatArray = np.ceil(load * CAP_AGENTS_PER_ERLANG + CAP_EXTRA_AGENTS)
    return out
