"""The summary's excess breakdown (issue 17 item 5) against excess counted by hand and
against the coverage of the roster itself."""

from __future__ import annotations

import pytest
from roster_helpers import LUNCH_1H, MONDAY, agent, hourly_rules, solve
from scheduling_frames import requirements_frame
from test_roster_random import random_roster


def _req(windows: list[tuple[str, str, int]], day: int = 0):  # type: ignore[no-untyped-def]
    return requirements_frame(MONDAY, "UTC", per_day={("voice_fr", day): windows}, minutes=60)


def test_contract_minimum_is_the_whole_excess_and_no_solver_step_adds_any() -> None:
    # One 4-hour need, a 12-hour contract on 4-hour shifts without breaks: any roster
    # works 12 h, so 8 agent-hours of excess are forced; without the minimum the LP
    # covers the need exactly.
    res = solve(_req([("08:00", "12:00", 1)]),
                [agent("A1", min_hours_week=12, max_hours_week=12, min_days_week=3)],
                hourly_rules())
    b = res.summary.excess_breakdown
    assert b is not None
    assert b.required_agent_hours == pytest.approx(4.0)
    assert b.contract_min_work_hours == pytest.approx(12.0)
    assert b.forced_over_agent_hours == pytest.approx(8.0)
    assert b.free_lp_computed is True
    assert b.lp_without_minimums.objective == pytest.approx(0.0, abs=1e-6)
    assert b.lp_without_minimums.over_agent_hours == pytest.approx(0.0, abs=1e-6)
    for step in ("lp", "plan", "after_breaks", "roster"):
        assert getattr(b, step).over_agent_hours == pytest.approx(8.0), step
    assert b.stage_b_shift_hours_added == pytest.approx(0.0)
    assert b.over_by_queue["voice_fr"]["roster"] == pytest.approx(8.0)


def test_least_contract_week_counts_working_time_without_the_unpaid_lunch() -> None:
    # Shifts of 4 h (3 h paid and worked: a 1-hour unpaid lunch) or 6 h (5 h), at least
    # 11 paid hours on at least 2 days: 5 + 5 and 3 + 3 + 3 fall short, 3 + 3 + 5 = 11 is
    # the least week (3 + 3 + 3 + 3 = 12 the next), so 11 working hours for a 2-hour need.
    res = solve(_req([("09:00", "11:00", 1)]),
                [agent("A1", min_hours_week=11, max_hours_week=20, min_days_week=2,
                       shift_lengths_h=(4.0, 6.0))],
                hourly_rules(shift_lengths_h=(4.0, 6.0), breaks=(LUNCH_1H,)))
    b = res.summary.excess_breakdown
    assert b is not None
    assert b.contract_min_work_hours == pytest.approx(11.0)
    assert b.forced_over_agent_hours == pytest.approx(9.0)
    # The roster's excess is the coverage frame's (whole agents here) and at least forced.
    assert b.roster.over_agent_hours == pytest.approx(res.summary.over_agent_hours)
    assert b.roster.over_agent_hours >= b.forced_over_agent_hours - 1e-6


@pytest.mark.parametrize("seed", [1, 2])
def test_steps_are_ordered_and_end_at_the_rosters_own_figures(seed: int) -> None:
    _, _, res = random_roster(seed)
    s = res.summary
    b = s.excess_breakdown
    assert b is not None
    # Relaxations bound what follows them: no minimums <= LP <= plan, LP <= roster.
    assert b.free_lp_computed is True
    assert b.lp_without_minimums.objective <= b.lp.objective + 1e-6
    assert b.lp.objective == pytest.approx(s.lp_bound, abs=1e-3)
    assert b.lp.objective <= b.plan.objective + 1e-6
    assert b.plan.objective == pytest.approx(s.plan_objective, abs=1e-3)
    assert b.roster.objective == pytest.approx(s.objective, abs=1e-3)
    # Requirements here are whole agents, so the coverage frame's excess is the same.
    assert b.roster.over_agent_hours == pytest.approx(s.over_agent_hours, abs=1e-3)
    assert b.roster.under_agent_hours == pytest.approx(s.under_agent_hours, abs=1e-3)
    assert b.roster.over_agent_hours >= b.forced_over_agent_hours - 1e-6
    assert sum(q["roster"] for q in b.over_by_queue.values()) == pytest.approx(
        b.roster.over_agent_hours, abs=1e-3)


def test_forced_excess_leaves_out_what_an_overnight_shift_works_after_the_week() -> None:
    # Seven 4-hour shifts (28 h) for a 2-hour need late on Sunday: the Sunday shift can run
    # 22:00-02:00 and spend 2 of its hours after the week, where excess is not counted.
    # The roster's excess is then 24 h, below 28 - 2 = 26: the bound must allow for that.
    res = solve(_req([("22:00", "23:59", 1)], day=6),
                [agent("A1", min_hours_week=28, max_hours_week=28, min_days_week=7,
                       max_days_week=7)],
                hourly_rules(allow_overnight=True), allow_understaffing=True)
    b = res.summary.excess_breakdown
    assert b is not None
    assert b.roster.under_agent_hours == pytest.approx(0.0)
    assert b.roster.over_agent_hours == pytest.approx(24.0)
    # 28 h less the need and less the 3 h the latest shift (Sunday 23:00-03:00) may spill.
    assert b.forced_over_agent_hours == pytest.approx(23.0)
    assert b.forced_over_agent_hours <= b.roster.over_agent_hours + 1e-6
