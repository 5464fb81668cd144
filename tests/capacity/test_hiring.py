"""The hiring MIP against exhaustive search on small cases.

The brute force knows nothing of the MIP: it lays every admissible set of classes
(at most ``max_classes``, sizes in ``min..max``, starts after the lead time, seats
respected) into the supply model as real cohorts, measures the shortfall week by week
and adds up the costs, then keeps the cheapest.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest

from wfm.capacity import (
    Cohort,
    HiringRules,
    PlanHorizon,
    SolverLimits,
    TenureBand,
    TrainingProfile,
    plan_hiring,
    project_cohorts,
    weekly_supply,
)
from wfm.capacity.hiring import seats_taken
from wfm.errors import PlanError

START = date(2027, 3, 1)
BANDS = [TenureBand(0, 0.04), TenureBand(6, 0.02)]
RULES = HiringRules(TrainingProfile(2, (0.5,), 0.1), fte_per_hire=1.0, lead_time_weeks=1,
                    max_classes=2, min_class_size=2, max_class_size=5, training_seats=6,
                    cost_per_hire=3.0, class_cost=5.0, cost_per_fte_week=1.0,
                    shortage_cost_per_fte_week=10.0, gap_tolerance=0.05)


def staff(groups: tuple[str, ...]) -> list[Cohort]:
    return [Cohort(f"{g}{i}", g, 1.0, 1.0, date(2020, 1, 1)) for g in groups for i in range(8)]


def required(groups: tuple[str, ...], weeks: int) -> np.ndarray:
    ramp = np.linspace(8.0, 13.0, weeks)
    return np.vstack([ramp * (1.0 + 0.15 * i) for i in range(len(groups))])


def brute_force(groups: tuple[str, ...], horizon: PlanHorizon, req: np.ndarray,
                rules: HiringRules) -> tuple[float, tuple[tuple[str, date, int], ...]]:
    base = staff(groups)
    starts = [horizon.start + timedelta(days=7 * s) for s in range(horizon.weeks)
              if s >= rules.lead_time_weeks
              and (s - rules.lead_time_weeks) % rules.start_every_weeks == 0
              and 7 * s + rules.training.training_days < horizon.n_days]
    slots = [(g, s) for g in groups for s in starts]
    sizes = range(rules.min_class_size, rules.max_class_size + 1)
    best = (np.inf, ())
    for k in range(rules.max_classes + 1):
        for chosen in itertools.combinations(slots, k):
            for ns in itertools.product(sizes, repeat=k):
                plan = tuple((g, s, n) for (g, s), n in zip(chosen, ns, strict=True))
                cost = evaluate(plan, base, groups, horizon, req, rules)
                if cost < best[0] - 1e-9:
                    best = (cost, plan)
    return best


def evaluate(plan: tuple[tuple[str, date, int], ...], base: list[Cohort],
             groups: tuple[str, ...], horizon: PlanHorizon, req: np.ndarray,
             rules: HiringRules) -> float:
    """The plan's cost, or inf when it breaks the training seats."""
    seats = np.zeros(horizon.weeks)
    for _, s, n in plan:
        first = horizon.day_of(s)
        weeks = {d // 7 for d in range(first, first + rules.training.training_days)
                 if d < horizon.n_days}
        for w in weeks:
            seats[w] += n
    if rules.training_seats and (seats > rules.training_seats).any():
        return np.inf
    classes = [Cohort(f"c{i}", g, float(n), rules.fte_per_hire, s, rules.training,
                      kind="proposed") for i, (g, s, n) in enumerate(plan)]
    cost = 0.0
    for c in classes:
        alone = weekly_supply(project_cohorts([c], horizon, BANDS), [c.group])
        cost += rules.cost_per_hire * c.size + rules.class_cost
        cost += rules.cost_per_fte_week * float(alone.paid_fte.sum())
    supply = weekly_supply(project_cohorts([*base, *classes], horizon, BANDS), list(groups))
    short = np.maximum((1 - rules.gap_tolerance) * req - supply.productive_fte, 0.0)
    return cost + rules.shortage_cost_per_fte_week * float(short.sum())


def solve(groups: tuple[str, ...], horizon: PlanHorizon, req: np.ndarray,
          rules: HiringRules = RULES):
    base = weekly_supply(project_cohorts(staff(groups), horizon, BANDS), list(groups))
    return plan_hiring(req, base.productive_fte, groups, horizon, rules, bands=BANDS,
                       limits=SolverLimits(node_limit=100_000, relative_gap=0.0))


@pytest.mark.parametrize(("groups", "weeks", "every"), [
    (("voice",), 10, 1), (("voice", "chat"), 10, 1), (("voice", "chat"), 16, 3)])
