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

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from wfm.errors import SolverError
from wfm.scheduling.contract_cuts import contract_cuts
from wfm.scheduling.coverage_model import (
    SCALE,
    CoverageVars,
    Expr,
    add_coverage,
    allocation_values,
    objective_parts,
)
from wfm.scheduling.day_split_cuts import DaySplit, day_split
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.linear_model import (
    IntegerProgram,
    row_matrix,
    solve_integer,
    solve_lp,
    violation,
)
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog, ShiftLength
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


def day_segments(catalog: ShiftCatalog) -> list[tuple[int, int]]:
    """Slot ranges whose shifts (and their breaks) start and end inside the range: the
    seven days when no shift runs past midnight, else the whole horizon. Counting starts
    per segment keeps the days apart in the model, so a day can be re-solved alone."""
    first = np.asarray(catalog.grid.day_first_slot)
    if catalog.n_shifts and bool((catalog.end > first[catalog.day + 1]).any()):
        return [(0, catalog.grid.horizon)]
    return [(int(first[d]), int(first[d + 1])) for d in range(7)]


@dataclass(frozen=True)
class _GroupDays:
    """A group's shifts per length and day as linear expressions of the prefix counts
    (``exprs[k][d]``: length ``k`` of ``split``, day ``d``), for the day-split rows."""

    split: DaySplit
    exprs: list[list[tuple[list[int], list[int]]]]

    def counts(self, values: np.ndarray) -> np.ndarray:
        return np.array([[float(np.dot(values[idx], coef)) if idx else 0.0
                          for idx, coef in row] for row in self.exprs])

    def add_row(self, ip: IntegerProgram, w: np.ndarray, beta: int) -> None:
        idx = [i for k, row in enumerate(self.exprs) for d, (ii, _) in enumerate(row)
               if w[k, d] for i in ii]
        coef = [int(w[k, d]) * c for k, row in enumerate(self.exprs)
                for d, (_, cc) in enumerate(row) if w[k, d] for c in cc]
        if idx:
            ip.add_row(idx, coef, beta)


@dataclass
class _Layout:
    """Where the variables of stage (a) sit: prefix counts per (group, length) over the
    horizon (-1 where none), and the slot of every variable (for day neighbourhoods)."""

    prefix: dict[tuple[int, int], np.ndarray]
    seg_first: np.ndarray  # True at the first slot of each segment
    slot_parts: list[tuple[np.ndarray, np.ndarray]]
    n_prefix_parts: int = 0  # the first parts are prefix counts (shifts and breaks)
    group_days: list[_GroupDays] = field(default_factory=list)

    def add_day_split_rows(self, ip: IntegerProgram, values: np.ndarray) -> int:
        """Separate ``values`` against every group's day-split rows (valid, see
        day_split_cuts); add the violated rows found to ``ip`` and return how many."""
        added = 0
        for gd in self.group_days:
            cut = gd.split.separate(gd.counts(values))
            if cut is not None:
                gd.add_row(ip, *cut)
                added += 1
        return added

    def var_slots(self, n_vars: int) -> np.ndarray:
        out = np.full(n_vars, -1, dtype=np.int64)
        for idx, slots in self.slot_parts:
            out[idx] = slots
        return out

    def starts(self, values: np.ndarray, key: tuple[int, int]) -> np.ndarray:
        """Shifts started in each slot, from the prefix counts."""
        p = self.prefix[key]
        pv = np.where(p >= 0, values[np.maximum(p, 0)], 0)
        prev = np.concatenate([[0], pv[:-1]])
        prev[self.seg_first] = 0
        out: np.ndarray = pv - prev
        return out


