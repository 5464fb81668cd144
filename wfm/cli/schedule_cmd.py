"""`wfm schedule`: build the week's roster; `wfm schedule check` verifies one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wfm.cli.common import (
    AppContext,
    IsoDate,
    default_format,
    emit,
    emit_report,
    executor_choice,
    executor_options,
    output_options,
    pass_app,
)
from wfm.pipeline.roster_diff_job import VIEWS

if TYPE_CHECKING:
    from wfm.pipeline.roster_verification import Verification


@click.group("schedule", invoke_without_command=True,
             epilog="Example:  wfm schedule --agents sample/agents.csv --week 2026-11-16 "
                    "--allow-understaffing")
@click.option("--requirements", "requirements_path", type=click.Path(path_type=Path),
              default=None, help="Requirements CSV or run folder [default: the latest run "
                                 "of wfm staff].")
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Agents file, CSV or .xlsx [default: [scheduling] "
                                 "agents_file].")
@click.option("--week", type=IsoDate(weekday=0), default=None,
              help="The Monday that starts the week [default: the first Monday in the "
                   "requirements].")
@click.option("--allow-understaffing", is_flag=True,
              help="Publish the best roster even if it leaves requirements uncovered.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Solver budget for the whole run [s] [default: [scheduling] "
                                 "time_limit_s].")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Solver seed [default: [scheduling] seed].")
@click.option("--verify", is_flag=True,
              help="Simulate the new roster (skill-based routing, Poisson arrivals) and "
                   "list the queue-days and intervals whose service misses the target.")
@click.option("--replan", type=click.IntRange(min=1), default=None, metavar="N",
              help="Up to N rounds: raise the requirement where the simulation falls "
                   "short and schedule again (implies --verify).")
@click.option("--replications", "-R", type=click.IntRange(min=2), default=30,
              show_default=True, help="Simulated replications of the week (--verify).")
@executor_options
@output_options
@pass_app
@click.pass_context
def schedule_group(ctx: click.Context, app: AppContext, *, requirements_path: Path | None,
                   agents_path: Path | None, week: date | None, allow_understaffing: bool,
                   time_limit_s: float | None, seed: int | None, verify: bool,
                   replan: int | None, replications: int, executor: str | None,
                   scheduler: str | None, fmt: str | None, output: Path | None) -> None:
    """Build the week's roster: shifts, days off, breaks and lunch per agent.

    Three stages: (a) a weekly plan of shift starts per agent group with implicit breaks
    (integer program, with the bound of its LP relaxation); (b) named agents on those
    shifts (CP-SAT: availability, time off, rest, contracts, preferences); (c) exact
    break and lunch times keeping coverage. Writes schedules/<run-id>/ (roster.csv,
    agent_intervals.csv, coverage.csv, manifest.json), moves schedules/latest and prints
    the status, LP bound, gap and the under/over-staffing per queue. With --verify (or
    --replan) also the simulated service per queue and day (simulated_service.csv, and
    simulated_misses.csv for the intervals short).
    """
    if ctx.invoked_subcommand is not None:
        return
    from wfm.pipeline import ScheduleRequest, schedule
    from wfm.pipeline.schedule_job import queue_table, summary_line

    request = ScheduleRequest(requirements_path, agents_path, week, allow_understaffing,
                              time_limit_s, seed, verify, replan or 0, replications)
    outcome = schedule(app.project, request, progress=app.info,
                       execution=executor_choice(executor, scheduler))
    s = outcome.schedule.summary
    emit(queue_table(outcome), fmt, output, title=summary_line(outcome))
    if outcome.verification is not None:
        _show_verification(app, outcome.verification, fmt, output)
    for warning in s.warnings[:3]:
        app.info(f"warning: {warning}")
    if s.short_intervals > 3:
        app.info(f"warning: ... and {s.short_intervals - 3} more short interval(s)")
    if not s.reproducible:
        app.info(f"warning: the wall-clock safety net stopped "
                 f"{sum(s.wall_limit_hits.values())} solver call(s) (summary "
                 "wall_limit_hits): a rerun of the same inputs may give another roster")
    app.info(f"wrote {outcome.folder} ({s.shifts} shifts, {s.seconds_total:g} s)")


@schedule_group.command("check", epilog="Example:  wfm schedule check schedules/latest "
                                        "--agents sample/agents.csv")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Agents file (CSV or .xlsx) [default: the one in the run's manifest].")
@click.option("--requirements", "requirements_path",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Requirements CSV: report shifts on dates it does not cover "
                   "[default: the one in the run's manifest, if any].")
@output_options
@pass_app
def check_command(app: AppContext, roster: Path, *, agents_path: Path | None,
                  requirements_path: Path | None, fmt: str | None,
                  output: Path | None) -> None:
    """Verify every hard rule on a roster and list the violations.

    ROSTER is a roster.csv (one produced by 'wfm schedule' or edited by hand) or a
    schedules/<run-id> folder. Checks shift lengths (elapsed time, so daylight-saving days
    count right), start grid, availability and time off, overnight shifts, rest between
    shifts, consecutive days, days off, contract hours and days, breaks and lunch (count,
    length, window), overlaps and, with the run's agent_intervals.csv, skills. Exits 1
    when any rule is broken.
    """
    from wfm.pipeline import check_schedule

    found = check_schedule(app.project, roster, agents=agents_path,
                           requirements=requirements_path)
    emit(found.report.frame, fmt, output, title=found.report.title)
    if found.violations:
        app.info(f"wfm: {found.violations} rule violation(s) in {found.roster}")
        raise click.exceptions.Exit(1)
    app.info(f"{found.roster}: every hard rule holds ({found.agents} agents checked)")


def _show_verification(app: AppContext, verification: Verification, fmt: str | None,
                       output: Path | None) -> None:
    """The simulated service per queue and day below the roster's table (on a terminal),
    then one line per queue-day short and why it is still short."""
    if output is None and (fmt or default_format()) == "table":
        click.echo()
        emit_report(app, verification.report(compact=True), "table", None)
    for line in [*verification.miss_lines(), *verification.unmet]:
        app.info(line)


@schedule_group.command("diff", short_help="What changed between two runs of a week.",
                        epilog=(
    "Example:  wfm schedule diff 20261120T060000Z-1a2b latest --show agents -o diff.xlsx\n\n"
    "Without RUN_B the latest run; without either, the latest run against the run of the "
    "same week made before it."))
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@click.option("--show", type=click.Choice(VIEWS), default="changes", show_default=True,
              help="changes: agent-days added, removed, moved or with other breaks, queues "
                   "or leave; agents: shifts and paid hours per agent; coverage: scheduled "
                   "and short agent-hours per queue and day.")
@output_options
@pass_app
def diff_command(app: AppContext, run_a: str | None, run_b: str | None, *, show: str,
                 fmt: str | None, output: Path | None) -> None:
    """What changed from schedule run RUN_A to RUN_B (same week): what to tell agents.

    Per agent and local day, shifts added, removed or moved, and shifts kept with other
    breaks or queues (before and after side by side); per agent, shifts and paid hours
    before and after; per queue and day, scheduled and short agent-hours before and
    after. A summary line (agents to tell, hours) comes first.
    """
    from wfm.pipeline import RosterDiffRequest, roster_diff

    found = roster_diff(app.project, RosterDiffRequest(run_a, run_b))
    emit_report(app, found.report(show), fmt, output)