def test_mip_plan_is_the_brute_force_optimum(groups: tuple[str, ...], weeks: int,
                                             every: int) -> None:
    horizon = PlanHorizon(START, weeks)
    req = required(groups, horizon.weeks)
    rules = RulesWith(start_every_weeks=every)
    best_cost, best_plan = brute_force(groups, horizon, req, rules)
    result = solve(groups, horizon, req, rules=rules)
    mip_plan = tuple((c.group, c.start, c.size) for c in result.classes)
    assert best_plan, "the case must need hires"
    assert result.status == "optimal" and result.gap <= 1e-6
    # The MIP's plan, priced by the brute force's own evaluation, is the optimum ...
    assert evaluate(mip_plan, staff(groups), groups, horizon, req, rules) == pytest.approx(
        best_cost, rel=1e-7)
    # ... and the MIP prices it the same way.
    assert result.objective == pytest.approx(best_cost, rel=1e-7)
    assert result.hiring_cost + result.shortage_cost == pytest.approx(best_cost, rel=1e-7)


def test_seats_and_class_count_bind() -> None:
    """Two groups each short of about six FTE: with six seats the classes cannot train in
    the same weeks, and one class at most leaves the other group short."""
    groups = ("voice", "chat")
    horizon = PlanHorizon(START, 10)
    req = np.vstack([np.full(10, 14.0), np.full(10, 14.0)])
    plan = solve(groups, horizon, req)
    assert len(plan.classes) == 2
    seats = seats_taken([Cohort("x", c.group, float(c.size), 1.0, c.start, RULES.training)
                         for c in plan.classes], horizon)
    assert seats.max() <= RULES.training_seats
    one = solve(groups, horizon, req, rules=RulesWith(max_classes=1))
    assert len(one.classes) == 1 and one.shortage_cost > plan.shortage_cost


def RulesWith(**changes: object) -> HiringRules:
    from dataclasses import replace

    return replace(RULES, **changes)  # type: ignore[arg-type]


def test_no_shortfall_means_no_hires_and_a_zero_gap() -> None:
    groups = ("voice",)
    horizon = PlanHorizon(START, 8)
    plan = solve(groups, horizon, np.full((1, 8), 5.0))
    assert plan.classes == () and plan.objective == 0.0 and plan.gap == 0.0


def test_lead_time_keeps_classes_out_of_the_first_weeks() -> None:
    groups = ("voice",)
    horizon = PlanHorizon(START, 12)
    plan = solve(groups, horizon, np.full((1, 12), 12.0), rules=RulesWith(lead_time_weeks=5))
    assert plan.classes and min(c.start for c in plan.classes) >= START + timedelta(weeks=5)


def test_same_inputs_same_plan() -> None:
    groups = ("voice", "chat")
    horizon = PlanHorizon(START, 10)
    req = required(groups, 10)
    a, b = solve(groups, horizon, req), solve(groups, horizon, req)
    assert a == b


def test_planned_classes_over_the_seat_limit_are_refused() -> None:
    horizon = PlanHorizon(START, 6)
    planned = [Cohort("p", "voice", 8.0, 1.0, START, RULES.training, kind="planned")]
    with pytest.raises(PlanError, match="training seats"):
        plan_hiring(np.zeros((1, 6)), np.zeros((1, 6)), ("voice",), horizon, RULES,
                    bands=BANDS, seats_used=seats_taken(planned, horizon))


def test_a_node_limit_reports_a_true_bound_and_gap() -> None:
    """Three groups over 30 weeks with wavy demand: stopped after one node the MIP says
    so, and its bound and gap are honest - the bound is below the proven optimum, the
    plan's cost above it - and the stop is the same on every run (a work limit)."""
    rng = np.random.default_rng(3)
    groups = ("g0", "g1", "g2")
    horizon = PlanHorizon(START, 30)
    t = np.arange(30)
    req = np.vstack([8 + 4 * np.sin(t / 5 + i) + 0.15 * t + rng.normal(0, 0.5, 30)
                     for i in range(3)])
    rules = RulesWith(max_classes=5, max_class_size=7, training_seats=8)
    base = weekly_supply(project_cohorts(staff(groups), horizon, BANDS), list(groups))

    def run(nodes: int):  # type: ignore[no-untyped-def]
        return plan_hiring(req, base.productive_fte, groups, horizon, rules, bands=BANDS,
                           limits=SolverLimits(node_limit=nodes, relative_gap=0.0))

    best, cut = run(100_000), run(1)
    assert best.status == "optimal" and best.gap == 0.0
    assert cut.status == "node_limit" and cut.nodes == 1
    assert cut.bound <= best.objective + 1e-6 < cut.objective
    assert cut.gap == pytest.approx((cut.objective - cut.bound) / cut.objective)
    assert cut.gap > 0.01
    assert run(1) == cut