def solve_weekly_plan(catalog: ShiftCatalog, groups: Sequence[AgentGroup],  # noqa: PLR0917
                      queue_names: Sequence[str], required: np.ndarray, rules: ShiftRules,
                      params: SolverParams, *, prune: bool = True) -> WeeklyPlan:
    """Build and solve stage (a); also solve its LP relaxation for the bound.

    The search: the LP relaxation (GLOP) gives the bound; its prefix counts, rounded by a
    common monotone rule, keep every ordering row of the implicit-break model and give a
    first integer plan; CP-SAT then re-solves one day at a time with the rest fixed
    (large-neighbourhood search, the days being nearly independent) and finally the whole
    week, hinted with the best plan, for what time is left. Before each step the plan in
    hand is checked against every group's day-split rows (valid rows on its shifts per
    length and day, :mod:`wfm.scheduling.day_split_cuts`); those it breaks join the model,
    so the plan ends up splittable into members' weeks of one shift a day.

    Parameters
    ----------
    required
        Agents required per queue and slot, integer array (n_queues, grid.n_slots).
    """
    clock = time.perf_counter()
    grid = catalog.grid
    n_t = grid.n_slots
    slot_h = grid.slot_minutes / 60
    ip = IntegerProgram()
    qidx = {q: i for i, q in enumerate(queue_names)}
    group_queues = [[qidx[q] for q in grp.queues] for grp in groups]
    layout, work = _build_shift_rows(
        ip, catalog, groups, group_queues=group_queues, required=required, rules=rules,
        prune=prune)
    under_cost, over_cost = rules.scaled_weights(queue_names, SCALE)
    cov = add_coverage(ip, work, group_queues, [len(grp.members) for grp in groups], required,
                       under_cost, over_cost)
    layout.n_prefix_parts = len(layout.slot_parts)
    layout.slot_parts += [(cov.under.ravel(), np.tile(np.arange(n_t), len(queue_names))),
                          (cov.over.ravel(), np.tile(np.arange(n_t), len(queue_names)))]
    layout.slot_parts += [(a, np.arange(n_t)) for a in cov.alloc.values()]
    rows = row_matrix(ip)
    simplex = ip.n_vars <= LP_SIMPLEX_MAX_VARS
    lp_share = LP_SIMPLEX_SHARE if simplex else LP_PDLP_SHARE
    lp_sol = solve_lp(ip, time_limit_s=max(lp_share * params.time_limit_s, LP_MIN_S),
                      simplex=simplex)
    _monotone_prefixes(lp_sol.values, layout, ip)
    lp = lp_sol.bound
    values = _rounded_plan(ip, rows, lp_sol.values, cov=cov, work=work,
                           group_queues=group_queues, required=required)
    def separate(vals: np.ndarray) -> int:
        return layout.add_day_split_rows(ip, vals)

    days = np.asarray(grid.day_first_slot)
    var_day = np.clip(np.searchsorted(days, layout.var_slots(ip.n_vars), side="right") - 1, 0, 6)
    shares = ((1.0,) if sum(len(grp.members) for grp in groups) <= WHOLE_WEEK_MAX_AGENTS
              else (FIRST_SHARE, LNS_SHARE, 1.0 - FIRST_SHARE - LNS_SHARE))
    values, cp_status, cp_bound, cp_time = _search(ip, rows, values, var_day, params=params,
                                                   started=clock, shares=shares, lp_bound=lp,
                                                   lp_values=lp_sol.values,
                                                   separate=separate)
    shifts = np.zeros((len(groups), catalog.n_shifts), dtype=np.int64)
    work_values = _work_values(values, work, len(groups), n_t)
    for (g, li), _ in layout.prefix.items():
        starts = layout.starts(values, (g, li))
        sel = np.flatnonzero(catalog.length == li)
        shifts[g, sel] = starts[catalog.start[sel]]
    alloc = allocation_values(values, cov, work_values, group_queues, len(queue_names))
    # A time-limited search may leave shortfall and excess in one slot when excess is
    # free; report the net of the two (it can only lower the objective).
    net = required - alloc.sum(axis=0)
    under, over = np.maximum(net, 0), np.maximum(-net, 0)
    paid_h = float((shifts * catalog.paid_h).sum())
    parts = objective_parts(under, over, paid_h, *rules.weights(queue_names),
                            rules.cost_per_paid_hour, slot_h)
    to_hours = slot_h / SCALE
    return WeeklyPlan(cp_status, shifts, alloc, under, over, parts["objective"], lp * to_hours,
                      cp_bound * to_hours, parts, cp_time)


