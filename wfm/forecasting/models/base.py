"""The model protocol and the shared pieces of the top-down method.

A model is fitted on the history of one series up to a cut (a local midnight) and predicts
the next ``h`` grid positions. ``min_history_days`` and ``fallback`` drive the fallback chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Protocol, Self

import numpy as np

from wfm.forecasting.grid import FloatArray, Grid, IntArray
from wfm.forecasting.models.profile import cv_profile

PROFILE_WEEKS = 10


@dataclass(frozen=True)
class History:
    """Volume history of one series on its grid, up to (not including) position ``cut``."""

    grid: Grid
    y: FloatArray  # offered per interval, NaN = missing, length >= cut
    cut: int

    @property
    def cut_day(self) -> int:
        return int(self.grid.day[self.cut]) if self.cut < len(self.grid.day) else \
            int(self.grid.day[-1]) + 1

    @property
    def n_days(self) -> int:
        return self.cut_day

    @cached_property
    def topdown(self) -> TopDownParts:
        """What every top-down model fitted on this history shares, computed on first use:
        the candidates of one backtest fold (and of the final fit) are fitted on the same
        History, so they compute it once."""
        totals = daily_totals(self)
        return TopDownParts(totals, intraday_profile(self, totals),
                            ratio_factor(self, totals, self.grid.days.after_closure),
                            _weekday_factors(self, totals),
                            ratio_factor(self, totals, self.grid.days.holiday))


@dataclass(frozen=True)
class TopDownParts:
    """Daily totals, intraday profile, catch-up after closures, weekday and holiday factors
    of one history."""

    totals: FloatArray
    profile: FloatArray
    catchup: float
    weekday_factor: FloatArray
    holiday_factor: float


@dataclass(frozen=True)
class Prediction:
    """Expected offered per interval; optional own intervals {level: (lo, hi)}."""

    mean: FloatArray
    intervals: dict[float, tuple[FloatArray, FloatArray]] | None = None


class Model(Protocol):
    name: ClassVar[str]
    summary: ClassVar[str]
    min_history_days: ClassVar[int]
    fallback: ClassVar[str | None]

    def fit(self, history: History) -> Self: ...
    def predict(self, horizon: int) -> Prediction: ...


def daily_totals(h: History) -> FloatArray:
    """Offered per local day over open intervals; NaN when > 20% of open intervals are missing."""
    g, y = h.grid, h.y[: h.cut]
    day = g.day[: h.cut]
    n = h.cut_day
    op = g.open[: h.cut]
    vals = np.where(op, np.nan_to_num(y), 0.0)
    tot = np.bincount(day, vals, minlength=n)
    n_open = np.bincount(day, op.astype(float), minlength=n)
    n_miss = np.bincount(day, (op & np.isnan(y)).astype(float), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = tot * n_open / (n_open - n_miss)
    scaled[n_open == 0] = 0.0
    scaled[n_miss > 0.2 * n_open] = np.nan
    return scaled


def normal_days(h: History) -> np.ndarray:
    """Days fit to learn the regular pattern from: open, not special, not after a closure."""
    d = h.grid.days
    n = h.cut_day
    return ~(d.closed[:n] | d.special[:n] | d.excluded[:n] | d.after_closure[:n])


def intraday_profile(h: History, totals: FloatArray, weeks: int = PROFILE_WEEKS) -> FloatArray:
    """Share of the day's volume per (effective weekday, local slot), shape (7, slots).

    Ratio of sums over the last ``weeks`` normal days of each weekday, smoothed over
    neighbouring open slots and shrunk toward the shape of the weekdays with the same
    opening slots as far as the counts leave the difference in doubt
    (:func:`wfm.forecasting.models.profile.shrunk_profile`).
    """
    g = h.grid
    spd = g.slots_per_day
    n = h.cut_day
    ok = normal_days(h) & np.isfinite(totals) & (totals > 0)
    ok[: max(0, n - 7 * weeks)] = False
    pos = np.arange(h.cut)
    use = ok[g.day[pos]] & g.open[pos] & np.isfinite(h.y[pos])
    half = (n - 1 - g.day[pos[use]]) // 7 % 2  # alternate weeks for cross-validation
    wd = g.days.weekday[g.day[pos[use]]]
    key = (half * 7 + wd) * spd + g.slot[pos[use]]
    num = np.bincount(key, h.y[pos[use]], minlength=14 * spd).reshape(2, 7, spd).astype(float)
    n_open = np.bincount(key, minlength=14 * spd).reshape(2, 7, spd).astype(float)
    days_used = np.flatnonzero(ok)
    dkey = (n - 1 - days_used) // 7 % 2 * 7 + g.days.weekday[days_used]
    den = np.bincount(dkey, totals[days_used], minlength=14).reshape(2, 7).astype(float)
    return cv_profile(num, n_open, den)


def split_days(grid: Grid, start: int, horizon: int, day_totals: FloatArray, *,
               first_day: int, profile: FloatArray) -> FloatArray:
    """Spread daily totals over the open intervals of each day by the profile shares."""
    pos = np.arange(start, start + horizon)
    d = grid.day[pos]
    share = np.where(grid.open[pos], profile[grid.days.weekday[d], grid.slot[pos]], 0.0)
    share = np.maximum(share, 0.0)
    day_sum = np.bincount(d - first_day, share)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(day_sum[d - first_day] > 0, share / day_sum[d - first_day], 0.0)
    return np.asarray(frac * day_totals[d - first_day])


def apply_calendar(grid: Grid, days: IntArray, totals: FloatArray, *, catchup: float = 1.0,
                   holiday: float = 1.0) -> FloatArray:
    """Closed days to 0; special-day multipliers, catch-up and open-holiday factors applied."""
    dt = grid.days
    factor = (dt.multiplier[days] * np.where(dt.after_closure[days], catchup, 1.0)
              * np.where(dt.holiday[days], holiday, 1.0))
    return np.where(dt.closed[days], 0.0, totals * factor)


class TopDownBase:
    """Daily totals from ``_daily`` then split into intervals by the intraday profile.

    Subclasses forecast the *regular* level of each future day (as if it were a normal day
    of its effective weekday); the calendar (closures, multipliers, catch-up after a
    closure) is applied here.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    min_history_days: ClassVar[int] = 21
    fallback: ClassVar[str | None] = None

    def fit(self, history: History) -> Self:
        self.h = history
        parts = history.topdown
        self.totals, self.profile, self.catchup = parts.totals, parts.profile, parts.catchup
        self.weekday_factor, self.holiday_factor = parts.weekday_factor, parts.holiday_factor
        self._fit_daily()
        return self

    def _fit_daily(self) -> None:
        raise NotImplementedError

    def _daily(self, future_days: IntArray) -> FloatArray:
        raise NotImplementedError

    def predict(self, horizon: int) -> Prediction:
        g, start = self.h.grid, self.h.cut
        first = int(g.day[start])
        last = int(g.day[start + horizon - 1])
        fdays = np.arange(first, last + 1)
        level = np.maximum(self._daily(fdays), 0.0)
        cal_wd = g.days.dates[fdays].day_of_week.to_numpy()
        eff_wd = g.days.weekday[fdays]
        f_cal = self.weekday_factor[cal_wd]
        like = (eff_wd != cal_wd) & (f_cal > 0)
        level = np.where(like, level * self.weekday_factor[eff_wd] / np.where(f_cal > 0, f_cal, 1),
                         level)
        totals = apply_calendar(g, fdays, level, catchup=self.catchup,
                                holiday=self.holiday_factor)
        return Prediction(split_days(g, start, horizon, totals, first_day=first,
                                     profile=self.profile))


