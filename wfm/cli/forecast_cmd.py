"""`wfm forecast`: volume and handle-time forecasts per queue and channel; `wfm forecast models`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from wfm.cli.adjust_cmd import adjust_group
from wfm.cli.common import (
    AppContext,
    IsoDate,
    emit_report,
    executor_choice,
    executor_options,
    output_options,
    pass_app,
)
from wfm.pipeline.forecast_job import MODEL_CHOICES

EXAMPLE = "Example:  wfm forecast --horizon 6w --queue voice_fr --model auto"


@click.group("forecast", invoke_without_command=True, epilog=EXAMPLE)
@click.option("--horizon", default=None, help="Days or weeks to forecast: 14d, 6w "
              "[default: [forecasting] horizon].")
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--model", type=click.Choice(MODEL_CHOICES), default=None,
              help="auto = best per series by backtest [default: [forecasting] model].")
@click.option("--start", type=IsoDate(), default=None,
              help="First local day of the forecast [default: the day after the history].")
@click.option("--intraday", default=None, is_flag=False, flag_value="now", metavar="[HH:MM]",
              help="Re-forecast the rest of a day (--start, default: the last day with "
                   "history) from its actuals so far (those before HH:MM); prints it, "
                   "writes no run folder.")
@executor_options
@output_options
@click.pass_context
def forecast_group(  # noqa: PLR0917 - click passes options positionally
        ctx: click.Context, horizon: str | None, queues: tuple[str, ...],
        channels: tuple[str, ...], model: str | None, start: date | None,
        intraday: str | None, executor: str | None, scheduler: str | None,
        fmt: str | None, output: Path | None) -> None:
    """Forecast offered volume and AHT per queue/channel and 15-min interval.

    Writes forecasts/<run-id>/forecast.csv, backtest.csv and manifest.json atomically,
    then points forecasts/latest at the run. Prints the model chosen per series. The
    planner's adjustments ('wfm forecast adjust') are applied; forecast.csv keeps the
    model's values beside them (offered_raw, aht_s_raw).
    """
    if ctx.invoked_subcommand is not None:
        return
    from wfm.pipeline import ForecastRequest, forecast, forecast_summary
    from wfm.pipeline.forecast_job import IntradayRequest, forecast_rest_of_day

    app: AppContext = ctx.obj
    if intraday is not None:
        rest = forecast_rest_of_day(app.project, IntradayRequest(start, intraday, model,
                                                                 queues, channels))
        for warning in rest.warnings:
            app.warn(warning)
        emit_report(app, rest.report, fmt, output)
        return
    request = ForecastRequest(horizon, start, model, queues, channels)
    with _progress(app) as progress:
        result = forecast(app.project, request, progress=progress,
                          execution=executor_choice(executor, scheduler))
    for warning in result.forecast.warnings:
        app.warn(warning)
    if result.adjustments:
        app.info(f"applied adjustments {', '.join(a.id for a in result.adjustments)} "
                 f"from {result.adjustments_file}")
    app.info(f"wrote {result.folder}")
    emit_report(app, forecast_summary(result), fmt, output)


@contextmanager
def _progress(app: AppContext) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal and not --quiet; nothing under cron."""
    if app.quiet or not sys.stderr.isatty():
        yield None
        return
    state: dict[str, Any] = {}

    def update(_done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label="forecasting series",
                                             file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


forecast_group.add_command(adjust_group)


@forecast_group.command("models", epilog="Example:  wfm forecast models --format csv")
@output_options
@pass_app
def models_command(app: AppContext, fmt: str | None, output: Path | None) -> None:
    """List the forecast models, one line each (names usable with --model)."""
    from wfm.pipeline import forecast_models

    emit_report(app, forecast_models(), fmt, output)
