"""The HTML report job: a run's forecast, requirements, roster and actuals -> one page of
charts (`wfm report html`, and the ``html`` report of `wfm run`), or the same charts as
PNG files.

Which files: the schedule run ``RUN`` (default latest); the requirements its manifest
names, and the forecast the requirements' manifest names; where a link is missing, the
run of the same id or the latest of that area. Actuals come from the data store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.config import Config
from wfm.errors import InputDataError, OutputError
from wfm.io.store import read_intervals, stored_queues
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import (
    read_forecast,
    read_requirements,
    read_schedule,
)
from wfm.pipeline.run_folders.layout import (
    BACKTEST_FILE,
    FORECAST_FILE,
    REPORT_HTML_FILE,
    REQUIREMENTS_FILE,
)
from wfm.pipeline.run_folders.manifests import manifest_input
from wfm.reports.accuracy import accuracy_report, forecast_period
from wfm.reports.chart_data import QueueTarget
from wfm.reports.html_report import ReportData, write_chart_pngs, write_html_report
from wfm.reports.service_level import last_days, service_level_report
from wfm.schema import INTERVAL_START

__all__ = ["HTML_FORMATS", "HtmlReportRequest", "HtmlReportResult", "html_report",
           "queue_targets", "run_html_report"]

HTML_FORMATS: tuple[str, ...] = ("html", "png")
#: Earlier forecast runs looked at (newest first) for one whose days have actuals.
EARLIER_FORECASTS = 5


@dataclass(frozen=True)
class HtmlReportRequest:
    """``run``: a run id (default latest; the schedule run, else a forecast run of that
    id); ``fmt``: ``html`` (one file) or ``png`` (a folder of charts); ``output``: the
    file or folder (default ``<reports_dir>/report-<run>.html`` or ``.../report-<run>/``);
    ``days``: days of actuals shown before the week and for the service level;
    ``simulate``: replications of a roster simulation (0: none); ``seed`` its seed."""

    run: str | None = None
    fmt: str = "html"
    output: Path | None = None
    days: int = 7
    simulate: int = 0
    seed: int = 0


@dataclass(frozen=True)
class HtmlReportResult:
    """What was written: the file (or PNG folder), its files, the chart keys and, per
    section left without a chart, why."""

    path: Path
    files: tuple[Path, ...]
    charts: tuple[str, ...]
    missing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Sources:
    schedule: Path | None
    requirements: Path | None
    forecast: Path | None
    labels: dict[str, str]


def queue_targets(config: Config) -> dict[str, QueueTarget]:
    """Each configured queue's service target as the charts draw it."""
    out = {}
    for q in config.queues:
        if q.is_deferred and q.response_target is not None:
            clock = "" if q.response_clock == "calendar" else f" ({q.response_clock} hours)"
            out[q.name] = QueueTarget(q.name, q.response_target,
                                      f"{q.response_target:.0%} within "
                                      f"{q.response_time_h or 0:g} h{clock}")
        elif q.sl_target is not None:
            out[q.name] = QueueTarget(q.name, q.sl_target, f"{q.sl_target:.0%} within "
                                                           f"{q.sl_threshold_s or 0:g} s")
    return out


def html_report(project: Project, request: HtmlReportRequest | None = None
                ) -> HtmlReportResult:
    """Write the HTML report (or the PNG charts) of run ``request.run``."""
    request = request or HtmlReportRequest()
    if request.fmt not in HTML_FORMATS:
        raise OutputError(f"unknown report format {request.fmt!r}; accepted: "
                          f"{', '.join(HTML_FORMATS)}")
    sources = _standalone_sources(project, request.run)
    data = _collect(project, sources, days=request.days, simulate=request.simulate,
                    seed=request.seed)
    name = (sources.schedule or sources.forecast or Path("report")).name
    folder = reports_dir(project)
    if request.fmt == "png":
        out = request.output or folder / f"report-{name}"
        files, charts, missing = write_chart_pngs(data, out)
        return HtmlReportResult(out, tuple(files), tuple(c.key for c in charts), missing)
    out = request.output or folder / f"report-{name}.html"
    if out.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"{out}: the HTML report needs a .html file name",
                          hint="or use --format png with a folder")
    charts, missing = write_html_report(data, out)
    return HtmlReportResult(out, (out,), tuple(c.key for c in charts), missing)


