"""The baselines the others are measured against: seasonal naive over a holiday, MSTL's
daily totals over closed hours."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import HOURS, TZ, calendar, make_history

from wfm.forecasting import SiteCalendar, forecast_intervals
from wfm.forecasting.grid import build_grid
from wfm.forecasting.models.base import History
from wfm.forecasting.models.mstl import MSTLModel


def _local_day(frame: pd.DataFrame) -> pd.Series:
    return frame["interval_start"].dt.tz_convert(TZ).dt.date


def test_seasonal_naive_skips_a_closed_holiday() -> None:
    # History ends Sunday 27 April 2025; its last Monday (21 April) is Easter Monday, closed.
    hist, _ = make_history("2025-01-06", 112, seed=3)
    run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15, horizon_days=7,
                             model="seasonal_naive", backtest_cutoffs=1)
    fc = run.forecast.assign(day=_local_day(run.forecast))
    monday = fc[fc["day"] == date(2025, 4, 28)]
    hist_day = _local_day(hist)
    source = hist[hist_day == date(2025, 4, 14)]  # the last open Monday
    assert monday["offered"].sum() > 0
    np.testing.assert_array_equal(monday["offered"].to_numpy(), source["offered"].to_numpy())
    # The other weekdays still copy the last week.
    friday = fc[fc["day"] == date(2025, 5, 2)]
    np.testing.assert_array_equal(friday["offered"].to_numpy(),
                                  hist.loc[hist_day == date(2025, 4, 25), "offered"].to_numpy())


def test_mstl_daily_totals_count_open_hours_only() -> None:
    # A flat 25 contacts per open interval; the same history once more with 2 contacts per
    # closed interval logged at night (IVR, overflow). MSTL works on hourly totals: the
    # night contacts must not enter the open-hours total that the profile splits.
    cal = SiteCalendar(ZoneInfo(TZ), HOURS)
    g = build_grid(pd.Timestamp("2025-01-06"), 56, 14, cal, 15)
    horizon = len(g.index) - g.n_history
    rng = np.random.default_rng(0)
    day_counts = rng.poisson(25, len(g.index)).astype(float)
    night = rng.poisson(2, len(g.index)).astype(float)
    totals = []
    for with_night in (False, True):
        y = np.where(g.open, day_counts, night if with_night else 0.0)
        y[g.n_history:] = np.nan
        pred = MSTLModel().fit(History(g, y, g.n_history)).predict(horizon).mean
        totals.append(pred.sum())
    expected = 25 * g.open[g.n_history:].sum()
    assert totals[1] == pytest.approx(totals[0], rel=1e-9)  # was 8-13 % higher
    assert totals[0] == pytest.approx(expected, rel=0.05)