LP_SIMPLEX_SHARE = 0.15  # of the time limit for the simplex before PDLP takes over
LP_MIN_S = 10.0  # at least this for the LP (simplex or PDLP), whatever the share
# PDLP stops as soon as it converges; a large week (55k variables: 90 agents in 37 groups)
# needs 15-20 s, and its plan and bound are only as good as its convergence.
LP_PDLP_SHARE = 0.5
# Measured: GLOP takes ~2 s at 5k variables, over 120 s at 32k-45k (multi-skill weeks).
LP_SIMPLEX_MAX_VARS = 25_000
FIRST_SHARE = 0.05  # of the time limit: the whole week, hinted (small weeks end here, proved)
LNS_SHARE = 0.85  # of the time limit: the day-by-day search; the rest for a last whole-week run
WHOLE_WEEK_MAX_AGENTS = 50  # up to this many agents CP-SAT takes the whole week at once
LNS_PASSES = 8  # sweeps over the seven days at most (deterministic with one worker)
LNS_CALLS_PER_DAY = 4  # the LNS budget is split into this many calls per day
ROUNDING_OFFSETS = (0.5, 0.6, 0.7, 0.8, 0.9)


def _build_shift_rows(ip: IntegerProgram, catalog: ShiftCatalog, groups: Sequence[AgentGroup],
                      *, group_queues: Sequence[Sequence[int]], required: np.ndarray,
                      rules: ShiftRules, prune: bool) -> tuple[_Layout, list[list[Expr]]]:
    """Prefix-count variables of shifts and breaks per group, length and day segment."""
    grid = catalog.grid
    horizon, n_t = grid.horizon, grid.n_slots
    slot_h = grid.slot_minutes / 60
    segments = day_segments(catalog)
    seg_first = np.zeros(horizon, dtype=bool)
    seg_first[[a for a, _ in segments]] = True
    layout = _Layout({}, seg_first, [])
    work: list[list[Expr]] = []
    paid_cost = [round(rules.cost_per_paid_hour * sl.paid_h / slot_h * SCALE)
                 for sl in catalog.lengths]
    for g, grp in enumerate(groups):
        caps = grp.shift_cap.copy()
        if prune:
            caps = pruned_caps(catalog, caps, required, group_queues[g],
                               keep_days=grp.min_shifts > 0 or grp.min_paid_h > 0)
        bound_total = int(min(grp.max_shifts, len(grp.members) * 7))
        w_idx: list[list[int]] = [[] for _ in range(horizon)]
        w_coef: list[list[int]] = [[] for _ in range(horizon)]
        for li, sl in enumerate(catalog.lengths):
            cap_t = np.zeros(horizon, dtype=np.int64)
            sel = catalog.length == li
            cap_t[catalog.start[sel]] = caps[sel]
            if cap_t.sum() == 0:
                continue
            p_full = np.full(horizon, -1, dtype=np.int64)
            for a, b in segments:
                if cap_t[a:b].sum() == 0:
                    continue
                p = _add_segment(ip, layout, first=a, cap=cap_t[a:b], sl=sl,
                                 bound_total=bound_total, w_idx=w_idx, w_coef=w_coef)
                p_full[a:b] = p
                ip.cost[int(p[-1])] += paid_cost[li]
            layout.prefix[(g, li)] = p_full
        work.append([(w_idx[t], w_coef[t], 0) for t in range(n_t)])
        _add_group_totals(ip, g, grp, catalog, layout.prefix, segments=segments,
                          group_days=layout.group_days)
    return layout, work


def _prefix_vars(ip: IntegerProgram, layout: _Layout, n: int, *, lo: int, hi: int,
                 upper: int, first: int) -> np.ndarray:
    """Prefix counts over a segment of ``n`` slots that can only grow in ``[lo, hi]``:
    variables there, ``-1`` (zero) before, the last variable repeated after."""
    out = np.full(n, -1, dtype=np.int64)
    v = ip.add_vars(hi - lo + 1, 0, upper)
    layout.slot_parts.append((v, np.arange(first + lo, first + hi + 1)))
    out[lo:hi + 1] = v
    out[hi + 1:] = v[-1]
    return out


def _add_term(idx: list[int], coef: list[int], var: int, c: int) -> None:
    if var >= 0:
        idx.append(var)
        coef.append(c)


