"""Deferred-work staffing: FIFO simulation of the plan, opening hours, agent-hours, peaks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from wfm.errors import StaffingError
from wfm.staffing.deferred import DeferredPlan, evaluate_deferred, plan_deferred

STEP_S = 900.0  # 15-minute intervals
PER_DAY = 96


def week_mask(days: int) -> np.ndarray:
    """Mon-Fri 08:00-20:00, Sat 09:00-17:00, Sun closed; the horizon starts on a Monday."""
    slot = np.arange(days * PER_DAY) % PER_DAY
    weekday = np.arange(days * PER_DAY) // PER_DAY % 7
    weekdays = (weekday < 5) & (slot >= 32) & (slot < 80)
    saturday = (weekday == 5) & (slot >= 36) & (slot < 68)
    return weekdays | saturday


def email_arrivals(days: int, seed: int, per_day: float = 400.0) -> np.ndarray:
    """Around the clock, peaking at midday; counts are realised (Poisson draws)."""
    rng = np.random.default_rng(seed)
    hour = np.arange(days * PER_DAY) % PER_DAY / 4.0
    shape = 0.25 + np.exp(-((hour - 12.0) ** 2) / 20.0)
    return rng.poisson(per_day * shape / shape[:PER_DAY].sum()).astype(float)


def item_times(counts: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrival time [s] of every item, uniform inside its interval, and its interval."""
    rng = np.random.default_rng(seed)
    k = np.repeat(np.arange(counts.size), counts.astype(int))
    times = (k + rng.uniform(0.0, 1.0, k.size)) * STEP_S
    order = np.argsort(times, kind="stable")
    return times[order], k[order]