def run_html_report(project: Project, run: Run, folder: Path) -> str:
    """The ``html`` report of a run: this run's forecast, requirements and roster (else
    the latest ones) -> ``folder/report.html``; returns the file name."""
    labels = {}
    paths: dict[str, Path | None] = {}
    for area in ("schedules", "requirements", "forecasts"):
        source = run.source(area)
        paths[area] = source
        if source is not None:
            labels[area] = "this run" if run.staged(area) is not None else source.name
    sources = _Sources(paths["schedules"],
                       paths["requirements"] / REQUIREMENTS_FILE
                       if paths["requirements"] is not None else None,
                       paths["forecasts"], labels)
    write_html_report(_collect(project, sources, days=7, simulate=0, seed=0),
                      folder / REPORT_HTML_FILE)
    return REPORT_HTML_FILE


def reports_dir(project: Project) -> Path:
    """``[paths] reports_dir``, created if missing (an OSError is one OutputError)."""
    folder = project.config.paths.reports_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the reports folder ({exc.strerror})",
                          hint="check [paths] reports_dir in wfm.toml") from None
    return folder


def _run_dir(project: Project, area: str, run_id: str | None) -> Path | None:
    if run_id is None:
        return project.folders.latest(area)
    path = project.folders.root(area) / run_id
    return path.resolve() if path.is_dir() else None


def _standalone_sources(project: Project, run_id: str | None) -> _Sources:
    schedule = _run_dir(project, "schedules", run_id)
    requirements: Path | None = None
    if schedule is not None:
        requirements = manifest_input(schedule, "requirements")
    if requirements is None or not requirements.is_file():
        folder = _run_dir(project, "requirements", run_id if schedule is None else None)
        requirements = folder / REQUIREMENTS_FILE if folder is not None else None
    forecast: Path | None = None
    if requirements is not None and requirements.is_file():
        named = manifest_input(requirements.parent, "forecast")
        forecast = named.parent if named is not None and named.is_file() else None
    if forecast is None:
        forecast = _run_dir(project, "forecasts", run_id if schedule is None else None)
    if schedule is None and forecast is None:
        # Neither a schedule nor a forecast run of that id: the usual "unknown run" error.
        project.folders.resolve("schedules", run_id)
        raise InputDataError("nothing to report: no schedule and no forecast run yet",
                             hint="run 'wfm forecast' (and 'wfm staff', 'wfm schedule') first")
    labels = {area: p.name for area, p in (("schedules", schedule), ("forecasts", forecast))
              if p is not None}
    if requirements is not None and requirements.is_file():
        labels["requirements"] = requirements.parent.name
    return _Sources(schedule, requirements if requirements and requirements.is_file()
                    else None, forecast, labels)


