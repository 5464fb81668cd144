"""Report step: wfm.reports on this run's (or the latest) runs -> reports/<run-id>/."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from pathlib import Path

import pandas as pd

from wfm.errors import InputDataError
from wfm.io.store import read_intervals
from wfm.outputs import LATEST
from wfm.pipeline.report_files import (
    forecast_accuracy,
    last_days,
    requirements_for,
    schedule_run_at,
)
from wfm.pipeline.steps import StepContext, StepResult, area_roots
from wfm.reports.calendars import write_calendars
from wfm.reports.coverage import coverage_summary
from wfm.reports.roster_workbook import write_roster_workbook
from wfm.reports.schedule_run import ROSTER_FILE, ScheduleRun, interval_hours
from wfm.reports.service_level import service_level_report

#: Reports that read a schedule run.
SCHEDULE_REPORTS = ("roster_workbook", "coverage", "ical")
#: Local days of actuals the service-level report covers.
SERVICE_LEVEL_DAYS = 7


def run(ctx: StepContext) -> StepResult:
    """The [run] reports: roster workbook, coverage, calendars, service level, accuracy."""
    wanted = ctx.options.reports
    if not wanted:
        return StepResult(unit="files")
    cfg = ctx.config
    folder = ctx.stage("reports")
    written: list[str] = []
    if any(r in wanted for r in SCHEDULE_REPORTS):
        sched, run_dir = _schedule(ctx)
        if "roster_workbook" in wanted:
            req = ctx.state.get("requirements")
            if not isinstance(req, pd.DataFrame):
                req = requirements_for(run_dir, sched.manifest, cfg.base_dir)
            write_roster_workbook(sched, folder / "roster.xlsx", site=cfg.site.name,
                                  requirements=req)
            written.append("roster.xlsx")
        if "coverage" in wanted:
            summary = coverage_summary(sched.coverage, tz=sched.tz,
                                       interval_h=interval_hours(sched.coverage["interval_start"]),
                                       worst=3)
            _write_csv(summary, folder / "coverage.csv")
            written.append("coverage.csv")
        if "ical" in wanted:
            paths = write_calendars(sched, folder / "calendars", site=cfg.site.name)
            written += [f"calendars/{p.name}" for p in paths]
    if "service_level" in wanted:
        actuals = read_intervals(cfg.paths.data_dir)
        recent = last_days(actuals, SERVICE_LEVEL_DAYS, cfg.site.timezone)
        report = service_level_report(recent, by="day", tz=cfg.site.timezone,
                                      source="data store")
        _write_csv(report, folder / "service_level.csv")
        written.append("service_level.csv")
    if "accuracy" in wanted and _accuracy(ctx, folder):
        written.append("accuracy.csv")
    ctx.record("reports", command="report", status="success", reports=list(wanted),
               files=written)
    return StepResult(rows=len(written), outputs=("reports",), unit="files")


def _schedule(ctx: StepContext) -> tuple[ScheduleRun, Path]:
    """The schedule of this run (or the latest), labelled by content, not by run id.

    The workbook and calendars print the run label and stamp; taking them from the
    roster's checksum and the week keeps two runs on the same inputs byte-identical.
    """
    run_dir = ctx.source("schedules")
    if run_dir is None:
        raise InputDataError(
            "the reports " + ", ".join(r for r in ctx.options.reports if r in SCHEDULE_REPORTS)
            + " need a schedule: this run made none and schedules/latest does not exist",
            hint="add the schedule step, or remove them from [run] reports in wfm.toml")
    sched = schedule_run_at(ctx.config, run_dir)
    digest = hashlib.sha256((run_dir / ROSTER_FILE).read_bytes()).hexdigest()[:12]
    try:
        stamp = datetime.strptime(sched.week[:10], "%Y-%m-%d")
    except ValueError:
        stamp = datetime(2000, 1, 1)
    return dataclasses.replace(sched, run_id=f"roster-{digest}", stamp=stamp), run_dir


def _accuracy(ctx: StepContext, folder: Path) -> bool:
    """Accuracy of the forecast committed before this run against the actuals now stored."""
    cfg = ctx.config
    previous = area_roots(cfg)["forecasts"] / LATEST
    if not previous.is_dir():
        ctx.warn("accuracy: no earlier forecast run to judge yet; report skipped")
        return False
    empty: list[bool] = []

    def read_actuals(start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        frame = read_intervals(cfg.paths.data_dir, start=start, end=end)
        if frame.empty:
            empty.append(True)
        return frame

    try:
        report = forecast_accuracy(cfg, previous.resolve(), read_actuals)
    except InputDataError:
        if not empty:
            raise
        ctx.warn(f"accuracy: no actuals yet in the period of forecast "
                 f"{previous.resolve().name}; report skipped")
        return False
    _write_csv(report, folder / "accuracy.csv")
    return True


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
