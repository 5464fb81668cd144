"""Write and read the files of each kind of run folder: one function per kind and way.

One time convention in every file a planner opens: timestamps are the site's local time
in ISO 8601 with their offset (``2026-03-29T03:00:00+02:00``), so a spreadsheet shows the
clock of the centre and a program still reads the exact instant. The CSV files hold no run
id or clock time, so equal inputs give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from wfm.errors import InputDataError
from wfm.forecasting import ForecastRun
from wfm.outputs import atomic_write_text
from wfm.pipeline.run_folders.layout import (
    AGENT_INTERVALS_FILE,
    BACKTEST_FILE,
    COVERAGE_FILE,
    DAILY_FILE,
    FORECAST_FILE,
    LATEST,
    MANIFEST_FILE,
    REQUIREMENTS_FILE,
    ROSTER_FILE,
    SIMULATED_MISSES_FILE,
    SIMULATED_SERVICE_FILE,
    RunFolders,
)
from wfm.pipeline.run_folders.manifests import manifest_input, read_manifest
from wfm.reports.schedule_run import ScheduleRun
from wfm.scheduling.roster import ScheduleResult
from wfm.schema import (
    COVERAGE,
    FORECAST,
    REQUIREMENTS,
    SCHEDULE,
    SCHEDULE_INTERVALS,
    FrameSchema,
    parse_timestamps,
    read_frame_csv,
)


def in_folder(path: Path, file_name: str) -> Path:
    """``path`` itself, or ``path/file_name`` when ``path`` is a run folder."""
    return path / file_name if path.is_dir() else path


def _csv(frame: pd.DataFrame, path: Path, *, float_format: str | None = None) -> None:
    atomic_write_text(path, frame.to_csv(index=False, float_format=float_format,
                                         lineterminator="\n"))


def _local_iso(values: pd.Series, tz: ZoneInfo) -> list[str]:
    """``2026-03-29T03:00:00+02:00``: local time with its offset."""
    stamp = pd.DatetimeIndex(values).tz_convert(tz).strftime("%Y-%m-%dT%H:%M:%S%z")
    return [s[:-2] + ":" + s[-2:] for s in stamp]


# -- forecasts -------------------------------------------------------------------------

def write_forecast(folder: Path, run: ForecastRun, tz: ZoneInfo) -> None:
    """forecast.csv (local timestamps with offset) and backtest.csv into ``folder``."""
    out = run.forecast.copy()
    out["interval_start"] = _local_iso(out["interval_start"], tz)
    _csv(out, folder / FORECAST_FILE, float_format="%.4f")
    _csv(run.backtest, folder / BACKTEST_FILE, float_format="%.6g")


def read_forecast(path: Path) -> pd.DataFrame:
    """A forecast file, or the forecast.csv of a run folder (schema.FORECAST)."""
    return read_frame_csv(str(in_folder(path, FORECAST_FILE)), FORECAST)


# -- requirements ----------------------------------------------------------------------

def write_staffing(folder: Path, requirements: pd.DataFrame, daily: pd.DataFrame,
                   tz: ZoneInfo) -> None:
    """requirements.csv (local timestamps with offset) and daily.csv into ``folder``."""
    req = requirements.copy()
    req["interval_start"] = _local_iso(req["interval_start"], tz)
    _csv(req, folder / REQUIREMENTS_FILE)
    _csv(daily, folder / DAILY_FILE)


def requirements_path(path: Path) -> Path:
    """The requirements file ``path`` names (a file or a run folder)."""
    return in_folder(path, REQUIREMENTS_FILE)


def read_requirements(path: Path) -> pd.DataFrame:
    """A requirements file, or the requirements.csv of a run folder (schema.REQUIREMENTS)."""
    file = requirements_path(path)
    if not file.is_file():
        raise InputDataError(f"{file}: requirements file not found",
                             hint="run 'wfm staff' first or pass --requirements PATH")
    return read_frame_csv(str(file), REQUIREMENTS)


def schedule_requirements(run_dir: Path, manifest: dict[str, Any], base: Path
                          ) -> pd.DataFrame | None:
    """The requirements a schedule run was built from, when its folder or manifest says."""
    candidates = [run_dir / REQUIREMENTS_FILE]
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


# -- schedules -------------------------------------------------------------------------

def write_schedule(folder: Path, result: ScheduleResult, tz: ZoneInfo) -> None:
    """roster.csv, agent_intervals.csv and coverage.csv into ``folder``, every timestamp
    in local time with its offset."""
    _csv(result.roster, folder / ROSTER_FILE)
    for frame, name in ((result.agent_intervals, AGENT_INTERVALS_FILE),
                        (result.coverage, COVERAGE_FILE)):
        local = frame.copy()
        local["interval_start"] = _local_iso(
            pd.to_datetime(local["interval_start"], utc=True, format="ISO8601"), tz)
        _csv(local, folder / name)


def write_simulated_service(folder: Path, days: pd.DataFrame, tz: ZoneInfo,
                            missed_intervals: pd.DataFrame | None = None) -> list[str]:
    """simulated_service.csv (per queue and local day) and, when given,
    simulated_misses.csv (the queue-intervals short, local time with offset) into
    ``folder``; the file names."""
    _csv(days, folder / SIMULATED_SERVICE_FILE, float_format="%.6g")
    written = [SIMULATED_SERVICE_FILE]
    if missed_intervals is not None:
        local = missed_intervals.copy()
        local["interval_start"] = _local_iso(pd.to_datetime(local["interval_start"],
                                                            utc=True, format="ISO8601"), tz)
        _csv(local, folder / SIMULATED_MISSES_FILE, float_format="%.6g")
        written.append(SIMULATED_MISSES_FILE)
    return written


def read_simulated_service(run_dir: Path) -> pd.DataFrame | None:
    """simulated_service.csv of a schedule or reports run folder, if it has one."""
    path = run_dir / SIMULATED_SERVICE_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"queue": str, "date": str})


def roster_path(path: Path) -> Path:
    """The roster file ``path`` names (a roster.csv or a schedule run folder)."""
    return in_folder(path, ROSTER_FILE)


def read_agent_intervals_text(run_dir: Path) -> pd.DataFrame | None:
    """agent_intervals.csv of a schedule run as text (for the roster checker), if any."""
    path = run_dir / AGENT_INTERVALS_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def previous_roster(folders: RunFolders, week: date) -> tuple[pd.DataFrame | None, str]:
    """The latest roster's rows for the 7 days before ``week`` and that run's id.

    ``(None, "")`` when there is no latest roster, it is unreadable or has no row in those
    days: scheduling then starts the week without history rather than failing, since a
    first week or a hand-deleted folder is normal.
    """
    path = folders.schedules / LATEST / ROSTER_FILE
    if not path.is_file():
        return None, ""
    try:
        roster = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        return None, ""
    if not {"agent_id", "date", "status", "shift_end"} <= set(roster.columns):
        return None, ""
    lo, hi = (week - timedelta(days=7)).isoformat(), week.isoformat()
    rows = roster[(roster["date"].str[:10] >= lo) & (roster["date"].str[:10] < hi)]
    if rows.empty:
        return None, ""
    return rows, (folders.schedules / LATEST).resolve().name


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


def _read_with_ids(path: Path, schema: FrameSchema) -> pd.DataFrame:
    """read_frame_csv, keeping agent ids as written (``007`` stays ``007``, not 7)."""
    frame = read_frame_csv(str(path), schema)
    ids = pd.read_csv(path, usecols=["agent_id"], dtype=str, keep_default_na=False)
    frame["agent_id"] = ids["agent_id"].to_numpy()
    return frame


def read_schedule(run_dir: Path, *, default_tz: ZoneInfo) -> ScheduleRun:
    """Roster, agent intervals, coverage and manifest of a schedule run folder.

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
    agent_intervals = _read_with_ids(run_dir / AGENT_INTERVALS_FILE, SCHEDULE_INTERVALS)
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


