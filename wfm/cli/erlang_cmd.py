"""`wfm erlang`: the Erlang C calculator planners reach for daily."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, emit, output_options, pass_app


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
@output_options
@pass_app
def erlang_command(  # noqa: PLR0917 (click passes keywords)
        app: AppContext, volume: float, interval_min: float, aht_s: float, target: str,
        agents: int | None, concurrency: int, shrinkage: float, patience_s: float | None,
        max_occupancy: float | None, fmt: str | None, output: Path | None) -> None:
    """Required agents for one interval (Erlang C) and a small table around the answer.

    Concurrency k models k parallel slots per agent; agents (not slots) are reported.
    """
    from wfm.pipeline.calculator_job import ErlangQuestion, erlang, parse_sl_target

    goal = parse_sl_target(target)
    if goal.note:
        app.info(f"wfm: note: {goal.note}")
    answer = erlang(ErlangQuestion(volume, aht_s, goal, interval_min, agents, concurrency,
                                   shrinkage, patience_s, max_occupancy))
    emit(answer.table, fmt, output, title=answer.title)
