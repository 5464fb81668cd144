"""Where run folders live and what their files are called: the one place that knows.

A run writes one folder per *area* it produces, ``<area root>/<run-id>/``, and moves
``<area root>/latest`` (a symlink) to it once the whole run succeeded:

======================  ======================================================
area (root)             files
======================  ======================================================
forecasts               forecast.csv, backtest.csv
requirements            requirements.csv, daily.csv (beside the forecasts root)
schedules               roster.csv, agent_intervals.csv, coverage.csv
                        (+ simulated_service.csv, simulated_misses.csv with --verify)
reports                 data_health.csv, roster.xlsx, roster-days.xlsx, coverage.csv,
                        service_level.csv, accuracy.csv, report.html, calendars/,
                        simulated_service.csv, simulated_misses.csv (the simulate step)
======================  ======================================================

Every run folder also holds ``manifest.json`` (inputs with checksums, settings, versions,
what the step decided, and the checksum of every output file).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wfm.errors import OutputError
from wfm.outputs import TMP_PREFIX

#: Output areas, in the order a run commits them.
AREAS: tuple[str, ...] = ("forecasts", "requirements", "schedules", "reports")

LATEST = "latest"
MANIFEST_FILE = "manifest.json"
#: Beside the lock file while a run moves its ``latest`` pointers (see staging.py).
JOURNAL_FILE = ".wfm-run.commit"

FORECAST_FILE = "forecast.csv"
BACKTEST_FILE = "backtest.csv"
REQUIREMENTS_FILE = "requirements.csv"
DAILY_FILE = "daily.csv"
ROSTER_FILE = "roster.csv"
AGENT_INTERVALS_FILE = "agent_intervals.csv"
#: The schedule's interval coverage; the report step's per-day coverage summary has the
#: same name in the reports area.
COVERAGE_FILE = "coverage.csv"
HEALTH_FILE = "data_health.csv"
ROSTER_WORKBOOK_FILE = "roster.xlsx"
#: The agent x interval grid of every open day (written with the roster workbook).
ROSTER_DAYS_FILE = "roster-days.xlsx"
SERVICE_LEVEL_FILE = "service_level.csv"
ACCURACY_FILE = "accuracy.csv"
#: The run's self-contained HTML report (charts as inline SVG).
REPORT_HTML_FILE = "report.html"
#: Simulated service per queue and local day of a roster (`wfm schedule --verify` in the
#: schedule's folder, the `wfm run` simulate step in the reports folder).
SIMULATED_SERVICE_FILE = "simulated_service.csv"
#: The queue-intervals whose simulated service misses the target (`--verify`, the
#: simulate step).
SIMULATED_MISSES_FILE = "simulated_misses.csv"
CALENDARS_FOLDER = "calendars"

RUN_STAMP_LEN = len("20261123T063000Z")  # the UTC second of a run id


@dataclass(frozen=True)
class RunFolders:
    """The root folder of each output area of a project."""

    forecasts: Path
    requirements: Path
    schedules: Path
    reports: Path

    @classmethod
    def beside(cls, forecasts: Path, schedules: Path, reports: Path) -> RunFolders:
        """The requirements root sits beside the forecasts root, where `wfm staff` writes."""
        return cls(forecasts, forecasts.parent / "requirements", schedules, reports)

    def root(self, area: str) -> Path:
        if area not in AREAS:
            raise ValueError(f"unknown output area {area!r}; areas: {', '.join(AREAS)}")
        path: Path = getattr(self, area)
        return path

    def roots(self) -> dict[str, Path]:
        return {area: self.root(area) for area in AREAS}

    def latest(self, area: str) -> Path | None:
        """The run folder ``latest`` points at, resolved, or ``None`` if there is none."""
        link = self.root(area) / LATEST
        return link.resolve() if link.is_dir() else None

    def resolve(self, area: str, run: str | None = None) -> Path:
        """The folder of run ``run`` of ``area`` (default: latest); an unknown id lists
        the recent ones."""
        return resolve_run(self.root(area), run)

    def runs(self, area: str) -> list[str]:
        return list_runs(self.root(area))


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id such as ``20261123T063000Z-1a2b``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.urandom(2).hex()}"


def set_latest(root: str | Path, run_id: str) -> None:
    """Point ``root/latest`` at ``run_id`` with one atomic rename of a fresh symlink."""
    root = Path(root)
    tmp = root / f"{TMP_PREFIX}{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(run_id, tmp)
    os.replace(tmp, root / LATEST)


def resolve_run(root: str | Path, run: str | None = None) -> Path:
    """The folder of run ``run`` under ``root`` (default: latest)."""
    root = Path(root)
    name = run or LATEST
    candidate = root / name
    if candidate.is_dir():
        return candidate.resolve()
    recent = list_runs(root)[-5:]
    listing = ", ".join(reversed(recent)) if recent else "none yet"
    what = "no run has succeeded yet" if run is None else f"run {run!r} does not exist"
    raise OutputError(f"{root}: {what}; recent runs: {listing}")


def list_runs(root: str | Path) -> list[str]:
    """Completed run ids under ``root``, oldest first; ids of the same second (their suffix
    is random) in the order their manifests were written."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", LATEST))]

    def written(run: Path) -> int:
        manifest = run / MANIFEST_FILE
        return (manifest if manifest.exists() else run).stat().st_mtime_ns

    return [p.name for p in sorted(runs, key=lambda p: (p.name[:RUN_STAMP_LEN], written(p),
                                                        p.name))]
