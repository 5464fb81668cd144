"""Baselines on the local (day, slot) matrix: seasonal naive and k-week mean / median."""

from __future__ import annotations

from typing import ClassVar, Self

import numpy as np

from wfm.forecasting.grid import FloatArray
from wfm.forecasting.models.base import (
    History,
    Prediction,
    apply_calendar,
    daily_totals,
    normal_days,
    ratio_factor,
)


def day_slot_matrix(h: History) -> FloatArray:
    """History as a (local day, slot) matrix; a repeated DST hour adds into its slot."""
    g = h.grid
    m = np.full((h.cut_day, g.slots_per_day), np.nan)
    pos = np.arange(h.cut)
    y = h.y[: h.cut]
    ok = np.isfinite(y)
    m[g.day[pos[ok]], g.slot[pos[ok]]] = 0.0
    np.add.at(m, (g.day[pos[ok]], g.slot[pos[ok]]), y[ok])
    return m


class _DaySlotModel:
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    min_history_days: ClassVar[int] = 7
    fallback: ClassVar[str | None] = None
    learns_calendar: ClassVar[bool] = True  # learn catch-up / open-holiday factors

    def fit(self, history: History) -> Self:
        self.h = history
        self.matrix = day_slot_matrix(history)
        totals = daily_totals(history)
        days = history.grid.days
        learn = self.learns_calendar
        self.catchup = ratio_factor(history, totals, days.after_closure) if learn else 1.0
        self.holiday = ratio_factor(history, totals, days.holiday) if learn else 1.0
        return self

    def _day_rows(self, day: int) -> FloatArray:
        raise NotImplementedError

    def predict(self, horizon: int) -> Prediction:
        g, start = self.h.grid, self.h.cut
        pos = np.arange(start, start + horizon)
        d = g.day[pos]
        first = int(d[0])
        days = np.arange(first, int(d[-1]) + 1)
        rows = np.vstack([self._day_rows(int(x)) for x in days])
        scale = apply_calendar(g, days, np.ones(len(days)), catchup=self.catchup,
                               holiday=self.holiday)
        vals = rows[d - first, g.slot[pos]] * scale[d - first]
        vals = np.where(g.open[pos], np.nan_to_num(vals), 0.0)
        return Prediction(vals)


class SeasonalNaive(_DaySlotModel):
    """Same local clock time on the last *open* history day of the same (effective) weekday.

    A holiday or special closure is skipped, not copied one week later as a day of zeros
    (which made "x % better than seasonal naive" too easy); an excluded day (outage, data
    glitch) is skipped too.
    """

    name: ClassVar[str] = "seasonal_naive"
    summary: ClassVar[str] = ("same interval on the last open same weekday "
                              "(the benchmark to beat)")
    learns_calendar: ClassVar[bool] = False  # the plain benchmark

    def fit(self, history: History) -> Self:
        super().fit(history)
        d = history.grid.days
        n = history.cut_day
        usable = ~(d.closed[:n] | d.excluded[:n])
        self.last_open = {w: int(i[-1]) for w in range(7)
                          if len(i := np.flatnonzero(usable & (d.weekday[:n] == w)))}
        return self

    def _day_rows(self, day: int) -> FloatArray:
        back = self.last_open.get(int(self.h.grid.days.weekday[day]))
        return self.matrix[back] if back is not None else np.full(self.matrix.shape[1], np.nan)


class WeeklyMean(_DaySlotModel):
    """Mean of the same weekday-interval over the last k normal days of that weekday."""

    name: ClassVar[str] = "weekly_mean"
    summary: ClassVar[str] = "mean of the same weekday and interval over the last 4 normal weeks"
    fallback: ClassVar[str | None] = "seasonal_naive"
    k: ClassVar[int] = 4

    def _reduce(self, rows: FloatArray) -> FloatArray:
        """Mean of each slot over the days that have it; NaN for a slot none has (absent
        intervals), without numpy's "Mean of empty slice" warning on stderr."""
        ok = np.isfinite(rows)
        n = ok.sum(axis=0)
        total = np.where(ok, rows, 0.0).sum(axis=0)
        out: FloatArray = np.divide(total, n, out=np.full(rows.shape[1], np.nan), where=n > 0)
        return out

    def fit(self, history: History) -> Self:
        super().fit(history)
        g = history.grid
        n = history.cut_day
        normal = normal_days(history)
        self.by_weekday: dict[int, FloatArray] = {}
        for w in range(7):
            idx = np.flatnonzero(normal & (g.days.weekday[:n] == w))[-self.k:]
            if len(idx):
                self.by_weekday[w] = self._reduce(self.matrix[idx])
        if not self.by_weekday:
            raise ValueError("no normal day in the history")
        return self

    def _day_rows(self, day: int) -> FloatArray:
        w = int(self.h.grid.days.weekday[day])
        return self.by_weekday.get(w, np.zeros(self.matrix.shape[1]))


class WeeklyMedian(WeeklyMean):
    """Median of the same weekday-interval over the last k normal days (robust to outliers)."""

    name: ClassVar[str] = "weekly_median"
    summary: ClassVar[str] = "median of the same weekday and interval over the last 5 normal weeks"
    k: ClassVar[int] = 5

    def _reduce(self, rows: FloatArray) -> FloatArray:
        """Median of each slot over the days that have it; NaN for a slot none has (no
        "All-NaN slice" warning)."""
        out = np.full(rows.shape[1], np.nan)
        some = np.isfinite(rows).any(axis=0)
        if some.any():
            out[some] = np.nanmedian(rows[:, some], axis=0)
        return out