def _add_segment(ip: IntegerProgram, layout: _Layout, *, first: int, cap: np.ndarray,
                 sl: ShiftLength, bound_total: int, w_idx: list[list[int]],
                 w_coef: list[list[int]]) -> np.ndarray:
    """Rows of one shift length in one segment: start caps, breaks (Bechtold-Jacobs
    forward and backward rows) and the working agents of each slot. Returns the prefix
    count of shifts per slot of the segment (variable index, -1 for zero).

    Counts only get variables where they can change (from the first to the last start,
    and for breaks from the first earliest to the last latest break start), which keeps
    the LP a third to a half smaller than one variable per slot.
    """
    n = len(cap)
    starts = np.flatnonzero(cap)
    s0, s1 = int(starts[0]), int(starts[-1])
    p = _prefix_vars(ip, layout, n, lo=s0, hi=s1, upper=bound_total, first=first)
    ip.add_row([int(p[s0])], [1], 0, int(cap[s0]))
    for k in range(s0 + 1, s1 + 1):
        ip.add_row([int(p[k]), int(p[k - 1])], [1, -1], 0, int(cap[k]))
    for k in range(n):
        back = k - sl.n_slots
        if back >= 0 and p[back] == p[k]:
            continue  # started and ended before this slot: nothing at work
        _add_term(w_idx[first + k], w_coef[first + k], int(p[k]), 1)
        if back >= 0:
            _add_term(w_idx[first + k], w_coef[first + k], int(p[back]), -1)
    for bw in sl.breaks:
        can = np.zeros(n, dtype=bool)
        for k in range(bw.earliest, bw.latest + 1):
            can[np.clip(starts + k, 0, n - 1)] = True
        e0, e1 = int(np.flatnonzero(can)[0]), int(np.flatnonzero(can)[-1])
        qv = _prefix_vars(ip, layout, n, lo=e0, hi=e1, upper=bound_total, first=first)
        ip.add_row([int(qv[e0])], [1], 0, bound_total)
        for k in range(e0 + 1, e1 + 1):
            ip.add_row([int(qv[k]), int(qv[k - 1])], [1, -1], 0, bound_total if can[k] else 0)
        ip.add_row([int(p[-1]), int(qv[-1])], [1, -1], 0, 0)
        for k in range(s0, s1 + 1):
            late = min(k + bw.latest, n - 1)
            row_i: list[int] = [int(p[k])]
            row_c: list[int] = [1]
            _add_term(row_i, row_c, int(qv[late]), -1)
            ip.add_row(row_i, row_c, upper=0)  # forward
        for k in range(s0 + 1, s1 + 1):
            early = min(k + bw.earliest - 1, n - 1)
            if qv[early] < 0:
                continue
            ip.add_row([int(qv[early]), int(p[k - 1])], [1, -1], upper=0)  # backward
        for k in range(n):
            back = k - bw.duration
            if back >= 0 and qv[back] == qv[k]:
                continue
            _add_term(w_idx[first + k], w_coef[first + k], int(qv[k]), -1)
            if back >= 0:
                _add_term(w_idx[first + k], w_coef[first + k], int(qv[back]), 1)
    return p


def _monotone_prefixes(values: np.ndarray, layout: _Layout, ip: IntegerProgram) -> None:
    """Make approximate LP values (PDLP) non-decreasing along each prefix count and within
    bounds, in place, so their rounding keeps the ordering rows (exact LP values already
    are)."""
    for idx, _ in layout.slot_parts[:layout.n_prefix_parts]:
        values[idx] = np.maximum.accumulate(values[idx])
    np.clip(values, np.asarray(ip.lower), np.asarray(ip.upper), out=values)


def _work_values(values: np.ndarray, work: Sequence[Sequence[Expr]], n_groups: int,
                 n_t: int) -> np.ndarray:
    out = np.zeros((n_groups, n_t), dtype=np.int64)
    for g in range(n_groups):
        for t in range(n_t):
            idx, coef, const = work[g][t]
            out[g, t] = int(np.dot(values[idx], coef)) + const if idx else const
    return out