def simulate_fifo(times: np.ndarray, work_s: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Completion time of each item: one FIFO backlog worked at ``agents`` in each interval.

    Agents pool their time (fluid); capacity while the backlog is empty is lost. Items are
    workable as soon as they arrive.
    """
    cap = np.concatenate(([0.0], np.cumsum(agents * STEP_S)))

    def capacity_at(t: float) -> float:
        k = min(int(t // STEP_S), agents.size - 1)
        return float(cap[k] + (t - k * STEP_S) * agents[k])

    done = np.full(times.size, np.inf)
    used = 0.0
    for i, (t, w) in enumerate(zip(times, work_s, strict=True)):
        used = max(used, capacity_at(float(t))) + float(w)
        j = int(np.searchsorted(cap, used - 1e-6, side="left"))
        if j > agents.size:
            continue  # never finished inside the horizon
        j = max(j, 1)
        rate = agents[j - 1]
        done[i] = (j - 1) * STEP_S + (min(used - cap[j - 1], rate * STEP_S) / rate
                                       if rate > 0 else 0.0)
    return done


def open_time_between(mask: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    grid = np.arange(mask.size + 1) * STEP_S
    cum = np.concatenate(([0.0], np.cumsum(mask * STEP_S)))
    return np.interp(end, grid, cum) - np.interp(start, grid, cum)


def plan_and_simulate(seed: int, aht: float, **target: Any
                      ) -> tuple[np.ndarray, np.ndarray, DeferredPlan, np.ndarray, np.ndarray]:
    """Two weeks of mail, planned, then worked item by item under the plan (FIFO)."""
    mask = week_mask(14)
    counts = email_arrivals(14, seed=seed)
    plan = plan_deferred(counts, aht, mask, STEP_S, **target)
    assert np.all(plan.agents_productive[~mask] == 0.0)
    assert np.all(plan.agents_productive >= 0.0)
    times, _ = item_times(counts, seed=seed + 100)
    done = simulate_fifo(times, np.full(times.size, aht), plan.agents_productive)
    return mask, counts, plan, times, done


def test_working_hours_target_every_item_in_time_and_hours_match_work() -> None:
    aht = 420.0
    mask, _, plan, times, done = plan_and_simulate(11, aht, response_target=1.0,
                                                   response_time_s=4 * 3600.0,
                                                   clock="working")
    # Items whose 4 working hours end inside the horizon: every one is answered in time.
    horizon = mask.size * STEP_S
    due_inside = open_time_between(mask, times, np.full(times.size, horizon)) >= 4 * 3600.0
    assert due_inside.sum() > 0.85 * times.size
    waited = open_time_between(mask, times, np.minimum(done, horizon))
    assert np.all(np.isfinite(done[due_inside]))
    assert np.all(waited[due_inside] <= 4 * 3600.0 + 1e-6)
    # Independent lower bound: in FIFO everything up to the last item that falls due in
    # the horizon must be worked; the plan's agent-hours are that work, within 1%.
    last_due = int(np.flatnonzero(due_inside).max())
    lower_bound_s = (last_due + 1) * aht
    hours_s = float(plan.agents_productive.sum() * STEP_S)
    assert lower_bound_s - 1e-6 <= hours_s <= 1.01 * lower_bound_s
    assert hours_s == pytest.approx(plan.processed_s)


def test_calendar_target_share_met_with_sunday_closed() -> None:
    aht = 300.0
    mask, counts, plan, times, done = plan_and_simulate(3, aht, response_target=0.9,
                                                        response_time_s=24 * 3600.0)
    judged = times + 24 * 3600.0 <= mask.size * STEP_S
    in_time = done[judged] <= times[judged] + 24 * 3600.0 + 1e-6
    assert in_time.mean() >= 0.9
    assert plan.on_time_share >= 0.9
    # The 10% allowance is spent on the deadlines that make peaks: no Monday-morning rush
    # to clear the weekend's mail, the staffing stays close to flat in opening hours.
    open_agents = plan.agents_productive[mask]
    assert open_agents.max() <= 1.5 * open_agents.mean()
    strict = plan_deferred(counts, aht, mask, STEP_S, response_target=0.95,
                           response_time_s=24 * 3600.0)
    assert strict.on_time_share >= 0.95
    assert plan.agents_productive.max() <= strict.agents_productive.max() + 1e-9
    # The backlog report agrees with the simulation at each interval end.
    ends = (np.arange(mask.size) + 1) * STEP_S
    open_items = np.array([(times < e).sum() - (done <= e + 1e-6).sum() for e in ends])
    assert np.all(plan.backlog >= open_items - 1.0)  # a half-done item counts 0.5
    assert plan.backlog.max() > 0
    assert np.all((plan.oldest_age_s > 0) == (plan.backlog > 1e-9))


def test_oldest_age_never_beyond_the_deadline_on_weekdays() -> None:
    mask = np.ones(PER_DAY * 2, dtype=bool)
    counts = email_arrivals(2, seed=1)
    plan = plan_deferred(counts, 600.0, mask, STEP_S, response_target=1.0,
                         response_time_s=8 * 3600.0)
    assert plan.oldest_age_s.max() <= 8 * 3600.0 + 1e-6
    # Always open and a flat target: the taut string spreads the work evenly after the
    # first deadline (one straight line), so the peak is at most the average need.
    assert plan.agents_productive.max() <= plan.processed_s / STEP_S / 32 * 1.5


def min_peak_lp(counts: np.ndarray, aht: float, mask: np.ndarray, due: int) -> float:
    """Lowest possible peak by linear programming (independent of the taut string)."""
    n = counts.size
    work = counts * aht
    # Variables: processed work p_0..p_{n-1} and the peak M; minimise M.
    c = np.zeros(n + 1)
    c[-1] = 1.0
    a_ub, b_ub = [], []
    for i in range(n):  # p_i <= M * STEP_S
        row = np.zeros(n + 1)
        row[i], row[-1] = 1.0, -STEP_S
        a_ub.append(row)
        b_ub.append(0.0)
        row = np.zeros(n + 1)  # cumulative done through i <= work arrived before i
        row[:i + 1] = 1.0
        a_ub.append(row)
        b_ub.append(work[:i].sum())
    for k in range(n):  # interval k done by the end of k + due - 1
        j = k + due - 1
        if counts[k] > 0 and j < n:
            row = np.zeros(n + 1)
            row[:j + 1] = -1.0
            a_ub.append(row)
            b_ub.append(-work[:k + 1].sum())
    bounds = [(0.0, None if m else 0.0) for m in mask] + [(0.0, None)]
    res = linprog(c, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    assert res.status == 0
    return float(res.x[-1])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=8, max_size=40), st.integers(3, 8),
       st.integers(0, 2 ** 16))
def test_taut_string_peak_equals_linear_programming_minimum(counts, due, seed) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.uniform(size=len(counts)) < 0.7
    mask[:2] = True
    arr = np.array(counts, dtype=float)
    try:
        plan = plan_deferred(arr, 300.0, mask, STEP_S, response_target=1.0,
                             response_time_s=due * STEP_S)
    except StaffingError:
        return  # some items cannot be answered in time: nothing to compare
    assert plan.agents_productive.max() == pytest.approx(
        min_peak_lp(arr, 300.0, mask, due), rel=1e-6, abs=1e-9)
    assert np.all(plan.agents_productive[~mask] == 0.0)


def test_initial_backlog_is_worked_first() -> None:
    mask = np.ones(8, dtype=bool)
    plan = plan_deferred(np.zeros(8), 900.0, mask, STEP_S, response_target=1.0,
                         response_time_s=4 * STEP_S, initial_backlog=6.0)
    # 6 items of one agent-interval each, due by the end of interval 2: 2 agents for 3.
    assert plan.agents_productive.tolist() == pytest.approx([2, 2, 2, 0, 0, 0, 0, 0])
    assert plan.backlog.tolist() == pytest.approx([4, 2, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize(("kw", "message"), [
    ({"response_target": 1.0, "response_time_s": 0.0},
     "response target 100% within 0 h (calendar clock) cannot be met: at most 0.0% of items"),
    ({"response_target": 1.0, "response_time_s": 24 * 3600.0},
     "at most 9"),
    ({"response_target": 0.0, "response_time_s": 3600.0},
     "response target 0.0 is not valid; accepted: a fraction in (0, 1]"),
    ({"response_target": 0.9, "response_time_s": -1.0},
     "response time -1.0 s is not valid"),
    ({"response_target": 0.9, "response_time_s": 3600.0, "clock": "office"},
     "response clock 'office' is not valid; accepted: calendar, working"),
])
def test_bad_or_unreachable_targets(kw, message) -> None:
    mask = week_mask(7)
    counts = email_arrivals(7, seed=2)
    with pytest.raises(StaffingError) as err:
        plan_deferred(counts, 300.0, mask, STEP_S, **kw)
    assert message in err.value.message


def test_unreachable_target_names_the_interval() -> None:
    mask = week_mask(7)
    labels = [f"slot {i}" for i in range(mask.size)]
    counts = np.zeros(mask.size)
    counts[5 * PER_DAY + 70] = 10  # Saturday 17:30, after closing; due Sunday 17:30
    with pytest.raises(StaffingError, match=r"items arriving e\.g\. slot 550 have no opening"):
        plan_deferred(counts, 300.0, mask, STEP_S, response_target=1.0,
                      response_time_s=24 * 3600.0, labels=labels)


@pytest.mark.parametrize(("counts", "aht", "message"), [
    ([1.0, -2.0], 300.0, "volume -2.0 is not valid"),
    ([1.0, 2.0], 0.0, "AHT 0.0 s is not valid"),
])
def test_bad_volumes(counts, aht, message) -> None:
    with pytest.raises(StaffingError, match=message):
        plan_deferred(counts, aht, [True, True], STEP_S, response_target=0.9,
                      response_time_s=3600.0)


def min_peak_milp(counts: np.ndarray, aht: float, mask: np.ndarray, due: int,
                  allowed_late: int) -> float:
    """Lowest peak with at most ``allowed_late`` late items, one binary per item (MILP)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = counts.size
    opens = np.flatnonzero(mask)
    m = opens.size
    items = np.repeat(np.arange(n), counts.astype(int))  # arrival interval of each item
    items = items[items + due - 1 < n]  # deadline inside the horizon: judged
    q = items.size
    # Variables: X at the end of each open interval (m), on-time flag per item (q), peak.
    nv = m + q + 1
    rows, lo, hi = [], [], []
    big = (q + 1) * aht
    for i in range(m):
        row = np.zeros(nv)
        row[i], row[-1] = 1.0, -STEP_S
        if i:
            row[i - 1] = -1.0
        rows.append(row)
        lo.append(-np.inf)
        hi.append(0.0)  # X_i - X_{i-1} <= peak * STEP_S
        if i:
            row = np.zeros(nv)
            row[i], row[i - 1] = 1.0, -1.0
            rows.append(row)
            lo.append(0.0)
            hi.append(np.inf)
    for j, k in enumerate(items):  # on time: X(last open by the deadline) >= work through j
        last = np.flatnonzero(opens <= k + due - 1)
        row = np.zeros(nv)
        row[m + j] = big
        if last.size:
            row[last[-1]] -= 1.0
        rows.append(row)
        lo.append(-np.inf)
        hi.append(big - (j + 1) * aht)
    row = np.zeros(nv)
    row[m:m + q] = -1.0
    rows.append(row)
    lo.append(-np.inf)
    hi.append(allowed_late - q)  # sum(on time) >= q - allowed_late
    ub = np.concatenate([[counts[:o].sum() * aht for o in opens], np.ones(q), [np.inf]])
    c = np.zeros(nv)
    c[-1] = 1.0
    integrality = np.concatenate([np.zeros(m), np.ones(q), [0]])
    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi),
               bounds=Bounds(np.zeros(nv), ub), integrality=integrality)
    assert res.status == 0
    return float(res.x[-1])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=8, max_size=20), st.integers(3, 6),
       st.floats(0.6, 0.95), st.integers(0, 2 ** 16))