def ratio_factor(h: History, totals: FloatArray, flag: np.ndarray) -> float:
    """Ratio actual / regular level on past flagged days (catch-up after a closure, open
    holidays), shrunk to 1 by one pseudo-day."""
    d = h.grid.days
    n = h.cut_day
    idx = np.flatnonzero(flag[:n] & ~d.closed[:n] & np.isfinite(totals[:n]))
    idx = idx[idx >= 14]
    if len(idx) == 0:
        return 1.0
    ref = np.array([_same_weekday_ref(totals, d.weekday, normal_days(h), int(i))
                    for i in idx])
    ok = np.isfinite(ref) & (ref > 0)
    if not ok.any():
        return 1.0
    ratio = float(np.sum(totals[idx][ok]) / np.sum(ref[ok]))
    k = float(ok.sum())
    return (k * ratio + 2.0) / (k + 2.0)


def _weekday_factors(h: History, totals: FloatArray, weeks: int = PROFILE_WEEKS) -> FloatArray:
    """Mean normal-day total of each effective weekday over the last weeks / overall mean."""
    n = h.cut_day
    ok = normal_days(h) & np.isfinite(totals)
    ok[: max(0, n - 7 * weeks)] = False
    wd = h.grid.days.weekday[:n]
    s = np.bincount(wd[ok], totals[:n][ok], minlength=7)
    c = np.bincount(wd[ok], minlength=7)
    mean = np.divide(s, c, out=np.zeros(7), where=c > 0)
    overall = mean[c > 0].mean() if (c > 0).any() else 1.0
    return np.asarray(mean / overall if overall > 0 else np.ones(7))