def _rounded_plan(ip: IntegerProgram, rows: tuple[sparse.csr_matrix, np.ndarray, np.ndarray],
                  lp_values: np.ndarray, *, cov: CoverageVars, work: Sequence[Sequence[Expr]],
                  group_queues: Sequence[Sequence[int]], required: np.ndarray,
                  ) -> np.ndarray | None:
    """A feasible integer plan rounded from the LP, or ``None``.

    Rounding every prefix count by the same non-decreasing rule ``floor(x + offset)``
    keeps each ordering row (``a <= b`` stays true, equal stays equal), so shifts and
    breaks stay consistent; the coverage is then recomputed and multi-skill groups are
    split over their queues greedily. Contract totals may still break: then ``None``.
    """
    n_t = required.shape[1]
    cost = np.asarray(ip.cost, dtype=np.int64)
    best: tuple[float, np.ndarray] | None = None
    for offset in ROUNDING_OFFSETS:
        h = np.floor(lp_values + offset).astype(np.int64)
        wv = np.maximum(_work_values(h, work, len(group_queues), n_t), 0)
        deficit = required.astype(np.int64).copy()
        for g, qs in enumerate(group_queues):
            if len(qs) == 1:
                deficit[qs[0]] -= wv[g]
        for g, qs in enumerate(group_queues):
            if len(qs) == 1:
                continue
            left = wv[g].copy()
            for q in qs:
                h[cov.alloc[(g, q)]] = 0
            # First the LP's own split (where it sent this group's agents), then the
            # deficits left, so a chat+voice group does not fill chat (which other groups
            # cover) before voice just because chat comes first.
            for guide in (True, False):
                for q in qs:
                    cap = np.minimum(deficit[q], left)
                    if guide:
                        cap = np.minimum(cap, np.floor(lp_values[cov.alloc[(g, q)]] + 0.5))
                    take = np.clip(cap, 0, None).astype(np.int64)
                    h[cov.alloc[(g, q)]] += take
                    left -= take
                    deficit[q] -= take
            h[cov.alloc[(g, qs[0])]] += left
            deficit[qs[0]] -= left
        h[cov.under.ravel()] = np.maximum(deficit, 0).ravel()
        h[cov.over.ravel()] = np.maximum(-deficit, 0).ravel()
        if violation(ip, h, rows) > 0:
            continue
        obj = float(np.dot(cost, h))
        if best is None or obj < best[0]:
            best = (obj, h)
    return None if best is None else best[1]


Rows = tuple[sparse.csr_matrix, np.ndarray, np.ndarray]
Separate = Callable[[np.ndarray], int]
CUT_ROUNDS = 3  # whole-week re-solves after the last step when it left violated day-split rows


def _search(ip: IntegerProgram, rows: Rows, hint: np.ndarray | None, var_day: np.ndarray, *,
            params: SolverParams, started: float, shares: Sequence[float], lp_bound: float,
            lp_values: np.ndarray, separate: Separate | None = None,
            ) -> tuple[np.ndarray, str, float, float]:
    """Values, status, CP-SAT bound and solver seconds of the integer search: the whole
    week hinted, then (with three ``shares`` of the time limit) day by day, then the whole
    week again; a step that proves optimality ends the search.

    ``separate`` (the day-split rows, see day_split_cuts) is called on the plan in hand
    before and after each step and adds the valid rows it violates to ``ip``: a plan that
    breaks them is kept only until a step finds one that does not (plans are compared on
    their violation first, then their objective). After the last step, the whole week is
    re-solved while that adds rows and time is left (at most ``CUT_ROUNDS`` times).

    With one worker every step gets a fixed share of the time limit (deterministic
    limits, reproducible runs); with more, the wall-clock time left after the LP.
    """
    def budget(share: float) -> float:
        if params.workers == 1:
            return max(share * params.time_limit_s, 0.5)
        return max(min(share * params.time_limit_s,
                       params.time_limit_s - (time.perf_counter() - started)), 0.5)

    def with_limit(seconds: float) -> SolverParams:
        return replace(params, time_limit_s=seconds)

    if hint is None:
        # The LP of this model is nearly integral: even unrepaired, its rounding helps.
        # No feasible rounding: the whole limit for CP-SAT, as the plan must be found.
        try:
            sol = solve_integer(ip, params, hint=np.round(lp_values), lower_bound=lp_bound)
        except SolverError:
            # On a loaded machine the share can pass without a first plan. A late roster
            # beats none: look for any feasible plan, as long again.
            sol = solve_integer(ip, replace(params, first_solution=True),
                                hint=np.round(lp_values), lower_bound=lp_bound)
            return sol.values, "FEASIBLE", sol.bound, sol.wall_time_s
        return sol.values, sol.status, sol.bound, sol.wall_time_s
    cost = np.asarray(ip.cost, dtype=np.int64)

    def cut(vals: np.ndarray) -> bool:
        nonlocal rows
        if separate is None or not separate(vals):
            return False
        rows = row_matrix(ip)
        return True

    def key(vals: np.ndarray) -> tuple[float, float]:
        return violation(ip, vals, rows), float(np.dot(cost, vals))

    values, status, bound, spent = hint, "FEASIBLE", 0.0, 0.0
    cut(values)
    steps = list(enumerate(shares))
    extra = 0
    while steps:
        k, share = steps.pop(0)
        if k == 1:  # the middle step: day by day
            values, seconds, rows = _improve_by_day(ip, rows, values, var_day, params=params,
                                                    budget_s=budget(share), separate=separate)
            spent += seconds
            cut(values)
            continue
        try:  # the plan in hand is kept when a slice finds nothing
            sol = solve_integer(ip, with_limit(budget(share)), values, lower_bound=lp_bound)
        except SolverError:
            continue
        spent += sol.wall_time_s
        bound = max(bound, sol.bound)
        if key(sol.values) <= key(values):
            values, status = sol.values, sol.status
        if cut(values):
            # The step's optimum was of a model without these rows: not the end yet.
            last = not steps
            time_left = (params.workers == 1 and sol.status == "OPTIMAL") or (
                params.workers > 1
                and params.time_limit_s - (time.perf_counter() - started) > 1.0)
            if last and extra < CUT_ROUNDS and time_left:
                extra += 1
                steps.append((k, share))
            continue
        if sol.status == "OPTIMAL" or (
                params.relative_gap > 0
                and relative_gap(float(np.dot(cost, values)), lp_bound) <= params.relative_gap):
            break
    return values, status, bound, spent


