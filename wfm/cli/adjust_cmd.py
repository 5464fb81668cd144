"""`wfm forecast adjust`: the planner's forecast adjustments (add, list, remove)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from wfm.cli.common import (
    AppContext,
    IsoDate,
    default_format,
    emit_report,
    output_options,
    pass_app,
)

EXAMPLE = """\b
Examples:
  wfm forecast adjust --queue voice_fr --from 2026-12-14 --to 2026-12-18 \\
      --band 09:00-12:00 --volume +15% --reason "Winter mailing"
  wfm forecast adjust --queue chat_fr --from 2026-12-24 --volume 300 --reason "Short day"
  wfm forecast adjust --queue email_fr --from 2026-12-21 --aht x1.1 --reason "New product"
  wfm forecast adjust list
  wfm forecast adjust remove a3"""


@click.group("adjust", invoke_without_command=True, epilog=EXAMPLE)
@click.option("--queue", default=None, help="The queue to adjust (a [[queues]] name).")
@click.option("--from", "start", type=IsoDate(), default=None, help="First local day.")
@click.option("--to", "end", type=IsoDate(), default=None,
              help="Last local day, inclusive [default: --from].")
@click.option("--band", default=None, metavar="HH:MM-HH:MM",
              help="Only this local time band [default: the whole day].")
@click.option("--volume", default=None, metavar="CHANGE",
              help="+15%, -10%, x1.2, or contacts per day of the window (1200).")
@click.option("--aht", default=None, metavar="CHANGE",
              help="+10%, x1.1, or an average handle time in seconds (420).")
@click.option("--reason", default=None, help="Why (kept with it and in every manifest).")
@output_options
@click.pass_context
def adjust_group(  # noqa: PLR0917 - click passes options positionally
        ctx: click.Context, queue: str | None, start: date | None, end: date | None,
        band: str | None, volume: str | None, aht: str | None, reason: str | None,
        fmt: str | None, output: Path | None) -> None:
    """Adjust the forecast of a queue: every later forecast applies it.

    Stored in the project's adjustments file ([forecasting] adjustments_file, default
    adjustments.toml beside wfm.toml) as its next revision; `wfm forecast` and the
    forecast step of `wfm run` apply every adjustment, keep the model's values in
    forecast.csv (offered_raw, aht_s_raw) and list the adjustments in the manifest.
    Prints the adjustment and, when forecasts/latest covers it, its effect per day.
    """
    if ctx.invoked_subcommand is not None:
        return
    if queue is None or start is None or reason is None or (volume is None and aht is None):
        raise click.UsageError("give --queue, --from, --reason and --volume and/or --aht "
                               "(or: wfm forecast adjust list | remove ID)")
    from wfm.pipeline.adjust_job import AdjustRequest, add_adjustment

    app: AppContext = ctx.obj
    result = add_adjustment(app.project, AdjustRequest(queue, start, end, band, volume, aht,
                                                       reason))
    emit_report(app, result.report, fmt, output)
    # The effect is for a reader at a terminal; csv/json on stdout stay one table.
    if result.preview is not None and output is None and (fmt or default_format()) == "table":
        emit_report(app, result.preview, "table", None)


@adjust_group.command("list", epilog="Example:  wfm forecast adjust list --format csv")
@output_options
@pass_app
def list_command(app: AppContext, fmt: str | None, output: Path | None) -> None:
    """List the forecast adjustments of the project, one row each."""
    from wfm.pipeline.adjust_job import list_adjustments

    emit_report(app, list_adjustments(app.project).report, fmt, output)


@adjust_group.command("remove", epilog="Example:  wfm forecast adjust remove a3 a5")
@click.argument("ids", nargs=-1, required=True)
@output_options
@pass_app
def remove_command(app: AppContext, ids: tuple[str, ...], fmt: str | None,
                   output: Path | None) -> None:
    """Remove adjustments by id (all or nothing); prints what was removed."""
    from wfm.pipeline.adjust_job import remove_adjustments

    emit_report(app, remove_adjustments(app.project, ids).report, fmt, output)
