"""Forecast one series end to end: grid, backtest, choice, final fit, intervals, AHT."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from wfm.forecasting.calendar import SiteCalendar
from wfm.forecasting.grid import FloatArray, Grid, build_grid, place_history
from wfm.forecasting.intervals import (
    LEVELS,
    POISSON_RULE,
    IntervalRule,
    calibrate_intervals,
    interval_bounds,
)
from wfm.forecasting.intraday import Dispersion, fit_dispersion
from wfm.forecasting.metrics import bias, mase, wmape
from wfm.forecasting.models.aht import forecast_aht
from wfm.forecasting.models.base import History
from wfm.forecasting.models.registry import AUTO
from wfm.forecasting.selection import (
    Choice,
    Fold,
    choose,
    compose,
    fit_with_fallback,
    open_lead,
    parts,
)
from wfm.forecasting.series_facts import SeriesFacts

MIN_FOLD_HISTORY_DAYS = 28
# Each fold forecasts at least two weeks (or to the end of the history): the first week's
# evidence is then the same for a 1-week and a 6-week run.
MIN_FOLD_DAYS = 14
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
    backtest_cutoffs: int = 8
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
    info: SeriesFacts | None = None
    error: str | None = None


def forecast_series(task: SeriesTask) -> SeriesResult:
    """Forecast one series; expected failures come back in ``error`` (never raised).

    Warnings of the libraries underneath (numpy, statsmodels) come back too, in
    ``info.library_warnings`` ("Category: message (file:line)", once each), instead
    of reaching stderr from a worker process: ``forecast_intervals`` adds them to the
    run's warnings (the run log under ``wfm run --quiet``). The process's warning filters
    still decide which are shown.

    BLAS runs single-threaded here: the fits are many tiny problems (Holt-Winters' optimiser
    on 150 days), where OpenBLAS's threads only spin — 10x the CPU on a busy 2-core machine —
    and the series themselves are what runs in parallel.
    """
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(1):
        try:
            result = _forecast(task)
        except ValueError as exc:
            result = SeriesResult(task.queue, task.channel, error=str(exc))
    if caught and result.info is not None:
        result.info.library_warnings = sorted(
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
    folds = _folds(grid, ycat, st)
    rows: list[pd.DataFrame] = []
    info = SeriesFacts(history_days=n_hist)
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
                if not np.all(np.isfinite(f.preds[name])):
                    del f.preds[name]
                    continue
                f.used[name] = fitted.used
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
        folds = [f for f in folds if f.preds]
    if folds:
        choice = choose(folds, candidates)
        chosen_bt = [compose(choice, f.preds, f.lead_open) for f in folds]
        rule, cover, disp = _calibrate(grid, folds, chosen_bt)
        scale = _mase_scale(grid, y)
        rows += [_backtest_rows(task, grid, f, name, f.preds[name], scale=scale)
                 for f in folds for name in candidates if name in f.preds]
        for f, p in zip(folds, chosen_bt, strict=True):
            chosen_rows = _backtest_rows(task, grid, f, choice.label, p, scale=scale)
            cov = _coverage(f, p, rule)
            rows.append(chosen_rows.assign(**cov))
        info.backtest_wmape, info.interval_method = choice.wmape, rule.method
        info.coverage_80, info.coverage_95 = cover.get("coverage_80"), cover.get("coverage_95")
        info.poisson_80, info.poisson_95 = cover.get("poisson_80"), cover.get("poisson_95")
        info.day_cv2, info.intraday_cv2 = disp.day_cv2, disp.intraday_cv2
        info.intraday_corr = disp.intraday_corr
        info.interval_kappa = {str(lv): k.round(5).tolist() for lv, k in rule.kappa.items()}
        info.backtest_cutoffs = [str(grid.days.dates[f.cut_day].date()) for f in folds]
    else:
        first = st.model if st.model != AUTO else SIMPLEST_CHAIN
        choice = Choice((first,) * 2, first, float("nan"))
        rule = POISSON_RULE
        info.note = "history too short for a backtest; no model comparison"

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
    lead = open_lead(grid, int(grid.day[grid.n_history]), pos)
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
        lo, hi = interval_bounds(rule, mean, lead, lv)
        closed = ~grid.open[pos]
        out[f"offered_lo_{int(lv * 100)}"] = np.where(closed, 0.0, np.minimum(lo, mean))
        out[f"offered_hi_{int(lv * 100)}"] = np.where(closed, 0.0, np.maximum(hi, mean))
    info.model, info.requested, info.fallbacks = label, st.model, fallbacks
    info.seconds = {k: round(v, 4) for k, v in seconds.items()}
    bt = pd.concat(rows, ignore_index=True) if rows else None
    return SeriesResult(task.queue, task.channel, out, bt, info)


def _leaf_models(choice: Choice) -> list[str]:
    out: list[str] = []
    for name in choice.per_band:
        out += [p for p in parts(name) if p not in out]
    return out


def _folds(grid: Grid, y: FloatArray, st: SeriesSettings) -> list[Fold]:
    """Rolling origins one step (a week) apart counted back from the end of the history,
    each forecasting the horizon (at least ``MIN_FOLD_DAYS``) or up to the end of the
    history: the most recent folds give short-lead evidence only, the older ones long-lead
    evidence too. The origins do not depend on the horizon, so neither does the evidence
    for the first days."""
    n_days = grid.day_count_before(grid.n_history)
    length = max(st.horizon_days, MIN_FOLD_DAYS)
    out = []
    for i in range(1, st.backtest_cutoffs + 1):
        cut_day = n_days - i * st.cutoff_step_days
        if cut_day < MIN_FOLD_HISTORY_DAYS:
            break
        cut = grid.day_cut(cut_day)
        end = grid.day_cut(min(cut_day + length, n_days))
        pos = np.arange(cut, end)
        actual = y[pos]
        mask = grid.open[pos] & np.isfinite(actual)
        lead = grid.day[pos] - cut_day + 1
        out.append(Fold(cut, cut_day, lead, open_lead(grid, cut_day, pos),
                        np.nan_to_num(actual), mask))
    return out


def _calibrate(grid: Grid, folds: list[Fold], chosen: list[FloatArray]
               ) -> tuple[IntervalRule, dict[str, float], Dispersion]:
    """Interval rule from the chosen forecast's backtest points; the dispersion around the
    day-ahead forecast (prior of the intraday update) from its first-week points, by
    maximum likelihood (``fit_dispersion``)."""
    m = [f.mask for f in folds]
    act = np.concatenate([f.actual[k] for f, k in zip(folds, m, strict=True)])
    mean = np.concatenate([p[k] for p, k in zip(chosen, m, strict=True)])
    lead = np.concatenate([f.lead_open[k] for f, k in zip(folds, m, strict=True)])
    fold = np.concatenate([np.full(int(k.sum()), i) for i, k in enumerate(m)])
    rule, cover = calibrate_intervals(act, mean, lead, fold)
    week = [f.mask & (f.lead_open <= 7) for f in folds]
    day = np.concatenate([grid.day[f.cut:f.cut + len(f.actual)][w] + i * grid.day[-1]
                          for i, (f, w) in enumerate(zip(folds, week, strict=True))])
    disp = fit_dispersion(
        np.concatenate([f.actual[w] for f, w in zip(folds, week, strict=True)]),
        np.concatenate([p[w] for p, w in zip(chosen, week, strict=True)]), day)
    return rule, cover, disp


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
        lead_open = int(f.lead_open[f.lead_day == d][0])
        recs.append((int(d), lead_open, wmape(a, q), bias(a, q), mase(a, q, scale) if sel.any()
                     else float("nan"), int(sel.sum()), float(a.sum()), float(q.sum())))
    cols = ["horizon_day", "open_day", "wmape", "bias", "mase", "n_open", "actual", "forecast"]
    head = {"queue": task.queue, "channel": task.channel, "model": f.used.get(name, name),
            "cutoff": str(grid.days.dates[f.cut_day].date())}
    body = dict(zip(cols, map(list, zip(*recs, strict=True)), strict=True)) if recs else \
        {c: [] for c in cols}
    return pd.DataFrame({**{k: [v] * len(recs) for k, v in head.items()}, **body})


def _coverage(f: Fold, p: FloatArray, rule: IntervalRule) -> dict[str, list[float]]:
    """Share of actuals inside the 80% / 95% intervals, per lead day (in-sample: the rule
    was calibrated on these folds; the leave-one-fold-out figure is in the manifest)."""
    out: dict[str, list[float]] = {}
    for lv in LEVELS:
        lo, hi = interval_bounds(rule, p, f.lead_open, lv)
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


