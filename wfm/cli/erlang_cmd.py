"""`wfm erlang`: the Erlang C calculator planners reach for daily."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, emit_columns, output_options, pass_app
from wfm.pipeline.calculator_job import (
    DEFAULT_ABANDON_WARNING_RATE,
    ErlangQuestion,
    erlang,
    parse_sl_target,
)


@click.command("erlang", epilog="Example:  wfm erlang --volume 100 --interval 30 --aht 180 "
                                "--target 80/20")
@click.option("--volume", type=float, required=True, help="Contacts offered in the interval.")
@click.option("--interval", "interval_min", type=float, default=30.0, show_default=True,
              help="Interval length [minutes].")
@click.option("--aht", "aht_s", type=float, required=True, help="Average handle time [s].")
@click.option("--target", default="80/20", show_default=True,
              help="Service level PERCENT/SECONDS (0.8/20 is read as 80/20).")
@click.option("--agents", type=int, default=None,
              help="Reverse: the service level this many agents deliver.")
@click.option("--concurrency", type=int, default=1, show_default=True,
              help="Contacts one agent handles at once (chat); AHT is the concurrent one.")
@click.option("--shrinkage", type=float, default=0.0, show_default=True,
              help="Share of paid time not on contacts [0-1) for scheduled agents.")
@click.option("--patience", "patience_s", type=float, default=None,
              help="Mean time to abandon [s]: use Erlang A (SL of offered contacts).")
@click.option("--max-occupancy", type=float, default=None, help="Occupancy cap (0-1].")
@click.option("--max-abandon", "max_abandon_rate", type=float, default=None,
              help="Most abandonment (0-1) of offered contacts, a target too; needs --patience.")
@click.option("--abandon-warning", type=float, default=DEFAULT_ABANDON_WARNING_RATE,
              show_default=True,
              help="Warn on stderr when the answer's abandonment exceeds this (0-1).")
@output_options
@pass_app
def erlang_command(  # noqa: PLR0917 (click passes keywords)
        app: AppContext, volume: float, interval_min: float, aht_s: float, target: str,
        agents: int | None, concurrency: int, shrinkage: float, patience_s: float | None,
        max_occupancy: float | None, max_abandon_rate: float | None, abandon_warning: float,
        fmt: str | None, output: Path | None) -> None:
    """Required agents for one interval (Erlang C) and a small table around the answer.

    Concurrency k models k parallel slots per agent; agents (not slots) are reported.
    """
    goal = parse_sl_target(target)
    if goal.note:
        app.info(f"wfm: note: {goal.note}")
    answer = erlang(ErlangQuestion(volume, aht_s, goal, interval_min, agents, concurrency,
                                   shrinkage, patience_s, max_occupancy, max_abandon_rate,
                                   abandon_warning))
    for warning in answer.warnings:
        app.warn(warning)
    emit_columns(answer.columns, fmt, output, title=answer.title)
