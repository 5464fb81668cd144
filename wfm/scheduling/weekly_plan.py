"""Stage (a): how many agents of each group start each shift, with implicit breaks.

Integer program per week (Bechtold & Jacobs 1990 implicit break placement): for each
group and shift length, ``P[t]`` counts shifts started up to slot ``t`` (so the shifts
starting at ``t`` are ``P[t] - P[t-1]``); for each break of that length, ``Q[t]`` counts
breaks started up to ``t``. Breaks can be given to shifts inside their windows exactly
when, for every ``t``, the shifts started up to ``t`` have had as many breaks started by
their latest break slot (forward) and the breaks started before a shift's earliest slot
do not outnumber the shifts started before it (backward), with equal totals. Both hold
for windows at a fixed offset from the start, so windows never overlap extraordinarily.

References
----------
Bechtold, S. E., & Jacobs, L. W. (1990). Implicit modeling of flexible break assignments
in optimal shift scheduling. Management Science, 36(11), 1339-1351.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.coverage_model import (
    SCALE,
    Expr,
    add_coverage,
    allocation_values,
    objective_parts,
)
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.linear_model import IntegerProgram, solve_integer, solve_lp
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.solver_params import SolverParams


@dataclass(frozen=True)
class WeeklyPlan:
    """Result of stage (a).

    ``shifts[g, i]`` agents of group ``g`` on catalog shift ``i``; ``alloc[g, q, t]``
    agents of group ``g`` working queue ``q`` in slot ``t`` (breaks removed);
    ``objective`` and ``lp_bound`` in weighted agent-hours.
    """

    status: str
    shifts: np.ndarray
    alloc: np.ndarray
    under: np.ndarray
    over: np.ndarray
    objective: float
    lp_bound: float
    cp_bound: float
    parts: dict[str, float]
    wall_time_s: float

    @property
    def bound(self) -> float:
        return max(self.lp_bound, self.cp_bound)

    @property
    def gap(self) -> float:
        """Relative gap to the best bound (0-1)."""
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    if objective <= 1e-9:
        return 0.0
    return max(0.0, (objective - bound) / objective)


def prune_shifts(catalog: ShiftCatalog, required: np.ndarray, queues: Sequence[int],
                 caps: np.ndarray | None = None) -> np.ndarray:
    """Shifts worth offering a group (weak dominance, one hour slides).

    A shift with some requirement on the group's queues is kept unless (1) its first hour
    has none and the same shift one hour later exists (that one covers everything it
    covers, and more or the same excess), or (2) its last hour has none and the shift one
    hour earlier exists and has requirement in its first hour. Rule (2) defers to rule (1),
    so the two never prune a shift and its only replacement together.
    """
    need = required[list(queues)].sum(axis=0) > 0
    n_t = need.shape[0]
    cum = np.concatenate([[0], np.cumsum(need)])
    per_h = 60 // catalog.grid.slot_minutes
    s, e = catalog.start, catalog.end

    def any_need(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo_c, hi_c = np.clip(lo, 0, n_t), np.clip(hi, 0, n_t)
        found: np.ndarray = (cum[hi_c] - cum[lo_c]) > 0
        return found

    open_ = np.ones(catalog.n_shifts, dtype=bool) if caps is None else caps > 0
    where = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(s, catalog.length,
                                                                  strict=True)) if open_[i]}
    later = np.array([where.get((int(a) + per_h, int(b)), -1)
                      for a, b in zip(s, catalog.length, strict=True)])
    earlier = np.array([where.get((int(a) - per_h, int(b)), -1)
                        for a, b in zip(s, catalog.length, strict=True)])
    first_need = any_need(s, s + per_h)
    last_need = any_need(e - per_h, e)
    rule1 = ~first_need & (later >= 0)
    rule2 = ~last_need & (earlier >= 0) & first_need[np.maximum(earlier, 0)]
    kept: np.ndarray = any_need(s, e) & ~rule1 & ~rule2
    return kept


def pruned_caps(catalog: ShiftCatalog, caps: np.ndarray, required: np.ndarray,
                queues: Sequence[int], *, keep_days: bool = False) -> np.ndarray:
    """``caps`` with dominated shifts set to 0. With ``keep_days`` (a group with a contract
    minimum), a day and length that pruning would empty keeps its widest-open shift, so
    the minimum stays reachable."""
    out = np.where(prune_shifts(catalog, required, queues, caps), caps, 0)
    if not keep_days:
        return out
    key = catalog.day * len(catalog.lengths) + catalog.length
    for k in np.unique(key[caps > 0]):
        sel = np.flatnonzero(key == k)
        if not (out[sel] > 0).any():
            best = sel[int(np.argmax(caps[sel]))]
            out[best] = caps[best]
    return out


def solve_weekly_plan(catalog: ShiftCatalog, groups: Sequence[AgentGroup],  # noqa: PLR0917
                      queue_names: Sequence[str], required: np.ndarray, rules: ShiftRules,
                      params: SolverParams, *, prune: bool = True) -> WeeklyPlan:
    """Build and solve stage (a); also solve its LP relaxation for the bound.

    Parameters
    ----------
    required
        Agents required per queue and slot, integer array (n_queues, grid.n_slots).
    """
    grid = catalog.grid
    horizon, n_t = grid.horizon, grid.n_slots
    slot_h = grid.slot_minutes / 60
    ip = IntegerProgram()
    qidx = {q: i for i, q in enumerate(queue_names)}
    prefix: dict[tuple[int, int], np.ndarray] = {}
    work: list[list[Expr]] = []
    paid_cost = [round(rules.cost_per_paid_hour * sl.paid_h / slot_h * SCALE)
                 for sl in catalog.lengths]
    for g, grp in enumerate(groups):
        caps = grp.shift_cap.copy()
        if prune:
            caps = pruned_caps(catalog, caps, required, [qidx[q] for q in grp.queues],
                               keep_days=grp.min_shifts > 0 or grp.min_paid_h > 0)
        size = len(grp.members)
        bound_total = int(min(grp.max_shifts, size * 7))
        w_idx: list[list[int]] = [[] for _ in range(horizon)]
        w_coef: list[list[int]] = [[] for _ in range(horizon)]
        for li, sl in enumerate(catalog.lengths):
            cap_t = np.zeros(horizon, dtype=np.int64)
            sel = catalog.length == li
            cap_t[catalog.start[sel]] = caps[sel]
            if cap_t.sum() == 0:
                continue
            p = ip.add_vars(horizon, 0, bound_total)
            prefix[(g, li)] = p
            ip.cost[int(p[-1])] += paid_cost[li]
            ip.add_row([int(p[0])], [1], 0, int(cap_t[0]))
            for t in range(1, horizon):
                ip.add_row([int(p[t]), int(p[t - 1])], [1, -1], 0, int(cap_t[t]))
            for t in range(horizon):
                w_idx[t].append(int(p[t]))
                w_coef[t].append(1)
                if t - sl.n_slots >= 0:
                    w_idx[t].append(int(p[t - sl.n_slots]))
                    w_coef[t].append(-1)
            starts = np.flatnonzero(cap_t)
            for bw in sl.breaks:
                can = np.zeros(horizon, dtype=bool)
                for k in range(bw.earliest, bw.latest + 1):
                    can[np.clip(starts + k, 0, horizon - 1)] = True
                qv = ip.add_vars(horizon, 0, bound_total)
                ip.add_row([int(qv[0])], [1], 0, bound_total if can[0] else 0)
                for t in range(1, horizon):
                    ip.add_row([int(qv[t]), int(qv[t - 1])], [1, -1], 0,
                               bound_total if can[t] else 0)
                ip.add_row([int(p[-1]), int(qv[-1])], [1, -1], 0, 0)
                for t in range(horizon):
                    late = min(t + bw.latest, horizon - 1)
                    ip.add_row([int(p[t]), int(qv[late])], [1, -1], upper=0)  # forward
                    early = t + bw.earliest - 1
                    if early >= 0:
                        back = [int(qv[min(early, horizon - 1)])]
                        coef = [1]
                        if t >= 1:
                            back.append(int(p[t - 1]))
                            coef.append(-1)
                        ip.add_row(back, coef, upper=0)  # backward
                for t in range(horizon):
                    w_idx[t].append(int(qv[t]))
                    w_coef[t].append(-1)
                    if t - bw.duration >= 0:
                        w_idx[t].append(int(qv[t - bw.duration]))
                        w_coef[t].append(1)
        work.append([(w_idx[t], w_coef[t], 0) for t in range(n_t)])
        _add_group_totals(ip, g, grp, catalog, prefix)
    under_cost = [round(rules.under_weight(q) * SCALE) for q in queue_names]
    over_cost = round(rules.overstaffing_weight * SCALE)
    cov = add_coverage(ip, work, [[qidx[q] for q in grp.queues] for grp in groups],
                       [len(grp.members) for grp in groups], required, under_cost, over_cost)
    lp_sol = solve_lp(ip)
    lp = lp_sol.bound
    # The LP of this model is nearly integral: its rounding is an excellent hint.
    sol = solve_integer(ip, params, hint=np.round(lp_sol.values), lower_bound=lp)
    shifts = np.zeros((len(groups), catalog.n_shifts), dtype=np.int64)
    work_values = np.zeros((len(groups), n_t), dtype=np.int64)
    for (g, li), p in prefix.items():
        pv = sol.values[p]
        starts = np.diff(np.concatenate([[0], pv]))
        sel = np.flatnonzero(catalog.length == li)
        shifts[g, sel] = starts[catalog.start[sel]]
    for g in range(len(groups)):
        for t in range(n_t):
            idx, coef, _ = work[g][t]
            work_values[g, t] = int(np.dot(sol.values[idx], coef)) if idx else 0
    alloc = allocation_values(sol.values, cov, work_values,
                              [[qidx[q] for q in grp.queues] for grp in groups],
                              len(queue_names))
    under, over = sol.values[cov.under], sol.values[cov.over]
    paid_h = float((shifts * catalog.paid_h).sum())
    parts = objective_parts(under, over, paid_h, [rules.under_weight(q) for q in queue_names],
                            rules.overstaffing_weight, rules.cost_per_paid_hour, slot_h)
    to_hours = slot_h / SCALE
    return WeeklyPlan(sol.status, shifts, alloc, under, over, parts["objective"], lp * to_hours,
                      sol.bound * to_hours, parts, sol.wall_time_s)


def _add_group_totals(ip: IntegerProgram, g: int, grp: AgentGroup, catalog: ShiftCatalog,
                      prefix: dict[tuple[int, int], np.ndarray]) -> None:
    """Per-day availability and weekly contract totals of a group."""
    first = catalog.grid.day_first_slot
    mine = [(li, p) for (gg, li), p in prefix.items() if gg == g]
    if not mine:
        return
    days: list[tuple[list[int], list[int]]] = []
    for d in range(7):
        idx: list[int] = []
        coef: list[int] = []
        for _, p in mine:
            idx.append(int(p[first[d + 1] - 1] if d < 6 else p[-1]))
            coef.append(1)
            if first[d] > 0:
                idx.append(int(p[first[d] - 1]))
                coef.append(-1)
        ip.add_row(idx, coef, upper=int(grp.day_cap[d]))
        days.append((idx, coef))
    _add_day_subsets(ip, grp, days)
    totals = [int(p[-1]) for _, p in mine]
    paid_min = [round(catalog.lengths[li].paid_h * 60) for li, _ in mine]
    ip.add_row(totals, paid_min, round(grp.min_paid_h * 60), round(grp.max_paid_h * 60))
    ip.add_row(totals, 1, grp.min_shifts, grp.max_shifts)


def _add_day_subsets(ip: IntegerProgram, grp: AgentGroup,
                     days: list[tuple[list[int], list[int]]]) -> None:
    """Hall conditions of the members' days: for every set S of days, the group's shifts
    on S are at most what its members can work on S (``sum min(max_days, |avail & S|)``)
    and at least what their minimum days force onto S. Without them the plan may ask one
    day of agents that are the same agents as another day's."""
    if grp.member_days is None or grp.member_min_days is None or grp.member_max_days is None:
        return
    avail = grp.member_days.astype(np.int64)
    for mask in range(1, 128):
        in_s = np.array([(mask >> d) & 1 for d in range(7)], dtype=bool)
        inside = avail[:, in_s].sum(axis=1)
        outside = avail[:, ~in_s].sum(axis=1)
        upper = int(np.minimum(grp.member_max_days, inside).sum())
        lower = int(np.maximum(grp.member_min_days - outside, 0).sum())
        if upper >= int(grp.day_cap[in_s].sum()) and lower <= 0:
            continue
        idx = [i for d in np.flatnonzero(in_s) for i in days[d][0]]
        coef = [c for d in np.flatnonzero(in_s) for c in days[d][1]]
        ip.add_row(idx, coef, lower if lower > 0 else -float("inf"), upper)
