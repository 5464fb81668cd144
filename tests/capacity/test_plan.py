"""One scenario's plan end to end on synthetic demand: required FTE by hand, the hiring
plan closing the gap, scenarios moving the right inputs."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from wfm.capacity import (
    Cohort,
    HiringRules,
    PlanHorizon,
    PlanInputs,
    PlanShrinkage,
    QueueDemand,
    Scenario,
    ShrinkagePeriod,
    TenureBand,
    TrainingProfile,
    plan_scenario,
)

START = date(2027, 6, 7)  # a Monday; July and August follow
WEEKS = 20


def demand(hours_per_day: float = 70.0, queues: tuple[str, ...] = ("q",)) -> QueueDemand:
    n = len(queues)
    return QueueDemand(queues, np.full((n, 7 * WEEKS), hours_per_day),
                       np.full((n, WEEKS), 1000.0), np.full((n, WEEKS), 80.0))


def inputs(heads: int = 18, **kw: object) -> PlanInputs:
    base: dict[str, object] = {
        "horizon": PlanHorizon(START, WEEKS), "groups": ("g",), "queue_group": {"q": "g"},
        "staff": tuple(Cohort(f"a{i}", "g", 1.0) for i in range(heads)),
        "bands": (TenureBand(0, 0.02),),
        "shrinkage": PlanShrinkage((0.3,) * 6 + (0.44,) + (0.3,) * 5),
        "hours_per_fte": 35.0,
        "rules": HiringRules(TrainingProfile(2, (0.5,), 0.0), lead_time_weeks=2,
                             min_class_size=2, max_class_size=10, max_classes=2,
                             gap_tolerance=0.0)}
    base.update(kw)
    return PlanInputs(**base)  # type: ignore[arg-type]


def test_required_fte_by_hand() -> None:
    """70 productive agent-hours a day: 490 a week; / 0.7 / 35 h = 20 FTE; a week in
    July (shrinkage 0.44): 490 / 0.56 / 35 = 25 FTE; the week straddling 30 June - 4 July
    has 3 days at 0.3 and 4 at 0.44."""
    plan = plan_scenario(Scenario(), demand(), inputs(hire=False))
    req = plan.weekly[plan.weekly["group"] == "g"].set_index("week_start")["required_fte"]
    assert req["2027-06-07"] == pytest.approx(20.0, rel=1e-12)
    assert req["2027-07-05"] == pytest.approx(25.0, rel=1e-12)
    assert req["2027-06-28"] == pytest.approx((3 * 70 / 0.7 + 4 * 70 / 0.56) / 35, rel=1e-12)
    d = plan.demand.set_index("week_start")
    assert d.loc["2027-07-05", "aht_s"] == pytest.approx(80.0 * 3600 / 1000)
    assert d.loc["2027-07-05", "shrinkage"] == pytest.approx(0.44)


def test_hiring_closes_the_gap_once_the_class_is_productive() -> None:
    plan = plan_scenario(Scenario(), demand(), inputs())
    g = plan.weekly[plan.weekly["group"] == "g"].reset_index(drop=True)
    assert plan.hiring is not None and plan.hiring.classes
    before = g["short_fte"].iloc[0]
    assert before > 1.5  # 18 agents for 20 FTE
    first = min(c.start for c in plan.hiring.classes)
    # Two weeks of training and a week at 50 %: from the fourth week on, covered but for
    # less than one hire's worth (another hire would cost more than that shortfall).
    full = date.fromordinal(first.toordinal() + 21).isoformat()
    covered = g[g["week_start"] >= full]
    assert covered["short_fte"].max() < 1.0
    assert covered["short_fte"].sum() < before * len(covered) / 4
    assert (g["available_fte"] >= g["available_fte_current"] - 1e-12).all()
    assert plan.classes["source"].tolist() == ["proposed"] * len(plan.hiring.classes)


def test_no_hiring_leaves_the_supply_as_it_is() -> None:
    plan = plan_scenario(Scenario(), demand(), inputs(hire=False))
    assert plan.hiring is None and plan.classes.empty
    g = plan.weekly[plan.weekly["group"] == "g"]
    assert np.allclose(g["available_fte"], g["available_fte_current"])
    # 18 agents at 2 % a month: fewer every week.
    assert (np.diff(g["headcount"].to_numpy()) < 0).all()


def test_scenarios_move_shrinkage_and_attrition() -> None:
    base = plan_scenario(Scenario(), demand(), inputs(hire=False))
    more = plan_scenario(Scenario("s", shrinkage_change=0.1, attrition_factor=3.0),
                         demand(), inputs(hire=False))
    b = base.weekly[base.weekly["group"] == "g"].reset_index(drop=True)
    m = more.weekly[more.weekly["group"] == "g"].reset_index(drop=True)
    assert m["required_fte"].iloc[0] == pytest.approx(490 / 0.6 / 35, rel=1e-12)
    assert m["headcount"].iloc[-1] < b["headcount"].iloc[-1]
    for plan, rate in ((base, 0.02), (more, 0.06)):  # July: a whole month at the rate
        july = plan.waterfall[(plan.waterfall["group"] == "all")
                              & (plan.waterfall["month"] == "2027-07")].iloc[0]
        assert july["attrition"] == pytest.approx(july["opening"] * rate, rel=1e-12)


def test_shrinkage_periods_override_the_month() -> None:
    shrink = PlanShrinkage((0.3,) * 12, (ShrinkagePeriod(date(2027, 6, 14),
                                                         date(2027, 6, 20), 0.5),))
    plan = plan_scenario(Scenario(), demand(), inputs(hire=False, shrinkage=shrink))
    req = plan.weekly[plan.weekly["group"] == "g"].set_index("week_start")["required_fte"]
    assert req["2027-06-14"] == pytest.approx(490 / 0.5 / 35, rel=1e-12)


def test_the_total_row_sums_the_groups_and_their_shortfalls() -> None:
    two = inputs(groups=("g", "h"), queue_group={"q": "g", "r": "h"},
                 staff=(*(Cohort(f"a{i}", "g", 1.0) for i in range(25)),
                        *(Cohort(f"b{i}", "h", 1.0) for i in range(10))), hire=False)
    plan = plan_scenario(Scenario(), demand(queues=("q", "r")), two)
    w = plan.weekly
    first = w[w["week_start"] == "2027-06-07"].set_index("group")
    assert first.loc["all", "required_fte"] == pytest.approx(40.0)
    assert first.loc["all", "available_fte"] == pytest.approx(35.0, rel=0.005)  # 2 %/month
    # g has 5 FTE to spare, h is 10 short: the total is 10 short, not 5.
    assert first.loc["all", "short_fte"] == pytest.approx(first.loc["h", "short_fte"])
    assert first.loc["h", "short_fte"] == pytest.approx(10.0, abs=0.05)
