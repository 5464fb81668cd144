"""Intraday re-forecast: the rest of today from today's actuals so far.

A day's volume runs above or below its day-ahead forecast as a whole (the day's "busyness":
weather, a mailing, an outage elsewhere), and the first hours already show by how much.
Two updates of the day-ahead forecast for the rest of the day:

* ``ratio`` (run rate): scale the rest of the day by actual / forecast so far. Unbiased but
  noisy early in the day and at low volume, where a few contacts swing the ratio.
* ``bayes``: a gamma prior on the day's level W (mean 1, squared coefficient of variation
  ``day_cv2``, learnt from the backtest's daily totals against the forecast) and Poisson
  counts give the posterior mean W = (a + A) / (a + F) with a = 1 / day_cv2, A the actual
  and F the forecast volume so far: the run rate shrunk toward the forecast as far as the
  evidence so far is thin compared with how much days vary. The predictive distribution of a
  later interval is then negative binomial (gamma-Poisson), on top of the intraday
  over-dispersion that the day-ahead intervals were calibrated with.

References
----------
Avramidis, Deslauriers & L'Ecuyer (2004), Modeling daily arrivals to a telephone call center,
Management Science 50(7). Shen & Huang (2008), Interday forecasting and intraday updating of
call center arrivals, Manufacturing & Service Operations Management 10(3) (penalised least
squares updating; the gamma-Poisson update is its one-factor Bayesian counterpart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ForecastError
from wfm.forecasting.calendar import SiteCalendar, Window
from wfm.forecasting.executor import Executor
from wfm.forecasting.grid import FloatArray
from wfm.forecasting.intervals import LEVELS, nb_bounds
from wfm.forecasting.models.registry import AUTO, DEFAULT_CANDIDATES
from wfm.forecasting.run import forecast_intervals

METHODS: tuple[str, ...] = ("bayes", "ratio")
DEFAULT_DAY_CV2 = 0.01  # a day's level varies by 10 % when the backtest cannot tell


@dataclass(frozen=True)
class DayLevel:
    """The day's level relative to its day-ahead forecast after seeing part of the day."""

    ratio: float  # updated level / day-ahead level (posterior mean for bayes)
    cv2: float  # squared coefficient of variation of that ratio (posterior, bayes)
    actual_so_far: float
    forecast_so_far: float


def update_day_level(actual_so_far: float, forecast_so_far: float, *, day_cv2: float,
                     method: str = "bayes") -> DayLevel:
    """Posterior (``bayes``) or run-rate (``ratio``) level of the day.

    Parameters
    ----------
    actual_so_far, forecast_so_far
        Contacts offered so far today and the day-ahead forecast of the same intervals.
    day_cv2
        Squared coefficient of variation of a day's total around its day-ahead forecast,
        beyond Poisson (0.01 = days vary by 10 %).
    method
        ``bayes`` or ``ratio``.

    Examples
    --------
    >>> update_day_level(600.0, 500.0, day_cv2=0.01).ratio  # (100 + 600) / (100 + 500)
    1.1666666666666667
    >>> update_day_level(600.0, 500.0, day_cv2=0.01, method="ratio").ratio
    1.2
    """
    if method not in METHODS:
        raise ForecastError(f"intraday method {method!r} is not known; accepted: "
                            f"{', '.join(METHODS)}")
    a_so, f_so = max(float(actual_so_far), 0.0), max(float(forecast_so_far), 0.0)
    if method == "ratio":
        ratio = a_so / f_so if f_so > 0 else 1.0
        return DayLevel(ratio, 1.0 / max(a_so, 1.0), a_so, f_so)
    prior = 1.0 / max(day_cv2, 1e-6)  # gamma shape = rate: mean 1, CV^2 = day_cv2
    return DayLevel((prior + a_so) / (prior + f_so), 1.0 / (prior + a_so), a_so, f_so)


def rest_of_day(day_ahead: FloatArray, actual: FloatArray, seen: npt.NDArray[np.bool_], *,
                day_cv2: float, kappa: Mapping[float, tuple[float, float]] | None = None,
                method: str = "bayes") -> tuple[FloatArray, dict[float, tuple[FloatArray,
                                                                           FloatArray]],
                                                DayLevel]:
    """Updated forecast of the unseen intervals of one day and their intervals.

    ``day_ahead``, ``actual`` and ``seen`` run over the day's intervals; ``kappa`` holds the
    day-ahead over-dispersion (lower, upper) per level (``wfm.forecasting.intervals``). The
    day-level share of it (``day_cv2``) is replaced by the posterior uncertainty of the
    level. Returns the mean of every interval (seen ones keep the day-ahead value), the
    (lower, upper) bounds per level, and the day level.
    """
    level = update_day_level(float(actual[seen].sum()), float(day_ahead[seen].sum()),
                             day_cv2=day_cv2, method=method)
    mean = np.where(seen, day_ahead, day_ahead * level.ratio)
    bounds: dict[float, tuple[FloatArray, FloatArray]] = {}
    for lv in LEVELS:
        k_lo, k_hi = (kappa or {}).get(lv, (day_cv2, day_cv2))
        rest_lo = max(k_lo - day_cv2, 0.0) + level.cv2
        rest_hi = max(k_hi - day_cv2, 0.0) + level.cv2
        lo, hi = nb_bounds(mean, np.full(len(mean), rest_lo), np.full(len(mean), rest_hi), lv)
        bounds[lv] = (np.minimum(lo, mean), np.maximum(hi, mean))
    return mean, bounds, level


