"""Report and export jobs: actuals and run folders -> tables, workbooks and calendars.

The single commands (`wfm report ...`, `wfm export ...`) and the `wfm run` report step
call the same functions; the step writes their results into the run's reports folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.errors import InputDataError, OutputError
from wfm.io.store import read_intervals
from wfm.pipeline.html_report_job import queue_targets, reports_dir, run_html_report
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import (
    read_forecast,
    read_requirements,
    read_schedule,
    read_simulated_service,
    schedule_requirements,
    write_report_csv,
)
from wfm.pipeline.run_folders.layout import (
    ACCURACY_FILE,
    CALENDARS_FOLDER,
    COVERAGE_FILE,
    FORECAST_FILE,
    REQUIREMENTS_FILE,
    ROSTER_DAYS_FILE,
    ROSTER_FILE,
    ROSTER_WORKBOOK_FILE,
    SERVICE_LEVEL_FILE,
)
from wfm.pipeline.run_folders.manifests import manifest_input
from wfm.reports import ChartSpec, Report
from wfm.reports.accuracy import accuracy_chart_frame, accuracy_report, forecast_period
from wfm.reports.calendar_updates import CalendarExport
from wfm.reports.calendars import write_calendars
from wfm.reports.coverage import coverage_summary, sparkline_legend
from wfm.reports.roster_agents import ContractHours
from wfm.reports.roster_workbook import write_day_workbook, write_roster_workbook
from wfm.reports.schedule_run import ScheduleRun, interval_hours
from wfm.reports.service_level import (
    COLD_DEFINITION,
    PERIODS,
    SL_DEFINITIONS,
    describe_definition,
    last_days,
    service_level_chart_frame,
    service_level_report,
)
from wfm.schema import INTERVAL_START, INTERVALS, QUEUE, read_frame_csv

__all__ = ["PERIODS", "SL_DEFINITIONS", "CalendarExport", "ServiceLevelRequest", "accuracy",
           "coverage", "export_calendars", "export_roster", "last_days", "read_actuals",
           "report", "schedule_run", "service_level"]

#: Reports the run's report step can write, and which of them read a schedule.
SCHEDULE_REPORTS = ("roster_workbook", "coverage", "ical")
#: Local days of actuals the report step's service-level report covers.
SERVICE_LEVEL_DAYS = 7


@dataclass(frozen=True)
class ServiceLevelRequest:
    """``by``: interval, day or week (local); ``start``/``end``: first and last local day
    (inclusive); ``days``: only the last N local days; ``definition``: the service-level
    denominator; ``actuals``: a CSV of the intervals shape instead of the data store."""

    by: str = "day"
    queues: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    days: int | None = None
    definition: str = "offered"
    actuals: Path | None = None


def service_level(project: Project, request: ServiceLevelRequest | None = None) -> Report:
    """Service level, abandonment, ASA and AHT from actuals per queue, channel and period."""
    request = request or ServiceLevelRequest()
    tz = project.config.site.timezone
    first = _local_midnight(request.start, tz)
    stop = _local_midnight(request.end, tz, days_after=1)
    actuals = read_actuals(project, request.actuals, queues=request.queues, start=first,
                           end=stop)
    if request.days is not None and len(actuals):
        actuals = last_days(actuals, request.days, tz)
    report = service_level_report(actuals, by=request.by, definition=request.definition,
                                  tz=tz, source=str(request.actuals or "data store"))
    title = (f"Service level by {request.by} ({tz.key}); "
             f"{describe_definition(request.definition)}; {COLD_DEFINITION}")
    chart_frame = service_level_chart_frame(report)
    chart = ChartSpec(chart_frame, "period", tuple(c for c in chart_frame.columns
                                                   if c != "period"),
                      f"Service level by {request.by}", y_title="service level",
                      references=_target_lines(project, sorted(set(report[QUEUE]))))
    return Report(report, title, chart)


def _target_lines(project: Project, queues: list[str]) -> tuple[tuple[str, float], ...]:
    """One dashed line per distinct target of the report's queues, naming them."""
    by_value: dict[float, list[str]] = {}
    targets = queue_targets(project.config)
    for queue in queues:
        if queue in targets:
            by_value.setdefault(targets[queue].target, []).append(queue)
    return tuple((f"target {value:.0%} ({', '.join(names)})", value)
                 for value, names in sorted(by_value.items()))