# -- reports ---------------------------------------------------------------------------

def write_report_csv(folder: Path, name: str, frame: pd.DataFrame, *,
                     float_format: str | None = "%.10g") -> str:
    """One report table as CSV in ``folder``; returns the file name."""
    _csv(frame, folder / name, float_format=float_format)
    return name


# -- a schedule run for the simulator ----------------------------------------------------

@dataclass(frozen=True)
class RosterRunFiles:
    """What a simulation reads from a schedule run folder: the agent intervals, the agents
    file and the demand (the requirements it was made from, or a given forecast) with the
    week it covers."""

    name: str
    intervals: pd.DataFrame
    agents: Path
    demand: pd.DataFrame
    demand_path: Path
    first_day: date
    n_days: int


def read_roster_run(roster: Path, *, default_tz: ZoneInfo, forecast_path: Path | None = None,
                    agents_path: Path | None = None, week: date | None = None
                    ) -> RosterRunFiles:
    """The agent intervals of a schedule run (``roster``: its folder or a file in it), the
    agents file, demand and week its manifest names (unless given)."""
    run_dir = roster if roster.is_dir() else roster.parent
    intervals_file = run_dir / AGENT_INTERVALS_FILE
    if not intervals_file.is_file():
        raise InputDataError(f"{run_dir}: no {AGENT_INTERVALS_FILE} in this folder",
                             hint="pass a schedules/<run-id> folder made by 'wfm schedule'")
    intervals = _read_with_ids(intervals_file, SCHEDULE_INTERVALS)
    if intervals.empty:
        raise InputDataError(f"{intervals_file}: no agent works in this roster")
    agents = agents_path or manifest_input(run_dir, "agents")
    if agents is None:
        raise InputDataError(f"{run_dir}: no agents file recorded in its manifest",
                             hint="pass --agents PATH")
    demand_path = forecast_path or manifest_input(run_dir, "requirements")
    if demand_path is None or not demand_path.is_file():
        raise InputDataError(f"{run_dir}: the forecast behind the roster was not found "
                             f"({demand_path or 'none recorded in its manifest'})",
                             hint="pass --forecast PATH (a forecast or requirements CSV)")
    try:
        demand = pd.read_csv(demand_path, dtype={"queue": str})
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{demand_path}: not a readable forecast CSV ({exc})") from None
    if "interval_start" in demand:
        demand["interval_start"] = parse_timestamps(demand["interval_start"],
                                                    str(demand_path), "interval_start")
    try:
        first_day = week or date.fromisoformat(str(read_manifest(run_dir).get("week")))
    except ValueError:
        local = pd.DatetimeIndex(intervals["interval_start"]).tz_convert(default_tz)
        first_day = min(local.date)
    return RosterRunFiles(str(intervals_file), intervals, agents, demand, demand_path,
                          first_day, 7)
