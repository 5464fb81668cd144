"""Read a schedule run folder (``schedules/<run-id>/``) into frames for the reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from wfm.errors import InputDataError
from wfm.schema import COVERAGE, SCHEDULE, SCHEDULE_INTERVALS, FrameSchema, read_frame_csv

ROSTER_FILE = "roster.csv"
INTERVALS_FILE = "agent_intervals.csv"
COVERAGE_FILE = "coverage.csv"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class ScheduleRun:
    """The frames of one schedule run; timestamps tz-aware UTC, ``tz`` the site zone."""

    run_id: str
    roster: pd.DataFrame
    agent_intervals: pd.DataFrame
    coverage: pd.DataFrame
    manifest: dict[str, Any]
    tz: ZoneInfo
    stamp: datetime

    @property
    def week(self) -> str:
        week = self.manifest.get("week")
        if week:
            return str(week)
        return str(min(self.roster["date"])) if len(self.roster) else ""


def manifest_timezone(manifest: dict[str, Any]) -> str | None:
    """The site time zone a manifest records (``timezone``, ``site_timezone`` or
    ``site.timezone``), if any."""
    site = manifest.get("site")
    for value in (manifest.get("timezone"), manifest.get("site_timezone"),
                  site.get("timezone") if isinstance(site, dict) else None):
        if isinstance(value, str) and value:
            return value
    return None


def run_stamp(run_id: str, manifest: dict[str, Any]) -> datetime:
    """A fixed timestamp for the run (its id's UTC time), so outputs are reproducible."""
    for text in (run_id[:16], str(manifest.get("created", ""))):
        for fmt in ("%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S%z"):
            try:
                parsed = datetime.strptime(text[:25], fmt)
            except ValueError:
                continue
            return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    return datetime(2000, 1, 1)


def read_manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise InputDataError(f"{path}: expected a JSON object")
    return body


def _read_with_ids(path: Path, schema: FrameSchema) -> pd.DataFrame:
    """read_frame_csv, keeping agent ids as written (``007`` stays ``007``, not 7)."""
    frame = read_frame_csv(str(path), schema)
    ids = pd.read_csv(path, usecols=["agent_id"], dtype=str, keep_default_na=False)
    frame["agent_id"] = ids["agent_id"].to_numpy()
    return frame


def read_schedule_run(run_dir: Path, *, default_tz: ZoneInfo) -> ScheduleRun:
    """Read roster, agent intervals, coverage and manifest of a run folder.

    The site time zone comes from the manifest, else ``default_tz`` (wfm.toml [site]).
    """
    manifest = read_manifest(run_dir)
    roster = _read_with_ids(run_dir / ROSTER_FILE, SCHEDULE)
    roster["date"] = roster["date"].astype(str)
    for col in ("name", "team", "status", "activities"):
        if col not in roster.columns:
            roster[col] = ""
        roster[col] = roster[col].fillna("").astype(str)
    # Without a status column, a row with a shift is a working day, one without a day off.
    unknown = roster["status"] == ""
    roster.loc[unknown, "status"] = roster.loc[unknown, "shift_start"].notna().map(
        {True: "work", False: "off"})
    agent_intervals = _read_with_ids(run_dir / INTERVALS_FILE, SCHEDULE_INTERVALS)
    if "queue" not in agent_intervals.columns:
        agent_intervals["queue"] = ""
    agent_intervals["queue"] = agent_intervals["queue"].fillna("").astype(str)
    coverage = read_frame_csv(str(run_dir / COVERAGE_FILE), COVERAGE)
    tz_name = manifest_timezone(manifest)
    tz = default_tz
    if tz_name:
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputDataError(f"{run_dir / MANIFEST_FILE}: unknown time zone "
                                 f"{tz_name!r}; expected an IANA name such as "
                                 "Europe/Paris") from None
    return ScheduleRun(run_dir.name, roster, agent_intervals, coverage, manifest, tz,
                       run_stamp(run_dir.name, manifest))


def interval_hours(starts: pd.Series) -> float:
    """The interval length [h] of a series of interval starts (smallest positive step)."""
    values = pd.Series(starts.drop_duplicates().sort_values().to_numpy())
    steps = values.diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return 0.25
    return float(steps.min() / pd.Timedelta(hours=1))
