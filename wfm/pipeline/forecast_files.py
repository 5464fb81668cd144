"""Config -> forecast -> run folder: the one path `wfm forecast` and the forecast step share."""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Sequence
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config import Config
from wfm.errors import ForecastError, InputDataError
from wfm.forecasting import (
    ForecastRun,
    LocalProcessExecutor,
    SiteCalendar,
    forecast_intervals,
    public_holidays,
)
from wfm.forecasting.intraday_run import IntradayRun, forecast_intraday
from wfm.outputs import sha256_file, write_manifest

FORECAST_FILE = "forecast.csv"
BACKTEST_FILE = "backtest.csv"


def read_history(data_dir: Path, queues: Sequence[str] | None) -> pd.DataFrame:
    """The intervals frame from the data store (wfm.io owns the store)."""
    from wfm.io.store import read_intervals

    frame: pd.DataFrame = read_intervals(data_dir, queues=queues)
    return frame


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
    """The site calendar of the forecast from wfm.toml (public + listed holidays)."""
    site = cfg.site
    first = history["interval_start"].min().year
    last = (history["interval_start"].max() + pd.Timedelta(days=horizon_days + 400)).year
    hol = public_holidays(site.country, range(first, last + 1), site.subdivision,
                          extra=site.holidays)
    return SiteCalendar(site.timezone, site.opening_hours.windows, hol, site.special_days)


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


def intraday_history(cfg: Config, history: pd.DataFrame, *, day: pd.Timestamp | None,
                     as_of: str, model: str) -> IntradayRun:
    """The rest of ``day`` (default: the last day with history) re-forecast from its actuals
    before ``as_of`` (local ``HH:MM``, or ``now``: every actual of the day); local times."""
    tz = cfg.site.timezone
    if day is None:
        day = history["interval_start"].max().tz_convert(tz).normalize().tz_localize(None)
    clock = None
    if as_of != "now":
        try:
            clock = datetime.strptime(as_of, "%H:%M").time()
        except ValueError:
            raise ForecastError(f"--intraday {as_of!r} cannot be read; accepted: a local time "
                                "such as 12:00, or nothing (all of the day's actuals so far)"
                                ) from None
    fc = cfg.forecasting
    run = forecast_intraday(
        history, calendar=site_calendar(cfg, history, 1),
        interval_minutes=cfg.data.interval_minutes, day=day, as_of=clock, model=model,
        candidates=fc.candidates, backtest_cutoffs=fc.backtest_cutoffs,
        default_aht_s={q.name: q.aht_s for q in cfg.queues},
        queue_windows={q.name: q.opening_hours.windows for q in cfg.queues if q.opening_hours},
        executor=LocalProcessExecutor(fc.workers or None))
    local = pd.DatetimeIndex(run.forecast["interval_start"]).tz_convert(tz)
    run.forecast["interval_start"] = local.strftime("%Y-%m-%dT%H:%M")
    return run


def write_forecast_folder(folder: Path, cfg: Config, run: ForecastRun, run_id: str, *,
                          horizon: str, start: pd.Timestamp | None, model: str,
                          extra: dict[str, Any] | None = None) -> None:
    """forecast.csv, backtest.csv and manifest.json into ``folder`` (a temporary run folder).

    The CSV files hold no run id or clock time, so equal inputs give equal checksums.
    """
    write_forecast_csv(run.forecast, folder / FORECAST_FILE, cfg)
    run.backtest.to_csv(folder / BACKTEST_FILE, index=False, float_format="%.6g",
                        lineterminator="\n")
    manifest = forecast_manifest(cfg, run, run_id, horizon=horizon, start=start, model=model)
    write_manifest(folder, {**manifest, **(extra or {})})


def write_forecast_csv(frame: pd.DataFrame, path: Path, cfg: Config) -> None:
    """The FORECAST frame with local ISO 8601 timestamps carrying their offset."""
    out = frame.copy()
    local = pd.DatetimeIndex(out["interval_start"]).tz_convert(cfg.site.timezone)
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    out["interval_start"] = [s[:-2] + ":" + s[-2:] for s in stamp]
    out.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")


def input_checksums(cfg: Config) -> dict[str, str]:
    """sha256 of every file of the data store, keyed by its path relative to wfm.toml."""
    data_dir = cfg.paths.data_dir
    if not data_dir.is_dir():
        return {}
    return {str(p.relative_to(cfg.base_dir)) if p.is_relative_to(cfg.base_dir) else str(p):
            sha256_file(p) for p in sorted(data_dir.rglob("*")) if p.is_file()}


def package_versions(*packages: str) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for pkg in packages:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "unknown"
    return versions


def forecast_manifest(cfg: Config, run: ForecastRun, run_id: str, *, horizon: str,
                      start: pd.Timestamp | None, model: str) -> dict[str, Any]:
    return {
        "command": "forecast", "run_id": run_id, "status": "success",
        "horizon": horizon, "start": None if start is None else str(start.date()),
        "model": model, "inputs": input_checksums(cfg),
        "config": json.loads(json.dumps(cfg.to_dict(), default=str)),
        "versions": package_versions("wfm", "numpy", "pandas", "statsmodels", "scipy",
                                     "holidays"),
        "series": run.series, "warnings": run.warnings,
        "created": date.today().isoformat(),
    }