def accuracy(project: Project, run_id: str | None = None, *,
             actuals: Path | None = None) -> Report:
    """Forecast vs actuals per queue, channel and day for forecast run ``run_id``
    (default: latest)."""
    run_dir = project.folders.resolve("forecasts", run_id)
    report = _accuracy_at(project, run_dir, actuals)
    chart_frame = accuracy_chart_frame(report)
    chart = ChartSpec(chart_frame, "date", tuple(c for c in chart_frame.columns if c != "date"),
                      "Forecast vs actual offered per day", y_title="contacts")
    title = (f"Forecast accuracy of {run_dir.name} ({project.config.site.timezone.key}); "
             "error = forecast - actual; bias > 0 means over-forecast; *_raw: the model's "
             "forecast before the planner's adjustments; value_added = interval_wmape_raw - "
             "interval_wmape (> 0: the adjustments helped)")
    return Report(report, title, chart)


def coverage(project: Project, run_id: str | None = None, *, worst: int = 3) -> Report:
    """Required vs scheduled agent-hours per queue and local day of schedule run ``run_id``
    (default: latest), with the worst intervals and a sparkline of the gap."""
    sched = schedule_run(project, run_id)
    frame = _coverage_frame(sched, worst)
    title = (f"Coverage of {sched.run_id} (times in {sched.tz.key}, agent-hours)\n"
             f"{sparkline_legend(sched.coverage)}")
    return Report(frame, title)


def export_roster(project: Project, run_id: str | None = None, *,
                  output: Path | None = None, days: bool = False) -> Path:
    """The Excel roster workbook of schedule run ``run_id`` (default: latest); written to
    ``output`` (default: <reports_dir>/roster-<run>.xlsx). ``days``: the day-by-day
    workbook instead (agent x interval grids; default roster-days-<run>.xlsx)."""
    cfg = project.config
    run_dir = project.folders.resolve("schedules", run_id)
    sched = read_schedule(run_dir, default_tz=cfg.site.timezone)
    if output is None:
        kind = "roster-days" if days else "roster"
        output = reports_dir(project) / f"{kind}-{sched.run_id}.xlsx"
    if output.suffix.lower() != ".xlsx":
        raise OutputError(f"{output}: the roster workbook needs an .xlsx file name")
    if days:
        write_day_workbook(sched, output, site=cfg.site.name)
        return output
    requirements = schedule_requirements(run_dir, sched.manifest, project.base_dir)
    write_roster_workbook(sched, output, site=cfg.site.name, requirements=requirements,
                          contracts=_contracts(project, run_dir),
                          simulated=read_simulated_service(run_dir))
    return output


def _contracts(project: Project, run_dir: Path) -> dict[str, ContractHours] | None:
    """Each agent's weekly hours range from the agents file the roster was made with;
    ``None`` (no contract columns) when the manifest names none or it is gone."""
    path = manifest_input(run_dir, "agents")
    if path is None or not path.is_file():
        return None
    from wfm.pipeline.schedule_job import load_agents

    return {a.agent_id: ContractHours(a.min_hours_week, a.max_hours_week)
            for a in load_agents(project.config, path)}