def _improve_by_day(ip: IntegerProgram, rows: Rows, values: np.ndarray, var_day: np.ndarray,
                    *, params: SolverParams, budget_s: float,
                    separate: Separate | None = None) -> tuple[np.ndarray, float, Rows]:
    """Re-solve one day at a time, the rest fixed, while it improves and time is left;
    each pass starts by separating the day-split rows on the plan in hand (``separate``),
    and a plan that breaks fewer rows is an improvement whatever its objective."""
    cost = np.asarray(ip.cost, dtype=np.int64)
    deadline = time.perf_counter() + budget_s
    per_call = max(0.5, budget_s / (LNS_CALLS_PER_DAY * 7))
    spent = 0.0
    for _ in range(LNS_PASSES):
        if separate is not None and separate(values):
            rows = row_matrix(ip)
        current = (violation(ip, values, rows), float(np.dot(cost, values)))
        improved = False
        for d in range(7):
            left = deadline - time.perf_counter()
            if params.workers > 1 and left < 0.5:
                return values, spent, rows
            sub = replace(params, time_limit_s=min(per_call, max(left, 0.5)))
            try:
                sol = solve_integer(ip, sub, values, free=var_day == d, rows=rows)
            except SolverError:  # no solution in a short slice: keep the plan, go on
                continue
            spent += sol.wall_time_s
            new = (violation(ip, sol.values, rows), sol.objective)
            if new[0] < current[0] - 1e-9 or (new[0] <= current[0] + 1e-9
                                               and new[1] < current[1] - 0.5):
                values, current, improved = sol.values, new, True
        if not improved:
            break
    return values, spent, rows


def _add_group_totals(ip: IntegerProgram, g: int, grp: AgentGroup, catalog: ShiftCatalog,
                      prefix: dict[tuple[int, int], np.ndarray], *,
                      segments: Sequence[tuple[int, int]],
                      group_days: list[_GroupDays]) -> None:
    """Per-day availability and weekly contract totals of a group."""
    first = catalog.grid.day_first_slot
    mine = [(li, p) for (gg, li), p in prefix.items() if gg == g]
    if not mine:
        return
    seg_of = np.zeros(catalog.grid.horizon, dtype=np.int64)
    for k, (a, b) in enumerate(segments):
        seg_of[a:b] = k
    days: list[tuple[list[int], list[int]]] = []
    for d in range(7):
        idx: list[int] = []
        coef: list[int] = []
        a, b = first[d], first[d + 1]
        for _, p in mine:
            if p[b - 1] < 0:
                continue
            idx.append(int(p[b - 1]))
            coef.append(1)
            if a > 0 and p[a - 1] >= 0 and seg_of[a - 1] == seg_of[b - 1]:
                idx.append(int(p[a - 1]))
                coef.append(-1)
        ip.add_row(idx, coef, upper=int(grp.day_cap[d]))
        days.append((idx, coef))
    _add_day_subsets(ip, grp, days)
    gd = _group_days(grp, catalog, prefix, g, seg_of)
    if gd is not None:
        group_days.append(gd)
    totals = [int(p[b - 1]) for _, p in mine for _, b in segments if p[b - 1] >= 0]
    paid_min = [round(catalog.lengths[li].paid_h * 60) for li, p in mine for _, b in segments
                if p[b - 1] >= 0]
    ip.add_row(totals, paid_min, round(grp.min_paid_h * 60), round(grp.max_paid_h * 60))
    ip.add_row(totals, 1, grp.min_shifts, grp.max_shifts)
    _add_contract_cuts(ip, grp, catalog, mine, segments)


