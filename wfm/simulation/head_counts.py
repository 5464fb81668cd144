"""A staffing from agents per queue and interval (single-skill agents, no names).

For checks and sizing where no roster exists yet: the requirement of ``wfm staff`` (or
any count) becomes that many single-skill agents logged in on each queue in each
interval. Fractional counts (the deferred-work plan) become part-interval presence on a
finer slot grid: 2.4 agents in a 15-minute interval are two agents for the whole interval
and a third for its first 6 minutes (with 1-minute slots).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from wfm.simulation.centre import SimulationError, Staffing


def staffing_from_counts(agents: npt.ArrayLike, interval_s: float,
                         slot_s: float | None = None) -> Staffing:
    """Single-skill agents: ``agents[q, i]`` of them on queue q in interval i.

    Parameters
    ----------
    agents : (queues, intervals) agents logged in [agents], >= 0, fractional allowed
    interval_s : interval length [s]
    slot_s : slot length [s] dividing ``interval_s`` (default: the interval); a
        fractional agent works the first ``round(fraction x slots)`` slots of the interval

    Examples
    --------
    >>> s = staffing_from_counts([[2, 1]], 900.0)
    >>> s.on_shift.astype(int).tolist(), s.skills.ravel().tolist()
    ([[1, 1], [1, 0]], [0, 0])
    """
    counts = np.atleast_2d(np.asarray(agents, dtype=np.float64))
    if np.any(~np.isfinite(counts)) or np.any(counts < 0):
        raise SimulationError("agents per queue and interval must be numbers >= 0")
    slot = float(interval_s if slot_s is None else slot_s)
    per = interval_s / slot
    if not (slot > 0) or abs(per - round(per)) > 1e-9:
        raise SimulationError(f"slot length {slot!r} s must divide the interval "
                              f"({interval_s!r} s)")
    per_i = round(per)
    n_q, n_i = counts.shape
    rows, skills, names = [], [], []
    for q in range(n_q):
        top = int(np.ceil(counts[q].max(initial=0.0) - 1e-9))
        j = np.arange(top)[:, None]
        share = np.clip(counts[q][None, :] - j, 0.0, 1.0)  # (agents, intervals)
        slots_on = np.round(share * per_i).astype(np.int64)
        within = np.arange(per_i)[None, None, :] < slots_on[:, :, None]
        rows.append(within.reshape(top, n_i * per_i))
        skills += [q] * top
        names += [f"q{q}-{k}" for k in range(top)]
    on = np.concatenate(rows) if rows else np.zeros((0, n_i * per_i), dtype=bool)
    skill = np.array(skills, dtype=np.int64).reshape(-1, 1)
    planned = np.where(on, skill, -1)
    return Staffing(slot, on, skill, tuple(names), planned)


def whole_agents_cumulative(agents: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Whole agents per interval whose running total never falls behind a fractional plan.

    ``a[i] = ceil(C[i]) - ceil(C[i - 1])`` with ``C`` the running sum of ``agents``: the
    capacity is never behind the plan's at any interval's end, and the total is the plan's
    rounded up once (rounding each interval up instead adds up to one agent per interval,
    which for a deferred backlog of a few agents is most of the slack).

    Examples
    --------
    >>> whole_agents_cumulative([0.4, 0.4, 0.4, 1.3, 0.0]).tolist()
    [1.0, 0.0, 1.0, 1.0, 0.0]
    """
    plan = np.asarray(agents, dtype=np.float64)
    if np.any(~np.isfinite(plan)) or np.any(plan < 0):
        raise SimulationError("agents per interval must be numbers >= 0")
    steps = np.ceil(np.cumsum(plan) - 1e-9)
    out: npt.NDArray[np.float64] = np.diff(np.concatenate(([0.0], steps)))
    return out