def export_calendars(project: Project, run_id: str | None = None, *,
                     agents: tuple[str, ...] | None = None, output: Path | None = None,
                     previous: Path | None = None) -> CalendarExport:
    """One .ics calendar per agent (``agents``, default every agent) of schedule run
    ``run_id``, in ``output`` (default: <reports_dir>/calendars-<week>).

    ``previous``: the folder of the export agents last received (default: ``output``);
    events that changed since get a higher SEQUENCE, shifts the roster no longer has are
    exported as cancelled, so re-importing a corrected week updates agents' calendars.
    """
    if previous is not None and not previous.is_dir():
        raise InputDataError(f"{previous}: no such folder of earlier calendars",
                             hint="pass the folder agents' .ics files were exported to")
    sched = schedule_run(project, run_id)
    if output is None:
        output = reports_dir(project) / f"calendars-{sched.week[:10] or sched.run_id}"
    return write_calendars(sched, output, site=project.config.site.name, agents=agents,
                           previous=output if previous is None else previous)


def schedule_run(project: Project, run_id: str | None = None) -> ScheduleRun:
    """The frames of schedule run ``run_id`` (default: latest)."""
    run_dir = project.folders.resolve("schedules", run_id)
    return read_schedule(run_dir, default_tz=project.config.site.timezone)


def report(project: Project, reports: tuple[str, ...], *, run: Run) -> list[str]:
    """The report step of a run: write ``reports`` (roster_workbook, coverage, ical,
    service_level, accuracy, html) into the run's reports folder; returns the files
    written."""
    if not reports:
        return []
    cfg = project.config
    folder = run.stage("reports")
    written: list[str] = []
    if any(r in reports for r in SCHEDULE_REPORTS):
        sched, run_dir = _labelled_schedule(project, run, reports)
        if "roster_workbook" in reports:
            # The run's simulate step (before this one), else `wfm schedule --verify`'s.
            simulated = read_simulated_service(folder)
            if simulated is None:
                simulated = read_simulated_service(run_dir)
            write_roster_workbook(sched, folder / ROSTER_WORKBOOK_FILE, site=cfg.site.name,
                                  requirements=_run_requirements(project, run, run_dir,
                                                                 sched),
                                  contracts=_contracts(project, run_dir), simulated=simulated)
            write_day_workbook(sched, folder / ROSTER_DAYS_FILE, site=cfg.site.name)
            written += [ROSTER_WORKBOOK_FILE, ROSTER_DAYS_FILE]
        if "coverage" in reports:
            written.append(write_report_csv(folder, COVERAGE_FILE, _coverage_frame(sched, 3)))
        if "ical" in reports:
            # The calendars agents last received are the last committed run's.
            last = project.folders.latest("reports")
            paths = write_calendars(sched, folder / CALENDARS_FOLDER, site=cfg.site.name,
                                    previous=None if last is None
                                    else last / CALENDARS_FOLDER).paths
            written += [f"{CALENDARS_FOLDER}/{p.name}" for p in paths]
    if "service_level" in reports:
        recent = last_days(read_intervals(project.data_dir), SERVICE_LEVEL_DAYS,
                           cfg.site.timezone)
        levels = service_level_report(recent, by="day", tz=cfg.site.timezone,
                                      source="data store")
        written.append(write_report_csv(folder, SERVICE_LEVEL_FILE, levels))
    if "accuracy" in reports:
        judged = _previous_accuracy(project, run)
        if judged is not None:
            written.append(write_report_csv(folder, ACCURACY_FILE, judged))
    if "html" in reports:
        written.append(run_html_report(project, run, folder))
    run.record("reports", command="report", status="success", reports=list(reports),
               files=written)
    return written


def read_actuals(project: Project, actuals: Path | None, *, queues: tuple[str, ...] = (),
                 start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
                 ) -> pd.DataFrame:
    """Actuals from a CSV of the intervals shape or the data store, within [start, end)."""
    if actuals is not None:
        frame = read_frame_csv(str(actuals), INTERVALS)
    else:
        frame = read_intervals(project.data_dir, queues=list(queues) or None, start=start,
                               end=end)
    keep = pd.Series(True, index=frame.index)
    if queues:
        keep &= frame[QUEUE].isin(queues)
    if start is not None:
        keep &= frame[INTERVAL_START] >= start
    if end is not None:
        keep &= frame[INTERVAL_START] < end
    return frame[keep]