def test_lowest_peak_with_late_allowance_matches_milp(counts, due, target, seed) -> None:
    rng = np.random.default_rng(seed)
    mask = rng.uniform(size=len(counts)) < 0.6
    arr = np.array(counts, dtype=float)
    try:
        plan = plan_deferred(arr, 300.0, mask, STEP_S, response_target=target,
                             response_time_s=due * STEP_S)
    except StaffingError:
        return
    judged = arr[: max(len(counts) - due + 1, 0)].sum()  # deadline inside the horizon
    allowed = int(np.floor((1 - target) * judged + 1e-9))
    assert plan.agents_productive.max() == pytest.approx(
        min_peak_milp(arr[: len(counts)], 300.0, mask, due, allowed), rel=1e-5, abs=1e-7)
    assert plan.on_time_share >= target - 1e-9


def test_working_hours_deadlines_at_the_end_of_the_horizon_are_kept() -> None:
    """Issue 13 item 10: Mon-Sun horizon, Mon-Fri 08:00-18:00, Sat 09:00-13:00, Sun closed.

    Mail arriving Friday 18:00 to Saturday 09:00 has 4 working hours left in the horizon
    (Saturday's opening), so a 4-working-hour target makes it due by Saturday 13:00,
    inside the horizon. The plan once treated those deadlines as after the horizon: a
    few agent-hours on Saturday, hundreds of items left over, and a claimed 100 %.
    Checked by working the mail item by item (FIFO) under the plan.
    """
    slot = np.arange(7 * PER_DAY) % PER_DAY
    weekday = np.arange(7 * PER_DAY) // PER_DAY
    mask = ((weekday < 5) & (slot >= 32) & (slot < 72)) | ((weekday == 5) & (slot >= 36)
                                                           & (slot < 52))
    aht = 300.0
    counts = email_arrivals(7, seed=5)
    plan = plan_deferred(counts, aht, mask, STEP_S, response_target=1.0,
                         response_time_s=4 * 3600.0, clock="working")
    times, _ = item_times(counts, seed=105)
    done = simulate_fifo(times, np.full(times.size, aht), plan.agents_productive)
    horizon = mask.size * STEP_S
    friday_night = (times >= (4 * PER_DAY + 72) * STEP_S) & (times < (5 * PER_DAY + 36) * STEP_S)
    assert friday_night.sum() > 100
    # The independent check: working time left in the horizon after each arrival.
    due_inside = open_time_between(mask, times, np.full(times.size, horizon)) >= 4 * 3600.0 - 1e-6
    assert due_inside[friday_night].all()
    assert np.all(np.isfinite(done[due_inside]))
    waited = open_time_between(mask, times, np.minimum(done, horizon))
    assert waited[due_inside].max() <= 4 * 3600.0 + 1e-6
    # Saturday works at least the Friday-night mail; in all, at least everything up to the
    # last item due in the horizon (FIFO), and within 1 % of it.
    saturday_s = float(plan.agents_productive[weekday == 5].sum() * STEP_S)
    assert saturday_s >= friday_night.sum() * aht - 1e-6
    lower_bound_s = (int(np.flatnonzero(due_inside).max()) + 1) * aht
    hours_s = float(plan.agents_productive.sum() * STEP_S)
    assert lower_bound_s - 1e-6 <= hours_s <= 1.01 * lower_bound_s
    # What is left at the end is only mail whose deadline is after the horizon.
    assert plan.backlog[-1] == pytest.approx((~due_inside).sum(), abs=counts[5 * PER_DAY + 36])


