"""Stage (b)'s slot-by-slot value of shift changes against the plan, checked against a
direct recount of the coverage and against brute force over queue splits."""

from __future__ import annotations

import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from roster_helpers import MONDAY, hourly_rules

from wfm.scheduling.coverage_model import SCALE
from wfm.scheduling.rules import BreakRule
from wfm.scheduling.shift_catalog import build_catalog
from wfm.scheduling.shift_margins import ShiftMargins, margins_cost, shift_changes_value

PAID = 1.5  # cost per paid hour


@pytest.mark.parametrize("seed", range(4))
def test_one_queue_matches_a_recount_of_the_coverage(seed: int) -> None:
    # Whole-week staffing S against requirement R; the group works A <= S of it. Adding
    # and removing 4 h shifts (one with a 1 h unpaid lunch: 3 h working, spread evenly)
    # changes the objective by exactly what recounting shortage and excess gives.
    rules = hourly_rules(shift_lengths_h=(4.0,),
                         breaks=(BreakRule("lunch", 60, 60, 120, 4.0, paid=False),))
    cat = build_catalog(MONDAY, ZoneInfo("UTC"), rules, 60)
    rng = np.random.default_rng(seed)
    n_t = cat.grid.n_slots
    required = rng.integers(0, 8, n_t).astype(float)
    staffed = rng.integers(0, 8, n_t).astype(float) + 3
    alloc = staffed.copy()  # the group is everyone: any removal is its own
    under, over = np.maximum(required - staffed, 0), np.maximum(staffed - required, 0)
    margins = ShiftMargins(cat, under[None], over[None], (0,), np.array([10.0]),
                           np.array([2.0]), PAID, alloc=alloc[None])
    changes = np.zeros(cat.n_shifts, dtype=np.int64)
    picks = rng.choice(cat.n_shifts, 12, replace=False)
    changes[picks] = rng.choice([-1, 1, 2], len(picks))
    working = 3 / 4
    delta = np.zeros(n_t)
    for i in picks:
        delta[cat.start[i]:min(cat.end[i], n_t)] += changes[i] * working
    assert (staffed + delta >= 0).all()

    def cost(s: np.ndarray) -> float:
        return 10.0 * np.maximum(required - s, 0).sum() + 2.0 * np.maximum(s - required, 0).sum()

    expected = (cost(staffed + delta) - cost(staffed)
                + PAID * float((changes * cat.paid_h).sum())) * SCALE
    assert shift_changes_value(margins, changes) == pytest.approx(expected)


def test_two_queues_match_brute_force_over_every_split() -> None:
    # One-hour shifts: each change is one slot's. Per slot the best split of the added (or
    # removed) agents over the group's two queues, found by enumeration; removals only
    # of agents the group has on that queue. The plan's own agents stay where stage (a)
    # put them (moving them between queues is not a change of shifts).
    rules = hourly_rules(shift_lengths_h=(1.0,))
    cat = build_catalog(MONDAY, ZoneInfo("UTC"), rules, 60)
    n_t = cat.grid.n_slots
    rng = np.random.default_rng(7)
    net = rng.integers(-3, 4, (2, n_t)).astype(float)  # required less staffed, per queue
    under, over = np.maximum(net, 0), np.maximum(-net, 0)
    alloc = rng.integers(0, 4, (2, n_t)).astype(float)
    w_u, w_o = np.array([10.0, 4.0]), np.array([1.0, 3.0])
    margins = ShiftMargins(cat, under, over, (0, 1), w_u, w_o, 0.0, alloc=alloc)
    for t in range(60):
        i = int(np.flatnonzero(cat.start == t)[0])
        for d in range(-int(alloc[:, t].sum()), 4):
            changes = np.zeros(cat.n_shifts, dtype=np.int64)
            changes[i] = d
            best = np.inf
            for k in itertools.product(range(-3, 4), repeat=2):
                if (sum(k) != d or any(-kq > alloc[q, t] for q, kq in enumerate(k))
                        or min(k) * max(k) < 0):
                    continue
                after = net[:, t] - np.array(k)
                before = net[:, t]
                value = sum(w_u[q] * (max(after[q], 0) - max(before[q], 0))
                            + w_o[q] * (max(-after[q], 0) - max(-before[q], 0))
                            for q in range(2))
                best = min(best, value)
            assert shift_changes_value(margins, changes) == pytest.approx(best * SCALE), (t, d)


def test_overlapping_shifts_share_one_shortage() -> None:
    # Two agents short for one hour; four 4 h shifts each covering it. Alone each is worth
    # adding by the per-shift margins (10 gained, 3 x 2 of excess); together they fill the
    # two agents once and add excess elsewhere: the per-shift sum calls the four a gain,
    # the recount a loss.
    rules = hourly_rules(shift_lengths_h=(4.0,))
    cat = build_catalog(MONDAY, ZoneInfo("UTC"), rules, 60)
    n_t = cat.grid.n_slots
    under = np.zeros((1, n_t))
    under[0, 10] = 2
    over = np.zeros((1, n_t))
    margins = ShiftMargins(cat, under, over, (0,), np.array([10.0]), np.array([2.0]), 0.0,
                           alloc=np.zeros((1, n_t)))
    four = [int(np.flatnonzero(cat.start == s)[0]) for s in (7, 8, 9, 10)]
    changes = np.zeros(cat.n_shifts, dtype=np.int64)
    changes[four] = 1
    assert all(margins.of(i).extra_a < 0 for i in four)
    separate = sum(margins.of(i).extra_a for i in four)
    together = shift_changes_value(margins, changes)
    # Recount: slot 10 gets 4 agents for 2 short (2 x -10, 2 x +2 excess), the other
    # slots of the four shifts (4 x 4 - 4 = 12 agent-hours) are all excess at 2.
    assert together == pytest.approx((-20 + 4 + 24) * SCALE)
    assert separate < 0 < together
    # The model's own pricing of the same counts (what the score replaces) agrees with the
    # per-shift margins: the capped copies at the a rate.
    plan = np.zeros(cat.n_shifts, dtype=np.int64)
    assert margins_cost(margins, plan, changes, 4) == pytest.approx(separate)
