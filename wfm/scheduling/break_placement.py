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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from wfm.errors import SolverError
from wfm.scheduling.coverage_model import (
    SCALE,
    CoverageVars,
    Expr,
    add_coverage,
    allocation_values,
)
from wfm.scheduling.linear_model import (
    IntegerProgram,
    NoSolutionError,
    solve_integer,
    solve_lp,
)
from wfm.scheduling.plan_layout import day_segments
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.threads import map_ordered

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
    wall_limit_hits: int = 0  # day models stopped by the wall-clock net
    deterministic_s: float = 0.0  # work done, in budget seconds


def place_breaks(catalog: ShiftCatalog, shift_of: np.ndarray,  # noqa: PLR0917
                 agent_priority: Sequence[Sequence[int]],
                 required: np.ndarray, rules: ShiftRules, queue_names: Sequence[str],
                 params: SolverParams, *,
                 plan_breaks: tuple[Sequence[int], np.ndarray] | None = None) -> PlacedBreaks:
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
    plan_breaks
        The stage-(a) group of each agent and the plan's agents on break per group and
        slot (n_groups, grid.n_slots); the hint fits breaks into that profile (the plan's
        implicit breaks guarantee one exists). Without it the day's LP is rounded.
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
    hits = 0
    work_s = 0.0
    day = _DaySolver(catalog, shift_of, group_of, group_queues, required, rules,
                     queue_names, params.scaled(1 / 7), plan_breaks)

    def apply(res: _DayResult | None) -> None:
        nonlocal wall, hits, work_s
        if res is None:
            return
        for a, kind, first, dur in res.marks:
            _mark(activity, a, first, dur, kind)
            breaks.setdefault((a, res.day), []).append((kind, first, dur))
        alloc_all[:, :, res.lo:res.hi] = res.alloc
        statuses.append(res.status)
        wall += res.wall_time_s
        hits += int(res.wall_limit_hit)
        work_s += res.deterministic_s

    if len(day_segments(catalog)) == 7:
        # No shift crosses midnight: the days share no slot, so they are solved side by
        # side (each reads only its own slots) and applied in order.
        for res in map_ordered(lambda d: day.solve(d, activity), list(range(7)),
                               params.workers):
            apply(res)
    else:
        # A day's window holds the night shifts of its neighbours: one after the other,
        # each seeing the breaks placed before it.
        for d in range(7):
            apply(day.solve(d, activity))
    for placed_breaks in breaks.values():
        placed_breaks.sort(key=lambda b: b[1])
    queue = _distribute(activity, group_of, group_queues, alloc_all, agent_priority, n_t)
    return PlacedBreaks(activity, queue, breaks, tuple(statuses), wall, hits, work_s)


@dataclass(frozen=True)
class _DayResult:
    """One day of stage (c): the breaks to mark (agent, kind, first slot, slots), the
    allocation of each group over the queues in the day's window, and the solver's
    status and work."""

    day: int
    lo: int
    hi: int
    marks: list[tuple[int, str, int, int]]
    alloc: np.ndarray
    status: str
    wall_time_s: float
    wall_limit_hit: bool
    deterministic_s: float


