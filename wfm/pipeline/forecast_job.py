"""The forecast job: stored history -> forecast per queue and channel -> forecasts/<run-id>/."""

from __future__ import annotations

import dataclasses
import json
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config import Config
from wfm.config.adjustments import AdjustmentsFile, adjustment_fields, read_adjustments
from wfm.errors import ForecastError, InputDataError
from wfm.forecasting import (
    AUTO,
    MODELS,
    ForecastRun,
    LocalProcessExecutor,
    SiteCalendar,
    forecast_intervals,
    parse_horizon,
    site_holidays,
)
from wfm.forecasting.adjustments import AdjustedForecast, AppliedAdjustment, apply_adjustments
from wfm.forecasting.batch import ForecastPlan, check_model, combine_series
from wfm.forecasting.intraday_run import forecast_intraday
from wfm.io.store import read_intervals, stored_series
from wfm.outputs import sha256_file
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.forecast_tasks import QueueTask, forecast_queue
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import write_forecast
from wfm.reports import Report

#: What ``model`` accepts: auto or a registry name.
MODEL_CHOICES: tuple[str, ...] = (AUTO, *MODELS)


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast; ``None`` takes the [forecasting] value of wfm.toml.

    ``horizon`` is a number of days or weeks such as ``"6w"``; ``start`` the first local
    day (default: the day after the history); ``queues``/``channels`` restrict the series
    (default: every stored series).
    """

    horizon: str | None = None
    start: date | None = None
    model: str | None = None
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForecastResult:
    """The forecast (frame, backtest, per-series facts) and the run folder holding it."""

    forecast: ForecastRun
    folder: Path
    run_id: str
    horizon: str
    model: str
    #: What each planner adjustment did (the adjustments file's, in its order).
    adjustments: tuple[AppliedAdjustment, ...] = ()
    adjustments_file: Path | None = None


def forecast(project: Project, request: ForecastRequest | None = None, *,
             run: Run | None = None, execution: Execution | ExecutorChoice | None = None,
             progress: Callable[[int, int], None] | None = None) -> ForecastResult:
    """Forecast offered volume and AHT of the stored history; publish forecasts/<run-id>/.

    ``run``: the run this job is a step of (`wfm run`); without one the job is a run of
    its own (the project lock, staged outputs, ``forecasts/latest`` moved on success).
    Each queue is one task of the executor (``execution``, default [run] executor): the
    task names the queue and the store, and the worker reads that queue's history.
    ``progress(done, total)`` is called once per queue. The planner's adjustments
    (``[forecasting] adjustments_file``) are applied to the model's forecast; forecast.csv
    keeps the model's values beside them and the manifest lists what each one did.
    """
    request = request or ForecastRequest()
    cfg = project.config
    horizon = request.horizon or cfg.forecasting.horizon
    model = request.model or cfg.forecasting.model
    start = pd.Timestamp(request.start) if request.start is not None else None
    check_model(model, cfg.forecasting.candidates)
    horizon_days = parse_horizon(horizon)
    adjustments = read_adjustments(cfg)  # a bad file fails before hours of forecasting
    with project.publishing(run, command="forecast") as current, \
            execution_for(cfg, execution) as ex:
        series = filter_series(stored_series(project.data_dir,
                                             list(request.queues) or None),
                               request.channels)
        plan = forecast_plan(cfg, series, horizon_days=horizon_days, start=start, model=model)
        ref = plan.reference(series["last"].max())
        tasks = [QueueTask(project.data_dir, str(q), request.channels, plan, ref)
                 for q in sorted(set(series["queue"]))]
        results, batches = [], []
        for i, done in enumerate(ex.series().map(forecast_queue, tasks, label=QueueTask.label)):
            results += done.results
            batches.append(done.batch)
            if progress is not None:
                progress(i + 1, len(tasks))
        result = combine_series(results, batches, plan, ref)
        adjusted = apply_adjustments(result.forecast, adjustments.adjustments,
                                     timezone=cfg.site.timezone)
        result = dataclasses.replace(result, forecast=adjusted.frame,
                                     warnings=[*result.warnings,
                                               *adjustment_warnings(adjusted)])
        for warning in result.warnings:
            current.warn(warning)
        write_forecast(current.stage("forecasts"), result, cfg.site.timezone)
        manifest = forecast_manifest(project, result, current.run_id, horizon=horizon,
                                     start=start, model=model)
        if adjustments.sha256 is not None:
            manifest["inputs"][_relative(project, adjustments.path)] = adjustments.sha256
        current.record("forecasts", **manifest, executor=ex.kind,
                       adjustments=adjustments_manifest(adjustments, adjusted))
        folder = current.final("forecasts")
    return ForecastResult(result, folder, current.run_id, horizon, model, adjusted.applied,
                          adjustments.path if adjustments.sha256 else None)


def adjustment_warnings(adjusted: AdjustedForecast) -> list[str]:
    """Adjustments that could not act: an absolute volume on days without forecast volume
    to spread over, or a window holding no forecast volume at all (a closed holiday)."""
    out = []
    for a in adjusted.applied:
        if a.skipped_days:
            out.append(f"adjustment {a.id}: no forecast volume to spread over on "
                       f"{', '.join(a.skipped_days)} (closed?); those days are left as "
                       "forecast")
        elif a.offered_raw == 0:
            out.append(f"adjustment {a.id}: its window holds no forecast volume (closed? "
                       "a public holiday?); nothing to adjust there")
    return out


def adjustments_manifest(file: AdjustmentsFile, adjusted: AdjustedForecast
                         ) -> dict[str, Any]:
    """The manifest's ``adjustments``: the file (path, revision, SHA-256) and, per
    adjustment, its settings with what it did, or that it touched nothing here."""
    effects = {a.id: a.as_dict() for a in adjusted.applied}
    entries = []
    for adj in file.adjustments:
        fields = {k: str(v) if isinstance(v, date) else v
                  for k, v in adjustment_fields(adj).items()}
        entries.append({**fields, "applied": adj.id in effects,
                        **{k: v for k, v in effects.get(adj.id, {}).items() if k != "id"}})
    return {"file": str(file.path), "revision": file.revision, "sha256": file.sha256,
            "applied": [a.id for a in adjusted.applied], "not_applied": list(adjusted.unused),
            "entries": entries}


def filter_series(series: pd.DataFrame, channels: Sequence[str] = ()) -> pd.DataFrame:
    """The stored series of the wanted channels; a channel with no history, or no history
    at all, raises (the store refused an unknown queue already)."""
    if channels:
        known = sorted(map(str, series["channel"].unique()))
        missing = [c for c in channels if c not in known]
        if missing:
            raise InputDataError(
                f"--channel {', '.join(missing)} matches nothing in the data store; "
                f"channels with history: {', '.join(known) or '(none)'}")
        series = series[series["channel"].isin(channels)]
    if series.empty:
        raise InputDataError("no interval history in the data store",
                             hint="ingest history first with 'wfm ingest'")
    return series


def forecast_plan(cfg: Config, series: pd.DataFrame, *, horizon_days: int,
                  start: pd.Timestamp | None, model: str) -> ForecastPlan:
    """The [forecasting], [site] and [[queues]] settings of a forecast of ``series``
    (``first``/``last`` per series: the calendar covers their years and the horizon)."""
    fc = cfg.forecasting
    return ForecastPlan(
        calendar_for(cfg, series["first"].min(), series["last"].max(), horizon_days),
        cfg.data.interval_minutes, horizon_days, start, model, fc.candidates,
        fc.backtest_cutoffs, {q.name: q.aht_s for q in cfg.queues}, fc.stale_weeks,
        {q.name: q.opening_hours.windows for q in cfg.queues if q.opening_hours})


@dataclass(frozen=True)
class IntradayRequest:
    """``day``: the local day to re-forecast (default: the last day with history);
    ``as_of``: local ``HH:MM`` (the actuals before it are used) or ``"now"`` (every actual
    of the day so far); ``model``: default [forecasting] model."""

    day: date | None = None
    as_of: str = "now"
    model: str | None = None
    queues: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntradayResult:
    """The rest of the day per queue and interval (local ``interval_start``), next to the
    day-ahead forecast, and the warnings of the forecast underneath."""

    report: Report
    warnings: tuple[str, ...]


def forecast_rest_of_day(project: Project, request: IntradayRequest) -> IntradayResult:
    """Re-forecast the rest of a day from its actuals so far (the day-ahead forecast, then a
    Bayesian update of the day's level and intraday deviation); writes no run folder."""
    cfg = project.config
    history = filter_history(read_intervals(project.data_dir,
                                            queues=list(request.queues) or None),
                             request.queues, request.channels)
    tz = cfg.site.timezone
    day = (pd.Timestamp(request.day) if request.day is not None
           else history["interval_start"].max().tz_convert(tz).normalize().tz_localize(None))
    clock = None
    if request.as_of != "now":
        try:
            clock = datetime.strptime(request.as_of, "%H:%M").time()
        except ValueError:
            raise ForecastError(f"--intraday {request.as_of!r} cannot be read; accepted: a "
                                "local time such as 12:00, or nothing (all of the day's "
                                "actuals so far)") from None
    fc = cfg.forecasting
    run = forecast_intraday(
        history, calendar=site_calendar(cfg, history, 1),
        interval_minutes=cfg.data.interval_minutes, day=day, as_of=clock,
        model=request.model or fc.model, candidates=fc.candidates,
        backtest_cutoffs=fc.backtest_cutoffs,
        default_aht_s={q.name: q.aht_s for q in cfg.queues},
        queue_windows={q.name: q.opening_hours.windows for q in cfg.queues
                       if q.opening_hours},
        executor=LocalProcessExecutor(fc.workers or None))
    frame = run.forecast.copy()
    local = pd.DatetimeIndex(frame["interval_start"]).tz_convert(tz)
    frame["interval_start"] = local.strftime("%Y-%m-%dT%H:%M")
    title = f"Rest of {day.date()} re-forecast from its actuals ({tz.key})"
    return IntradayResult(Report(frame.round(4), title), tuple(run.warnings))


def forecast_models() -> Report:
    """The forecast models, one row each (the names ``model`` accepts)."""
    rows: list[dict[str, object]] = [{
        "model": AUTO, "min_history_days": "", "fallback": "",
        "summary": "backtest the candidates per series and keep the best combination "
                   "of the best models (or a clearly better single one) per lead band"}]
    rows += [{"model": name, "min_history_days": cls.min_history_days,
              "fallback": cls.fallback or "", "summary": cls.summary}
             for name, cls in MODELS.items()]
    return Report(pd.DataFrame(rows))


def forecast_summary(result: ForecastResult) -> Report:
    """One row per series: the model chosen, its backtest error and interval coverage."""
    rows = []
    for key, info in result.forecast.series.items():
        q, c = key.split("/", 1)
        rows.append({"queue": q, "channel": c, "model": info.model,
                     "backtest_wmape": _round(info.backtest_wmape),
                     "coverage_80": _round(info.coverage_80),
                     "coverage_95": _round(info.coverage_95),
                     "fallback": "; ".join(info.fallback_reasons()) or info.note})
    return Report(pd.DataFrame(rows), f"Forecast {result.run_id}")


def _round(x: Any) -> Any:
    return round(float(x), 4) if isinstance(x, int | float) else x


def filter_history(history: pd.DataFrame, queues: Sequence[str] = (),
                   channels: Sequence[str] = ()) -> pd.DataFrame:
    """Keep the wanted queues/channels; a name with no history or no history at all raises."""
    for col, wanted in (("queue", queues), ("channel", channels)):
        if not wanted:
            continue
        known = sorted(map(str, history[col].unique())) if len(history) else []
        missing = [w for w in wanted if w not in known]
        if missing:
            raise InputDataError(
                f"--{col} {', '.join(missing)} matches nothing in the data store; "
                f"{col}s with history: {', '.join(known) or '(none)'}")
        history = history[history[col].isin(wanted)]
    if history.empty:
        raise InputDataError("no interval history in the data store",
                             hint="ingest history first with 'wfm ingest'")
    return history


def site_calendar(cfg: Config, history: pd.DataFrame, horizon_days: int) -> SiteCalendar:
    """The site calendar of a forecast of ``history`` from wfm.toml (public + listed
    holidays, holidays declared open, special days)."""
    return calendar_for(cfg, history["interval_start"].min(),
                        history["interval_start"].max(), horizon_days)


def calendar_for(cfg: Config, first: pd.Timestamp, last: pd.Timestamp,
                 horizon_days: int) -> SiteCalendar:
    """The site calendar covering ``first`` to ``last`` and the horizon after it."""
    site = cfg.site
    last_year = (last + pd.Timedelta(days=horizon_days + 400)).year
    hol = site_holidays(site.country, range(first.year, last_year + 1), site.subdivision,
                        extra=site.holidays, effects=site.holiday_effects)
    return SiteCalendar(site.timezone, site.opening_hours.windows, hol.closed,
                        (*hol.special_days, *site.special_days))


def forecast_history(cfg: Config, history: pd.DataFrame, *, horizon_days: int,
                     start: pd.Timestamp | None, model: str,
                     progress: Callable[[int, int], None] | None = None) -> ForecastRun:
    """Forecast ``history`` with the [forecasting], [site] and [[queues]] settings."""
    fc = cfg.forecasting
    queue_windows = {q.name: q.opening_hours.windows for q in cfg.queues if q.opening_hours}
    return forecast_intervals(
        history, calendar=site_calendar(cfg, history, horizon_days),
        interval_minutes=cfg.data.interval_minutes, horizon_days=horizon_days, start=start,
        model=model, candidates=fc.candidates, backtest_cutoffs=fc.backtest_cutoffs,
        default_aht_s={q.name: q.aht_s for q in cfg.queues}, stale_weeks=fc.stale_weeks,
        queue_windows=queue_windows,
        executor=LocalProcessExecutor(fc.workers or None), progress=progress)


def store_checksums(project: Project) -> dict[str, str]:
    """sha256 of every file of the data store, keyed by its path relative to wfm.toml."""
    data_dir = project.data_dir
    if not data_dir.is_dir():
        return {}
    return {_relative(project, p): sha256_file(p)
            for p in sorted(data_dir.rglob("*")) if p.is_file()}


def _relative(project: Project, path: Path) -> str:
    base = project.base_dir
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def package_versions(*packages: str) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for pkg in packages:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "unknown"
    return versions


def forecast_manifest(project: Project, run: ForecastRun, run_id: str, *, horizon: str,
                      start: pd.Timestamp | None, model: str) -> dict[str, Any]:
    return {
        "command": "forecast", "run_id": run_id, "status": "success",
        "horizon": horizon, "start": None if start is None else str(start.date()),
        "model": model, "inputs": store_checksums(project),
        "config": json.loads(json.dumps(project.config.to_dict(), default=str)),
        "versions": package_versions("wfm", "numpy", "pandas", "statsmodels", "scipy",
                                     "holidays"),
        "series": {key: facts.to_dict() for key, facts in run.series.items()},
        "warnings": run.warnings,
        "created": date.today().isoformat(),
    }
