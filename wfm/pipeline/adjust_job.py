"""The adjust jobs: add, list and remove the planner's forecast adjustments.

The adjustments live in the project's adjustments file (``[forecasting]
adjustments_file``, see :mod:`wfm.config.adjustments`); every later forecast applies them
(:func:`wfm.pipeline.forecast_job.forecast`, alone or as a step of `wfm run`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.config.adjustments import (
    AdjustmentsFile,
    adjustment_fields,
    check_conflicts,
    make_adjustment,
    option_fail,
    read_adjustments,
    write_adjustments,
)
from wfm.errors import ConfigError
from wfm.forecasting.adjustments import Adjustment, apply_adjustments
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders.files import read_forecast
from wfm.reports import Report
from wfm.schema import AHT_S, AHT_S_RAW, OFFERED, OFFERED_RAW, QUEUE

#: The columns of an adjustments listing (the file's keys).
LIST_COLUMNS = ("id", "queue", "start", "end", "band", "volume", "aht_s", "reason", "created")


@dataclass(frozen=True)
class AdjustRequest:
    """One adjustment: ``queue`` from local day ``start`` to ``end`` (default: ``start``),
    inside the local ``band`` ``"HH:MM-HH:MM"`` (default: the whole day), changing the
    ``volume`` and/or the ``aht`` by ``"+15%"``, ``"x1.2"`` or an absolute value
    (contacts per day of the window; seconds), because of ``reason``."""

    queue: str
    start: date
    end: date | None = None
    band: str | None = None
    volume: str | None = None
    aht: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class AdjustmentsResult:
    """A listing of adjustments (``report``: the file's, or those added or removed), the
    file and its revision, and for a new adjustment its ``preview`` on forecasts/latest
    (``None`` without a latest forecast covering its window)."""

    report: Report
    path: Path
    revision: int
    preview: Report | None = None


def add_adjustment(project: Project, request: AdjustRequest, *,
                   now: datetime | None = None) -> AdjustmentsResult:
    """Validate ``request`` against wfm.toml and the file's other adjustments, then write
    it as the file's next revision (atomically)."""
    cfg = project.config
    before = read_adjustments(cfg)
    stamp = (now or datetime.now(cfg.site.timezone)).isoformat(timespec="seconds")
    adj = make_adjustment(cfg, option_fail, adjustment_id=_next_id(before),
                          queue=request.queue, start=request.start, end=request.end,
                          band=request.band, volume=request.volume, aht=request.aht,
                          reason=request.reason, created=stamp)
    after = (*before.adjustments, adj)
    check_conflicts(after, str(before.path), adding=True)
    revision = write_adjustments(before, after)
    title = f"Added to {before.path} (revision {revision})"
    return AdjustmentsResult(Report(_listing((adj,)), title), before.path, revision,
                             _preview(project, after, adj))


def list_adjustments(project: Project) -> AdjustmentsResult:
    """Every adjustment of the file, in its order (none when the file does not exist)."""
    file = read_adjustments(project.config)
    state = f"revision {file.revision}" if file.sha256 else "no file yet"
    title = f"Forecast adjustments in {file.path} ({state}); days and bands local time"
    return AdjustmentsResult(Report(_listing(file.adjustments), title), file.path,
                             file.revision)


def remove_adjustments(project: Project, ids: tuple[str, ...]) -> AdjustmentsResult:
    """Remove the adjustments ``ids`` (all or nothing) and write the next revision."""
    before = read_adjustments(project.config)
    known = [a.id for a in before.adjustments]
    unknown = [i for i in ids if i not in known]
    if not ids or unknown:
        raise ConfigError(f"{before.path}: no adjustment {', '.join(map(repr, unknown))}; "
                          f"accepted: {', '.join(known) or '(the file has none)'}",
                          hint="wfm forecast adjust list shows them")
    removed = tuple(a for a in before.adjustments if a.id in ids)
    revision = write_adjustments(before, tuple(a for a in before.adjustments
                                               if a.id not in ids))
    title = f"Removed from {before.path} (revision {revision})"
    return AdjustmentsResult(Report(_listing(removed), title), before.path, revision)


def _next_id(file: AdjustmentsFile) -> str:
    """``a<revision + 1>``, or the next free number after it (hand-edited ids)."""
    taken = {a.id for a in file.adjustments}
    return next(f"a{n}" for n in itertools.count(file.revision + 1) if f"a{n}" not in taken)


def _listing(adjustments: tuple[Adjustment, ...]) -> pd.DataFrame:
    rows = [{k: str(v) if isinstance(v, date) else v for k, v in adjustment_fields(a).items()}
            for a in adjustments]
    frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS)).astype(object)
    return frame.where(frame.notna(), "")


def _preview(project: Project, adjustments: tuple[Adjustment, ...], new: Adjustment
             ) -> Report | None:
    """The new adjustment's window on forecasts/latest, per local day: the model's volume
    and AHT against what the next forecast makes of them with every adjustment applied
    (if the model forecasts the same)."""
    folder = project.folders.latest("forecasts")
    if folder is None:
        return None
    tz = project.config.site.timezone
    adjusted = apply_adjustments(read_forecast(folder), adjustments, timezone=tz).frame
    window = adjusted[adjusted["adjustments"].str.split().map(lambda ids: new.id in ids)
                      & (adjusted[QUEUE] == new.queue)]
    if window.empty:
        return None
    day = pd.DatetimeIndex(window["interval_start"]).tz_convert(tz).strftime("%Y-%m-%d")
    frame = (window.assign(date=day,
                           handle_raw=window[OFFERED_RAW] * window[AHT_S_RAW],
                           handle=window[OFFERED] * window[AHT_S])
             .groupby("date", as_index=False)
             .agg(intervals=(OFFERED, "size"), offered_raw=(OFFERED_RAW, "sum"),
                  offered=(OFFERED, "sum"), handle_raw=("handle_raw", "sum"),
                  handle=("handle", "sum")))
    with np.errstate(invalid="ignore", divide="ignore"):
        frame[AHT_S_RAW] = frame["handle_raw"] / frame[OFFERED_RAW]
        frame[AHT_S] = frame["handle"] / frame[OFFERED]
    frame = frame.drop(columns=["handle_raw", "handle"]).round(2)
    title = (f"Effect on {folder.name} ({new.describe()}), per local day; offered_raw and "
             "aht_s_raw are the model's, offered and aht_s with every adjustment")
    return Report(frame, title)
