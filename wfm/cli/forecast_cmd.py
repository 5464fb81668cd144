"""`wfm forecast`: volume and handle-time forecasts per queue and channel; `wfm forecast models`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, emit, output_options
from wfm.forecasting import AUTO, MODELS, ForecastRun, parse_horizon
from wfm.outputs import atomic_run_dir, new_run_id, set_latest
from wfm.pipeline import forecast_files
from wfm.pipeline.forecast_files import (
    filter_history,
    forecast_history,
    intraday_history,
    write_forecast_folder,
)

EXAMPLE = "Example:  wfm forecast --horizon 6w --queue voice_fr --model auto"


def read_history(data_dir: Path, queues: Sequence[str] | None) -> pd.DataFrame:
    """The intervals frame from the data store (wfm.io owns the store)."""
    return forecast_files.read_history(data_dir, queues)


@click.group("forecast", invoke_without_command=True, epilog=EXAMPLE)
@click.option("--horizon", default=None, help="Days or weeks to forecast: 14d, 6w "
              "[default: [forecasting] horizon].")
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--model", type=click.Choice((AUTO, *MODELS)), default=None,
              help="auto = best per series by backtest [default: [forecasting] model].")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First local day of the forecast [default: the day after the history].")
@click.option("--intraday", default=None, is_flag=False, flag_value="now", metavar="[HH:MM]",
              help="Re-forecast the rest of a day (--start, default: the last day with "
                   "history) from its actuals so far (those before HH:MM); prints it, "
                   "writes no run folder.")
@output_options
@click.pass_context
def forecast_group(  # noqa: PLR0917 - click passes options positionally
        ctx: click.Context, horizon: str | None, queues: tuple[str, ...],
                   channels: tuple[str, ...], model: str | None, start: Any,
                   intraday: str | None, fmt: str | None, output: Path | None) -> None:
    """Forecast offered volume and AHT per queue/channel and 15-min interval.

    Writes forecasts/<run-id>/forecast.csv, backtest.csv and manifest.json atomically,
    then points forecasts/latest at the run. Prints the model chosen per series.
    """
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    cfg = app.config
    horizon_text = horizon or cfg.forecasting.horizon
    horizon_days = parse_horizon(horizon_text)
    start_day = pd.Timestamp(start.date()) if start is not None else None
    history = read_history(cfg.paths.data_dir, list(queues) or None)
    history = filter_history(history, queues, channels)
    if intraday is not None:
        rest = intraday_history(cfg, history, day=start_day, as_of=intraday,
                                model=model or cfg.forecasting.model)
        for w in rest.warnings:
            click.echo(f"wfm: warning: {w}", err=True)
        emit(rest.forecast.round(4), fmt, output)
        return
    with _progress(app) as progress:
        run = forecast_history(cfg, history, horizon_days=horizon_days, start=start_day,
                               model=model or cfg.forecasting.model, progress=progress)
    for w in run.warnings:
        click.echo(f"wfm: warning: {w}", err=True)
    run_id = new_run_id()
    root = cfg.paths.forecasts_dir
    with atomic_run_dir(root, run_id) as tmp:
        write_forecast_folder(tmp, cfg, run, run_id, horizon=horizon_text, start=start_day,
                              model=model or cfg.forecasting.model)
    set_latest(root, run_id)
    app.info(f"wrote {root / run_id}")
    emit(_summary(run), fmt, output)


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


def _summary(run: ForecastRun) -> pd.DataFrame:
    rows = []
    for key, info in run.series.items():
        q, c = key.split("/", 1)
        rows.append({"queue": q, "channel": c, "model": info.get("model"),
                     "backtest_wmape": _round(info.get("backtest_wmape")),
                     "coverage_80": _round(info.get("coverage_80")),
                     "coverage_95": _round(info.get("coverage_95")),
                     "fallback": "; ".join(r for rs in info.get("fallbacks", {}).values()
                                           for r in rs) or info.get("note", "")})
    return pd.DataFrame(rows)


def _round(x: Any) -> Any:
    return round(float(x), 4) if isinstance(x, int | float) else x


@forecast_group.command("models", epilog="Example:  wfm forecast models --format csv")
@output_options
def models_command(fmt: str | None, output: Path | None) -> None:
    """List the forecast models, one line each (names usable with --model)."""
    rows: list[dict[str, object]] = [{"model": AUTO, "min_history_days": "", "fallback": "",
             "summary": "backtest the candidates per series and keep the best combination "
                        "of the best models (or a clearly better single one) per lead band"}]
    rows += [{"model": name, "min_history_days": cls.min_history_days,
              "fallback": cls.fallback or "", "summary": cls.summary}
             for name, cls in MODELS.items()]
    emit(pd.DataFrame(rows), fmt, output)


__all__ = ["forecast_group", "read_history"]
