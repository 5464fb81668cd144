"""`wfm report service-level|accuracy|coverage` and `wfm export roster|ical`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import pandas as pd

from wfm.cli.common import AppContext, default_format, output_options, pass_app
from wfm.errors import InputDataError, OutputError
from wfm.io.store import read_intervals
from wfm.outputs import resolve_run
from wfm.reports import ChartSpec, format_for_output, render
from wfm.reports.accuracy import accuracy_chart_frame, accuracy_report, forecast_period
from wfm.reports.calendars import write_calendars
from wfm.reports.coverage import coverage_summary, sparkline_legend
from wfm.reports.roster_workbook import write_roster_workbook
from wfm.reports.schedule_run import ScheduleRun, interval_hours, read_schedule_run
from wfm.reports.service_level import (
    COLD_DEFINITION,
    PERIODS,
    SL_DEFINITIONS,
    describe_definition,
    service_level_chart_frame,
    service_level_report,
)
from wfm.schema import FORECAST, INTERVAL_START, INTERVALS, QUEUE, REQUIREMENTS, read_frame_csv


def _emit(app: AppContext, frame: pd.DataFrame, fmt: str | None, output: Path | None, *,
          title: str, chart: ChartSpec | None = None) -> None:
    """Render through the one render function; ``.xlsx`` outputs default to xlsx."""
    chosen = fmt or format_for_output(output) or default_format()
    if chosen in ("csv", "json"):
        app.info(title)  # the definitions still reach the reader, on stderr
    render(frame, chosen, output, title=None if chosen == "csv" else title, chart=chart)
    if output is not None:
        app.info(f"wrote {output}")


def _local_day(day: str | None, tz: ZoneInfo, option: str) -> pd.Timestamp | None:
    if day is None:
        return None
    try:
        return pd.Timestamp(day).tz_localize(tz).tz_convert("UTC")
    except ValueError:
        raise InputDataError(f"{option} {day!r} is not a date; expected YYYY-MM-DD") from None


def load_actuals(app: AppContext, actuals_file: Path | None, *, queues: list[str] | None,
                 start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Actuals from ``--actuals FILE`` or the data store, restricted to [start, end)."""
    if actuals_file is not None:
        frame = read_frame_csv(str(actuals_file), INTERVALS)
    else:
        frame = read_intervals(app.config.paths.data_dir, queues=queues, start=start, end=end)
    keep = pd.Series(True, index=frame.index)
    if queues:
        keep &= frame[QUEUE].isin(queues)
    if start is not None:
        keep &= frame[INTERVAL_START] >= start
    if end is not None:
        keep &= frame[INTERVAL_START] < end
    return frame[keep]


def last_days(actuals: pd.DataFrame, days: int, tz: ZoneInfo) -> pd.DataFrame:
    """The rows of the last ``days`` local days, counted back from the latest interval."""
    latest = actuals[INTERVAL_START].max().tz_convert(tz).normalize()
    first = (latest - pd.DateOffset(days=days - 1)).tz_convert("UTC")
    recent: pd.Series = actuals[INTERVAL_START] >= first
    return actuals.loc[recent]


def _actuals_option(fn: Any) -> Any:
    return click.option("--actuals", "actuals_file",
                        type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Read actuals from this CSV (intervals shape) instead of the "
                             "data store.")(fn)


def _schedule_run(app: AppContext, run: str | None) -> ScheduleRun:
    cfg = app.config
    run_dir = resolve_run(cfg.paths.schedules_dir, run)
    return read_schedule_run(run_dir, default_tz=cfg.site.timezone)


def _requirements_for(run_dir: Path, manifest: dict[str, Any], base: Path) -> pd.DataFrame | None:
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


@click.group("report")
def report_group() -> None:
    """Reports on actuals, forecasts and schedules (terminal, CSV, JSON, Excel)."""


@report_group.command("service-level", epilog=(
    "Example:  wfm report service-level --by day --days 7 --output sl.xlsx"))
@click.option("--by", type=click.Choice(PERIODS), default="day", show_default=True,
              help="Period of each row (days and Monday weeks in the site time zone).")
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@click.option("--start", default=None, help="First local day YYYY-MM-DD.")
@click.option("--end", default=None, help="Last local day YYYY-MM-DD (inclusive).")
@click.option("--days", type=click.IntRange(1, None), default=None,
              help="Only the last N local days of the actuals (after --start/--end).")
@click.option("--sl-definition", "definition", type=click.Choice(list(SL_DEFINITIONS)),
              default="offered", show_default=True,
              help="Denominator of the service level: offered; offered - short abandons "
                   "(needs a short_abandoned column); answered.")
@_actuals_option
@output_options
@pass_app
def service_level_command(  # noqa: PLR0917 (click passes keywords)
        app: AppContext, by: str, queues: tuple[str, ...],
                          start: str | None, end: str | None, days: int | None,
                          definition: str,
                          actuals_file: Path | None, fmt: str | None,
                          output: Path | None) -> None:
    """Service level, abandonment, ASA and AHT from actuals.

    Per queue, channel and period: offered, handled, abandoned, abandon rate, service
    level (definition selectable and printed), ASA and AHT.

    Cold channels (email, back office) show the share handled within the response
    target the source measured (answered_within_sl / handled) and the backlog at period
    end.
    """
    tz = app.config.site.timezone
    first = _local_day(start, tz, "--start")
    last = _local_day(end, tz, "--end")
    stop = None if last is None else (last.tz_convert(tz) + pd.DateOffset(days=1)).tz_convert(
        "UTC")
    actuals = load_actuals(app, actuals_file, queues=list(queues) or None, start=first,
                           end=stop)
    if days is not None and len(actuals):
        actuals = last_days(actuals, days, tz)
    report = service_level_report(actuals, by=by, definition=definition, tz=tz,
                                  source=str(actuals_file or "data store"))
    title = (f"Service level by {by} ({tz.key}); {describe_definition(definition)}; "
             f"{COLD_DEFINITION}")
    chart_frame = service_level_chart_frame(report)
    chart = ChartSpec(chart_frame, "period", tuple(c for c in chart_frame.columns
                                                   if c != "period"),
                      f"Service level by {by}", y_title="service level")
    _emit(app, report, fmt, output, title=title, chart=chart)


