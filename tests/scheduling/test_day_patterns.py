"""Stage (b) in two levels: rest bands, day patterns, and the choice between the levels."""

from __future__ import annotations

import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from roster_helpers import MONDAY, agent, hourly_rules

from wfm.scheduling.assignment import assign_group
from wfm.scheduling.assignment_greedy import greedy_assignment, rest_slots
from wfm.scheduling.contracts import week_limits
from wfm.scheduling.day_patterns import (
    BANDS,
    band_rest_h,
    day_patterns,
    shift_bands,
    within_patterns,
)
from wfm.scheduling.eligibility import build_groups, eligible_shifts
from wfm.scheduling.shift_catalog import build_catalog
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.two_level_assignment import assign_in_two_levels

PARAMS = SolverParams(5.0, 1, 0)


def _week(agents: list[object], rules: object) -> tuple[object, np.ndarray, object]:
    cat = build_catalog(MONDAY, ZoneInfo("UTC"), rules, 60)  # type: ignore[arg-type]
    el = np.array([eligible_shifts(a, cat) for a in agents])  # type: ignore[arg-type]
    return cat, el, week_limits(agents, MONDAY, rules.days_off_per_week)  # type: ignore[arg-type,attr-defined]


@pytest.mark.parametrize("rest_h", [8, 11, 14])
def test_every_pair_breaking_the_rest_is_late_then_early(rest_h: int) -> None:
    # Checked pair by pair on absolute slots, independently of the band arithmetic: if two
    # offered shifts on consecutive days break the rest, the first is in a late band and
    # the second in an early one (so forbidding late -> early keeps the rule).
    rules = hourly_rules(shift_lengths_h=(4.0, 8.0, 10.0), min_rest_h=rest_h)
    cat = build_catalog(MONDAY, ZoneInfo("UTC"), rules, 60)
    rng = np.random.default_rng(rest_h)
    offered = rng.random(cat.n_shifts) < 0.3
    bands = shift_bands(cat, rules, offered)
    rest = rest_slots(rules, 60)
    breaking = 0
    for i in np.flatnonzero(offered):
        nxt = np.flatnonzero(offered & (cat.day == cat.day[i] + 1))
        for j in nxt[cat.start[nxt] < cat.end[i] + rest]:
            breaking += 1
            assert bands[i] & 2, (i, j)
            assert bands[j] & 1, (i, j)
    assert breaking > 0  # the property was exercised
    assert np.array_equal(bands // BANDS, cat.length)
    # Under band_rest_h, every late -> early pair breaks the rest: a greedy keeping that
    # rest builds weeks every pattern admits.
    longer = rest_slots(hourly_rules(min_rest_h=band_rest_h(cat, bands, offered, rules)), 60)
    assert longer >= rest
    for i in np.flatnonzero(offered & (bands & 2 > 0)):
        nxt = np.flatnonzero(offered & (cat.day == cat.day[i] + 1) & (bands & 1 > 0))
        assert (cat.start[nxt] < cat.end[i] + longer).all()


def _contract_week() -> tuple[list[object], object, object, np.ndarray, object, np.ndarray]:
    """Six full-timers (34-36 h on 4 days of 8 or 10 h) and a plan of exactly one 10 h and
    three 8 h shifts per agent, at early (07:00) and late (ending 22:00) clock times."""
    rules = hourly_rules(shift_lengths_h=(8.0, 10.0), min_rest_h=11, days_off_per_week=2,
                         max_consecutive_days=5)
    agents = [agent(f"F{k}", min_hours_week=34, max_hours_week=36, min_days_week=4,
                    max_days_week=4) for k in range(6)]
    cat, el, limits = _week(agents, rules)
    plan = np.zeros(cat.n_shifts, dtype=np.int64)

    def at(day: int, hour: int, length_h: float) -> int:
        k = [sl.length_h for sl in cat.lengths].index(length_h)
        return int(np.flatnonzero((cat.day == day) & (cat.start_min == hour * 60)
                                  & (cat.length == k))[0])

    # The plan counts a week built by hand (day: start hour, length), so a perfect split
    # exists; late shifts (ending 22:00) are followed only by late starts or a day off.
    weeks = [{0: (7, 10.0), 1: (7, 8.0), 2: (7, 8.0), 3: (14, 8.0)},
             {0: (7, 8.0), 1: (12, 10.0), 2: (14, 8.0), 3: (14, 8.0)},
             {0: (14, 8.0), 1: (14, 8.0), 2: (12, 10.0), 4: (7, 8.0)},
             {1: (7, 8.0), 2: (7, 8.0), 3: (12, 10.0), 4: (14, 8.0)},
             {0: (7, 8.0), 2: (7, 10.0), 3: (7, 8.0), 4: (7, 8.0)},
             {0: (12, 10.0), 1: (14, 8.0), 3: (14, 8.0), 4: (14, 8.0)}]
    for week in weeks:
        for day, (hour, length) in week.items():
            plan[at(day, hour, length)] += 1
    groups = build_groups(agents, el, cat, rules.days_off_per_week)  # type: ignore[arg-type]
    assert len(groups) == 1
    return agents, rules, cat, el, limits, plan  # type: ignore[return-value]


def test_day_patterns_meet_contracts_bands_and_the_plan_counts() -> None:
    agents, rules, cat, el, limits, plan = _contract_week()
    members = list(range(len(agents)))
    offered = (plan > 0)
    bands = shift_bands(cat, rules, offered)  # type: ignore[arg-type]
    got = day_patterns(cat, bands, members, plan, el, limits, rules, agents,  # type: ignore[arg-type]
                       PARAMS, under_weight=10.0, over_weight=1.0)
    assert got.kind is not None and got.status == "OPTIMAL"
    paid = {k: cat.lengths[k // BANDS].paid_h for k in range(len(cat.lengths) * BANDS)}  # type: ignore[attr-defined]
    counts: dict[tuple[int, int], int] = {}
    for a in members:
        row = got.kind[a]
        worked = [int(k) for k in row if k >= 0]
        assert limits.min_days[a] <= len(worked) <= limits.max_days[a]  # type: ignore[attr-defined]
        hours = sum(paid[k] for k in worked)
        assert limits.min_paid_min[a] <= hours * 60 <= limits.max_paid_min[a]  # type: ignore[attr-defined]
        for d in range(6):
            assert not (row[d] >= 0 and row[d] & 2 and row[d + 1] >= 0 and row[d + 1] & 1)
        for d in range(7):
            if row[d] >= 0:
                counts[(d, int(row[d]))] = counts.get((d, int(row[d])), 0) + 1
    planned: dict[tuple[int, int], int] = {}
    for i in np.flatnonzero(plan):
        key = (int(cat.day[i]), int(bands[i]))  # type: ignore[attr-defined]
        planned[key] = planned.get(key, 0) + int(plan[i])
    assert counts == planned  # a perfect split exists (one 10 h + three 8 h each)
    # Level 2 then offers only the planned shifts of each member's bands.
    for a in members:
        for i in within_patterns(cat, bands, np.flatnonzero(el[a] & offered), el[a],  # type: ignore[arg-type]
                                 got.kind[a]):
            assert got.kind[a][cat.day[i]] == bands[i]  # type: ignore[attr-defined]


def test_two_levels_match_the_plan_and_never_lose_to_one_level() -> None:
    agents, rules, cat, el, limits, plan = _contract_week()
    group = build_groups(agents, el, cat, rules.days_off_per_week)[0]  # type: ignore[arg-type]
    two = assign_in_two_levels(cat, group, plan, agents, el, limits, rules, 10.0, PARAMS)  # type: ignore[arg-type]
    one = assign_group(cat, group, plan, agents, el, limits, rules, 10.0, PARAMS)  # type: ignore[arg-type]
    assert (two.missed, two.extra) == (0, 0)
    assert two.objective <= one.objective
    worked = two.shift_of[two.shift_of >= 0]
    assert np.array_equal(np.bincount(worked, minlength=cat.n_shifts), plan)  # type: ignore[attr-defined]
    rest = rest_slots(rules, 60)  # type: ignore[arg-type]
    for row in two.shift_of:
        shifts = [int(i) for i in row if i >= 0]
        assert sum(cat.paid_h[i] for i in shifts) in (34.0, 36.0)  # type: ignore[attr-defined]
        for i, j in itertools.pairwise(shifts):
            assert cat.start[j] >= cat.end[i] + rest  # type: ignore[attr-defined]


def test_the_greedy_alone_adds_shifts_on_that_week() -> None:
    # What the two levels repair: agent by agent, the greedy hands out the 10 h shifts
    # unevenly or breaks the rest pairing, so someone needs a shift beyond the plan.
    agents, rules, cat, el, limits, plan = _contract_week()
    cands = {a: np.flatnonzero(el[a]) for a in range(len(agents))}
    got = greedy_assignment(cat, plan, cands, agents, limits, rules)  # type: ignore[arg-type]
    counts = np.bincount(got[got >= 0], minlength=cat.n_shifts)  # type: ignore[attr-defined]
    assert (counts != plan).any()
