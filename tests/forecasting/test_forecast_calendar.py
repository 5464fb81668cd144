"""Horizon parsing, the day table (holidays, special days, catch-up) and the DST-aware grid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.errors import ForecastError
from wfm.forecasting.calendar import SiteCalendar, day_table, public_holidays
from wfm.forecasting.grid import build_grid, parse_horizon

HOURS = ((time(8), time(20)),) * 5 + ((time(9), time(17)), None)
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Special:
    day: date
    effect: str
    multiplier: float = 1.0
    like: str | None = None


@pytest.mark.parametrize(("text", "days"), [("14d", 14), ("6w", 42), (" 1D ", 1), ("2W", 14)])
def test_parse_horizon(text: str, days: int) -> None:
    assert parse_horizon(text) == days


@pytest.mark.parametrize("text", ["6 weeks", "0d", "-3d", "d", "1.5w", ""])
def test_parse_horizon_rejects(text: str) -> None:
    with pytest.raises(ForecastError, match="accepted: a number of days or weeks such as 14d"):
        parse_horizon(text)


def test_public_holidays_include_country_and_listed_dates() -> None:
    hol = public_holidays("FR", [2025], extra=[date(2025, 12, 24)])
    assert date(2025, 4, 21) in hol  # Easter Monday
    assert date(2025, 12, 24) in hol
    assert date(2025, 4, 22) not in hol


def test_day_table_effects() -> None:
    cal = SiteCalendar(PARIS, HOURS, frozenset({date(2025, 4, 21)}), (
        Special(date(2025, 4, 24), "multiplier", 1.5),
        Special(date(2025, 4, 25), "like", like="sat"),
        Special(date(2025, 4, 23), "exclude"),
        Special(date(2025, 4, 29), "closed"),
    ))
    dates = pd.date_range("2025-04-19", periods=12, freq="D")  # Sat .. Wed
    t = day_table(dates, cal)
    by = {d.date(): i for i, d in enumerate(dates)}
    assert t.closed[by[date(2025, 4, 20)]]  # Sunday
    assert t.closed[by[date(2025, 4, 21)]] and t.irregular_closed[by[date(2025, 4, 21)]]
    assert not t.irregular_closed[by[date(2025, 4, 20)]]
    assert t.after_closure[by[date(2025, 4, 22)]]
    assert not t.after_closure[by[date(2025, 4, 28)]]  # after a regular Sunday: no catch-up
    assert t.after_closure[by[date(2025, 4, 30)]]  # after the special closed day
    assert t.multiplier[by[date(2025, 4, 24)]] == 1.5
    assert t.weekday[by[date(2025, 4, 25)]] == 5
    assert t.excluded[by[date(2025, 4, 23)]]


@pytest.mark.parametrize(("day", "n_slots"), [("2025-03-30", 92), ("2025-10-26", 100),
                                              ("2025-06-01", 96)])
def test_grid_dst_days_have_23_or_25_hours(day: str, n_slots: int) -> None:
    cal = SiteCalendar(PARIS, ((time(0), time.max),) * 7)
    g = build_grid(pd.Timestamp(day), 1, 0, cal, 15)
    assert len(g.index) == n_slots
    local = g.index.tz_convert(PARIS)
    assert local[0].hour == 0 and local[-1].hour == 23 and local[-1].minute == 45


def test_grid_open_mask_follows_local_clock_across_dst() -> None:
    cal = SiteCalendar(PARIS, HOURS)
    g = build_grid(pd.Timestamp("2025-03-28"), 4, 0, cal, 15)  # Fri..Mon over the change
    local = g.index.tz_convert(PARIS)
    for d, (first, last, n) in {28: ("08:00", "19:45", 48), 29: ("09:00", "16:45", 32),
                                31: ("08:00", "19:45", 48)}.items():
        sel = g.open & (local.day == d)
        opened = local[sel]
        assert (opened[0].strftime("%H:%M"), opened[-1].strftime("%H:%M"), len(opened)) == (
            first, last, n)
    assert not np.any(g.open & (local.day == 30))