def _local_midnight(day: date | None, tz: ZoneInfo, *, days_after: int = 0
                    ) -> pd.Timestamp | None:
    if day is None:
        return None
    local = pd.Timestamp(day).tz_localize(tz) + pd.DateOffset(days=days_after)
    return local.tz_convert("UTC")


def _coverage_frame(sched: ScheduleRun, worst: int) -> pd.DataFrame:
    return coverage_summary(sched.coverage, tz=sched.tz,
                            interval_h=interval_hours(sched.coverage[INTERVAL_START]),
                            worst=worst)


def _accuracy_at(project: Project, run_dir: Path, actuals: Path | None) -> pd.DataFrame:
    path = run_dir / FORECAST_FILE
    forecast = read_forecast(path)
    if forecast.empty:
        raise InputDataError(f"{path}: the forecast has no rows")
    first, last = forecast_period(forecast)
    # All queues: a forecast queue missing from the actuals is reported by the join, not
    # refused by the store.
    frame = read_actuals(project, actuals, start=first, end=last + pd.Timedelta(seconds=1))
    result: pd.DataFrame = accuracy_report(forecast, frame, tz=project.config.site.timezone,
                                           source=str(path))
    return result


def _previous_accuracy(project: Project, run: Run) -> pd.DataFrame | None:
    """Accuracy of the forecast committed before this run against the actuals now stored;
    ``None`` (with a warning) when there is none yet or no actuals in its period."""
    previous = project.folders.latest("forecasts")
    if previous is None:
        run.warn("accuracy: no earlier forecast run to judge yet; report skipped")
        return None
    forecast = read_forecast(previous / FORECAST_FILE)
    if not forecast.empty:
        first, last = forecast_period(forecast)
        stored = read_intervals(project.data_dir, start=first,
                                end=last + pd.Timedelta(seconds=1))
        if stored.empty:
            run.warn(f"accuracy: no actuals yet in the period of forecast "
                     f"{previous.name}; report skipped")
            return None
    return _accuracy_at(project, previous, None)


def _labelled_schedule(project: Project, run: Run, reports: tuple[str, ...]
                       ) -> tuple[ScheduleRun, Path]:
    """The schedule of this run (or the latest), labelled by content, not by run id.

    The workbook and calendars print the run label and stamp; taking them from the
    roster's checksum and the week keeps two runs on the same inputs byte-identical.
    """
    run_dir = run.source("schedules")
    if run_dir is None:
        raise InputDataError(
            "the reports " + ", ".join(r for r in reports if r in SCHEDULE_REPORTS)
            + " need a schedule: this run made none and schedules/latest does not exist",
            hint="add the schedule step, or remove them from [run] reports in wfm.toml")
    sched = read_schedule(run_dir, default_tz=project.config.site.timezone)
    digest = hashlib.sha256((run_dir / ROSTER_FILE).read_bytes()).hexdigest()[:12]
    try:
        stamp = datetime.strptime(sched.week[:10], "%Y-%m-%d")
    except ValueError:
        stamp = datetime(2000, 1, 1)
    return dataclasses.replace(sched, run_id=f"roster-{digest}", stamp=stamp), run_dir


def _run_requirements(project: Project, run: Run, run_dir: Path, sched: ScheduleRun
                      ) -> pd.DataFrame | None:
    """The requirements the schedule was built from: this run's, else what its manifest
    names."""
    staged = run.staged("requirements")
    if staged is not None and run.staged("schedules") is not None:
        return read_requirements(staged / REQUIREMENTS_FILE)
    return schedule_requirements(run_dir, sched.manifest, project.base_dir)
