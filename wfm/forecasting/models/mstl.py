"""Multi-seasonal decomposition: statsmodels MSTL on the hourly series, ETS on the rest."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np

from wfm.forecasting.grid import FloatArray, IntArray
from wfm.forecasting.models.base import TopDownBase, normal_days


class MSTLModel(TopDownBase):
    """MSTL (daily and weekly periods) on the last weeks of hourly local volume.

    The seasonally adjusted series is forecast with damped Holt ETS and the last daily and
    weekly seasonal cycles are added back; each day's total is then split by the intraday
    profile. Working hourly (not per interval) keeps MSTL fast enough to backtest.
    """

    name: ClassVar[str] = "mstl"
    summary: ClassVar[str] = ("MSTL daily+weekly decomposition of the last 4 weeks (hourly), "
                              "damped ETS on the adjusted series")
    min_history_days: ClassVar[int] = 28
    fallback: ClassVar[str | None] = "topdown_ets"
    weeks: ClassVar[int] = 4

    def _fit_daily(self) -> None:
        g, h = self.h.grid, self.h
        n = h.cut_day
        d0 = max(0, n - 7 * self.weeks)
        pos = np.arange(g.day_cut(d0), h.cut)
        # Open intervals only: contacts logged while closed (IVR, overflow) are not part of
        # the open-hours total that the profile splits; counted, they put the days ~5 % high.
        y = np.where(g.open[pos], np.nan_to_num(h.y[pos]), 0.0)
        hour = g.slot[pos] * g.interval_minutes // 60
        key = (g.day[pos] - d0) * 24 + hour
        hourly = np.bincount(key, y, minlength=(n - d0) * 24).reshape(n - d0, 24)
        # Special days and closures would leak into the seasonal cycles: replace them by
        # the same hour one week earlier or later.
        bad = ~normal_days(h)[d0:n]
        for i in np.flatnonzero(bad):
            j = i - 7 if i >= 7 and not bad[i - 7] else i + 7
            if 0 <= j < len(bad):
                hourly[i] = hourly[j]
        series = hourly.ravel()
        # Imported here, as in daily.py: statsmodels is slow to import.
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.seasonal import MSTL

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = MSTL(series, periods=(24, 168), iterate=1).fit()
            seas = np.asarray(res.seasonal)
            adj = series - seas.sum(axis=1)
            self.ets = ExponentialSmoothing(adj, trend="add", damped_trend=True,
                                            initialization_method="heuristic").fit(use_brute=False)
        self.last_week = seas[-168:].sum(axis=1)
        self.d_end = n

    def _daily(self, future_days: IntArray) -> FloatArray:
        k = int(future_days[-1] - self.d_end + 1)
        level = np.asarray(self.ets.forecast(24 * k))
        season = np.tile(self.last_week, k // 7 + 1)[: 24 * k]
        hourly = np.maximum(level + season, 0.0).reshape(k, 24).sum(axis=1)
        return np.asarray(hourly[future_days - self.d_end])
