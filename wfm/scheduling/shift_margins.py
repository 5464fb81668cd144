"""What one shift more or fewer than the weekly plan is worth to stage (b), against the
coverage the plan leaves (per queue and slot)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.scheduling.coverage_model import SCALE
from wfm.scheduling.shift_catalog import ShiftCatalog


@dataclass(frozen=True)
class ShiftValue:
    """Objective change [weighted agent-hours x SCALE] of one shift more or less than
    planned: the first ``*_cap`` copies at rate ``*_a``, the others at ``*_b`` (>= ``*_a``,
    so the cost is convex)."""

    miss_cap: int
    miss_a: int
    extra_cap: int
    extra_a: int
    miss_b: int
    extra_b: int

    def split(self, planned: int, count: int, n_members: int) -> tuple[int, int, int, int]:
        """Copies missed and added at each rate when ``count`` of a shift are worked
        against ``planned`` (``miss_a, miss_b, extra_a, extra_b``): the capped copies
        first, as the model's optimum splits them (its rates are convex)."""
        short, surplus = max(planned - count, 0), max(count - planned, 0)
        first_miss = min(short, planned, self.miss_cap)
        first_extra = min(surplus, n_members, self.extra_cap)
        return first_miss, short - first_miss, first_extra, surplus - first_extra

    def cost(self, planned: int, count: int, n_members: int) -> int:
        """This shift's part of stage (b)'s objective when ``count`` are worked."""
        miss_a, miss_b, extra_a, extra_b = self.split(planned, count, n_members)
        return (self.miss_a * miss_a + self.miss_b * miss_b + self.extra_a * extra_a
                + self.extra_b * extra_b)


@dataclass(frozen=True)
class ShiftMargins:
    """Marginal value of shifts against the coverage the weekly plan leaves.

    An extra shift gains the understaffing weight in each slot the plan leaves short on one
    of the group's queues and costs overstaffing elsewhere; a missed one saves
    overstaffing where the plan is over and loses the understaffing weight elsewhere. So
    moving a shift to an equally short day costs nothing, and a preference may decide.
    """

    catalog: ShiftCatalog
    under: np.ndarray  # (n_queues, n_slots) agents short in the plan
    over: np.ndarray   # agents in excess
    queues: tuple[int, ...]
    under_weights: np.ndarray  # per queue (all queues)
    over_weights: np.ndarray  # per queue (all queues)
    cost_per_paid_hour: float
    # The group's own agents per queue and slot in the plan (n_queues, n_slots). A missed
    # shift only gives up excess on a queue the group itself works in that slot: where the
    # group is all on voice, excess on chat (from other groups) does not replace it.
    alloc: np.ndarray | None = None

    def of(self, i: int) -> ShiftValue:
        cat = self.catalog
        n_t = self.under.shape[1]
        lo, hi = int(cat.start[i]), min(int(cat.end[i]), n_t)
        slot_h = cat.grid.slot_minutes / 60
        paid = self.cost_per_paid_hour * float(cat.paid_h[i])
        total = int(cat.n_slots_of[i])
        if not self.queues:
            return ShiftValue(0, round(-paid * SCALE), 0, round(paid * SCALE) + 1,
                              round(-paid * SCALE), round(paid * SCALE) + 1)
        q = list(self.queues)
        under = self.under[q, lo:hi]
        over = self.over[q, lo:hi]
        w = self.under_weights[q][:, None]
        w_max = float(self.under_weights[q].max())
        # An extra agent's excess lands on the group's cheapest queue; a missing one
        # removes excess where the plan has it, the dearest first.
        ow = self.over_weights[q]
        ow_min = float(ow.min())
        useful = (under > 0).any(axis=0)
        gain = np.where(under > 0, w, 0.0).max(axis=0) if hi > lo else np.zeros(0)
        released = np.minimum(over, self.alloc[q, lo:hi]) if self.alloc is not None else over
        spare = (released > 0).any(axis=0) & ~useful
        saved = (np.where(released > 0, ow[:, None], 0.0).max(axis=0) if hi > lo
                 else np.zeros(0))
        extra_a = float(np.where(useful, -gain, ow_min).sum())
        miss_a = float(np.where(spare, -saved, w_max).sum())
        extra_cap = int(under.max(axis=0)[useful].min()) if useful.any() else 0
        miss_cap = int(released.max(axis=0)[spare].min()) if spare.any() else 0
        return ShiftValue(
            miss_cap, round((miss_a * slot_h - paid) * SCALE),
            extra_cap, round((extra_a * slot_h + paid) * SCALE) + 1,
            round((w_max * (hi - lo) * slot_h - paid) * SCALE),
            round((ow_min * total * slot_h + paid) * SCALE) + 1)


