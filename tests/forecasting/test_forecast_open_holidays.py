"""A country holiday declared open is forecast as the ordinary day it is (issue 13 item 3).

A US centre open on Columbus Day: with `country = "US"` every federal holiday was closed
and Columbus Day got a zero forecast. The history is a seeded synthetic series whose
true rate treats Columbus Day as an ordinary Monday (and the other federal holidays as
closed, with their catch-up day); the forecast is compared with that true rate.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from forecast_synthetic import HOURS, TZ, make_history

from wfm.config import parse_config
from wfm.config.site import HolidayEffect
from wfm.executors import SerialExecutor
from wfm.forecasting import SiteCalendar, forecast_intervals, site_holidays
from wfm.pipeline.forecast_job import site_calendar

COLUMBUS = date(2025, 10, 13)
CONFIG = f"""[site]
timezone = "{TZ}"
country = "US"
{{site}}
[site.opening_hours]
sat = "09:00-17:00"
"""


def _truth_calendar() -> SiteCalendar:
    hol = site_holidays("US", range(2024, 2027),
                        effects=[HolidayEffect("Columbus Day", "open")])
    return SiteCalendar(ZoneInfo(TZ), HOURS, hol.closed)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    # 19 weeks to Sunday 12 October 2025, truth one week further (Columbus Day on Monday).
    return make_history("2025-06-02", 133, extra_days=7, daily_level=1200, seed=11,
                        cal=_truth_calendar())


def _columbus_day(text: str, data: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[float, float]:
    hist, truth = data
    cfg = parse_config(text, Path("/p/wfm.toml"))
    run = forecast_intervals(hist, calendar=site_calendar(cfg, hist, 7), interval_minutes=15,
                             horizon_days=7, model="weekly_mean", executor=SerialExecutor())
    fc = run.forecast
    on_day = fc["interval_start"].dt.tz_convert(TZ).dt.date == COLUMBUS
    true_day = truth["interval_start"].dt.tz_convert(TZ).dt.date == COLUMBUS
    return float(fc.loc[on_day, "offered"].sum()), float(truth.loc[true_day, "true_offered"].sum())


def test_columbus_day_declared_open_is_forecast_like_a_monday(data) -> None:
    forecast, true = _columbus_day(CONFIG.format(site='open_holidays = ["Columbus Day"]'),
                                   data)
    assert true > 1000
    # weekly_mean of four Mondays at ~1,500 contacts: Poisson noise about 2 %, the
    # level's trend and season a few % more.
    assert forecast == pytest.approx(true, rel=0.08)


def test_columbus_day_left_closed_is_forecast_zero(data) -> None:
    forecast, true = _columbus_day(CONFIG.format(site=""), data)
    assert forecast == 0.0 and true > 1000


def test_a_holiday_like_saturday_gets_saturday_hours(data) -> None:
    hist, _ = data
    cfg = parse_config(CONFIG.format(site="") + '[site.holiday_effects]\n'
                       '"Columbus Day" = "like:sat"\n', Path("/p/wfm.toml"))
    run = forecast_intervals(hist, calendar=site_calendar(cfg, hist, 7), interval_minutes=15,
                             horizon_days=7, model="weekly_mean", executor=SerialExecutor())
    fc = run.forecast
    local = fc["interval_start"].dt.tz_convert(TZ)
    day = fc[(local.dt.date == COLUMBUS) & (fc["offered"] > 0)]
    hours = day["interval_start"].dt.tz_convert(TZ).dt.hour
    assert hours.min() == 9 and hours.max() == 16  # Saturday 09:00-17:00
