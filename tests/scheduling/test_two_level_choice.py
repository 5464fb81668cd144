"""Stage (b)'s choice between the two levels and the greedy's weeks, on the real case that
exposed the per-shift margins: the quick named benchmark week's full-timers."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from wfm.scheduling import roster
from wfm.scheduling.assignment import assign_group, candidate_shifts, shift_counts
from wfm.scheduling.assignment_greedy import greedy_assignment
from wfm.scheduling.roster_stages import group_terms
from wfm.scheduling.shift_margins import (
    margins_cost,
    shift_changes_value,
    useful_shifts,
)
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.two_level_assignment import assign_in_two_levels

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import schedule_instances as si


class _Captured(Exception):
    pass


@pytest.fixture(scope="module")
def stage_b_inputs() -> tuple[Any, ...]:
    """Stage (b)'s arguments on the quick named week (stage (a) run as the bench does)."""
    week = si.named_agents_week(quick=True)
    seen: list[tuple[Any, ...]] = []

    def capture(*args: Any, **_: Any) -> None:
        seen.append(args)
        raise _Captured

    patch = pytest.MonkeyPatch()
    patch.setattr(roster, "assign_agents", capture)
    try:
        roster.schedule_week(week.requirements, week.agents, week.rules, week_start=si.WEEK,
                             tz=ZoneInfo(si.TZ), params=SolverParams(10.0, 1, 0),
                             allow_understaffing=True)
    except _Captured:
        pass
    finally:
        patch.undo()
    assert seen, "stage (b) was not reached"
    return seen[0]


def test_overstaffing_weeks_the_margins_like_lose_to_the_two_levels(
        stage_b_inputs: tuple[Any, ...]) -> None:
    catalog, groups, plan, agents, eligible, limits, rules, queues, params, carry, usual = (
        stage_b_inputs)
    g = max(range(len(groups)), key=lambda k: len(groups[k].members))
    group, counts_plan = groups[g], plan.shifts[g]
    members = list(group.members)
    margins, under_weight, share = group_terms(catalog, groups, g, plan, rules, queues, params)
    useful = useful_shifts(catalog, counts_plan, margins)
    cands = {a: candidate_shifts(catalog, counts_plan, eligible, limits, a, useful)
             for a in members}
    greedy = greedy_assignment(catalog, counts_plan, cands, agents, limits, rules, carry)
    greedy_counts = shift_counts(greedy, members, catalog.n_shifts)
    added = greedy_counts - counts_plan
    # The premise: the greedy adds unplanned shifts, each worth adding alone by the
    # margins, that overstaff once recounted together.
    assert (added >= 0).all() and added.sum() > 0
    assert margins_cost(margins, counts_plan, greedy_counts, len(members)) < 0
    assert shift_changes_value(margins, added) > 0
    res = assign_in_two_levels(
        catalog, group, counts_plan, agents, eligible, limits, rules, under_weight, share,
        carry_in_days=carry, margins=margins, previous_start_min=usual)
    got_counts = shift_counts(res.shift_of, members, catalog.n_shifts)
    # The levels match the plan and stand: no overstaffing shift added.
    assert (res.missed, res.extra) == (0, 0)
    assert shift_changes_value(margins, got_counts - counts_plan) == 0


def test_fix_to_hint_prices_the_assignment_it_is_given(stage_b_inputs: tuple[Any, ...]) -> None:
    # The greedy's weeks priced, not improved: the same shifts back, with an objective that
    # a free solve from the same start and budget beats (on the part-timers it moves 4
    # planned shifts to better-covering ones).
    catalog, groups, plan, agents, eligible, limits, rules, queues, params, carry, usual = (
        stage_b_inputs)
    g = min(range(len(groups)), key=lambda k: len(groups[k].members))
    group, members = groups[g], list(groups[g].members)
    margins, _, budget = group_terms(catalog, groups, g, plan, rules, queues, params)
    useful = useful_shifts(catalog, plan.shifts[g], margins)
    cands = {a: candidate_shifts(catalog, plan.shifts[g], eligible, limits, a, useful)
             for a in members}
    greedy = greedy_assignment(catalog, plan.shifts[g], cands, agents, limits, rules, carry)
    kw: dict[str, Any] = {"carry_in_days": carry, "previous_start_min": usual,
                          "margins": margins, "start": greedy}
    priced = assign_group(catalog, group, plan.shifts[g], agents, eligible, limits, rules,
                          10.0, replace(budget, fix_to_hint=True), **kw)
    assert priced.status == "OPTIMAL"
    assert np.array_equal(priced.shift_of[members], greedy[members])
    free = assign_group(catalog, group, plan.shifts[g], agents, eligible, limits, rules,
                        10.0, budget, **kw)
    assert free.objective < priced.objective
    assert not np.array_equal(free.shift_of[members], greedy[members])
