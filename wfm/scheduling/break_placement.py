"""Stage (c): exact break and lunch times of every agent, day by day, keeping coverage.

For the shifts starting on one local day, one small integer program chooses each break's
start inside its window (a 0/1 variable per possible start) and splits multi-skill agents
over their queues (through :func:`~wfm.scheduling.coverage_model.add_coverage`, so an agent
counts on exactly one queue per slot), minimising weighted under- and over-staffing.
Shifts of other days that overlap the day enter as constants: breaks already placed on
earlier days are known; a later day's shifts count as working until their own day is
solved, and that later solve, knowing everything before it, decides the shared slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.coverage_model import SCALE, Expr, add_coverage, allocation_values
from wfm.scheduling.linear_model import IntegerProgram, solve_integer
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.solver_params import SolverParams

WORK, BREAK, LUNCH, OFF = 0, 1, 2, -1


@dataclass(frozen=True)
class PlacedBreaks:
    """Result of stage (c) over the horizon of the week's grid.

    ``activity[a, t]``: OFF, WORK, BREAK or LUNCH of agent ``a`` in slot ``t``;
    ``queue[a, t]``: index of the queue worked (into the requirement queues), -1 when not
    working on a queue with requirements; ``breaks[(a, d)]`` the (kind, first slot,
    slots) of each break of the shift starting on day ``d``.
    """

    activity: np.ndarray
    queue: np.ndarray
    breaks: dict[tuple[int, int], list[tuple[str, int, int]]]
    statuses: tuple[str, ...]
    wall_time_s: float


def place_breaks(catalog: ShiftCatalog, shift_of: np.ndarray,  # noqa: PLR0917
                 agent_priority: Sequence[Sequence[int]],
                 required: np.ndarray, rules: ShiftRules, queue_names: Sequence[str],
                 params: SolverParams) -> PlacedBreaks:
    """Place every break and give every working slot a queue.

    Parameters
    ----------
    shift_of
        (n_agents, 7) catalog shift per agent and day, -1 when off (stage b).
    agent_priority
        Requirement-queue indices each agent can serve, most preferred first (skill
        priority); empty: counted on no queue.
    required
        Whole agents required, (n_queues, grid.n_slots).
    """
    grid = catalog.grid
    n_agents, horizon, n_t = shift_of.shape[0], grid.horizon, grid.n_slots
    activity = np.full((n_agents, horizon), OFF, dtype=np.int8)
    for a, d in zip(*np.nonzero(shift_of >= 0), strict=True):
        i = int(shift_of[a, d])
        activity[a, int(catalog.start[i]):int(catalog.end[i])] = WORK
    group_key: dict[tuple[int, ...], int] = {}
    group_of = np.full(n_agents, -1, dtype=np.int64)
    # Agents sharing their queues in the same order of preference are interchangeable.
    for a, qs in enumerate(agent_priority):
        if qs:
            group_of[a] = group_key.setdefault(tuple(qs), len(group_key))
    group_queues = [list(k) for k in group_key]
    n_q = len(queue_names)
    alloc_all = np.zeros((len(group_queues), n_q, n_t), dtype=np.int64)
    breaks: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    statuses: list[str] = []
    wall = 0.0
    under_cost = [round(rules.under_weight(q) * SCALE) for q in queue_names]
    over_cost = round(rules.overstaffing_weight * SCALE)
    day_params = params.scaled(1 / 7)
    for d in range(7):
        todays = [(int(a), int(shift_of[a, d])) for a in np.flatnonzero(shift_of[:, d] >= 0)]
        if not todays:
            continue
        lo = min(int(catalog.start[i]) for _, i in todays)
        hi = min(max(int(catalog.end[i]) for _, i in todays), n_t)
        ip = IntegerProgram()
        options: list[tuple[int, str, int, int, np.ndarray]] = []  # agent, kind, slots, starts
        terms: dict[int, dict[int, list[int]]] = {}  # group -> slot -> break vars covering it
        for a, i in todays:
            sl = catalog.lengths[int(catalog.length[i])]
            start = int(catalog.start[i])
            g = int(group_of[a])
            for bw in sl.breaks:
                starts = np.arange(start + bw.earliest, start + bw.latest + 1)
                if g < 0 or not (lo <= starts[0] < hi):
                    # No coverage effect (no queue, or outside the week): the window's middle.
                    first = int(starts[len(starts) // 2])
                    _mark(activity, a, first, bw.duration, bw.kind)
                    breaks.setdefault((a, d), []).append((bw.kind, first, bw.duration))
                    continue
                vars_ = ip.add_vars(len(starts), 0, 1)
                ip.add_row(vars_, 1, 1, 1)
                options.append((a, bw.kind, bw.duration, int(vars_[0]), starts))
                per_slot = terms.setdefault(g, {})
                for v, s in zip(vars_.tolist(), starts.tolist(), strict=True):
                    for t in range(s, min(s + bw.duration, hi)):
                        per_slot.setdefault(t, []).append(v)
        work: list[list[Expr]] = []
        sizes = []
        window = range(lo, hi)
        for g in range(len(group_queues)):
            members = group_of == g
            # Today's breaks are not marked yet: their shifts count as working, less the
            # break variables of the expression.
            busy = (activity[members, lo:hi] == WORK).sum(axis=0)
            work.append([(terms.get(g, {}).get(t, []), [-1] * len(terms.get(g, {}).get(t, [])),
                          int(busy[t - lo])) for t in window])
            sizes.append(int(members.sum()))
        cov = add_coverage(ip, work, group_queues, sizes, required[:, lo:hi], under_cost,
                           over_cost)
        for (g, q), alloc_vars in cov.alloc.items():
            rank = group_queues[g].index(q)
            for v in alloc_vars.tolist():
                ip.cost[v] += rank  # a secondary skill only when coverage gains nothing
        sol = solve_integer(ip, day_params)
        statuses.append(sol.status)
        wall += sol.wall_time_s
        for a, kind, dur, first_var, starts in options:
            chosen = int(np.flatnonzero(sol.values[first_var:first_var + len(starts)])[0])
            first = int(starts[chosen])
            _mark(activity, a, first, dur, kind)
            breaks.setdefault((a, d), []).append((kind, first, dur))
        work_values = np.array([[int(np.dot(sol.values[idx], coef)) + const if idx else const
                                 for idx, coef, const in per_g] for per_g in work],
                               dtype=np.int64).reshape(len(group_queues), hi - lo)
        alloc_all[:, :, lo:hi] = allocation_values(sol.values, cov, work_values, group_queues,
                                                   n_q)
    for placed_breaks in breaks.values():
        placed_breaks.sort(key=lambda b: b[1])
    queue = _distribute(activity, group_of, group_queues, alloc_all, agent_priority, n_t)
    return PlacedBreaks(activity, queue, breaks, tuple(statuses), wall)


def _mark(activity: np.ndarray, a: int, first: int, slots: int, kind: str) -> None:
    activity[a, first:first + slots] = LUNCH if kind == "lunch" else BREAK


def _distribute(activity: np.ndarray, group_of: np.ndarray, group_queues: list[list[int]],  # noqa: PLR0917
                alloc: np.ndarray, agent_priority: Sequence[Sequence[int]],
                n_t: int) -> np.ndarray:
    """Give each working agent a queue so each group's counts match the allocation; agents
    keep the queue of the previous slot when they can, otherwise their preferred one."""
    queue = np.full(activity.shape, -1, dtype=np.int64)
    for g, queues in enumerate(group_queues):
        members = np.flatnonzero(group_of == g)
        if not queues or not len(members):
            continue
        for t in range(n_t):
            working = [int(a) for a in members if activity[a, t] == WORK]
            if not working:
                continue
            if len(queues) == 1:
                queue[working, t] = queues[0]
                continue
            left = {q: int(alloc[g, q, t]) for q in queues}
            todo = []
            for a in working:
                prev = int(queue[a, t - 1]) if t > 0 else -1
                if prev in left and left[prev] > 0:
                    queue[a, t] = prev
                    left[prev] -= 1
                else:
                    todo.append(a)
            for a in todo:
                pick = next((q for q in agent_priority[a] if left.get(q, 0) > 0), None)
                if pick is None:
                    pick = max(left, key=lambda q: left[q])
                queue[a, t] = pick
                left[pick] -= 1
    return queue
