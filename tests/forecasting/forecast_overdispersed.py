"""Seeded *over-dispersed* contact-centre history: a doubly stochastic Poisson process.

Real arrivals vary more than Poisson around any forecast (Avramidis, Deslauriers & L'Ecuyer,
"Modeling daily arrivals to a telephone call center", Management Science 50(7), 2004;
Ibrahim, Ye, L'Ecuyer & Shen, "Modeling and forecasting call center arrivals: a literature
survey and a case study", International Journal of Forecasting 32(3), 2016). The rate of
interval j of day d here is

    lambda[d, j] = expected[d, j] * W[d] * exp(eta[d, j] - s^2 / 2) * shock[d, j]

* ``expected``: level x trend x yearly season x weekday x two-peak intraday shape, the site
  calendar (closed days, a catch-up day after a closure, a quieter day before a holiday);
* ``W[d]`` the day's busyness, gamma with mean 1 and coefficient of variation ``busyness_cv``
  (5-15 % in the papers above), independent from day to day;
* ``eta`` correlated deviations within the day: AR(1) over the slots (correlation 0.9 per
  15 minutes), stationary standard deviation ``intraday_sd``;
* ``shock``: on ``shock_prob`` of the open days, 1-3 hours at 1.4-2.2x (an outage, a mailing).

The counts are Poisson(lambda). ``expected`` is the best forecast anyone can make the day
before (W, eta and shocks are independent of the past), so a forecast equal to it gives
the noise floor of the day-ahead and longer leads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from forecast_synthetic import HOURS, TZ, WEEKDAY_FACTOR, calendar

from wfm.forecasting.calendar import SiteCalendar


@dataclass(frozen=True)
class Dispersion:
    """Parameters of the over-dispersion (see the module docstring)."""

    busyness_cv: float = 0.10
    intraday_sd: float = 0.10
    intraday_corr_15min: float = 0.9
    shock_prob: float = 0.03
    pre_holiday: float = 0.92
    catchup: float = 1.3


def make_overdispersed(start: str, days: int, *, daily_level: float, interval_minutes: int = 15,
                       seed: int = 1, queue: str = "q", channel: str = "voice",
                       dispersion: Dispersion = Dispersion(), trend_per_year: float = 0.05,
                       cal: SiteCalendar | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(intervals frame, truth frame) for ``days`` local days from ``start``.

    The truth frame has ``expected`` (the rate before the day's busyness, the intraday
    deviations and the shocks), ``rate`` (the realised rate), ``busyness`` (the day's W)
    and ``open``.
    """
    cal = cal or calendar()
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start)
    lo = first.tz_localize(TZ).tz_convert("UTC")
    hi = (first + pd.Timedelta(days=days)).tz_localize(TZ).tz_convert("UTC")
    idx = pd.date_range(lo, hi, freq=f"{interval_minutes}min", inclusive="left")
    local = idx.tz_convert(TZ)
    ldate = local.tz_localize(None).normalize()
    day = ((ldate - first) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    wd = local.day_of_week.to_numpy()
    clock = (local.hour * 60 + local.minute).to_numpy()
    slot = clock // interval_minutes
    mid = clock + interval_minutes / 2
    t_years = day / 365.25
    doy = ldate.day_of_year.to_numpy()
    season = 1 + 0.12 * np.cos(2 * np.pi * (doy - 20) / 365.25)
    shape = (np.exp(-((mid - 630) / 110) ** 2) + 0.8 * np.exp(-((mid - 870) / 130) ** 2)
             + 0.15)
    open_ = np.zeros(len(idx), dtype=bool)
    for w, win in enumerate(HOURS):
        if win is None:
            continue
        a, b = win[0].hour * 60, win[1].hour * 60
        sel = wd == w
        open_[sel] = (clock[sel] >= a) & (clock[sel] + interval_minutes <= b)
    dates = pd.date_range(first, periods=days, freq="D")
    holiday = np.array([d.date() in cal.holidays for d in dates])
    regular = np.array([HOURS[d.day_of_week] is not None for d in dates])
    day_open = regular & ~holiday
    open_ &= day_open[day]
    day_factor = np.ones(days)
    prev_closure = False
    for i in range(days):
        if holiday[i]:
            prev_closure = True
            if i > 0 and day_open[i - 1]:
                day_factor[i - 1] *= dispersion.pre_holiday
        elif day_open[i]:
            if prev_closure:
                day_factor[i] *= dispersion.catchup
            prev_closure = False
    open_shape = np.bincount(day, shape * open_, minlength=days)
    expected = np.where(
        open_, daily_level * (1 + trend_per_year * t_years) * season * WEEKDAY_FACTOR[wd]
        * day_factor[day] * shape / np.maximum(open_shape[day], 1e-9), 0.0)

    cv = dispersion.busyness_cv
    busy = rng.gamma(1 / cv**2, cv**2, days) if cv > 0 else np.ones(days)
    sd = dispersion.intraday_sd
    phi = dispersion.intraday_corr_15min ** (interval_minutes / 15)
    n_slots = 24 * 60 // interval_minutes
    eta = np.zeros((days, n_slots))
    eps = rng.normal(0.0, sd * np.sqrt(1 - phi**2), (days, n_slots))
    eta[:, 0] = rng.normal(0.0, sd, days)
    for j in range(1, n_slots):
        eta[:, j] = phi * eta[:, j - 1] + eps[:, j]
    shock = np.ones((days, n_slots))
    hit = np.flatnonzero(day_open & (rng.random(days) < dispersion.shock_prob))
    for d in hit:
        opened = np.unique(slot[(day == d) & open_])
        s0 = int(rng.choice(opened))
        length = int(rng.integers(60, 181)) // interval_minutes
        shock[d, s0:s0 + length] = rng.uniform(1.4, 2.2)
    rate = expected * busy[day] * np.exp(eta[day, slot] - sd**2 / 2) * shock[day, slot]
    offered = rng.poisson(rate)
    aht = 300.0 * (1 + 0.1 * np.sin(2 * np.pi * mid / 1440))
    intervals = pd.DataFrame({
        "interval_start": idx, "queue": queue, "channel": channel, "offered": offered,
        "handled": offered, "handle_s": aht * offered})
    truth = pd.DataFrame({"interval_start": idx, "queue": queue, "channel": channel,
                          "expected": expected, "rate": rate, "busyness": busy[day],
                          "open": open_})
    return intervals, truth
