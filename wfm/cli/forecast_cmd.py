"""`wfm forecast`: volume and handle-time forecasts per queue and channel; `wfm forecast models`."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, emit, output_options
from wfm.config import Config
from wfm.errors import InputDataError
from wfm.forecasting import (
    AUTO,
    MODELS,
    ForecastRun,
    LocalProcessExecutor,
    SiteCalendar,
    forecast_intervals,
    parse_horizon,
    public_holidays,
)
from wfm.outputs import atomic_run_dir, new_run_id, set_latest, sha256_file, write_manifest

EXAMPLE = "Example:  wfm forecast --horizon 6w --queue voice_fr --model auto"


def read_history(data_dir: Path, queues: Sequence[str] | None) -> pd.DataFrame:
    """The intervals frame from the data store (wfm.io owns the store)."""
    from wfm.io.store import read_intervals

    frame: pd.DataFrame = read_intervals(data_dir, queues=queues)
    return frame


@click.group("forecast", invoke_without_command=True, epilog=EXAMPLE)
@click.option("--horizon", default=None, help="Days or weeks to forecast: 14d, 6w "
              "[default: [forecasting] horizon].")
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable).")
@click.option("--model", type=click.Choice((AUTO, *MODELS)), default=None,
              help="auto = best per series by backtest [default: [forecasting] model].")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First local day of the forecast [default: the day after the history].")
@output_options
@click.pass_context
def forecast_group(  # noqa: PLR0917 - click passes options positionally
        ctx: click.Context, horizon: str | None, queues: tuple[str, ...],
                   channels: tuple[str, ...], model: str | None, start: Any,
                   fmt: str | None, output: Path | None) -> None:
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
    history = _filter(history, queues, channels)
    run = _run(app, cfg, history, horizon_days=horizon_days, start=start_day,
               model=model or cfg.forecasting.model)
    for w in run.warnings:
        click.echo(f"wfm: warning: {w}", err=True)
    run_id = new_run_id()
    root = cfg.paths.forecasts_dir
    with atomic_run_dir(root, run_id) as tmp:
        _write_csv(run.forecast, tmp / "forecast.csv", cfg)
        run.backtest.to_csv(tmp / "backtest.csv", index=False, float_format="%.6g")
        write_manifest(tmp, _manifest(cfg, run, run_id, horizon=horizon_text, start=start_day,
                                      model=model or cfg.forecasting.model))
    set_latest(root, run_id)
    app.info(f"wrote {root / run_id}")
    emit(_summary(run), fmt, output)


def _filter(history: pd.DataFrame, queues: tuple[str, ...], channels: tuple[str, ...]
            ) -> pd.DataFrame:
    for col, wanted in (("queue", queues), ("channel", channels)):
        if not wanted:
            continue
        known = sorted(map(str, history[col].unique())) if len(history) else []
        missing = [w for w in wanted if w not in known]
        if missing:
            raise InputDataError(
                f"--{col} {', '.join(missing)} matches nothing in the data store; "
                f"{col}s with history: {', '.join(known) or '(none)'}")
        history = history[history[col].isin(wanted)]
    if history.empty:
        raise InputDataError("no interval history in the data store",
                             hint="ingest history first with 'wfm ingest'")
    return history


def site_calendar(cfg: Config, history: pd.DataFrame, horizon_days: int) -> SiteCalendar:
    """The site calendar of the forecast from wfm.toml (public + listed holidays)."""
    site = cfg.site
    first = history["interval_start"].min().year
    last = (history["interval_start"].max() + pd.Timedelta(days=horizon_days + 400)).year
    hol = public_holidays(site.country, range(first, last + 1), site.subdivision,
                          extra=site.holidays)
    return SiteCalendar(site.timezone, site.opening_hours.windows, hol, site.special_days)


def _run(app: AppContext, cfg: Config, history: pd.DataFrame, *, horizon_days: int,
         start: pd.Timestamp | None, model: str) -> ForecastRun:
    fc = cfg.forecasting
    queue_windows = {q.name: q.opening_hours.windows for q in cfg.queues if q.opening_hours}
    with _progress(app) as progress:
        return forecast_intervals(
            history, calendar=site_calendar(cfg, history, horizon_days),
            interval_minutes=cfg.data.interval_minutes, horizon_days=horizon_days, start=start,
            model=model, candidates=fc.candidates, backtest_cutoffs=fc.backtest_cutoffs,
            default_aht_s={q.name: q.aht_s for q in cfg.queues}, stale_weeks=fc.stale_weeks,
            queue_windows=queue_windows,
            executor=LocalProcessExecutor(fc.workers or None), progress=progress)


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


def _write_csv(frame: pd.DataFrame, path: Path, cfg: Config) -> None:
    out = frame.copy()
    local = pd.DatetimeIndex(out["interval_start"]).tz_convert(cfg.site.timezone)
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    out["interval_start"] = [s[:-2] + ":" + s[-2:] for s in stamp]
    out.to_csv(path, index=False, float_format="%.4f")


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


def _manifest(cfg: Config, run: ForecastRun, run_id: str, *, horizon: str,
              start: pd.Timestamp | None, model: str) -> dict[str, Any]:
    data_dir = cfg.paths.data_dir
    inputs = {str(p.relative_to(cfg.base_dir)) if p.is_relative_to(cfg.base_dir) else str(p):
              sha256_file(p) for p in sorted(data_dir.rglob("*")) if p.is_file()} \
        if data_dir.is_dir() else {}
    versions = {"python": platform.python_version()}
    for pkg in ("wfm", "numpy", "pandas", "statsmodels", "scipy", "holidays"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "unknown"
    return {
        "command": "forecast", "run_id": run_id, "status": "success",
        "horizon": horizon, "start": None if start is None else str(start.date()),
        "model": model, "inputs": inputs, "config": json.loads(json.dumps(
            cfg.to_dict(), default=str)),
        "versions": versions, "series": run.series, "warnings": run.warnings,
        "created": date.today().isoformat(),
    }


@forecast_group.command("models", epilog="Example:  wfm forecast models --format csv")
@output_options
def models_command(fmt: str | None, output: Path | None) -> None:
    """List the forecast models, one line each (names usable with --model)."""
    rows: list[dict[str, object]] = [{"model": AUTO, "min_history_days": "", "fallback": "",
             "summary": "backtest the candidates per series and keep the best "
                        "(per lead-time band, or the mean of the two best)"}]
    rows += [{"model": name, "min_history_days": cls.min_history_days,
              "fallback": cls.fallback or "", "summary": cls.summary}
             for name, cls in MODELS.items()]
    emit(pd.DataFrame(rows), fmt, output)


__all__ = ["forecast_group", "read_history"]
