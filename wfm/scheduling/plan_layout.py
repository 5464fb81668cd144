"""Stage (a)'s integer program: prefix counts of shifts and breaks per group, length and day
segment (Bechtold & Jacobs 1990 implicit breaks), and where its variables sit.

For each group and shift length, ``P[t]`` counts shifts started up to slot ``t`` (so the
shifts starting at ``t`` are ``P[t] - P[t-1]``); for each break of that length, ``Q[t]``
counts breaks started up to ``t``. Breaks can be given to shifts inside their windows
exactly when, for every ``t``, the shifts started up to ``t`` have had as many breaks
started by their latest break slot (forward) and the breaks started before a shift's
earliest slot do not outnumber the shifts started before it (backward), with equal totals.

References
----------
Bechtold, S. E., & Jacobs, L. W. (1990). Implicit modeling of flexible break assignments
in optimal shift scheduling. Management Science, 36(11), 1339-1351.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wfm.scheduling.coverage_model import SCALE, Expr
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.linear_model import IntegerProgram
from wfm.scheduling.plan_group_rows import GroupDays, add_group_totals
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog, ShiftLength
from wfm.scheduling.shift_pruning import pruned_caps


def day_segments(catalog: ShiftCatalog) -> list[tuple[int, int]]:
    """Slot ranges whose shifts (and their breaks) start and end inside the range: the
    seven days when no shift runs past midnight, else the whole horizon. Counting starts
    per segment keeps the days apart in the model, so a day can be re-solved alone."""
    first = np.asarray(catalog.grid.day_first_slot)
    if catalog.n_shifts and bool((catalog.end > first[catalog.day + 1]).any()):
        return [(0, catalog.grid.horizon)]
    return [(int(first[d]), int(first[d + 1])) for d in range(7)]


@dataclass
class PlanLayout:
    """Where the variables of stage (a) sit: prefix counts per (group, length) over the
    horizon (-1 where none), and the slot of every variable (for day neighbourhoods)."""

    prefix: dict[tuple[int, int], np.ndarray]
    seg_first: np.ndarray  # True at the first slot of each segment
    slot_parts: list[tuple[np.ndarray, np.ndarray]]
    n_prefix_parts: int = 0  # the first parts are prefix counts (shifts and breaks)
    group_days: list[GroupDays] = field(default_factory=list)
    # Each group's own variables (shift and break counts): a range of indices per group.
    group_ranges: list[tuple[int, int]] = field(default_factory=list)

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



def build_shift_rows(ip: IntegerProgram, catalog: ShiftCatalog, groups: Sequence[AgentGroup],
                     *, group_queues: Sequence[Sequence[int]], required: np.ndarray,
                     rules: ShiftRules, prune: bool) -> tuple[PlanLayout, list[list[Expr]]]:
    """Prefix-count variables of shifts and breaks per group, length and day segment."""
    grid = catalog.grid
    horizon, n_t = grid.horizon, grid.n_slots
    slot_h = grid.slot_minutes / 60
    segments = day_segments(catalog)
    seg_first = np.zeros(horizon, dtype=bool)
    seg_first[[a for a, _ in segments]] = True
    layout = PlanLayout({}, seg_first, [])
    work: list[list[Expr]] = []
    paid_cost = [round(rules.cost_per_paid_hour * sl.paid_h / slot_h * SCALE)
                 for sl in catalog.lengths]
    for g, grp in enumerate(groups):
        first_var = ip.n_vars
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
        add_group_totals(ip, g, grp, catalog, layout.prefix, segments=segments,
                         group_days=layout.group_days)
        layout.group_ranges.append((first_var, ip.n_vars))
    return layout, work


def _prefix_vars(ip: IntegerProgram, layout: PlanLayout, n: int, *, lo: int, hi: int,
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


def _add_segment(ip: IntegerProgram, layout: PlanLayout, *, first: int, cap: np.ndarray,
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

