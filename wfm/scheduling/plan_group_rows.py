"""Stage (a)'s rows per agent group: availability per day, Hall conditions on sets of days,
weekly contract totals, contract granularity cuts and the day-split rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.contract_cuts import contract_cuts
from wfm.scheduling.day_split_cuts import DaySplit, day_split
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.linear_model import IntegerProgram
from wfm.scheduling.shift_catalog import ShiftCatalog


@dataclass(frozen=True)
class GroupDays:
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


def add_group_totals(ip: IntegerProgram, g: int, grp: AgentGroup, catalog: ShiftCatalog,
                      prefix: dict[tuple[int, int], np.ndarray], *,
                      segments: Sequence[tuple[int, int]],
                      group_days: list[GroupDays]) -> None:
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
                seg_of: np.ndarray) -> GroupDays | None:
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
    return GroupDays(split, exprs)


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
