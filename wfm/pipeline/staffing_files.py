"""Forecast -> requirements.csv and daily.csv with the [staffing] and [[queues]] settings.

Mirrors what `wfm staff` (wfm/cli/staffing_cmd.py) does, so a pipeline run and the command
produce the same files; the command should call :func:`staff_forecast` once its owner moves
to it (kept separate for now because that module was being changed in parallel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wfm.config import Config
from wfm.errors import StaffingError
from wfm.outputs import atomic_write_text
from wfm.staffing.plan import staff_hot_queue

REQUIREMENTS_FILE = "requirements.csv"
DAILY_FILE = "daily.csv"


@dataclass
class Staffing:
    """Requirements per interval (schema.REQUIREMENTS) and agent-hours per queue and day."""

    requirements: pd.DataFrame
    daily: pd.DataFrame
    skipped: list[str] = field(default_factory=list)


def staff_forecast(cfg: Config, forecast: pd.DataFrame, *, source: str) -> Staffing:
    """Required agents per hot-channel queue and interval of ``forecast``.

    ``forecast`` is a schema.FORECAST frame with tz-aware ``interval_start``; deferred
    queues (email, back office) are skipped and listed in ``skipped``.
    """
    interval_s = cfg.data.interval_minutes * 60.0
    parts = []
    skipped: list[str] = []
    for (queue, channel), group in forecast.groupby(["queue", "channel"], sort=True):
        q = cfg.queue(str(queue))
        if q.is_deferred:
            skipped.append(f"{queue}: deferred-work staffing is not implemented yet")
            continue
        rows = group.sort_values("interval_start")
        try:
            res = staff_hot_queue(
                rows["offered"].to_numpy(float), rows["aht_s"].to_numpy(float), interval_s,
                sl_target=q.sl_target, sl_threshold_s=q.sl_threshold_s, max_asa_s=q.max_asa_s,
                max_abandon_rate=q.max_abandon_rate, patience_s=q.patience_s,
                concurrency=q.concurrency, max_occupancy=cfg.staffing.max_occupancy,
                shrinkage=cfg.staffing.shrinkage)
        except StaffingError as exc:
            raise StaffingError(f"{source}: queue {queue!r}: {exc.message}") from None
        out = rows[["queue", "channel", "interval_start", "offered", "aht_s"]].copy()
        for key, value in res.items():
            out[key] = value
        out["channel"] = str(channel)
        parts.append(out)
    if not parts:
        raise StaffingError(f"{source}: no hot-channel queue to staff")
    req = pd.concat(parts, ignore_index=True)
    local = req["interval_start"].dt.tz_convert(cfg.site.timezone)
    hours = cfg.data.interval_minutes / 60.0
    daily = (req.assign(date=local.dt.strftime("%Y-%m-%d"),
                        agent_hours_productive=req["agents_productive"] * hours,
                        agent_hours_scheduled=req["agents_required"] * hours)
             .groupby(["queue", "date"], as_index=False)[
                 ["agent_hours_productive", "agent_hours_scheduled"]].sum())
    daily["fte"] = daily["agent_hours_scheduled"] / (cfg.staffing.hours_per_fte / 5.0)
    return Staffing(req, daily, skipped)


def write_staffing_files(folder: Path, staffing: Staffing) -> None:
    """requirements.csv (UTC ISO timestamps, as `wfm staff` writes them) and daily.csv."""
    req = staffing.requirements.copy()
    req["interval_start"] = req["interval_start"].map(lambda t: t.isoformat())
    atomic_write_text(folder / REQUIREMENTS_FILE, req.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(folder / DAILY_FILE,
                      staffing.daily.to_csv(index=False, lineterminator="\n"))
