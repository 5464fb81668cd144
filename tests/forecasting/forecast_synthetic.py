"""Seeded synthetic contact-centre history with a known rate (Poisson noise around it)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.forecasting.calendar import SiteCalendar, public_holidays

TZ = "Europe/Paris"
HOURS = ((time(8), time(20)),) * 5 + ((time(9), time(17)), None)
WEEKDAY_FACTOR = np.array([1.25, 1.05, 1.0, 0.98, 0.92, 0.55, 0.0])


def calendar(extra_holidays: tuple[date, ...] = (), special_days: tuple = ()) -> SiteCalendar:
    hol = public_holidays("FR", range(2023, 2028), extra=extra_holidays)
    return SiteCalendar(ZoneInfo(TZ), HOURS, hol, special_days)


def make_history(start: str = "2025-01-06", days: int = 140, *, daily_level: float = 1500.0,
                 interval_minutes: int = 15, seed: int = 1, queue: str = "voice_fr",
                 channel: str = "voice", cal: SiteCalendar | None = None,
                 trend_per_year: float = 0.10, catchup: float = 1.3,
                 extra_days: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Intervals frame and true-rate frame for ``days`` (+ ``extra_days`` of truth only)."""
    cal = cal or calendar()
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start)
    n = days + extra_days
    lo = first.tz_localize(TZ).tz_convert("UTC")
    hi = (first + pd.Timedelta(days=n)).tz_localize(TZ).tz_convert("UTC")
    idx = pd.date_range(lo, hi, freq=f"{interval_minutes}min", inclusive="left")
    local = idx.tz_convert(TZ)
    ldate = local.tz_localize(None).normalize()
    wd = local.day_of_week.to_numpy()
    clock = (local.hour * 60 + local.minute).to_numpy() + interval_minutes / 2
    t_years = ((ldate - first) / pd.Timedelta(days=365.25)).to_numpy()
    doy = ldate.day_of_year.to_numpy()
    season = 1 + 0.12 * np.cos(2 * np.pi * (doy - 20) / 365.25)
    level = daily_level * (1 + trend_per_year * t_years) * season
    # Two-peak intraday shape by local clock time.
    shape = (np.exp(-((clock - 630) / 110) ** 2) + 0.8 * np.exp(-((clock - 870) / 130) ** 2)
             + 0.15)
    open_ = np.zeros(len(idx), dtype=bool)
    for w, win in enumerate(HOURS):
        if win is None:
            continue
        a, b = win[0].hour * 60, win[1].hour * 60
        sel = wd == w
        start_min = clock[sel] - interval_minutes / 2
        open_[sel] = (start_min >= a) & (start_min + interval_minutes <= b)
    day_dates = np.array([d.date() for d in ldate])
    closed_day = np.array([d in cal.holidays for d in day_dates])
    open_ &= ~closed_day
    # day after an irregular closure catches up
    uniq = pd.date_range(first, periods=n, freq="D")
    after = set()
    prev = False
    for d in uniq:
        dd = d.date()
        if dd in cal.holidays:
            prev = True
        elif HOURS[d.day_of_week] is not None:
            if prev:
                after.add(dd)
            prev = False
    boost = np.where([d in after for d in day_dates], catchup, 1.0)
    spd_open = pd.Series(shape * open_).groupby([ldate]).transform("sum").to_numpy()
    rate = np.where(open_, level * WEEKDAY_FACTOR[wd] * boost * shape / np.maximum(spd_open, 1e-9),
                    0.0)
    for s in cal.special_days:
        if s.effect == "multiplier":
            rate = np.where(day_dates == s.day, rate * s.multiplier, rate)
    offered = rng.poisson(rate)
    aht_true = 300 * (1 + 0.1 * np.sin(2 * np.pi * clock / 1440)) * (1 + 0.05 * t_years)
    handled = offered
    handle_s = rng.gamma(4.0, aht_true / 4.0, len(idx)) * np.sqrt(np.maximum(handled, 1))
    handle_s = np.where(handled > 0, aht_true * handled + (handle_s - aht_true) * 0.3, 0.0)
    full = pd.DataFrame({
        "interval_start": idx, "queue": queue, "channel": channel,
        "offered": offered, "handled": handled, "handle_s": handle_s,
    })
    truth = pd.DataFrame({"interval_start": idx, "queue": queue, "channel": channel,
                          "true_offered": rate, "true_aht_s": aht_true, "open": open_})
    hist = full[full["interval_start"] < (first + pd.Timedelta(days=days)).tz_localize(TZ)]
    return hist.reset_index(drop=True), truth
