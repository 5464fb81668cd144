"""Cheap necessary conditions, checked before solving, that name the binding rule.

When a queue needs more agents in some interval than there are agents with that skill who
could be at work then (availability, time off, contract clock limits and the shift rules
all applied), no roster can cover it; saying so beats an anonymous "infeasible".
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from wfm.scheduling.eligibility import AgentLike
from wfm.scheduling.shift_catalog import ShiftCatalog

MAX_QUEUES_ALL_SETS = 6  # up to this many queues every set is checked (57 sets)


def reachable_slots(catalog: ShiftCatalog, eligible: np.ndarray) -> np.ndarray:
    """Boolean (n_agents, horizon): slots some eligible shift of the agent covers."""
    n_agents = eligible.shape[0]
    diff = np.zeros((n_agents, catalog.grid.horizon + 1), dtype=np.int64)
    rows, shifts = np.nonzero(eligible)
    np.add.at(diff, (rows, catalog.start[shifts]), 1)
    np.add.at(diff, (rows, catalog.end[shifts]), -1)
    return np.cumsum(diff, axis=1)[:, :-1] > 0


def slot_label(catalog: ShiftCatalog, first: int, last: int) -> str:
    """``Tuesday 08:00-09:00`` for slots ``first..last`` (local time, inclusive)."""
    grid = catalog.grid
    lo = (grid.start_utc + timedelta(minutes=first * grid.slot_minutes)).astimezone(grid.tz)
    hi = (grid.start_utc + timedelta(minutes=(last + 1) * grid.slot_minutes)).astimezone(grid.tz)
    return f"{lo:%A %d %b} {lo:%H:%M}-{hi:%H:%M}"


def coverage_conflicts(catalog: ShiftCatalog, eligible: np.ndarray,
                       agents: Sequence[AgentLike], queue_names: Sequence[str],
                       required: np.ndarray) -> list[str]:
    """Intervals where a queue needs more agents than could possibly be there.

    Returns one sentence per queue and run of consecutive short slots, the largest
    shortfall first, e.g. ``"Tuesday 08:00-09:00: 12 agents required on voice_fr, only 9
    available with skill voice_fr"``.
    """
    n_t = catalog.grid.n_slots
    reach = reachable_slots(catalog, eligible)[:, :n_t]
    found: list[tuple[int, str]] = []
    for q, name in enumerate(queue_names):
        skilled = np.array([name in a.skills for a in agents], dtype=bool)
        if not skilled.any():
            hours = float(required[q].sum()) * catalog.grid.slot_minutes / 60
            if hours > 0:
                found.append((10**9, f"queue {name}: {hours:g} agent-hours required in the "
                                     f"week but no agent has skill {name}"))
            continue
        avail = reach[skilled].sum(axis=0)
        short = required[q] > avail
        t = 0
        while t < n_t:
            if not short[t]:
                t += 1
                continue
            first = t
            need, have = int(required[q, t]), int(avail[t])
            while (t + 1 < n_t and short[t + 1] and required[q, t + 1] == need
                   and avail[t + 1] == have and catalog.grid.day_of_slot(t + 1)
                   == catalog.grid.day_of_slot(first)):
                t += 1
            found.append((need - have, f"{slot_label(catalog, first, t)}: {need} agents "
                                       f"required on {name}, only {have} available with "
                                       f"skill {name}"))
            t += 1
    if not found:
        found += _joint_conflicts(catalog, reach, agents, queue_names, required)
    found.sort(key=lambda f: -f[0])
    return [text for _, text in found]


def _joint_conflicts(catalog: ShiftCatalog, reach: np.ndarray, agents: Sequence[AgentLike],
                     queue_names: Sequence[str], required: np.ndarray) -> list[tuple[int, str]]:
    """Sets of queues that together need more agents than hold any of their skills (an
    agent counts on one queue at a time): every set when there are few queues, else pairs
    and all of them."""
    n_q = len(queue_names)
    if n_q <= MAX_QUEUES_ALL_SETS:
        sets = [c for k in range(2, n_q + 1) for c in itertools.combinations(range(n_q), k)]
    else:
        sets = [*itertools.combinations(range(n_q), 2), tuple(range(n_q))]
    found: list[tuple[int, str]] = []
    n_t = catalog.grid.n_slots
    for qs in sets:
        names = [queue_names[q] for q in qs]
        skilled = np.array([any(n in a.skills for n in names) for a in agents], dtype=bool)
        avail = reach[skilled].sum(axis=0)
        need = required[list(qs)].sum(axis=0)
        short = np.flatnonzero(need > avail)
        if not len(short):
            continue
        t = int(short[np.argmax(need[short] - avail[short])])
        first, last = t, t
        while first > 0 and need[first - 1] == need[t] and avail[first - 1] == avail[t] and (
                catalog.grid.day_of_slot(first - 1) == catalog.grid.day_of_slot(t)):
            first -= 1
        while last + 1 < n_t and need[last + 1] == need[t] and avail[last + 1] == avail[t] and (
                catalog.grid.day_of_slot(last + 1) == catalog.grid.day_of_slot(t)):
            last += 1
        found.append((int(need[t] - avail[t]),
                      f"{slot_label(catalog, first, last)}: {int(need[t])} agents required on "
                      f"{' and '.join(names)} together, only {int(avail[t])} available with "
                      "any of those skills (each agent works one queue at a time)"))
    return found
