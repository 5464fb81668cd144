"""Run folders -> report frames and files: shared by `wfm report`/`wfm export` and the
report step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.config import Config
from wfm.errors import InputDataError
from wfm.reports.accuracy import accuracy_report, forecast_period
from wfm.reports.schedule_run import ScheduleRun, read_schedule_run
from wfm.schema import FORECAST, INTERVAL_START, REQUIREMENTS, read_frame_csv

#: ``(start, end) -> INTERVALS actuals in [start, end)``
ActualsReader = Callable[[pd.Timestamp, pd.Timestamp], pd.DataFrame]


def schedule_run_at(cfg: Config, run_dir: Path) -> ScheduleRun:
    """The schedule run in ``run_dir`` (site zone from its manifest, else [site])."""
    return read_schedule_run(run_dir, default_tz=cfg.site.timezone)


def requirements_for(run_dir: Path, manifest: dict[str, Any], base: Path
                     ) -> pd.DataFrame | None:
    """The requirements a schedule was built from, when the run folder or manifest says."""
    candidates = [run_dir / "requirements.csv"]
    inputs = manifest.get("inputs")
    if isinstance(inputs, dict):
        for key, value in sorted(inputs.items()):
            path = value.get("path") if isinstance(value, dict) else value
            if isinstance(path, str) and "requirements" in f"{key} {path}":
                candidates.append(base / path)
    for path in candidates:
        if path.is_file():
            return read_frame_csv(str(path), REQUIREMENTS)
    return None


def last_days(actuals: pd.DataFrame, days: int, tz: ZoneInfo) -> pd.DataFrame:
    """The rows of the last ``days`` local days, counted back from the latest interval."""
    latest = actuals[INTERVAL_START].max().tz_convert(tz).normalize()
    first = (latest - pd.DateOffset(days=days - 1)).tz_convert("UTC")
    recent: pd.Series = actuals[INTERVAL_START] >= first
    return actuals.loc[recent]


def forecast_accuracy(cfg: Config, run_dir: Path, read_actuals: ActualsReader
                      ) -> pd.DataFrame:
    """Forecast vs actuals per queue, channel and day for the forecast run in ``run_dir``.

    ``read_actuals(start, end)`` returns the INTERVALS actuals in [start, end).
    """
    path = run_dir / "forecast.csv"
    forecast = read_frame_csv(str(path), FORECAST)
    if forecast.empty:
        raise InputDataError(f"{path}: the forecast has no rows")
    first, last = forecast_period(forecast)
    actuals = read_actuals(first, last + pd.Timedelta(seconds=1))
    report: pd.DataFrame = accuracy_report(forecast, actuals, tz=cfg.site.timezone,
                                           source=str(path))
    return report