def _same_weekday_ref(totals: FloatArray, weekday: IntArray, normal: np.ndarray,
                      i: int) -> float:
    """Mean of the normal days of the same weekday within two weeks either side of day i."""
    lo, hi = max(0, i - 14), min(len(normal), i + 15)
    cand = [j for j in range(lo, hi) if j != i and normal[j] and weekday[j] == weekday[i]
            and np.isfinite(totals[j])]
    return float(np.mean(totals[cand])) if cand else float("nan")


def regular_series(h: History, totals: FloatArray, max_days: int) -> tuple[IntArray, FloatArray]:
    """Days whose weekday is normally open (last ``max_days``) and their cleaned totals.

    Special days, closures, outliers and catch-up days become NaN, then are filled with the
    weekday factor times the local level so seasonal models see an unbroken cycle.
    """
    g = h.grid
    n = h.cut_day
    normal = normal_days(h)
    days = np.arange(max(0, n - max_days), n)
    wd = g.days.dates[days].day_of_week.to_numpy().astype(np.int64)
    regular = g.days.regular_open[days]
    days, wd = days[regular], wd[regular]
    vals = np.where(normal[days], totals[days], np.nan)
    return days, fill_gaps(vals, wd)


def fill_gaps(vals: FloatArray, wd: IntArray) -> FloatArray:
    """Fill NaN by weekday factor x centred weekly mean level."""
    out = vals.copy()
    bad = ~np.isfinite(out)
    if not bad.any():
        return out
    good = ~bad
    if good.sum() < 3:
        out[bad] = np.nanmean(vals) if good.any() else 0.0
        return out
    overall = np.nanmean(vals)
    factor = np.ones(7)
    for w in np.unique(wd):
        sel = good & (wd == w)
        if sel.any():
            factor[w] = np.mean(vals[sel]) / overall
    # A weekday with no volume at all (factor 0) says nothing about the level.
    usable = good & (factor[wd] > 0)
    if usable.sum() < 3:
        out[bad] = np.nanmean(vals) if good.any() else 0.0
        return out
    norm = np.divide(vals, factor[wd], out=np.full(len(vals), np.nan), where=usable)
    good = usable
    idx = np.arange(len(vals))
    level = np.interp(idx, idx[good], norm[good])
    kernel = np.ones(7) / 7
    level_s = np.convolve(np.pad(level, 3, mode="edge"), kernel, mode="valid")
    out[bad] = level_s[bad] * factor[wd[bad]]
    return out
