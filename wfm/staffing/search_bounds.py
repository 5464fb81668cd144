"""Rules every staffing search shares, the vectorised searches (wfm.staffing.required_agents) and
the compiled Erlang C kernel alike: how far they look and when an occupancy cap is met."""

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


OCCUPANCY_RTOL = 1e-9
"""An occupancy cap ``o`` is met by ``n`` agents when ``A <= o (1 + 1e-9) n``: a load that
is the cap times a whole number of agents (1.8 Erlangs at a 0.6 cap: 3 agents) meets it
whatever the float rounding of ``A``, ``o`` and their product (``0.6 * 3`` is
1.7999999999999998). One rule, the same arithmetic, in every search: the vectorised walk
and bisection, the compiled kernel and Erlang A (:func:`occupancy_limit`)."""


def occupancy_limit(max_occupancy: float) -> float:
    """The occupancy rule's factor: ``n`` agents carry at most this times ``n`` Erlangs
    (:data:`OCCUPANCY_RTOL`)."""
    return max_occupancy * (1.0 + OCCUPANCY_RTOL)
