"""The supply model against hand-computed waterfalls and weekly FTE.

The expected figures below were worked out on paper (docs/capacity.md, "A worked
example"): 2 % a month takes 2 % of whoever is there over a whole calendar month; a
partial month loses the share ``1 - 0.98 ** (days / days_in_month)``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from wfm.capacity import (
    Cohort,
    PlanHorizon,
    TenureBand,
    TrainingProfile,
    monthly_waterfall,
    project_cohorts,
    weekly_supply,
)
from wfm.capacity.supply import check_bands, scale_bands
from wfm.errors import PlanError

START = date(2027, 2, 1)  # a Monday, and February 2027 is exactly four weeks
TWO_PERCENT = [TenureBand(0, 0.02)]


def team(n: int = 10, **kw: object) -> list[Cohort]:
    return [Cohort(f"A{i}", "voice", 1.0, 1.0, **kw) for i in range(n)]  # type: ignore[arg-type]


def hand_case() -> tuple[list[Cohort], PlanHorizon]:
    """Ten tenured agents (one leaving on 31 March), a class of five on 1 February with
    four weeks of training losing 10 % of the class, then a ramp of 50 % and 75 %; 2 % a
    month for everyone after training; nine weeks (1 February to 4 April 2027)."""
    staff = [*team(9), Cohort("A9", "voice", 1.0, 1.0, leave=date(2027, 3, 31))]
    cls = Cohort("class 1", "voice", 5.0, 1.0, START, TrainingProfile(4, (0.5, 0.75), 0.10),
                 kind="planned")
    return [*staff, cls], PlanHorizon(START, 9)


def test_hand_computed_waterfall_is_reproduced() -> None:
    cohorts, horizon = hand_case()
    wf = monthly_waterfall(project_cohorts(cohorts, horizon, TWO_PERCENT), ["voice"])
    wf = wf[wf["group"] == "all"].set_index("month")
    assert list(wf.index) == ["2027-02", "2027-03", "2027-04"]
    # February: 10 agents lose 2 % (0.2); the class loses 10 % in training (0.5).
    assert wf.loc["2027-02", "opening"] == pytest.approx(10.0, rel=1e-12)
    assert wf.loc["2027-02", "hires"] == pytest.approx(5.0, rel=1e-12)
    assert wf.loc["2027-02", "attrition"] == pytest.approx(0.7, rel=1e-12)
    assert wf.loc["2027-02", "closing"] == pytest.approx(14.3, rel=1e-12)
    # March: 14.3 x 2 % = 0.286; the leaver goes on 31 March with 0.98 x 0.98 = 0.9604.
    assert wf.loc["2027-03", "opening"] == pytest.approx(14.3, rel=1e-12)
    assert wf.loc["2027-03", "attrition"] == pytest.approx(0.286, rel=1e-12)
    assert wf.loc["2027-03", "planned_leavers"] == pytest.approx(0.9604, rel=1e-12)
    assert wf.loc["2027-03", "closing"] == pytest.approx(13.0536, rel=1e-12)
    # April, four days of thirty: 13.0536 x 0.98 ** (4 / 30) remain.
    kept = 13.0536 * 0.98 ** (4 / 30)
    assert wf.loc["2027-04", "attrition"] == pytest.approx(13.0536 - kept, rel=1e-10)
    assert wf.loc["2027-04", "closing"] == pytest.approx(kept, rel=1e-12)


def test_waterfall_closings_chain_and_add_up_per_group() -> None:
    cohorts, horizon = hand_case()
    cohorts[0] = Cohort("A0", "chat", 1.0, 0.5)
    wf = monthly_waterfall(project_cohorts(cohorts, horizon, TWO_PERCENT), ["voice", "chat"])
    for group, rows in wf.groupby("group"):
        assert np.allclose(rows["closing"].to_numpy()[:-1], rows["opening"].to_numpy()[1:]), \
            group
    cols = ["opening", "hires", "attrition", "planned_leavers", "closing"]
    by_month = wf[wf["group"] != "all"].groupby("month")[cols].sum()
    total = wf[wf["group"] == "all"].set_index("month")[cols]
    assert np.allclose(by_month.to_numpy(), total.to_numpy())
    assert wf[(wf["group"] == "chat")]["opening"].iloc[0] == 1.0


def test_hand_computed_weekly_productive_fte_with_a_ramp() -> None:
    """No attrition after training: weeks 1-4 the team's 10 FTE, the class in training; then
    4.5 hires at 50 %, at 75 %, then 100 %; half-time agents count half."""
    staff = [*team(8), Cohort("P1", "voice", 1.0, 0.5), Cohort("P2", "voice", 1.0, 0.5)]
    cls = Cohort("class", "voice", 5.0, 1.0, START, TrainingProfile(4, (0.5, 0.75), 0.10))
    horizon = PlanHorizon(START, 8)
    supply = weekly_supply(project_cohorts([*staff, cls], horizon, [TenureBand(0, 0.0)]),
                           ["voice"])
    assert supply.productive_fte[0].tolist() == pytest.approx(
        [9.0, 9.0, 9.0, 9.0, 11.25, 12.375, 13.5, 13.5], rel=1e-12)
    assert supply.paid_fte[0, 5] == pytest.approx(13.5, rel=1e-12)
    assert supply.headcount[0, 6] == pytest.approx(14.5, rel=1e-12)
    trainees = supply.trainees[0]
    assert 5.0 > trainees[0] > trainees[1] > trainees[2] > trainees[3] > 4.5
    assert trainees[4:].tolist() == [0.0] * 4


def test_tenure_bands_follow_each_agents_tenure() -> None:
    """An agent who joined on 1 December 2026 is in the 0-3 months band (5 %) through
    February, and in the 3+ band (1 %) from 1 March: February loses 5 %, March 1 %."""
    bands = [TenureBand(0, 0.05), TenureBand(3, 0.01)]
    newcomer = Cohort("N", "voice", 1.0, 1.0, date(2026, 12, 1))
    veteran = Cohort("V", "voice", 1.0, 1.0, date(2015, 1, 1))
    horizon = PlanHorizon(START, 4)  # February 2027 only
    wf = monthly_waterfall(project_cohorts([newcomer, veteran], horizon, bands), ["voice"])
    assert wf.loc[wf["group"] == "voice", "attrition"].iloc[0] == pytest.approx(
        0.05 + 0.01, rel=1e-12)
    march = PlanHorizon(date(2027, 3, 1), 4)
    p = project_cohorts([newcomer], march, bands)
    # 1 March is 90 days = 2.96 months of tenure; 3 months (91.3 days) on 3 March.
    assert p.attrition[0, 0] == pytest.approx(1 - 0.95 ** (1 / 31), rel=1e-12)
    assert p.attrition[0, 2] == pytest.approx(p.headcount[0, 2] * (1 - 0.99 ** (1 / 31)),
                                              rel=1e-12)


def test_future_joiners_are_hires_and_past_leavers_are_gone() -> None:
    horizon = PlanHorizon(START, 4)
    cohorts = [Cohort("J", "voice", 1.0, 1.0, date(2027, 2, 15)),
               Cohort("L", "voice", 1.0, 1.0, leave=date(2027, 1, 20)),
               Cohort("S", "voice", 1.0, 1.0)]
    p = project_cohorts(cohorts, horizon, [TenureBand(0, 0.0)])
    assert p.headcount[0, :14].sum() == 0 and p.headcount[0, 14] == 1.0
    assert p.headcount[1].sum() == 0
    wf = monthly_waterfall(p, ["voice"])
    row = wf[wf["group"] == "all"].iloc[0]
    assert (row["opening"], row["hires"], row["closing"]) == (1.0, 1.0, 2.0)


def test_bad_bands_and_profiles_are_refused() -> None:
    with pytest.raises(PlanError, match="first starts at 0 months"):
        check_bands([TenureBand(3, 0.01)])
    with pytest.raises(PlanError, match=r"monthly attrition rate 1\.2"):
        check_bands([TenureBand(0, 1.2)])
    with pytest.raises(PlanError, match="one band per tenure"):
        check_bands([TenureBand(0, 0.01), TenureBand(0, 0.02)])
    with pytest.raises(PlanError, match="ramp"):
        TrainingProfile(2, (0.5, 1.5))
    with pytest.raises(PlanError, match="a Monday"):
        PlanHorizon(date(2027, 2, 2), 4)
    assert scale_bands([TenureBand(0, 0.02)], 1.5)[0].monthly_rate == pytest.approx(0.03)