@dataclass
class IntradayRun:
    """The rest of the day per series (schema.FORECAST columns plus ``day_ahead``)."""

    forecast: pd.DataFrame
    series: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def forecast_intraday(
    intervals: pd.DataFrame,
    *,
    calendar: SiteCalendar,
    interval_minutes: int,
    day: pd.Timestamp,
    as_of: time | None = None,
    method: str = "bayes",
    model: str = AUTO,
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES,
    backtest_cutoffs: int = 8,
    default_aht_s: Mapping[str, float] | None = None,
    queue_windows: Mapping[str, tuple[Window, ...]] | None = None,
    executor: Executor | None = None,
) -> IntradayRun:
    """Re-forecast the rest of local ``day`` from its actuals before ``as_of``.

    The day-ahead forecast of ``day`` is made from the history before it (as the nightly
    run would have), then each series' level is updated from the actuals of ``day`` that
    start before ``as_of`` (local clock time; None: every actual of the day in
    ``intervals``). Returns the intervals from ``as_of`` (or after the last actual) to the
    end of the day.
    """
    if method not in METHODS:
        raise ForecastError(f"intraday method {method!r} is not known; accepted: "
                            f"{', '.join(METHODS)}")
    tz = calendar.timezone
    day = pd.Timestamp(day).normalize()
    day_start = day.tz_localize(tz)
    day_end = (day + pd.Timedelta(days=1)).tz_localize(tz)
    today = intervals[(intervals["interval_start"] >= day_start)
                      & (intervals["interval_start"] < day_end)]
    cut = None
    if as_of is not None:
        cut = (day + pd.Timedelta(hours=as_of.hour, minutes=as_of.minute)).tz_localize(tz)
        today = today[today["interval_start"] < cut]
    run = forecast_intervals(intervals[intervals["interval_start"] < day_start],
                             calendar=calendar, interval_minutes=interval_minutes,
                             horizon_days=1, start=day, model=model, candidates=candidates,
                             backtest_cutoffs=backtest_cutoffs, default_aht_s=default_aht_s,
                             queue_windows=queue_windows, executor=executor)
    frames, facts = [], {}
    for (q, c), fc in run.forecast.groupby(["queue", "channel"], sort=True):
        key = f"{q}/{c}"
        info = run.series.get(key, {})
        seen_rows = today[(today["queue"] == q) & (today["channel"] == c)]
        actual = fc["interval_start"].map(
            seen_rows.groupby("interval_start")["offered"].sum()).to_numpy(dtype=float)
        seen = np.isfinite(actual)
        until = cut if cut is not None else (
            fc["interval_start"][seen].max() + pd.Timedelta(minutes=interval_minutes)
            if seen.any() else day_start)
        cv2 = float(info.get("day_cv2", float("nan")))
        cv2 = cv2 if np.isfinite(cv2) else DEFAULT_DAY_CV2
        mean, bounds, level = rest_of_day(
            fc["offered"].to_numpy(dtype=float), np.nan_to_num(actual), seen, day_cv2=cv2,
            kappa=_day_one_kappa(info), method=method)
        rest = (fc["interval_start"] >= until).to_numpy()
        out = fc.assign(day_ahead=fc["offered"], offered=mean)
        for lv, (lo, hi) in bounds.items():
            out[f"offered_lo_{int(lv * 100)}"] = lo
            out[f"offered_hi_{int(lv * 100)}"] = hi
        frames.append(out[rest])
        facts[key] = {"model": info.get("model"), "method": method, "day_cv2": cv2,
                      "level": level.ratio, "actual_so_far": level.actual_so_far,
                      "forecast_so_far": level.forecast_so_far,
                      "as_of": str(until.tz_convert(tz))}
    forecast = pd.concat(frames, ignore_index=True) if frames else run.forecast.iloc[:0]
    return IntradayRun(forecast, facts, run.warnings)


def _day_one_kappa(info: Mapping[str, Any]) -> dict[float, tuple[float, float]] | None:
    """The day-ahead (first calibration band) over-dispersion per level from run facts."""
    kap = info.get("interval_kappa")
    if not kap:
        return None
    return {lv: (float(kap[str(lv)][0][0]), float(kap[str(lv)][0][1])) for lv in LEVELS
            if str(lv) in kap}
