"""`wfm what-if`: staffing scenarios side by side with the baseline."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, emit_report, output_options, pass_app

EXAMPLE = """\b
Examples:
  wfm what-if                                  # every [[scenarios]] of wfm.toml
  wfm what-if --scenario volume_up_10 --output what-if.xlsx
  wfm what-if --volume +10% --queue voice_fr   # a scenario of the command line
  wfm what-if --target 90/20 --shrinkage 0.35 --format csv
  wfm what-if --confidence 0.9 --queue voice_fr   # staffed to a 90 % chance"""


@click.command("what-if", epilog=EXAMPLE)
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="A [[scenarios]] name of wfm.toml (repeatable) [default: all of them].")
@click.option("--forecast", "forecast_path", type=click.Path(path_type=Path), default=None,
              help="Forecast CSV or forecast run folder [default: forecasts/latest].")
@click.option("--volume", default=None, metavar="CHANGE", help="Volume change: +10%, x0.9.")
@click.option("--aht", default=None, metavar="CHANGE",
              help="AHT change: +5%, x1.1, or seconds (420).")
@click.option("--target", default=None, metavar="PERCENT/SECONDS",
              help="Service-level target of hot queues, e.g. 90/20.")
@click.option("--shrinkage", type=float, default=None, help="Shrinkage 0-1 (flat).")
@click.option("--concurrency", type=int, default=None, help="Chats per agent (chat queues).")
@click.option("--patience", "patience_s", type=float, default=None,
              help="Mean patience [s] of hot queues: Erlang A.")
@click.option("--max-occupancy", type=float, default=None, help="Occupancy cap 0-1.")
@click.option("--confidence", type=float, default=None,
              help="Staff to this probability (0-1) of meeting the target, by simulation.")
@click.option("--queue", "queues", multiple=True,
              help="Apply the command line's changes to this queue only (repeatable).")
@output_options
@pass_app
def what_if_command(  # noqa: PLR0917 - click passes options positionally
        app: AppContext, scenarios: tuple[str, ...], forecast_path: Path | None,
        volume: str | None, aht: str | None, target: str | None, shrinkage: float | None,
        concurrency: int | None, patience_s: float | None, max_occupancy: float | None,
        confidence: float | None, queues: tuple[str, ...], fmt: str | None,
        output: Path | None) -> None:
    """Staffing of one forecast under what-if scenarios, next to the baseline.

    Each scenario ([[scenarios]] in wfm.toml, or the changes given here) changes volume,
    AHT, service-level or response target, shrinkage, concurrency, patience, the
    occupancy cap or the confidence level of some queues; every queue is staffed as
    `wfm staff` does (at its confidence level when it has one). Prints
    scheduled agent-hours and FTE per queue and week (Monday) for the baseline and each
    scenario, with the change against the baseline; --output what-if.xlsx adds a chart.
    Publishes nothing: requirements/latest stays as it is.
    """
    from wfm.pipeline.what_if_job import ScenarioOptions, WhatIfRequest, what_if

    options = ScenarioOptions(queues, volume, aht, target, shrinkage, concurrency, patience_s,
                              max_occupancy, confidence)
    result = what_if(app.project, WhatIfRequest(scenarios, options, forecast_path))
    emit_report(app, result.report, fmt, output)
