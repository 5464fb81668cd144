"""Coverage summary per queue and day, worst intervals and the gap sparkline."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from report_runs import schedule_frames

from wfm.reports.coverage import coverage_summary, sparkline, sparkline_legend


def coverage() -> pd.DataFrame:
    cov = schedule_frames()[2]
    cov["interval_start"] = pd.to_datetime(cov["interval_start"], utc=True)
    return cov


def test_summary_hours_and_worst_intervals() -> None:
    out = coverage_summary(coverage(), tz=ZoneInfo("Europe/Paris"), interval_h=0.5)
    assert len(out) == 6
    r = out[(out["queue"] == "voice_fr") & (out["date"] == "2026-03-27")].iloc[0]
    # required 1,1,2,2,1.5,1,1,0.5; scheduled (A1 only, break 09:00, lunch 10:30) 1,1,0,1,1,0,1,1
    assert r["required_h"] == 5.0 and r["scheduled_h"] == 3.0 and r["gap_h"] == -2.0
    assert r["short_h"] == 0.5 * (2 + 1 + 0.5 + 1) and r["short_intervals"] == 4
    assert r["worst"] == "09:00 -2.0, 09:30 -1.0, 10:30 -1.0"
    assert len(r["gap_profile"]) == 8 and r["gap_profile"][2] == "▁"


def test_sparkline_scale() -> None:
    assert sparkline(np.array([-2.0, -0.1, 0.0, 0.5, 2.0, np.nan]), 2.0) == "▁▄▅▆█ "
    assert sparkline(np.array([0.0, 0.0]), 0.0) == "▅▅"
    assert "2.0 agents short" in sparkline_legend(coverage())


def test_rounding_noise_of_requirements_is_not_a_shortfall() -> None:
    cov = coverage()
    met = cov["scheduled"] > 0
    # What a shrinkage division leaves: 10 / (1 - 0.3) * (1 - 0.3) != 10 in floats.
    cov.loc[met, "required"] = cov.loc[met, "scheduled"] / 0.7 * 0.7 + 1e-12
    out = coverage_summary(cov, tz=ZoneInfo("Europe/Paris"), interval_h=0.5)
    days_fully_met = out[out["short_intervals"] == 0]
    assert len(days_fully_met) > 0
    assert (days_fully_met["short_h"] == 0).all()
    assert not np.signbit(out["short_h"].to_numpy()).any()  # no "-0" in the table
    assert (out["worst"].str.contains("-0.0")).sum() == 0