def _group_days(grp: AgentGroup, catalog: ShiftCatalog,
                prefix: dict[tuple[int, int], np.ndarray], g: int,
                seg_of: np.ndarray) -> _GroupDays | None:
    """The group's shifts per length and day, and its members' weeks (day_split_cuts)."""
    if (grp.member_days is None or grp.member_min_days is None or grp.member_max_days is None
            or grp.member_min_paid_min is None or grp.member_max_paid_min is None):
        return None
    # Every length and day some member may work, planned or pruned, so the rows hold for
    # any roster (a pruned length or day is 0 in the plan).
    open_ = grp.shift_cap > 0
    lengths = sorted({int(li) for li in np.unique(catalog.length[open_])})
    allowed = np.array([[bool((open_ & (catalog.length == li) & (catalog.day == d)).any())
                         for d in range(7)] for li in lengths], dtype=bool).reshape(-1, 7)
    split = day_split(allowed, [round(catalog.lengths[li].paid_h * 60) for li in lengths],
                      grp.member_days, min_days=grp.member_min_days,
                      max_days=np.minimum(grp.member_max_days, grp.member_days.sum(axis=1)),
                      min_paid=grp.member_min_paid_min, max_paid=grp.member_max_paid_min)
    if split is None:
        return None
    first = catalog.grid.day_first_slot
    exprs: list[list[tuple[list[int], list[int]]]] = []
    for li in lengths:
        row: list[tuple[list[int], list[int]]] = []
        p = prefix.get((g, li))
        for d in range(7):
            a, b = first[d], first[d + 1]
            if p is None or p[b - 1] < 0:
                row.append(([], []))
                continue
            idx, coef = [int(p[b - 1])], [1]
            if a > 0 and p[a - 1] >= 0 and seg_of[a - 1] == seg_of[b - 1]:
                idx.append(int(p[a - 1]))
                coef.append(-1)
            row.append((idx, coef))
        exprs.append(row)
    return _GroupDays(split, exprs)


def _add_contract_cuts(ip: IntegerProgram, grp: AgentGroup, catalog: ShiftCatalog,
                       mine: Sequence[tuple[int, np.ndarray]],
                       segments: Sequence[tuple[int, int]]) -> None:
    """Rows on the group's shifts per length that every split into members' weeks meets
    (whole shifts within each member's paid hours and days): valid, see contract_cuts."""
    if (grp.member_days is None or grp.member_min_days is None or grp.member_max_days is None
            or grp.member_min_paid_min is None or grp.member_max_paid_min is None):
        return
    # Every length some member may work, planned or pruned, so the rows hold for any roster.
    lengths = sorted({int(li) for li in np.unique(catalog.length[grp.shift_cap > 0])})
    cuts = contract_cuts([round(catalog.lengths[li].paid_h * 60) for li in lengths],
                         grp.member_min_days,
                         np.minimum(grp.member_max_days, grp.member_days.sum(axis=1)),
                         grp.member_min_paid_min, grp.member_max_paid_min)
    vars_of = {li: [int(p[b - 1]) for _, b in segments if p[b - 1] >= 0] for li, p in mine}
    for alpha, beta in cuts:
        idx = [v for li, a in zip(lengths, alpha, strict=True) for v in vars_of.get(li, [])
               if a]
        coef = [int(a) for li, a in zip(lengths, alpha, strict=True)
                for _ in vars_of.get(li, []) if a]
        if idx:  # a length the plan cannot use at all (pruned) is 0 there
            ip.add_row(idx, coef, beta)


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
