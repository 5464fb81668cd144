"""`wfm schedule`: build the week's roster; `wfm schedule check` verifies one."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, emit, output_options, pass_app
from wfm.cli.schedule_check_cmd import ROSTER_FILE, check_command, load_agents
from wfm.config import Config
from wfm.config.scheduling import shift_rules
from wfm.errors import InputDataError
from wfm.outputs import LATEST
from wfm.scheduling.previous_week import previous_roster
from wfm.scheduling.requirement_grid import first_monday
from wfm.scheduling.roster import schedule_week, write_schedule_run
from wfm.scheduling.solver_params import SolverParams

REQUIREMENTS_FILE = "requirements.csv"


def default_requirements(config: Config) -> Path:
    """The latest run of `wfm staff`: <forecasts_dir>/../requirements/latest."""
    return config.paths.forecasts_dir.parent / "requirements" / LATEST / REQUIREMENTS_FILE


def read_requirements(path: Path) -> pd.DataFrame:
    if path.is_dir():
        path = path / REQUIREMENTS_FILE
    if not path.is_file():
        raise InputDataError(f"{path}: requirements file not found",
                             hint="run 'wfm staff' first or pass --requirements PATH")
    try:
        return pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not a readable requirements CSV ({exc})") from None


def parse_week(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date; accepted: YYYY-MM-DD (a Monday)",
                                 param_hint="--week") from None


def queue_table(summary: dict[str, Any]) -> pd.DataFrame:
    rows = [{"queue": q, **v} for q, v in summary["by_queue"].items()]
    return pd.DataFrame(rows, columns=["queue", "required_agent_hours",
                                       "scheduled_agent_hours", "under_agent_hours",
                                       "over_agent_hours"])


@click.group("schedule", invoke_without_command=True,
             epilog="Example:  wfm schedule --agents sample/agents.csv --week 2026-11-16 "
                    "--allow-understaffing")
@click.option("--requirements", "requirements_path", type=click.Path(path_type=Path),
              default=None, help="Requirements CSV (or a run folder) [default: the latest "
                                 "'wfm staff' run].")
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Agents file, CSV or .xlsx [default: [scheduling] "
                                 "agents_file].")
@click.option("--week", "week_text", default=None, metavar="YYYY-MM-DD",
              help="First day of the week [default: the first Monday in the requirements].")
@click.option("--allow-understaffing", is_flag=True,
              help="Publish the best roster even if it leaves requirements uncovered.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Solver budget for the whole run [s] [default: [scheduling] "
                                 "time_limit_s].")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Solver seed [default: [scheduling] seed].")
@output_options
@pass_app
@click.pass_context
def schedule_group(ctx: click.Context, app: AppContext, *, requirements_path: Path | None,
                   agents_path: Path | None, week_text: str | None, allow_understaffing: bool,
                   time_limit_s: float | None, seed: int | None, fmt: str | None,
                   output: Path | None) -> None:
    """Build the week's roster: shifts, days off, breaks and lunch per agent.

    Three stages: (a) a weekly plan of shift starts per agent group with implicit breaks
    (integer program, with the bound of its LP relaxation); (b) named agents on those
    shifts (CP-SAT: availability, time off, rest, contracts, preferences); (c) exact
    break and lunch times keeping coverage. Writes schedules/<run-id>/ (roster.csv,
    agent_intervals.csv, coverage.csv, manifest.json), moves schedules/latest and prints
    the status, LP bound, gap and the under/over-staffing per queue.
    """
    if ctx.invoked_subcommand is not None:
        return
    config = app.config
    sched = config.scheduling
    req_path = requirements_path or default_requirements(config)
    if req_path.is_dir():
        req_path = req_path / REQUIREMENTS_FILE
    if agents_path is None:
        if not sched.agents_file:
            raise InputDataError("no agents file given",
                                 hint="pass --agents PATH or set [scheduling] agents_file")
        agents_path = Path(sched.agents_file).expanduser()
        if not agents_path.is_absolute():
            agents_path = config.base_dir / agents_path
    requirements = read_requirements(req_path)
    agents = load_agents(config, agents_path)
    tz = config.site.timezone
    week = parse_week(week_text) if week_text else first_monday(requirements, tz,
                                                                  str(req_path))
    params = SolverParams(time_limit_s or sched.time_limit_s, sched.workers,
                          sched.seed if seed is None else seed, sched.relative_gap)
    rules = shift_rules(sched)
    app.info(f"scheduling {len(agents)} agents for the week of {week} "
             f"(time limit {params.time_limit_s:g} s)")
    previous, previous_run = previous_roster(config.paths.schedules_dir, week)
    if previous is not None:
        app.info(f"rest and consecutive days carried over from run {previous_run}")
    result = schedule_week(requirements, agents, rules, week_start=week, tz=tz, params=params,
                           allow_understaffing=allow_understaffing, previous_roster=previous,
                           progress=app.info)
    run_dir = write_schedule_run(
        result, config.paths.schedules_dir,
        inputs={"requirements": req_path, "agents": agents_path, "config": config.path},
        settings={"time_limit_s": params.time_limit_s, "workers": params.workers,
                  "seed": params.seed, "relative_gap": params.relative_gap,
                  "allow_understaffing": allow_understaffing,
                  "previous_run": previous_run})
    s = result.summary
    title = (f"# {s['status']} roster, week of {s['week']}: objective {s['objective']:g}, "
             f"LP bound {s['lp_bound']:g}, gap {s['gap']:.2%}; under {s['under_agent_hours']:g} "
             f"/ over {s['over_agent_hours']:g} agent-hours; {s['paid_hours']:g} paid hours")
    emit(queue_table(s), fmt, output, title=title)
    for warning in s["warnings"][:3]:
        app.info(f"warning: {warning}")
    if s["short_intervals"] > 3:
        app.info(f"warning: ... and {s['short_intervals'] - 3} more short interval(s)")
    app.info(f"wrote {run_dir} ({ROSTER_FILE}, {s['shifts']} shifts, "
             f"{s['seconds_total']:g} s)")


schedule_group.add_command(check_command)
