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
