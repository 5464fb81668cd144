"""`wfm plan`: long-term capacity - required vs available FTE, hiring plan, scenarios."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from wfm.cli.common import (
    AppContext,
    IsoDate,
    emit_report,
    executor_choice,
    executor_options,
    output_options,
    pass_app,
)
from wfm.pipeline.plan_job import VIEWS, PlanRequest, plan
from wfm.reports.render import format_for_output


@click.command("plan", epilog="Examples:\n\n\b\n  wfm plan --weeks 52 --workbook plan.xlsx\n"
                               "  wfm plan --html plan.html   # the charts, one offline page")
@click.option("--weeks", type=click.IntRange(1, 104), default=None,
              help="Weeks to plan [default: [plan] horizon_weeks].")
@click.option("--start", type=IsoDate(weekday=0), default=None,
              help="First Monday of the plan [default: the Monday after the history].")
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Agents file [default: [scheduling] agents_file].")
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="Only this scenario (repeatable; 'base' is the plan without changes) "
                   "[default: base and every [[plan.scenarios]]].")
@click.option("--view", type=click.Choice(VIEWS), default="summary", show_default=True,
              help="The table to print.")
@click.option("--no-hiring", is_flag=True, help="Propose no hire classes (supply as is).")
@click.option("--workbook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the plan workbook (.xlsx): waterfall, chart, hiring plan.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the plan's charts as one offline HTML page.")
@executor_options
@output_options
@pass_app
def plan_command(app: AppContext, *, weeks: int | None, start: date | None,
                 agents_path: Path | None, scenarios: tuple[str, ...], view: str,
                 no_hiring: bool, workbook: Path | None, html_path: Path | None,
                 executor: str | None,
                 scheduler: str | None, fmt: str | None, output: Path | None) -> None:
    """Capacity plan: required vs available FTE per week, attrition, hire classes.

    Forecasts 52-78 weeks of daily volume (yearly season, trend, holidays, special
    days and the planner's adjustments), staffs every interval (Erlang C/A,
    concurrency, backlog), adds shrinkage by month ([plan]), and sets it against
    today's agents (contract hours, start dates, planned leavers), attrition by tenure
    ([[plan.attrition]]) and the classes already decided ([[plan.hire_classes]], with
    training and ramp). A MIP proposes the cheapest hire classes ([plan.hiring]) that
    keep each skill group within the gap tolerance; its status and optimality gap are
    in the summary. Base and each [[plan.scenarios]] side by side. Writes no run
    folder; --workbook (or --format xlsx / an .xlsx --output) writes the plan
    workbook, --html the same charts as one self-contained page. See docs/capacity.md.
    """
    xlsx = (fmt or format_for_output(output)) == "xlsx"
    result = plan(app.project, PlanRequest(weeks, start, agents_path, scenarios,
                                           not no_hiring, output if xlsx else workbook,
                                           html_path),
                  progress=app.info, execution=executor_choice(executor, scheduler))
    for note in result.notes:
        app.info(f"note: {note}")
    for warning in result.warnings:
        app.warn(warning)
    if xlsx:
        app.info(f"wrote {output}")
    else:
        emit_report(app, result.report(view), fmt, output)
        if workbook is not None:
            app.info(f"wrote {workbook}")
    if html_path is not None:
        app.info(f"wrote {html_path}")