@report_group.command("accuracy", epilog="Example:  wfm report accuracy latest -o accuracy.xlsx")
@click.argument("run", required=False)
@_actuals_option
@output_options
@pass_app
def accuracy_command(app: AppContext, run: str | None, actuals_file: Path | None,
                     fmt: str | None, output: Path | None) -> None:
    """Forecast vs actuals for forecast run RUN (default: latest).

    Per queue, channel and day: forecast, actual, error (forecast - actual), wMAPE of the
    day total and of its intervals, bias, and whether the day falls outside its 95% band.
    """
    cfg = app.config
    run_dir = resolve_run(cfg.paths.forecasts_dir, run)
    path = run_dir / "forecast.csv"
    forecast = read_frame_csv(str(path), FORECAST)
    if forecast.empty:
        raise InputDataError(f"{path}: the forecast has no rows")
    first, last = forecast_period(forecast)
    # All queues: a forecast queue missing from the actuals is reported by the join,
    # not refused by the store.
    actuals = load_actuals(app, actuals_file, queues=None, start=first,
                           end=last + pd.Timedelta(seconds=1))
    report = accuracy_report(forecast, actuals, tz=cfg.site.timezone, source=str(path))
    chart_frame = accuracy_chart_frame(report)
    chart = ChartSpec(chart_frame, "date", tuple(c for c in chart_frame.columns if c != "date"),
                      "Forecast vs actual offered per day", y_title="contacts")
    title = (f"Forecast accuracy of {run_dir.name} ({cfg.site.timezone.key}); error = "
             "forecast - actual; bias > 0 means over-forecast")
    _emit(app, report, fmt, output, title=title, chart=chart)


@report_group.command("coverage", epilog="Example:  wfm report coverage latest")
@click.argument("run", required=False)
@click.option("--worst", type=click.IntRange(0, 20), default=3, show_default=True,
              help="How many of the most under-staffed intervals to list per day.")
@output_options
@pass_app
def coverage_command(app: AppContext, run: str | None, worst: int, fmt: str | None,
                     output: Path | None) -> None:
    """Required vs scheduled agent-hours of schedule run RUN (default: latest).

    Per queue and local day: agent-hours, the worst under-staffed intervals and a
    sparkline of the gap through the day."""
    sched = _schedule_run(app, run)
    interval_h = interval_hours(sched.coverage[INTERVAL_START])
    frame = coverage_summary(sched.coverage, tz=sched.tz, interval_h=interval_h, worst=worst)
    title = (f"Coverage of {sched.run_id} (times in {sched.tz.key}, agent-hours)\n"
             f"{sparkline_legend(sched.coverage)}")
    _emit(app, frame, fmt, output, title=title)


@click.group("export")
def export_group() -> None:
    """Files for people: the roster workbook and agent calendars."""


@export_group.command("roster", epilog="Example:  wfm export roster latest --output roster.xlsx")
@click.argument("run", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Workbook path [default: <reports_dir>/roster-<run>.xlsx].")
@pass_app
def export_roster_command(app: AppContext, run: str | None, output: Path | None) -> None:
    """The Excel roster workbook of schedule run RUN (default: latest).

    Sheets: Summary, Roster (agent x day), one sheet per day (agent x interval grid
    coloured by activity), Coverage (interval x day required / scheduled / gap).
    """
    cfg = app.config
    sched = _schedule_run(app, run)
    if output is None:
        cfg.paths.reports_dir.mkdir(parents=True, exist_ok=True)
        output = cfg.paths.reports_dir / f"roster-{sched.run_id}.xlsx"
    if output.suffix.lower() != ".xlsx":
        raise OutputError(f"{output}: the roster workbook needs an .xlsx file name")
    run_dir = resolve_run(cfg.paths.schedules_dir, run)
    requirements = _requirements_for(run_dir, sched.manifest, cfg.base_dir)
    write_roster_workbook(sched, output, site=cfg.site.name, requirements=requirements)
    app.info(f"wrote {output}")


@export_group.command("ical", epilog="Example:  wfm export ical latest --all --output calendars")
@click.argument("run", required=False)
@click.option("--agent", "agents", multiple=True, help="Agent id (repeatable).")
@click.option("--all", "all_agents", is_flag=True, help="Every agent of the run.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the .ics files [default: <reports_dir>/calendars-<run>].")
@pass_app
def export_ical_command(app: AppContext, run: str | None, agents: tuple[str, ...],
                        all_agents: bool, output: Path | None) -> None:
    """One iCalendar (.ics) file per agent of schedule run RUN (default: latest).

    Shifts in the site time zone with breaks and lunch in the description; leave as
    all-day events; stable UIDs so re-imports update events."""
    if bool(agents) == all_agents:
        raise click.UsageError("give either --agent ID (repeatable) or --all")
    cfg = app.config
    sched = _schedule_run(app, run)
    if output is None:
        cfg.paths.reports_dir.mkdir(parents=True, exist_ok=True)
        output = cfg.paths.reports_dir / f"calendars-{sched.run_id}"
    paths = write_calendars(sched, output, site=cfg.site.name,
                            agents=None if all_agents else agents)
    app.info(f"wrote {len(paths)} calendar(s) to {output}")
