"""`wfm simulate [ROSTER]`: does the published roster really deliver?"""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import (
    AppContext,
    default_format,
    emit_report,
    executor_choice,
    executor_options,
    output_options,
    pass_app,
)
from wfm.pipeline.simulate_job import BY_CHOICES, HANDLE_TIME_MODELS, SimulateRequest, simulate
from wfm.reports.render import format_for_output


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
@executor_options
@output_options
@pass_app
def simulate_command(app: AppContext, roster: Path | None, *, replications: int, seed: int,
                     compare_path: Path | None, by: str, forecast_path: Path | None,
                     uncertainty: int | None, handle_time: str, handle_cv: float,
                     absence: float, agents_path: Path | None, executor: str | None,
                     scheduler: str | None, fmt: str | None, output: Path | None) -> None:
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
    request = SimulateRequest(roster, replications, seed, compare_path, by, forecast_path,
                              uncertainty, handle_time, handle_cv, absence, agents_path)
    app.info(f"simulating {roster or 'schedules/latest'}: {replications} replications, "
             f"seed {seed}")
    result = simulate(app.project, request, execution=executor_choice(executor, scheduler))
    terminal = (fmt or format_for_output(output) or default_format()) == "table"
    emit_report(app, result.report(compact=terminal), fmt, output)
