"""`wfm report service-level|accuracy|coverage|html` and `wfm export roster|ical`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from wfm.cli.common import AppContext, IsoDate, emit_report, output_options, pass_app
from wfm.pipeline.html_report_job import HTML_FORMATS
from wfm.pipeline.report_jobs import PERIODS, SL_DEFINITIONS


def _actuals_option(fn: Any) -> Any:
    return click.option("--actuals", "actuals_file",
                        type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="Read actuals from this CSV (intervals shape) instead of the "
                             "data store.")(fn)


@click.group("report")
def report_group() -> None:
    """Reports on actuals, forecasts and schedules (terminal, CSV, JSON, Excel)."""


@report_group.command("service-level", epilog=(
    "Example:  wfm report service-level --by day --days 7 --output sl.xlsx"))
@click.option("--by", type=click.Choice(PERIODS), default="day", show_default=True,
              help="Period of each row (days and Monday weeks in the site time zone).")
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@click.option("--start", type=IsoDate(), default=None, help="First local day.")
@click.option("--end", type=IsoDate(), default=None, help="Last local day (inclusive).")
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
        app: AppContext, by: str, queues: tuple[str, ...], start: date | None,
        end: date | None, days: int | None, definition: str, actuals_file: Path | None,
        fmt: str | None, output: Path | None) -> None:
    """Service level, abandonment, ASA and AHT from actuals.

    Per queue, channel and period: offered, handled, abandoned, abandon rate, service
    level (definition selectable and printed), ASA and AHT.

    Cold channels (email, back office) show the share handled within the response
    target the source measured (answered_within_sl / handled) and the backlog at period
    end.
    """
    from wfm.pipeline import ServiceLevelRequest, service_level

    request = ServiceLevelRequest(by, queues, start, end, days, definition, actuals_file)
    emit_report(app, service_level(app.project, request), fmt, output)


@report_group.command("accuracy", epilog="Example:  wfm report accuracy latest -o accuracy.xlsx")
@click.argument("run", required=False)
@_actuals_option
@output_options
@pass_app
def accuracy_command(app: AppContext, run: str | None, actuals_file: Path | None,
                     fmt: str | None, output: Path | None) -> None:
    """Forecast vs actuals for forecast run RUN (default: latest).

    Per queue, channel and day: forecast, actual, error (forecast - actual), wMAPE of the
    day total and of its intervals, bias, and whether the day falls outside its 95% band;
    then the same errors of the model's forecast before the planner's adjustments
    (forecast_raw, *_raw) and value_added (> 0: the adjustments helped).
    """
    from wfm.pipeline import accuracy

    emit_report(app, accuracy(app.project, run, actuals=actuals_file), fmt, output)


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
    from wfm.pipeline import coverage

    emit_report(app, coverage(app.project, run, worst=worst), fmt, output)


@report_group.command("html", epilog=(
    "\b\nExample:  wfm report html latest --output week.html\n"
    "          wfm report html --format png --output charts/ --simulate 10"))
@click.argument("run", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(HTML_FORMATS), default="html",
              show_default=True, help="One self-contained HTML file, or one PNG per chart.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="The .html file, or the folder of PNG files [default: "
                   "<reports_dir>/report-<run>.html or <reports_dir>/report-<run>/].")
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True,
              help="Days of actuals shown before the week, and of daily service level.")
@click.option("--simulate", "replications", type=click.IntRange(0, 1000), default=0,
              metavar="R", help="Simulate the roster R times and add its service "
                                "[default: 0, no simulation].")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the simulation.")
@pass_app
def html_command(app: AppContext, run: str | None, *, fmt: str,
                 output: Path | None, days: int, replications: int, seed: int) -> None:
    """Charts of run RUN (default: latest) in one HTML page that opens offline.

    Forecast vs actuals per queue with 80/95 % bands, required and scheduled agents, a
    coverage heat map (interval x day: short, met, over), service level by day against
    the target, forecast accuracy and, with --simulate, the simulated service. RUN is a
    schedule run; its requirements and forecast are those its manifests name.
    """
    from wfm.pipeline import HtmlReportRequest, html_report

    result = html_report(app.project, HtmlReportRequest(run, fmt, output, days,
                                                        replications, seed))
    for section, why in result.missing.items():
        app.info(f"{section}: {why}")
    app.info(f"wrote {result.path} ({len(result.charts)} charts)")


@click.group("export")
def export_group() -> None:
    """Files for people: the roster workbook and agent calendars."""


@export_group.command("roster", epilog=(
    "\b\nExample:  wfm export roster latest --output roster.xlsx\n"
    "          wfm export roster --days --output roster-days.xlsx"))
@click.argument("run", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Workbook path [default: <reports_dir>/roster-<run>.xlsx, or "
                   "roster-days-<run>.xlsx with --days].")
@click.option("--days", is_flag=True,
              help="The day-by-day workbook instead: agents x intervals of each open day.")
@pass_app
def export_roster_command(app: AppContext, run: str | None, output: Path | None,
                          days: bool) -> None:
    """The Excel roster workbook of schedule run RUN (default: latest).

    Sheets: Summary (per-queue agent-hours, a chart per queue), Roster (agent x open
    day), Agents (paid hours against the contract, weekends, late shifts), Coverage
    (interval x day required / scheduled / gap). Prints on A4 with print titles, header
    and footer; closed days are left out. --days writes the agent x interval grid of
    each open day, coloured by activity.
    """
    from wfm.pipeline import export_roster

    app.info(f"wrote {export_roster(app.project, run, output=output, days=days)}")


@export_group.command("ical", epilog=(
    "Example:  wfm export ical latest --all --output calendars/week-12\n\n"
    "Re-exporting a corrected week into the same folder updates agents' calendars: "
    "changed events get a higher SEQUENCE, removed shifts come as cancelled."))
@click.argument("run", required=False)
@click.option("--agent", "agents", multiple=True, help="Agent id (repeatable).")
@click.option("--all", "all_agents", is_flag=True, help="Every agent of the run.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the .ics files [default: <reports_dir>/calendars-<week>].")
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the calendars agents last received [default: the output "
                   "folder].")
@pass_app
def export_ical_command(app: AppContext, run: str | None, *, agents: tuple[str, ...],
                        all_agents: bool, output: Path | None, previous: Path | None) -> None:
    """One iCalendar (.ics) file per agent of schedule run RUN (default: latest).

    Shifts in the site time zone with breaks and lunch in the description (busy); leave
    as all-day events (busy, out of office). Stable UIDs and, against the previous export,
    a SEQUENCE that rises when an event changes and STATUS:CANCELLED for shifts a re-plan
    removed, so re-imports update events instead of leaving stale ones."""
    if bool(agents) == all_agents:
        raise click.UsageError("give either --agent ID (repeatable) or --all")
    from wfm.pipeline import export_calendars

    done = export_calendars(app.project, run, agents=None if all_agents else agents,
                            output=output, previous=previous)
    c = done.changes
    folder = done.paths[0].parent if done.paths else output
    app.info(f"wrote {len(done.paths)} calendar(s) to {folder}: {c.new} new, {c.updated} "
             f"updated, {c.cancelled} cancelled, {c.unchanged} unchanged event(s)")