@dataclass(frozen=True)
class _DaySolver:
    """The day models of stage (c) (see :func:`place_breaks`)."""

    catalog: ShiftCatalog
    shift_of: np.ndarray
    group_of: np.ndarray
    group_queues: list[list[int]]
    required: np.ndarray
    rules: ShiftRules
    queue_names: Sequence[str]
    params: SolverParams
    plan_breaks: tuple[Sequence[int], np.ndarray] | None

    def solve(self, d: int, activity: np.ndarray) -> _DayResult | None:
        """Place day ``d``'s breaks; ``activity`` is read only (breaks of days placed
        before, shifts of days after still marked as work)."""
        catalog, shift_of, group_of = self.catalog, self.shift_of, self.group_of
        group_queues, required = self.group_queues, self.required
        n_t = catalog.grid.n_slots
        n_q = len(self.queue_names)
        under_cost, over_cost = self.rules.scaled_weights(self.queue_names, SCALE)
        todays = [(int(a), int(shift_of[a, d])) for a in np.flatnonzero(shift_of[:, d] >= 0)]
        if not todays:
            return None
        lo = min(int(catalog.start[i]) for _, i in todays)
        hi = min(max(int(catalog.end[i]) for _, i in todays), n_t)
        ip = IntegerProgram()
        options: list[tuple[int, str, int, int, np.ndarray]] = []  # agent, kind, slots, starts
        terms: dict[int, dict[int, list[int]]] = {}  # group -> slot -> break vars covering it
        marks: list[tuple[int, str, int, int]] = []
        for a, i in todays:
            sl = catalog.lengths[int(catalog.length[i])]
            start = int(catalog.start[i])
            g = int(group_of[a])
            for bw in sl.breaks:
                starts = np.arange(start + bw.earliest, start + bw.latest + 1)
                if g < 0 or not (lo <= starts[0] < hi):
                    # No coverage effect (no queue, or outside the week): the window's middle.
                    marks.append((a, bw.kind, int(starts[len(starts) // 2]), bw.duration))
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
        hint = _staggered_hint(ip, options, work, group_queues, cov, required[:, lo:hi],
                               under_cost, lambda a: int(group_of[a]), over_cost, lo,
                               self.plan_breaks)
        try:
            sol = solve_integer(ip, self.params, hint=hint)
            values, status, wall, hit, work_s = (sol.values, sol.status, sol.wall_time_s,
                                                 sol.wall_limit_hit, sol.deterministic_s)
        except NoSolutionError as exc:
            # No solution within the budget: the staggered hint is a valid placement.
            values, status, wall, hit, work_s = (hint, "HINT", 0.0, exc.wall_limit_hit,
                                                 exc.deterministic_s)
        for a, kind, dur, first_var, starts in options:
            chosen = int(np.flatnonzero(values[first_var:first_var + len(starts)])[0])
            marks.append((a, kind, int(starts[chosen]), dur))
        work_values = _work_values(values, work, len(group_queues), hi - lo)
        alloc = allocation_values(values, cov, work_values, group_queues, n_q)
        return _DayResult(d, lo, hi, marks, alloc, status, wall, hit, work_s)


def _work_values(values: np.ndarray, work: list[list[Expr]], n_groups: int,
                 n_slots: int) -> np.ndarray:
    return np.array([[int(np.dot(values[idx], coef)) + const if idx else const
                      for idx, coef, const in per_g] for per_g in work],
                    dtype=np.int64).reshape(n_groups, n_slots)


def _staggered_hint(ip: IntegerProgram, options: list[tuple[int, str, int, int, np.ndarray]],  # noqa: PLR0917
                    work: list[list[Expr]], group_queues: list[list[int]],
                    cov: CoverageVars, required: np.ndarray,
                    under_cost: Sequence[int], group_of: Callable[[int], int],
                    over_cost: Sequence[int], lo: int,
                    target: tuple[Sequence[int], np.ndarray] | None = None) -> np.ndarray:
    """A complete, feasible solution: breaks at the starts the day's LP favours and, with a
    plan, fitted to the plan's profile of agents on break, each polished by a local search,
    the cheaper kept; multi-skill agents poured slot by slot into the queue most short;
    shortfall and excess as they fall."""
    starts = []
    lp_values = np.zeros(ip.n_vars, dtype=np.int64)
    _round_lp(ip, lp_values, options, group_of)
    starts.append(lp_values)
    if target is not None:
        plan_values = np.zeros(ip.n_vars, dtype=np.int64)
        _follow_plan(plan_values, options, target)
        starts.append(plan_values)
    weight = np.asarray(under_cost, dtype=float)
    over_w = np.asarray(over_cost, dtype=float)
    best: tuple[float, np.ndarray] | None = None
    for values in starts:
        _complete(values, options, work, group_queues, cov, required, weight,
                  over_w, group_of, lo)
        cost = float(weight @ values[cov.under].sum(axis=1)) + float(
            over_w @ values[cov.over].sum(axis=1))
        if best is None or cost < best[0]:
            best = (cost, values)
    assert best is not None
    return best[1]


def _complete(values: np.ndarray, options: list[tuple[int, str, int, int, np.ndarray]],  # noqa: PLR0917
              work: list[list[Expr]], group_queues: list[list[int]], cov: CoverageVars,
              required: np.ndarray, weight: np.ndarray, over_cost: np.ndarray,
              group_of: Callable[[int], int], lo: int) -> None:
    """Given the break variables in ``values``, fill allocation, shortfall and excess (in
    place), after the local search on the breaks."""
    n_t = required.shape[1]
    scheduled = np.zeros_like(required)
    work_values = _work_values(values, work, len(group_queues), n_t)
    allocs: list[np.ndarray] = []
    for queues in group_queues:
        alloc = np.zeros((len(queues), n_t), dtype=np.int64)
        if len(queues) == 1:
            alloc[0] = work_values[len(allocs)]
            scheduled[queues[0]] += alloc[0]
        allocs.append(alloc)
    for g in sorted(range(len(group_queues)), key=lambda g: len(group_queues[g])):
        queues = group_queues[g]
        if len(queues) == 1:
            continue
        for t in range(n_t):
            for _ in range(int(work_values[g, t])):
                short = [(required[q, t] - scheduled[q, t]) * weight[q] for q in queues]
                j = int(np.argmax(short)) if max(short) > 0 else 0
                allocs[g][j, t] += 1
                scheduled[queues[j], t] += 1
    _improve_breaks(values, options, group_of, group_queues, allocs, scheduled, required,
                    weight, over_cost, lo)
    for g, queues in enumerate(group_queues):
        if len(queues) > 1:
            for j, q in enumerate(queues):
                values[cov.alloc[(g, q)]] = allocs[g][j]
    values[cov.under] = np.maximum(required - scheduled, 0)
    values[cov.over] = np.maximum(scheduled - required, 0)


def _round_lp(ip: IntegerProgram, values: np.ndarray,
              options: list[tuple[int, str, int, int, np.ndarray]],
              group_of: Callable[[int], int]) -> None:
    """Breaks at the starts the day's LP relaxation favours. Breaks of one class (same
    group, window and kind) are interchangeable: the LP's total per start of the class is
    rounded (largest remainders) and the starts handed out in turn."""
    try:
        lp: np.ndarray | None = solve_lp(ip).values
    except SolverError:  # pragma: no cover - the day LP is always feasible
        lp = None
    classes: dict[tuple[int, int, int, str], list[int]] = {}
    for k, (a, kind, _, _, starts) in enumerate(options):
        classes.setdefault((group_of(a), int(starts[0]), len(starts), kind), []).append(k)
    for members in classes.values():
        n_opt = len(options[members[0]][4])
        if lp is None:
            counts = np.bincount(np.arange(len(members)) % n_opt, minlength=n_opt)
        else:
            total = np.zeros(n_opt)
            for k in members:
                first_var = options[k][3]
                total += lp[first_var:first_var + n_opt]
            counts = _round_preserving(total, len(members))
        picks = np.repeat(np.arange(n_opt), counts)
        for k, pick in zip(members, picks.tolist(), strict=True):
            values[options[k][3] + pick] = 1


def _follow_plan(values: np.ndarray, options: list[tuple[int, str, int, int, np.ndarray]],
                 target: tuple[Sequence[int], np.ndarray]) -> None:
    """Breaks fitted into the weekly plan's profile of agents on break per plan group and
    slot, earliest deadline first: each break takes the start where the plan still expects
    most of its group's agents on break."""
    plan_group, profile = target
    remaining = profile.astype(float)
    n_t = remaining.shape[1]
    order = sorted(range(len(options)), key=lambda k: (int(options[k][4][-1]),
                                                      int(options[k][4][0])))
    for k in order:
        a, _, dur, first_var, starts = options[k]
        pg = int(plan_group[a])
        best, pick = -np.inf, 0
        for j, s0 in enumerate(starts.tolist()):
            score = float(remaining[pg, max(s0, 0):min(s0 + dur, n_t)].sum())
            if score > best:
                best, pick = score, j
        s0 = int(starts[pick])
        remaining[pg, max(s0, 0):min(s0 + dur, n_t)] -= 1
        values[first_var + pick] = 1


def _improve_breaks(values: np.ndarray, options: list[tuple[int, str, int, int, np.ndarray]],  # noqa: PLR0917
                    group_of: Callable[[int], int], group_queues: list[list[int]],
                    allocs: list[np.ndarray], scheduled: np.ndarray, required: np.ndarray,
                    under_w: np.ndarray, over_w: np.ndarray, lo: int, passes: int = 6) -> None:
    """Local search in place: move single breaks to the start in their window that lowers
    weighted under- plus over-staffing most, the agent leaving / rejoining whichever of its
    group's queues gains most (rounding the LP leaves such moves on the table)."""
    n_t = required.shape[1]

    def remove(g: int, t: int) -> tuple[float, int]:
        best, pick = np.inf, -1
        for j, q in enumerate(group_queues[g]):
            if allocs[g][j, t] > 0:
                d = under_w[q] if scheduled[q, t] <= required[q, t] else -over_w[q]
                if d < best:
                    best, pick = d, j
        return best, pick

    def add(g: int, t: int) -> tuple[float, int]:
        best, pick = np.inf, -1
        for j, q in enumerate(group_queues[g]):
            d = -under_w[q] if scheduled[q, t] < required[q, t] else over_w[q]
            if d < best:
                best, pick = d, j
        return best, pick

    def apply(g: int, t: int, j: int, step: int) -> None:
        allocs[g][j, t] += step
        scheduled[group_queues[g][j], t] += step

    for _ in range(passes):
        moved = False
        for a, _, dur, first_var, starts in options:
            g = group_of(a)
            n_opt = len(starts)
            cur = int(np.flatnonzero(values[first_var:first_var + n_opt])[0])
            old = {int(starts[cur]) + k - lo for k in range(dur)}
            best_delta, best_opt = -1e-9, -1
            for opt in range(n_opt):
                if opt == cur:
                    continue
                new = {int(starts[opt]) + k - lo for k in range(dur)}
                delta = 0.0
                for t in old - new:
                    if 0 <= t < n_t:
                        delta += add(g, t)[0]
                for t in new - old:
                    if 0 <= t < n_t:
                        delta += remove(g, t)[0]
                if delta < best_delta:
                    best_delta, best_opt = delta, opt
            if best_opt < 0:
                continue
            new = {int(starts[best_opt]) + k - lo for k in range(dur)}
            for t in sorted(old - new):
                if 0 <= t < n_t:
                    apply(g, t, add(g, t)[1], 1)
            for t in sorted(new - old):
                if 0 <= t < n_t:
                    apply(g, t, remove(g, t)[1], -1)
            values[first_var + cur] = 0
            values[first_var + best_opt] = 1
            moved = True
        if not moved:
            break


def _round_preserving(values: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers summing to ``total``, each within 1 of ``values`` when those sum
    to ``total`` (largest-remainder rounding)."""
    v = np.clip(values, 0, None)
    v = v * (total / v.sum()) if v.sum() > 0 else np.full(len(v), total / len(v))
    out = np.floor(v + 1e-9).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(v - out), kind="stable")[:rest]] += 1
    return out


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