def test_evaluating_the_plan_gives_the_plan_back() -> None:
    mask = week_mask(14)
    counts = email_arrivals(14, seed=11)
    plan = plan_deferred(counts, 300.0, mask, STEP_S, response_target=0.9,
                         response_time_s=24 * 3600.0, initial_backlog=30.0)
    seen = evaluate_deferred(counts, 300.0, mask, STEP_S, plan.agents_productive,
                             response_time_s=24 * 3600.0, initial_backlog=30.0)
    assert seen.agents_productive == pytest.approx(plan.agents_productive, abs=1e-9)
    assert seen.backlog == pytest.approx(plan.backlog, abs=1e-6)
    assert seen.oldest_age_s == pytest.approx(plan.oldest_age_s, abs=1e-3)
    assert seen.on_time_share == pytest.approx(plan.on_time_share, abs=1e-9)


def test_a_given_staffing_works_the_backlog_first_in_first_out() -> None:
    """Two agents in every open interval against a loop over the intervals: an interval's
    work is what its agents can do, at most what arrived before it and is not done."""
    mask = week_mask(7)
    counts = email_arrivals(7, seed=12, per_day=500.0)
    agents = np.where(mask, 2.0, 0.0)
    seen = evaluate_deferred(counts, 300.0, mask, STEP_S, agents,
                             response_time_s=8 * 3600.0, clock="working")
    arrived_before = np.concatenate(([0.0], np.cumsum(counts)))[:-1] * 300.0
    done, worked = 0.0, []
    for k in range(counts.size):
        step = min(agents[k] * STEP_S, arrived_before[k] - done)
        done += step
        worked.append(step / STEP_S)
    assert seen.agents_productive == pytest.approx(np.array(worked), abs=1e-9)
    assert seen.backlog == pytest.approx(np.cumsum(counts) - np.cumsum(worked) * 3, abs=1e-6)
    assert 0.0 < seen.on_time_share < 1.0  # 2 agents cannot keep up with 500 a day
    with pytest.raises(StaffingError, match="given agents"):
        evaluate_deferred(counts, 300.0, mask, STEP_S, -agents, response_time_s=3600.0)