def _collect(project: Project, sources: _Sources, *, days: int, simulate: int,
             seed: int) -> ReportData:
    cfg = project.config
    tz = cfg.site.timezone
    notes: dict[str, str] = {}
    schedule = None
    if sources.schedule is not None:
        schedule = read_schedule(sources.schedule, default_tz=tz)
    else:
        notes["coverage"] = "No roster: run 'wfm schedule' to see its coverage here."
    forecast = backtest = None
    if sources.forecast is not None:
        forecast = read_forecast(sources.forecast / FORECAST_FILE)
        if (sources.forecast / BACKTEST_FILE).is_file():
            backtest = pd.read_csv(sources.forecast / BACKTEST_FILE, dtype={"queue": str})
    requirements = None
    if sources.requirements is not None:
        requirements = read_requirements(sources.requirements)
    else:
        notes["requirements"] = "No requirements: run 'wfm staff' to see them here."
    first_day = _first_day(schedule.week if schedule is not None else None, forecast,
                           requirements, tz)
    has_actuals = bool(stored_queues(project.data_dir))
    actuals = levels = accuracy = None
    if has_actuals:
        actuals = read_intervals(project.data_dir, start=first_day - pd.DateOffset(days=days),
                                 end=first_day + pd.DateOffset(days=7))
        recent = read_intervals(project.data_dir,
                                start=first_day - pd.DateOffset(days=days + 62))
        if len(recent):
            levels = service_level_report(last_days(recent, days, tz), by="day", tz=tz,
                                          source="data store")
        accuracy, label = _earlier_accuracy(project, sources.forecast)
        if label:
            notes["accuracy_source"] = label
    else:
        notes["service"] = "No actuals in the data store: run 'wfm ingest' first."
    notes.setdefault("accuracy", "No backtest in the forecast run and no earlier forecast "
                                 "whose days have actuals yet.")
    simulation = None
    if simulate > 0 and sources.schedule is not None:
        from wfm.pipeline.simulate_job import SimulateRequest
        from wfm.pipeline.simulate_job import simulate as run_simulation

        result = run_simulation(project, SimulateRequest(roster=sources.schedule,
                                                         replications=simulate, seed=seed))
        simulation = result.simulation.table("day")
        notes["simulation_source"] = (f"Roster simulated {simulate} times (seed {seed}) "
                                      "against the forecast it was made for")
    else:
        notes["simulation"] = ("Not simulated: 'wfm report html --simulate 10' plays the "
                               "roster against its forecast (10 replications) and shows "
                               "the service it gives." if sources.schedule is not None
                               else "No roster to simulate.")
    labels = sources.labels
    title = f"{cfg.site.name} – week of {first_day:%Y-%m-%d}"
    shown = tuple((what, labels[area]) for what, area in (
        ("forecast", "forecasts"), ("requirements", "requirements"),
        ("roster", "schedules")) if area in labels)
    return ReportData(cfg.site.name, tz, title, first_day, queue_targets(cfg), shown,
                      forecast=forecast, backtest=backtest, actuals=actuals,
                      requirements=requirements,
                      coverage=schedule.coverage if schedule is not None else None,
                      service_levels=levels, accuracy=accuracy, simulation=simulation,
                      days_before=days, days_after=7, notes=notes)


def _first_day(week: str | None, forecast: pd.DataFrame | None,
               requirements: pd.DataFrame | None, tz: ZoneInfo) -> pd.Timestamp:
    """Local midnight of the week shown: the roster's week, else the forecast's (or
    requirements') first day."""
    if week:
        return pd.Timestamp(f"{week[:10]} 00:00").tz_localize(tz)
    for frame in (forecast, requirements):
        if frame is not None and len(frame):
            first = pd.Timestamp(frame[INTERVAL_START].min()).tz_convert(tz)
            return pd.Timestamp(first.strftime("%Y-%m-%d 00:00")).tz_localize(tz)
    raise InputDataError("nothing to report: the forecast and requirements are empty")


def _earlier_accuracy(project: Project, current: Path | None
                      ) -> tuple[pd.DataFrame | None, str]:
    """The accuracy of the newest forecast run before ``current`` whose days have
    actuals (at most :data:`EARLIER_FORECASTS` looked at), with a caption."""
    runs = project.folders.runs("forecasts")
    if current is not None and current.name in runs:
        runs = runs[:runs.index(current.name)]
    for run_id in reversed(runs[-EARLIER_FORECASTS:]):
        path = project.folders.root("forecasts") / run_id / FORECAST_FILE
        if not path.is_file():
            continue
        forecast = read_forecast(path)
        if forecast.empty:
            continue
        first, last = forecast_period(forecast)
        actuals = read_intervals(project.data_dir, start=first,
                                 end=last + pd.Timedelta(seconds=1))
        if actuals.empty:
            continue
        try:
            report = accuracy_report(forecast, actuals, tz=project.config.site.timezone,
                                     source=str(path))
        except InputDataError:  # actuals of other queues only: nothing to judge here
            continue
        return report, f"Forecast run {run_id} against the actuals of its days"
    return None, ""

