"""`wfm simulate [ROSTER]`: does the published roster really deliver?"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, default_format, emit, output_options, pass_app
from wfm.cli.schedule_check_cmd import INTERVALS_FILE, _manifest_input, load_agents
from wfm.config import Config
from wfm.config.simulation import simulation_queues
from wfm.errors import InputDataError
from wfm.outputs import LATEST
from wfm.reports.render import format_for_output
from wfm.schema import SCHEDULE_INTERVALS, parse_timestamps, read_frame_csv
from wfm.simulation.centre import HANDLE_TIME_MODELS, SimOptions
from wfm.simulation.inputs import make_horizon
from wfm.simulation.rosters import BY_CHOICES, RosterFrames, compact_table, simulate_roster


@dataclass(frozen=True)
class RosterRun:
    """What the command reads from a schedule run folder."""

    frames: RosterFrames
    demand: pd.DataFrame
    demand_path: Path
    first_day: date
    n_days: int


def read_roster_run(config: Config, roster: Path, *, agents_path: Path | None = None,
                    forecast_path: Path | None = None) -> RosterRun:
    """The run's agent intervals, its agents' skills and the forecast (default: the
    requirements the run was made from, which carry offered and aht_s), and its week."""
    run_dir = roster if roster.is_dir() else roster.parent
    intervals_file = run_dir / INTERVALS_FILE
    if not intervals_file.is_file():
        raise InputDataError(f"{run_dir}: no {INTERVALS_FILE} in this folder",
                             hint="pass a schedules/<run-id> folder made by 'wfm schedule'")
    intervals = read_frame_csv(str(intervals_file), SCHEDULE_INTERVALS)
    intervals["agent_id"] = pd.read_csv(intervals_file, usecols=["agent_id"], dtype=str,
                                        keep_default_na=False)["agent_id"].to_numpy()
    agents_path = agents_path or _manifest_input(run_dir, "agents")
    if agents_path is None:
        raise InputDataError(f"{run_dir}: no agents file recorded in its manifest",
                             hint="pass --agents PATH")
    skills = {a.agent_id: dict(a.skills) for a in load_agents(config, agents_path)}
    demand_path = forecast_path or _manifest_input(run_dir, "requirements")
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
    if intervals.empty:
        raise InputDataError(f"{intervals_file}: no agent works in this roster")
    week: Any = None
    manifest = run_dir / "manifest.json"
    if manifest.is_file():
        try:
            week = json.loads(manifest.read_text(encoding="utf-8")).get("week")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            raise InputDataError(f"{manifest}: not a readable run manifest") from None
    try:
        first_day = date.fromisoformat(str(week))
    except ValueError:
        local = pd.DatetimeIndex(intervals["interval_start"]).tz_convert(config.site.timezone)
        first_day = min(local.date)
    return RosterRun(RosterFrames(str(intervals_file), intervals, skills), demand,
                     demand_path, first_day, 7)


@click.command("simulate", epilog="Example:  wfm simulate schedules/latest -R 30 "
                                  "--compare schedules/20261123T204020Z-f9cb --by day")
@click.argument("roster", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--replications", "-R", type=click.IntRange(min=2), default=30, show_default=True,
              help="Independent runs of the week (seeded, common random numbers).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Root seed of the contacts.")
@click.option("--compare", "compare_path", type=click.Path(exists=True, path_type=Path),
              default=None, help="Another schedule run: print the paired difference.")
@click.option("--by", type=click.Choice(BY_CHOICES), default="day", show_default=True,
              help="Rows per queue and day, interval, or over the week.")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Forecast or requirements CSV [default: the requirements "
                                 "recorded in the run's manifest].")
@click.option("--uncertainty", type=click.IntRange(1, 99), default=None, metavar="LEVEL",
              help="Add the forecast's uncertainty from its offered_lo_LEVEL/offered_hi_LEVEL "
                   "columns (e.g. 80).")
@click.option("--handle-time", type=click.Choice(HANDLE_TIME_MODELS), default="exponential",
              show_default=True, help="Handle-time distribution around the AHT.")
@click.option("--handle-cv", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True, help="Coefficient of variation of lognormal handle times.")
@click.option("--absence", type=click.FloatRange(0, 1, max_open=True), default=0.0,
              show_default=True, help="Share of agent-days lost to unplanned absence (the "
                                      "roster already takes breaks and lunch out).")
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Agents file [default: the one in the run's manifest].")
@output_options
@pass_app
def simulate_command(app: AppContext, roster: Path | None, *, replications: int, seed: int,
                     compare_path: Path | None, by: str, forecast_path: Path | None,
                     uncertainty: int | None, handle_time: str, handle_cv: float,
                     absence: float, agents_path: Path | None, fmt: str | None,
                     output: Path | None) -> None:
    """Simulate a roster against its forecast and report the service it gives.

    ROSTER is a schedules/<run-id> folder [default: schedules/latest]. Contacts arrive as
    the forecast says (Poisson), are routed by skill (an agent takes the waiting contact
    of its highest-priority skill; a new contact goes to the agent idle longest), abandon
    after an exponential patience where the queue has patience_s, share chat agents by
    concurrency, and deferred work is worked oldest first in opening hours. Prints per
    queue and day (or interval, or week) the service level, ASA, abandonment, occupancy,
    backlog and share within the response target, each with its 95 % interval, and the
    probability of meeting the target.
    """
    config = app.config
    run = read_roster_run(config, roster or config.paths.schedules_dir / LATEST,
                          agents_path=agents_path, forecast_path=forecast_path)
    other = None
    if compare_path is not None:
        other = read_roster_run(config, compare_path, forecast_path=run.demand_path).frames
    horizon = make_horizon(run.first_day, run.n_days, config.data.interval_minutes,
                           config.site.timezone)
    names = sorted(set(run.demand["queue"].astype(str)) & {q.name for q in config.queues})
    queues = simulation_queues(config, names, horizon.starts)
    options = SimOptions(replications, seed, handle_time, handle_cv,
                         workers=min(os.cpu_count() or 1, replications), absence=absence)
    app.info(f"simulating {run.frames.name} for the week of {run.first_day}: "
             f"{replications} replications, seed {seed}")
    sim = simulate_roster(run.frames, queues, run.demand, horizon, options=options,
                          compare=other,
                          demand_source=str(run.demand_path),
                          uncertainty_level=None if uncertainty is None else uncertainty / 100)
    week_end = run.first_day + timedelta(days=run.n_days - 1)
    title = (f"# simulated service {run.first_day}..{week_end}, {replications} replications "
             f"(seed {seed}); means with 95 % intervals"
             + (f"; differences against {compare_path}" if compare_path else ""))
    table = sim.table(by)
    if (fmt or format_for_output(output) or default_format()) == "table":
        table = compact_table(table)  # one column per measure: mean [95 % interval]
    emit(table, fmt, output, title=title)
