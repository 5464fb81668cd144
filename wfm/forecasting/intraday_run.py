"""``forecast_intraday``: the day-ahead forecast of a day, updated from its actuals so far
(the update itself is in ``wfm.forecasting.intraday``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

import numpy as np
import pandas as pd

from wfm.errors import ForecastError
from wfm.executors import Executor
from wfm.forecasting.batch import forecast_intervals
from wfm.forecasting.calendar import SiteCalendar, Window
from wfm.forecasting.intervals import LEVELS
from wfm.forecasting.intraday import METHODS, Dispersion, rest_of_day
from wfm.forecasting.models.registry import AUTO, DEFAULT_CANDIDATES
from wfm.forecasting.series_facts import SeriesFacts


@dataclass(frozen=True)
class IntradayFacts:
    """How one series' rest of the day was updated.

    ``level``: the day's level the update settled on, as a ratio to the day-ahead forecast;
    ``actual_so_far`` / ``forecast_so_far``: contacts of the day's seen intervals [contacts];
    ``day_cv2``, ``intraday_cv2``, ``intraday_corr``: the dispersion learnt from history
    (squared coefficients of variation of the day level and of an interval's deviation, and
    the deviation's correlation from one interval to the next); ``as_of``: the first interval
    of the rest of the day (local time, ISO 8601).
    """

    model: str | None
    method: str
    day_cv2: float
    intraday_cv2: float
    intraday_corr: float
    level: float
    actual_so_far: float
    forecast_so_far: float
    as_of: str


@dataclass
class IntradayRun:
    """The rest of the day per series (schema.FORECAST columns plus ``day_ahead``)."""

    forecast: pd.DataFrame
    series: dict[str, IntradayFacts]
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
    ``intervals``). Returns the intervals after the last actual (from ``as_of`` when there is
    none) to the end of the day.
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
    frames: list[pd.DataFrame] = []
    facts: dict[str, IntradayFacts] = {}
    for (q, c), fc in run.forecast.groupby(["queue", "channel"], sort=True):
        key = f"{q}/{c}"
        info = run.series.get(key)
        seen_rows = today[(today["queue"] == q) & (today["channel"] == c)]
        actual = fc["interval_start"].map(
            seen_rows.groupby("interval_start")["offered"].sum()).to_numpy(dtype=float)
        seen = np.isfinite(actual)
        # The rest starts after the last actual (before as_of when one is given).
        until = (fc["interval_start"][seen].max() + pd.Timedelta(minutes=interval_minutes)
                 if seen.any() else (cut if cut is not None else day_start))
        disp = series_dispersion(info)
        open_ = (fc["offered"] > 0).to_numpy()
        mean = fc["offered"].to_numpy(dtype=float).copy()
        bounds = {lv: (np.zeros(len(fc)), np.zeros(len(fc))) for lv in LEVELS}
        m, b, level = rest_of_day(mean[open_], np.nan_to_num(actual)[open_], seen[open_],
                                  dispersion=disp, kappa=_day_one_kappa(info), method=method)
        mean[open_] = m
        for lv, (lo, hi) in b.items():
            bounds[lv][0][open_], bounds[lv][1][open_] = lo, hi
        rest = (fc["interval_start"] >= until).to_numpy()
        out = fc.assign(day_ahead=fc["offered"], offered=mean)
        for lv, (lo, hi) in bounds.items():
            out[f"offered_lo_{int(lv * 100)}"] = lo
            out[f"offered_hi_{int(lv * 100)}"] = hi
        frames.append(out[rest])
        facts[key] = IntradayFacts(
            model=info.model if info else None, method=method, day_cv2=disp.day_cv2,
            intraday_cv2=disp.intraday_cv2, intraday_corr=disp.intraday_corr,
            level=level.ratio, actual_so_far=level.actual_so_far,
            forecast_so_far=level.forecast_so_far, as_of=str(until.tz_convert(tz)))
    forecast = pd.concat(frames, ignore_index=True) if frames else run.forecast.iloc[:0]
    return IntradayRun(forecast, facts, run.warnings)


def _day_one_kappa(info: SeriesFacts | None) -> dict[float, tuple[float, float]] | None:
    """The day-ahead (first calibration band) over-dispersion per level from run facts."""
    kap = info.interval_kappa if info is not None else None
    if not kap:
        return None
    return {lv: (float(kap[str(lv)][0][0]), float(kap[str(lv)][0][1])) for lv in LEVELS
            if str(lv) in kap}


def series_dispersion(info: SeriesFacts | None) -> Dispersion:
    """The dispersion a forecast run learnt for a series (defaults where it learnt none)."""
    if info is None:
        return Dispersion()
    vals = [float("nan") if v is None else float(v)
            for v in (info.day_cv2, info.intraday_cv2, info.intraday_corr)]
    if not all(np.isfinite(vals)):
        return Dispersion()
    return Dispersion(*vals)
