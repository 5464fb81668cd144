"""`wfm staff`: required agents per queue and interval from a forecast."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, executor_choice, executor_options, pass_app


@click.command("staff", epilog="Example:  wfm staff --forecast forecasts/latest/forecast.csv")
@click.option("--forecast", "forecast_path", type=click.Path(path_type=Path), default=None,
              help="Forecast CSV or forecast run folder [default: forecasts/latest].")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for requirements.csv and daily.csv [default: a new run folder "
                   "under <forecasts_dir>/../requirements].")
@click.option("--estimate-patience", is_flag=True,
              help="Voice/callback queues without patience_s: estimate it from the "
                   "history (abandoned, handled, answer_wait_s) and use Erlang A.")
@click.option("--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=None, help="Staff every queue so it meets its target with this "
                                 "probability, e.g. 0.8 [default: [staffing] confidence].")
@executor_options
@pass_app
def staff_command(app: AppContext, forecast_path: Path | None, output_dir: Path | None,  # noqa: PLR0917
                  estimate_patience: bool, confidence: float | None, executor: str | None,
                  scheduler: str | None) -> None:
    """Required agents per queue and interval from a forecast, every channel.

    Voice/callback: Erlang C, or Erlang A with patience_s; chat/messaging: concurrency
    slots per agent; email, webform, social, letter, back office: a FIFO backlog worked
    in opening hours to meet response_target within response_time_h. Writes
    requirements.csv (schema.REQUIREMENTS columns, with backlog and oldest_age_s for
    deferred queues) and daily.csv (agent-hours and FTE per queue and local day),
    atomically. With a confidence level each queue is sized by simulation (Poisson
    arrivals, the forecast's own error) so that a day (deferred work: a week) meets its
    target with that probability; daily.csv then adds the extra agent-hours over plain
    staffing.
    """
    from wfm.pipeline import StaffRequest, staff

    result = staff(app.project, StaffRequest(forecast_path, output_dir, estimate_patience,
                                             confidence),
                   execution=executor_choice(executor, scheduler), progress=app.info)
    for note in result.notes:
        app.info(note)
    for line in result.confidence_lines():
        app.info(line)
    for warning in result.warnings:
        app.warn(warning)
    app.info(f"wrote {result.folder}")
