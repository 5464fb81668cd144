"""Forecast one series end to end: grid, backtest, choice, final fit, intervals, AHT."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.forecasting.calendar import SiteCalendar
from wfm.forecasting.grid import FloatArray, Grid, build_grid, place_history
from wfm.forecasting.metrics import bias, mase, wmape
from wfm.forecasting.models.aht import forecast_aht
from wfm.forecasting.models.base import History
from wfm.forecasting.models.registry import AUTO
from wfm.forecasting.selection import (
    LEVELS,
    Choice,
    Fold,
    calibrate,
    choose,
    compose,
    fit_with_fallback,
    interval_bounds,
    poisson_bounds,
)

MIN_FOLD_HISTORY_DAYS = 28
SIMPLEST_CHAIN = "dhr"  # with no backtest possible, start here and fall back as needed


@dataclass(frozen=True)
class SeriesSettings:
    """Everything a worker needs besides the data (picklable)."""

    calendar: SiteCalendar
    interval_minutes: int
    horizon_days: int
    start: pd.Timestamp | None  # first local day of the horizon (None: after the history)
    model: str = AUTO
    candidates: tuple[str, ...] = ()
    backtest_cutoffs: int = 4
    cutoff_step_days: int = 7


@dataclass(frozen=True)
class SeriesTask:
    queue: str
    channel: str
    times_ns: np.ndarray  # int64 UTC ns of interval starts
    offered: FloatArray
    handle_s: FloatArray
    handled: FloatArray
    default_aht_s: float
    settings: SeriesSettings


@dataclass
class SeriesResult:
    queue: str
    channel: str
    forecast: pd.DataFrame | None = None
    backtest: pd.DataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def forecast_series(task: SeriesTask) -> SeriesResult:
    """Forecast one series; expected failures come back in ``error`` (never raised).

    Warnings of the libraries underneath (numpy, statsmodels) come back too, in
    ``info["library_warnings"]`` ("Category: message (file:line)", once each), instead
    of reaching stderr from a worker process: ``forecast_intervals`` adds them to the
    run's warnings (the run log under ``wfm run --quiet``). The process's warning filters
    still decide which are shown.
    """
    with warnings.catch_warnings(record=True) as caught:
        try:
            result = _forecast(task)
        except ValueError as exc:
            result = SeriesResult(task.queue, task.channel, error=str(exc))
    if caught:
        result.info["library_warnings"] = sorted(
            {f"{w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})"
             for w in caught})
    return result


def _forecast(task: SeriesTask) -> SeriesResult:
    st = task.settings
    tz = st.calendar.timezone
    times = pd.DatetimeIndex(pd.to_datetime(task.times_ns, utc=True, unit="ns"))
    local_days = times.tz_convert(tz).tz_localize(None).normalize()
    first_day = local_days.min()
    start = (st.start.normalize() if st.start is not None
             else local_days.max() + pd.Timedelta(days=1))
    n_hist = int((start - first_day) / pd.Timedelta(days=1))
    if n_hist < 1:
        raise ValueError(f"no history before the horizon start {start.date()}")
    grid = build_grid(first_day, n_hist, st.horizon_days, st.calendar, st.interval_minutes)
    keep = times < grid.index[grid.n_history] if grid.n_history < len(grid.index) else times.notna()
    y = place_history(grid, times[keep], task.offered[keep])
    ycat = np.concatenate([y, np.full(len(grid.index) - grid.n_history, np.nan)])
    horizon = len(grid.index) - grid.n_history

    candidates = st.candidates if st.model == AUTO else (st.model,)
    folds = _folds(grid, ycat, st, horizon)
    rows: list[pd.DataFrame] = []
    info: dict[str, Any] = {"history_days": n_hist}
    seconds: dict[str, float] = {}  # fit + predict time per model, all folds and final
    if folds:
        for f in folds:
            h = History(grid, ycat, f.cut)
            for name in candidates:
                t0 = time.perf_counter()
                try:
                    fitted = fit_with_fallback(name, h)
                except ValueError:
                    continue
                f.preds[name] = np.asarray(fitted.model.predict(len(f.actual)).mean)
                f.used[name] = fitted.used
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
        folds = [f for f in folds if f.preds]
    if folds:
        choice = choose(folds, candidates)
        chosen_bt = [compose(choice, f.preds, f.lead_day) for f in folds]
        rule, cover = calibrate(folds, chosen_bt)
        scale = _mase_scale(grid, y)
        rows += [_backtest_rows(task, grid, f, name, f.preds[name], scale=scale)
                 for f in folds for name in candidates if name in f.preds]
        for f, p in zip(folds, chosen_bt, strict=True):
            chosen_rows = _backtest_rows(task, grid, f, choice.label, p, scale=scale)
            cov = _coverage(f, p, rule)
            rows.append(chosen_rows.assign(**cov))
        info.update(backtest_wmape=choice.wmape, interval_method=rule.method, **cover,
                    backtest_cutoffs=[str(grid.days.dates[f.cut_day].date()) for f in folds])
    else:
        first = st.model if st.model != AUTO else SIMPLEST_CHAIN
        choice = Choice((first,) * 3, first, float("nan"))
        rule = None
        info["note"] = "history too short for a backtest; no model comparison"

    hist = History(grid, ycat, grid.n_history)
    preds: dict[str, FloatArray] = {}
    used: dict[str, str] = {}
    fallbacks: dict[str, list[str]] = {}
    for name in _leaf_models(choice):
        t0 = time.perf_counter()
        fitted = fit_with_fallback(name, hist)
        preds[name] = np.asarray(fitted.model.predict(horizon).mean)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
        used[name] = fitted.used
        if fitted.reasons:
            fallbacks[name] = fitted.reasons
    pos = np.arange(grid.n_history, len(grid.index))
    lead = grid.day[pos] - grid.day[grid.n_history] + 1
    mean = np.where(grid.open[pos], np.maximum(compose(choice, preds, lead), 0.0), 0.0)
    label = choice.label
    for name, real in used.items():
        if real != name:
            label = label.replace(name, real)
    aht = forecast_aht(grid, _on_grid(grid, times[keep], task.handle_s[keep]),
                       _on_grid(grid, times[keep], task.handled[keep]), cut=grid.n_history,
                       horizon=horizon, default_aht_s=task.default_aht_s)
    out = pd.DataFrame({
        "queue": task.queue, "channel": task.channel,
        "interval_start": grid.index[pos], "offered": mean, "aht_s": aht, "model": label,
    })
    for lv in LEVELS:
        if rule is None:
            lo, hi = poisson_bounds(mean, lv)
        else:
            lo, hi = interval_bounds(rule, mean, lead, lv)
        closed = ~grid.open[pos]
        out[f"offered_lo_{int(lv * 100)}"] = np.where(closed, 0.0, np.minimum(lo, mean))
        out[f"offered_hi_{int(lv * 100)}"] = np.where(closed, 0.0, np.maximum(hi, mean))
    info.update(model=label, requested=st.model, fallbacks=fallbacks,
                seconds={k: round(v, 4) for k, v in seconds.items()})
    bt = pd.concat(rows, ignore_index=True) if rows else None
    return SeriesResult(task.queue, task.channel, out, bt, info)


def _leaf_models(choice: Choice) -> list[str]:
    out: list[str] = []
    for name in choice.per_band:
        parts = name[len("mean("):-1].split("+") if name.startswith("mean(") else [name]
        out += [p for p in parts if p not in out]
    return out


def _folds(grid: Grid, y: FloatArray, st: SeriesSettings, horizon: int) -> list[Fold]:
    n = grid.n_history
    n_days = int(grid.day[n]) if n < len(grid.day) else int(grid.day[-1]) + 1
    out = []
    for i in range(st.backtest_cutoffs):
        cut_day = n_days - st.horizon_days - i * st.cutoff_step_days
        if cut_day < MIN_FOLD_HISTORY_DAYS:
            break
        cut = grid.day_cut(cut_day)
        end = grid.day_cut(cut_day + st.horizon_days)
        pos = np.arange(cut, end)
        actual = y[pos]
        mask = grid.open[pos] & np.isfinite(actual)
        lead = grid.day[pos] - cut_day + 1
        out.append(Fold(cut, cut_day, lead, np.nan_to_num(actual), mask))
    del horizon
    return out


def _mase_scale(grid: Grid, y: FloatArray) -> float:
    lag = 7 * grid.slots_per_day
    a, b = y[lag:], y[:-lag]
    ok = np.isfinite(a) & np.isfinite(b) & grid.open[lag:len(y)]
    return float(np.mean(np.abs(a[ok] - b[ok]))) if ok.any() else float("nan")


def _backtest_rows(task: SeriesTask, grid: Grid, f: Fold, name: str, p: FloatArray, *,
                   scale: float) -> pd.DataFrame:
    days = np.unique(f.lead_day)
    recs = []
    for d in days:
        sel = (f.lead_day == d) & f.mask
        a, q = f.actual[sel], p[sel]
        recs.append((int(d), wmape(a, q), bias(a, q), mase(a, q, scale) if sel.any()
                     else float("nan"), int(sel.sum()), float(a.sum()), float(q.sum())))
    df = pd.DataFrame(recs, columns=["horizon_day", "wmape", "bias", "mase", "n_open",
                                     "actual", "forecast"])
    df.insert(0, "cutoff", str(grid.days.dates[f.cut_day].date()))
    df.insert(0, "model", f.used.get(name, name))
    df.insert(0, "channel", task.channel)
    df.insert(0, "queue", task.queue)
    return df


def _coverage(f: Fold, p: FloatArray, rule: Any) -> dict[str, list[float]]:
    """Share of actuals inside the 80% / 95% intervals, per lead day."""
    out: dict[str, list[float]] = {}
    for lv in LEVELS:
        lo, hi = interval_bounds(rule, p, f.lead_day, lv)
        inside = (f.actual >= lo) & (f.actual <= hi)
        col = []
        for d in np.unique(f.lead_day):
            sel = (f.lead_day == d) & f.mask
            col.append(float(inside[sel].mean()) if sel.any() else float("nan"))
        out[f"coverage_{int(lv * 100)}"] = col
    return out


def _on_grid(grid: Grid, times: pd.DatetimeIndex, values: FloatArray) -> FloatArray:
    out = np.full(grid.n_history, np.nan)
    pos = grid.index.get_indexer(times)
    ok = (pos >= 0) & (pos < grid.n_history)
    out[pos[ok]] = values[ok]
    return out


