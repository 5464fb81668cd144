"""Top-down daily-total models: Holt-Winters (ETS) and a dynamic harmonic regression."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np

from wfm.forecasting.grid import FloatArray, IntArray
from wfm.forecasting.models.base import TopDownBase, normal_days, regular_series


class TopDownETS(TopDownBase):
    """Daily totals by Holt-Winters (damped additive trend, multiplicative weekly season)."""

    name: ClassVar[str] = "topdown_ets"
    summary: ClassVar[str] = ("daily totals by Holt-Winters ETS (damped trend, weekly season), "
                              "split by a recent intraday profile per weekday")
    min_history_days: ClassVar[int] = 21
    fallback: ClassVar[str | None] = "weekly_mean"
    max_days: ClassVar[int] = 182  # half a year: level, trend and week; faster fits

    def _fit_daily(self) -> None:
        days, vals = regular_series(self.h, self.totals, self.max_days)
        self.days = days
        period = len(np.unique(self.h.grid.days.dates[days].day_of_week))
        self.period = period
        if len(vals) < 2 * period + 2 or not np.all(vals > 0):
            raise ValueError(f"{len(vals)} usable days; need {2 * period + 2} with volume > 0")
        init = "heuristic" if len(vals) >= 4 * period + 10 else "estimated"
        # Imported here: statsmodels takes ~1 s to import, which every wfm command (the
        # config reads this registry) would otherwise pay at start-up.
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(vals, trend="add", damped_trend=True,
                                         seasonal="mul", seasonal_periods=period,
                                         initialization_method=init)
            self.fitted = model.fit(use_brute=False)

    def _daily(self, future_days: IntArray) -> FloatArray:
        reg = self.h.grid.days.regular_open[future_days]
        steps = np.cumsum(reg)
        n = int(steps[-1]) if len(steps) else 0
        fc = np.asarray(self.fitted.forecast(max(n, 1)))
        out = np.zeros(len(future_days))
        out[reg] = fc[steps[reg] - 1]
        return out


class DailyHarmonicRegression(TopDownBase):
    """log daily total ~ weekday + trend + yearly Fourier terms + catch-up, with AR(1) errors.

    The AR(1) residual correction makes the first days follow the latest level; it decays
    to the regression further out. Intraday shape from the profile (top-down).
    """

    name: ClassVar[str] = "dhr"
    summary: ClassVar[str] = ("dynamic harmonic regression on daily totals: weekday, trend, "
                              "yearly Fourier terms, holiday catch-up, AR(1) errors")
    min_history_days: ClassVar[int] = 56
    fallback: ClassVar[str | None] = "topdown_ets"
    max_days: ClassVar[int] = 2 * 365
    fourier_k: ClassVar[int] = 3

    def _design(self, days: IntArray, *, catchup: bool = True) -> FloatArray:
        g = self.h.grid
        wd = g.days.weekday[days]
        cols = [np.ones(len(days))]
        cols += [(wd == w).astype(float) for w in range(1, 7)]
        t = (days - self.t0) / 365.25
        cols.append(t)
        if self.yearly:
            doy = g.days.dates[days].day_of_year.to_numpy() / 365.25
            for k in range(1, self.fourier_k + 1):
                cols += [np.sin(2 * np.pi * k * doy), np.cos(2 * np.pi * k * doy)]
        # Fitted so catch-up days do not bias the rest; in the forecast the base class applies
        # the learnt catch-up factor, so the regressor is off there (no double count).
        cols.append(g.days.after_closure[days].astype(float) if catchup else
                    np.zeros(len(days)))
        return np.column_stack(cols)

    def _fit_daily(self) -> None:
        n = self.h.cut_day
        days = np.arange(max(0, n - self.max_days), n)
        tot = self.totals[days]
        d = self.h.grid.days
        use = (~d.closed[days] & ~d.excluded[days] & np.isfinite(tot) & (tot > 0)
               & (normal_days(self.h)[days] | d.after_closure[days]))
        days = days[use]
        if len(days) < 42:
            raise ValueError(f"{len(days)} usable days; need 42")
        self.t0 = int(days[-1])
        self.yearly = bool(days[-1] - days[0] >= 400)
        x = self._design(days)
        y = np.log(tot[use] / d.multiplier[days])
        # Trend from the last year only: older years inform the season, not the slope.
        w = np.where(days >= n - 365, 1.0, 0.3)
        beta, *_ = np.linalg.lstsq(x * w[:, None] ** 0.5, y * w**0.5, rcond=None)
        self.beta = beta
        resid = y - x @ beta
        self.smear = float(np.mean(np.exp(resid[-120:])))
        r = resid[-120:]
        phi = float(np.corrcoef(r[:-1], r[1:])[0, 1]) if len(r) > 10 else 0.0
        self.phi = min(max(phi if np.isfinite(phi) else 0.0, 0.0), 0.95)
        self.last_resid = float(np.mean(resid[-3:]))
        self.last_day = int(days[-1])

    def _daily(self, future_days: IntArray) -> FloatArray:
        x = self._design(future_days, catchup=False)
        lead = np.maximum(future_days - self.last_day, 1)
        corr = self.last_resid * self.phi ** lead
        return np.asarray(np.exp(x @ self.beta + corr) * self.smear)
