"""Requirements per interval for one hot queue (voice, callback, chat, messaging)."""

from __future__ import annotations

import numpy as np

from wfm.errors import StaffingError
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import FloatArray, asa, occupancy, offered_load, service_level
from wfm.staffing.required_agents import required_agents, required_agents_erlang_a


def staff_hot_queue(offered: FloatArray, aht_s: FloatArray, interval_s: float, *,
                    sl_target: float | None, sl_threshold_s: float | None,
                    max_asa_s: float | None = None, max_abandon_rate: float | None = None,
                    patience_s: float | None = None, concurrency: int = 1,
                    max_occupancy: float | None = None,
                    shrinkage: float = 0.0,
                    agents: FloatArray | None = None) -> dict[str, FloatArray | str]:
    """Productive and scheduled agents plus achieved measures for each interval.

    Erlang C, or Erlang A when ``patience_s`` is given (needed by ``max_abandon_rate``:
    a limit on abandonment without a model of it raises); ``concurrency`` k > 1 models k
    parallel slots per agent (AHT is the concurrent handle time) and reports agents.
    ``agents_required = agents_productive / (1 - shrinkage)`` (not rounded).
    ``agents``: a given staffing (whole agents per interval) to measure instead of the
    smallest one meeting the targets (e.g. staffing to a confidence level).
    """
    if concurrency < 1:
        raise StaffingError(f"concurrency {concurrency} is not valid; accepted: 1 or more")
    if not 0.0 <= shrinkage < 1.0:
        raise StaffingError(f"shrinkage {shrinkage!r} is not valid; accepted: [0, 1)")
    if max_abandon_rate is not None and patience_s is None:
        raise StaffingError(
            f"max_abandon_rate {max_abandon_rate:g} needs patience_s: Erlang C assumes "
            "nobody abandons, so the limit could not be kept",
            hint="set patience_s on the queue (mean time to abandon [s]), or let "
                 "'wfm staff --estimate-patience' estimate it from the history")
    load = offered_load(offered, aht_s, interval_s)
    threshold = 0.0 if sl_threshold_s is None else sl_threshold_s
    if agents is not None:
        agents = np.asarray(agents, dtype=np.float64)
        if agents.shape != np.shape(load) or np.any(~np.isfinite(agents) | (agents < 0)):
            raise StaffingError("given agents must be numbers >= 0, one per interval")
    elif patience_s is None:
        slots = required_agents(load, aht_s, sl_target=sl_target, sl_threshold_s=threshold,
                                max_asa_s=max_asa_s, max_occupancy=max_occupancy)
        agents = np.ceil(slots / concurrency)
    else:
        slots = required_agents_erlang_a(load, aht_s, patience_s, sl_target=sl_target,
                                         sl_threshold_s=threshold, max_asa_s=max_asa_s,
                                         max_abandon_rate=max_abandon_rate,
                                         max_occupancy=max_occupancy)
        agents = np.ceil(slots / concurrency)
    s = agents * concurrency
    if patience_s is None:
        sl, wait, occ = service_level(s, load, aht_s, threshold), asa(s, load, aht_s), \
            occupancy(s, load)
        abandon = np.zeros(agents.shape)
        method = "erlang_c" if concurrency == 1 else f"erlang_c_x{concurrency}"
    else:
        m = erlang_a(s, load, aht_s, patience_s, threshold)
        sl, abandon = m["sl_offered"], m["p_abandon"]
        wait = asa_answered(s, load, aht_s, patience_s)
        occ = np.minimum(load * (1 - abandon) / np.maximum(s, 1.0), 1.0)
        method = "erlang_a" if concurrency == 1 else f"erlang_a_x{concurrency}"
    return {"agents_productive": agents, "agents_required": agents / (1.0 - shrinkage),
            "service_level": sl, "asa_s": wait, "occupancy": occ, "abandon_rate": abandon,
            "method": method}
