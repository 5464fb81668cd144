"""Forecast -> requirements.csv and daily.csv, the way `wfm staff` makes them.

Both call :func:`wfm.staffing.requirements.staff_forecast` with
:func:`wfm.config.staffing.staffing_arguments`; only the folder handling differs (the
pipeline stages the folder and commits it with the rest of the run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config import Config
from wfm.config.staffing import staffing_arguments
from wfm.errors import StaffingError
from wfm.outputs import atomic_write_text
from wfm.staffing.abandonment import abandonment_warnings
from wfm.staffing.requirements import staff_forecast as staff_frame

REQUIREMENTS_FILE = "requirements.csv"
DAILY_FILE = "daily.csv"


@dataclass
class Staffing:
    """Requirements per interval (schema.REQUIREMENTS) and agent-hours per queue and day."""

    requirements: pd.DataFrame
    daily: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def staff_forecast(cfg: Config, forecast: pd.DataFrame, *, source: str,
                   adjust_queues: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                   ) -> Staffing:
    """Required agents per queue and interval of ``forecast`` (every channel).

    ``forecast`` is a schema.FORECAST frame with tz-aware ``interval_start``;
    ``adjust_queues`` may change the per-queue targets first (`wfm staff
    --estimate-patience`).
    """
    for name in forecast["queue"].unique():
        cfg.queue(str(name))  # an unknown queue is a ConfigError naming wfm.toml
    starts = forecast["interval_start"]
    years = range(starts.min().year - 1, starts.max().year + 2)
    arguments = staffing_arguments(cfg, years)
    if adjust_queues is not None:
        arguments["queues"] = adjust_queues(arguments["queues"])
    try:
        req, daily = staff_frame(forecast, **arguments)
    except StaffingError as exc:
        raise StaffingError(f"{source}: {exc.message}", hint=exc.hint) from None
    notes = abandonment_warnings(req, cfg.staffing.abandon_warning_rate)
    return Staffing(req, daily, [w.message for w in notes])


def write_staffing_files(folder: Path, staffing: Staffing) -> None:
    """requirements.csv (ISO timestamps, as `wfm staff` writes them) and daily.csv."""
    req = staffing.requirements.copy()
    req["interval_start"] = req["interval_start"].map(lambda t: t.isoformat())
    atomic_write_text(folder / REQUIREMENTS_FILE, req.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(folder / DAILY_FILE,
                      staffing.daily.to_csv(index=False, lineterminator="\n"))