def useful_shifts(catalog: ShiftCatalog, plan: np.ndarray,
                  margins: ShiftMargins | None) -> np.ndarray:
    """Unplanned shifts at the planned clock starts, on any day, that would improve the
    plan's coverage by themselves."""
    out = np.zeros(catalog.n_shifts, dtype=bool)
    if margins is None:
        return out
    keys = {(int(catalog.start_min[i]), int(catalog.length[i])) for i in np.flatnonzero(plan)}
    for i in range(catalog.n_shifts):
        if plan[i] == 0 and (int(catalog.start_min[i]), int(catalog.length[i])) in keys:
            out[i] = margins.of(i).extra_a < 0
    return out


def shift_changes_value(margins: ShiftMargins, changes: np.ndarray) -> float:
    """Objective change [weighted agent-hours x SCALE] of adding ``changes[i]`` copies of
    every catalog shift ``i`` (negative: removing them) to the weekly plan, all at once.

    :meth:`ShiftMargins.of` values each shift alone, so two overlapping shifts each count
    the same slot of shortage (or of excess) as filled: four unplanned shifts judged
    worth adding together overstaffed the quick named week. Here the changes are summed
    per slot first, each shift working its slots less its breaks (spread evenly: stage (c)
    places them later), and each slot's change is valued against what the plan leaves
    there: shortage filled at the dearest queue's weight then excess at the cheapest;
    removals first give up the group's excess, then open shortage.
    """
    cat = margins.catalog
    n_t = margins.under.shape[1]
    slot_h = cat.grid.slot_minutes / 60
    idx = np.flatnonzero(changes)
    paid = margins.cost_per_paid_hour * float((changes[idx] * cat.paid_h[idx]).sum())
    if not margins.queues:
        return paid * SCALE
    working = np.array([sl.working_slots / sl.n_slots for sl in cat.lengths])
    diff = np.zeros(n_t + 1)
    for i in idx:
        lo, hi = int(cat.start[i]), min(int(cat.end[i]), n_t)
        if hi > lo:
            change = float(changes[i]) * float(working[cat.length[i]])
            diff[lo] += change
            diff[hi] -= change
    delta = np.cumsum(diff)[:n_t]
    q = list(margins.queues)
    under_w, over_w = margins.under_weights[q], margins.over_weights[q]
    over = margins.over[q].astype(float)
    own = margins.alloc[q].astype(float) if margins.alloc is not None else None
    released = np.minimum(over, own) if own is not None else over
    total = 0.0
    for t in np.flatnonzero(np.abs(delta) > 1e-9):
        d = float(delta[t])
        if d > 0:  # fill shortage, dearest queue first, then excess on the cheapest
            steps = sorted(zip(-under_w, margins.under[q, t].astype(float), strict=True))
            rest_w = float(over_w.min())
        else:  # give up the group's excess, dearest first, then open shortage where the
            d = -d  # group works, cheapest first
            left = own[:, t] - released[:, t] if own is not None else np.full(len(q), np.inf)
            steps = (sorted(zip(-over_w, released[:, t], strict=True))
                     + sorted(zip(under_w, left, strict=True)))
            rest_w = float(under_w.max())
        for w, room in steps:
            take = min(d, room)
            total += float(w) * take
            d -= take
        total += rest_w * d
    return (total * slot_h + paid) * SCALE


def margins_cost(margins: ShiftMargins, plan: np.ndarray, counts: np.ndarray,
                 n_members: int) -> float:
    """The part of stage (b)'s objective that :meth:`ShiftMargins.of` prices, for shift
    counts ``counts`` against the group's ``plan``: each shift's misses and additions,
    the capped copies first (:meth:`ShiftValue.cost`)."""
    return float(sum(margins.of(int(i)).cost(int(plan[i]), int(counts[i]), n_members)
                     for i in np.flatnonzero(plan != counts)))
