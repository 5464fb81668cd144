"""Forecast every series of an intervals frame through the executor seam."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time

import numpy as np
import pandas as pd

from wfm.errors import ForecastError
from wfm.executors import Executor, SerialExecutor
from wfm.forecasting.calendar import SiteCalendar, Window
from wfm.forecasting.models.registry import AUTO, DEFAULT_CANDIDATES, MODELS
from wfm.forecasting.series import SeriesResult, SeriesSettings, SeriesTask, forecast_series
from wfm.forecasting.series_facts import SeriesFacts
from wfm.schema import COLD_CHANNELS, FORECAST

ALL_DAY: tuple[Window, ...] = ((time(0), time.max),) * 7


@dataclass
class ForecastRun:
    """The forecast frame (schema.FORECAST), the backtest table and per-series facts."""

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    series: dict[str, SeriesFacts]
    warnings: list[str] = field(default_factory=list)


def check_model(name: str, candidates: tuple[str, ...] = ()) -> None:
    """Raise ForecastError for a model name not in the registry, listing the valid ones."""
    valid = (AUTO, *MODELS)
    for n in (name, *candidates):
        if n not in valid:
            raise ForecastError(f"unknown model {n!r}; valid models: {', '.join(valid)}")


def stale_series(intervals: pd.DataFrame, start: pd.Timestamp, weeks: int) -> list[str]:
    """'queue/channel' of the series with no offered volume in the ``weeks`` before ``start``."""
    recent = intervals[intervals["interval_start"] >= start - pd.Timedelta(weeks=weeks)]
    alive = set(map(tuple, recent.loc[recent["offered"] > 0, ["queue", "channel"]]
                    .drop_duplicates().to_numpy()))
    keys = intervals[["queue", "channel"]].drop_duplicates().to_numpy()
    return [f"{q}/{c}" for q, c in map(tuple, keys) if (q, c) not in alive]


@dataclass(frozen=True)
class ForecastPlan:
    """Everything a forecast needs besides the history (picklable: it travels to workers).

    ``calendar``: site time zone, opening windows, closing dates and special days;
    ``interval_minutes`` [min]; ``horizon_days`` from ``start`` (a local date; ``None``:
    the day after the history); ``model``: ``auto`` (backtested choice among
    ``candidates``) or a registry name; ``default_aht_s`` per queue [s] when the history
    has no handle time; series silent for ``stale_weeks`` before the start are skipped with
    a warning; ``queue_windows``: opening windows of queues with their own hours.
    """

    calendar: SiteCalendar
    interval_minutes: int
    horizon_days: int
    start: pd.Timestamp | None = None
    model: str = AUTO
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    backtest_cutoffs: int = 8
    default_aht_s: Mapping[str, float] = field(default_factory=dict)
    stale_weeks: int = 4
    queue_windows: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)

    def reference(self, last_interval: pd.Timestamp) -> pd.Timestamp:
        """The first forecast instant: local midnight of ``start``, else of the day after
        ``last_interval`` (the last stored interval of every series)."""
        tz = self.calendar.timezone
        return (self.start.tz_localize(tz) if self.start is not None
                else last_interval.tz_convert(tz).normalize() + pd.Timedelta(days=1))


@dataclass
class SeriesBatch:
    """The series tasks made from some history, the series skipped as stale, and why
    others were skipped."""

    tasks: list[SeriesTask]
    stale: list[str]
    warnings: list[str]


def series_tasks(intervals: pd.DataFrame, plan: ForecastPlan, ref: pd.Timestamp) -> SeriesBatch:
    """One :class:`SeriesTask` per (queue, channel) of ``intervals`` (all of it, or one
    queue's: the result does not depend on how the history is split)."""
    stale = stale_series(intervals, ref, plan.stale_weeks)
    settings = SeriesSettings(plan.calendar, plan.interval_minutes, plan.horizon_days,
                              plan.start, plan.model, plan.candidates, plan.backtest_cutoffs)
    warnings: list[str] = []
    tasks = []
    for (q, c), grp in intervals.groupby(["queue", "channel"], sort=True):
        if f"{q}/{c}" in stale:
            continue
        g = grp[grp["interval_start"] < ref] if plan.start is not None else grp
        if g.empty:
            warnings.append(f"{q}/{c}: no history before {ref.date()}: not forecast")
            continue
        tasks.append(SeriesTask(
            str(q), str(c), _utc_ns(g["interval_start"]),
            g["offered"].to_numpy(dtype=float),
            _col(g, "handle_s"), _col(g, "handled"),
            float(plan.default_aht_s.get(str(q), 300.0)),
            _queue_settings(settings, plan.queue_windows.get(str(q)), str(c))))
    return SeriesBatch(tasks, stale, warnings)


def combine_series(results: list[SeriesResult], batches: list[SeriesBatch],
                   plan: ForecastPlan, ref: pd.Timestamp) -> ForecastRun:
    """The run of every series forecast (in queue, channel order) with every warning."""
    stale = sorted(k for b in batches for k in b.stale)
    warnings: list[str] = []
    if stale:
        warnings.append(f"no volume in the {plan.stale_weeks} weeks before {ref.date()} "
                        f"for {', '.join(stale)}: not forecast")
    warnings += [w for b in batches for w in b.warnings]
    if not results:
        raise ForecastError("no series left to forecast: " + "; ".join(warnings))
    results = sorted(results, key=lambda r: (r.queue, r.channel))
    failed = [f"{r.queue}/{r.channel}: {r.error}" for r in results if r.error]
    if failed:
        raise ForecastError("no forecast could be made for " + "; ".join(failed))
    fc = pd.concat([r.forecast for r in results if r.forecast is not None], ignore_index=True)
    bts = [r.backtest for r in results if r.backtest is not None]
    bt = pd.concat(bts, ignore_index=True) if bts else pd.DataFrame()
    info = {f"{r.queue}/{r.channel}": r.info for r in results if r.info is not None}
    for key, facts in info.items():
        for reasons in facts.fallbacks.values():
            warnings.append(f"{key}: fell back ({'; '.join(reasons)})")
        warnings.extend(f"{key}: {w}" for w in facts.library_warnings)
    # The model's columns; the planner's adjustments add the others later.
    return ForecastRun(fc[[c for c in FORECAST.names if c in fc.columns]], bt, info, warnings)


def forecast_intervals(
    intervals: pd.DataFrame,
    *,
    calendar: SiteCalendar,
    interval_minutes: int,
    horizon_days: int,
    start: pd.Timestamp | None = None,
    model: str = AUTO,
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES,
    backtest_cutoffs: int = 8,
    default_aht_s: Mapping[str, float] | None = None,
    stale_weeks: int = 4,
    queue_windows: Mapping[str, tuple[Window, ...]] | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ForecastRun:
    """Forecast offered volume and AHT of every (queue, channel) series in ``intervals``
    (a schema.INTERVALS frame, ``interval_start`` tz-aware); the parameters are those of
    :class:`ForecastPlan`. The series run through ``executor`` (default: this process).
    """
    check_model(model, candidates)
    if intervals.empty:
        raise ForecastError("no interval history to forecast from")
    plan = ForecastPlan(calendar, interval_minutes, horizon_days, start, model, candidates,
                        backtest_cutoffs, default_aht_s or {}, stale_weeks,
                        queue_windows or {})
    ref = plan.reference(intervals["interval_start"].max())
    batch = series_tasks(intervals, plan, ref)
    results: list[SeriesResult] = []
    runner = executor or SerialExecutor()
    for i, res in enumerate(runner.map(forecast_series, batch.tasks,
                                       label=lambda t: f"series {t.queue}/{t.channel}")):
        results.append(res)
        if progress is not None:
            progress(i + 1, len(batch.tasks))
    return combine_series(results, [batch], plan, ref)


def _col(g: pd.DataFrame, name: str) -> np.ndarray:
    if name not in g.columns:
        return np.full(len(g), np.nan)
    return pd.to_numeric(g[name], errors="coerce").to_numpy(dtype=float)


def _utc_ns(col: pd.Series) -> np.ndarray:
    idx = pd.DatetimeIndex(col).tz_convert("UTC").as_unit("ns")
    return np.asarray(idx.asi8)


def _queue_settings(settings: SeriesSettings, windows: tuple[Window, ...] | None,
                    channel: str) -> SeriesSettings:
    """The queue's own hours; deferred channels (email...) receive contacts at any time, so
    their inflow is forecast round the clock and holidays are open days with a learnt factor."""
    cal = settings.calendar
    if windows is not None:
        cal = dataclasses.replace(cal, windows=windows)
    elif channel in COLD_CHANNELS:
        cal = dataclasses.replace(cal, windows=ALL_DAY, holidays=frozenset(),
                                  open_holidays=cal.holidays | cal.open_holidays)
    return dataclasses.replace(settings, calendar=cal)
