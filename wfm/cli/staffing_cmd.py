"""`wfm erlang`: the Erlang C calculator planners reach for daily."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
import numpy as np
import pandas as pd

from wfm.cli.common import AppContext, emit, output_options, pass_app
from wfm.errors import StaffingError
from wfm.io.store import read_intervals
from wfm.outputs import atomic_run_dir, new_run_id, set_latest
from wfm.pipeline.staffing_files import staff_forecast, write_staffing_files
from wfm.schema import FORECAST, read_frame_csv
from wfm.staffing.abandonment import DEFAULT_ABANDON_WARNING_RATE
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, occupancy, offered_load, service_level
from wfm.staffing.patience import estimate_patience as patience_from_history
from wfm.staffing.required import required_agents, required_agents_erlang_a
from wfm.staffing.requirements import QueueTargets


def _parse_target(text: str) -> tuple[float, float]:
    """``80/20`` -> (0.80, 20.0): percent answered / within seconds."""
    try:
        pct_s, sec_s = text.split("/")
        pct, sec = float(pct_s), float(sec_s)
    except ValueError:
        raise StaffingError(f"--target {text!r} is not valid; accepted: PERCENT/SECONDS "
                            "such as 80/20") from None
    if not 0 < pct < 100:
        why = ("; no staffing answers 100% of contacts within a threshold (waits are "
               "random)" if pct >= 100 else "")
        raise StaffingError(f"--target {text!r}: the percentage must be in (0, 100), "
                            f"got {pct:g}{why}")
    if sec < 0:
        raise StaffingError(f"--target {text!r}: the threshold must be >= 0 seconds")
    return pct / 100.0, sec


@click.command("erlang", epilog="Example:  wfm erlang --volume 100 --interval 30 --aht 180 "
                                "--target 80/20")
@click.option("--volume", type=float, required=True, help="Contacts offered in the interval.")
@click.option("--interval", "interval_min", type=float, default=30.0, show_default=True,
              help="Interval length [minutes].")
@click.option("--aht", "aht_s", type=float, required=True, help="Average handle time [s].")
@click.option("--target", default="80/20", show_default=True,
              help="Service level PERCENT/SECONDS.")
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
def erlang_command(  # noqa: PLR0917 (click passes keywords)
    volume: float, interval_min: float, aht_s: float, target: str,
                   agents: int | None, concurrency: int, shrinkage: float, patience_s: float | None,
                   max_occupancy: float | None, max_abandon_rate: float | None,
                   abandon_warning: float, fmt: str | None, output: Path | None) -> None:
    """Required agents for one interval (Erlang C) and a small table around the answer.

    Concurrency k models k parallel slots per agent; agents (not slots) are reported.
    """
    if concurrency < 1:
        raise StaffingError(f"--concurrency {concurrency} is not valid; accepted: 1 or more")
    if not 0 <= shrinkage < 1:
        raise StaffingError(f"--shrinkage {shrinkage:g} is not valid; accepted: a fraction "
                            "in [0, 1), e.g. 0.3")
    sl_target, threshold_s = _parse_target(target)
    if not interval_min > 0:
        raise StaffingError(f"--interval {interval_min:g} is not valid; accepted: minutes > 0")
    if patience_s is not None and not patience_s > 0:
        raise StaffingError(f"--patience {patience_s:g} is not valid; accepted: seconds > 0 "
                            "(mean time before a caller hangs up)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise StaffingError(f"--max-occupancy {max_occupancy:g} is not valid; accepted: a "
                            "fraction in (0, 1], e.g. 0.85")
    if max_abandon_rate is not None and not 0 < max_abandon_rate < 1:
        raise StaffingError(f"--max-abandon {max_abandon_rate:g} is not valid; accepted: a "
                            "fraction in (0, 1), e.g. 0.05")
    if max_abandon_rate is not None and patience_s is None:
        raise StaffingError("--max-abandon needs --patience: Erlang C assumes nobody "
                            "abandons", hint="add --patience SECONDS (mean time to abandon)")
    if not 0 <= abandon_warning <= 1:
        raise StaffingError(f"--abandon-warning {abandon_warning:g} is not valid; accepted: "
                            "a fraction in [0, 1], e.g. 0.1")
    load = float(offered_load(volume, aht_s, interval_min * 60.0))
    if agents is None:
        if patience_s is None:
            slots = float(required_agents(load, aht_s, sl_target=sl_target,
                                          sl_threshold_s=threshold_s,
                                          max_occupancy=max_occupancy))
        else:
            slots = float(required_agents_erlang_a(load, aht_s, patience_s,
                                                   sl_target=sl_target,
                                                   sl_threshold_s=threshold_s,
                                                   max_abandon_rate=max_abandon_rate,
                                                   max_occupancy=max_occupancy))
        answer = int(np.ceil(slots / concurrency))
    else:
        if agents < 0:
            raise StaffingError(f"--agents {agents} is not valid; accepted: 0 or more")
        answer = agents
    ns = np.arange(max(answer - 2, 0), answer + 3, dtype=float)
    s = ns * concurrency
    cols: dict[str, object] = {"agents": ns.astype(int)}
    if patience_s is None:
        cols["service_level"] = service_level(s, load, aht_s, threshold_s)
        cols["asa_s"] = asa(s, load, aht_s)
        cols["occupancy"] = occupancy(s, load)
    else:
        m = erlang_a(s, load, aht_s, patience_s, threshold_s)
        cols["service_level"] = m["sl_offered"]
        cols["asa_s"] = asa_answered(s, load, aht_s, patience_s)
        cols["abandon_rate"] = m["p_abandon"]
        cols["occupancy"] = np.minimum(load * (1 - m["p_abandon"]) / np.maximum(s, 1.0), 1.0)
    frame = pd.DataFrame({
        **cols,
        "scheduled_agents": ns / (1.0 - shrinkage),
        "answer": np.where(ns == answer, "<-", ""),
    })
    title = (f"# offered load {load:.4g} Erlangs; "
             + (f"{answer} agents needed for {target}" if agents is None
                else f"{answer} agents deliver service level "
                     f"{float(frame.loc[frame.agents == answer, 'service_level'].iloc[0]):.4f}"))
    if patience_s is not None and agents is None:  # the answer, not a reverse question
        abandon = float(frame.loc[frame.agents == answer, "abandon_rate"].iloc[0])
        if abandon > abandon_warning:
            click.echo(f"wfm: warning: at {answer} agents {abandon:.1%} of offered contacts "
                       f"abandon (above {abandon_warning:.0%}); the service-level target "
                       "counts abandons as failures but does not limit them: add "
                       "--max-abandon RATE to staff for it", err=True)
    emit(frame, fmt, output, title=title)


@click.command("staff", epilog="Example:  wfm staff --forecast forecasts/latest/forecast.csv")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Forecast CSV [default: forecasts/latest/forecast.csv].")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for requirements.csv and daily.csv [default: a new run folder "
                   "under <forecasts_dir>/../requirements].")
@click.option("--estimate-patience", is_flag=True,
              help="Voice/callback queues without patience_s: estimate it from the "
                   "history (abandoned, handled, answer_wait_s) and use Erlang A.")
@pass_app
def staff_command(app: AppContext, forecast_path: Path | None, output_dir: Path | None,
                  estimate_patience: bool) -> None:
    """Required agents per queue and interval from a forecast, every channel.

    Voice/callback: Erlang C, or Erlang A with patience_s; chat/messaging: concurrency
    slots per agent; email, webform, social, letter, back office: a FIFO backlog worked
    in opening hours to meet response_target within response_time_h. Writes
    requirements.csv (schema.REQUIREMENTS columns, with backlog and oldest_age_s for
    deferred queues) and daily.csv (agent-hours and FTE per queue and local day),
    atomically.
    """
    cfg = app.config
    path = forecast_path or cfg.paths.forecasts_dir / "latest" / "forecast.csv"
    fc = read_frame_csv(str(path), FORECAST)
    queues = sorted(map(str, fc["queue"].unique()))
    staffing = staff_forecast(
        cfg, fc, source=str(path),
        adjust_queues=(lambda targets: _with_estimated_patience(app, targets, queues))
        if estimate_patience else None)
    for warning in staffing.warnings:
        click.echo(f"wfm: warning: {warning}", err=True)
    if output_dir is None:
        root = cfg.paths.forecasts_dir.parent / "requirements"
        run_id = new_run_id()
        with atomic_run_dir(root, run_id) as tmp:
            write_staffing_files(tmp, staffing)
        set_latest(root, run_id)
        app.info(f"wrote {root / run_id}")
    else:
        output_dir.mkdir(parents=True, exist_ok=True)
        write_staffing_files(output_dir, staffing)
        app.info(f"wrote {output_dir}")


def _with_estimated_patience(app: AppContext, queues: dict[str, QueueTargets],
                             names: list[str]) -> dict[str, QueueTargets]:
    """Patience from the last 13 weeks of history for hot voice queues that lack one."""
    out = dict(queues)
    for name in names:
        q = queues[name]
        if q.patience_s is not None or q.channel not in ("voice", "callback"):
            continue
        hist = read_intervals(app.config.paths.data_dir, queues=[name])
        need = ("abandoned", "handled", "answer_wait_s")
        lacking = [c for c in need if c not in hist or hist[c].isna().all()]
        if lacking:
            app.info(f"queue {name!r}: the history has no {', '.join(lacking)}; patience "
                     "not estimated, Erlang C used")
            continue
        recent = hist[hist["interval_start"] >= hist["interval_start"].max()
                      - pd.Timedelta(weeks=13)]
        # The summed wait of abandoned contacts removes the estimator's downward bias;
        # it is optional in exports, so use it only where every interval carries it.
        abandon_wait = recent.get("abandon_wait_s")
        if abandon_wait is not None and abandon_wait.isna().any():
            abandon_wait = None
        est = patience_from_history(recent["abandoned"], recent["handled"],
                                    recent["answer_wait_s"], abandon_wait)
        if est.patience_s is None:
            app.info(f"queue {name!r}: {est.note}")
            continue
        app.info(f"queue {name!r}: patience estimated at {est.patience_s:.0f} s from "
                 f"{est.abandoned:.0f} abandoned contacts ({est.note}); Erlang A used")
        out[name] = replace(q, patience_s=est.patience_s)
    return out
