"""`wfm run`: the whole pipeline, unattended (cron): lock, logs, exit codes, retention."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from wfm.cli.common import AppContext, executor_choice, executor_options, pass_app
from wfm.pipeline.run_folders import new_run_id
from wfm.pipeline.runlog import RunLog
from wfm.pipeline.runner import STEPS, resolve_options, run_pipeline
from wfm.pipeline.sites import SitesRequest, open_parent, run_sites

RUN_STEPS = tuple(STEPS)

EXAMPLE = ("\b\nExample:  wfm run --quiet --log-file logs/wfm.log --wait 600 --keep 14\n"
           "          wfm run --steps forecast,staff")


def _parse_steps(_ctx: click.Context, _param: click.Parameter, value: str | None
                 ) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in RUN_STEPS]
    if not names or unknown:
        raise click.BadParameter(
            f"{', '.join(unknown) or repr(value)} is not a step; steps: {', '.join(RUN_STEPS)}")
    return tuple(n for n in RUN_STEPS if n in names)


def _on_terminal(event: dict[str, str]) -> None:
    """Step lines for a person watching; cron gets only the summary."""
    step, what = event.get("step"), event.get("event")
    if step is None or what not in ("start", "end", "warning"):
        return
    if what == "start":
        click.echo(f"  {step} ...", err=True)
    elif what == "warning":
        click.echo(f"  {step}: warning: {event.get('message', '')}", err=True)
    else:
        rows = f", {event['rows']} rows" if "rows" in event else ""
        click.echo(f"  {step} {event.get('status')} in {event.get('duration_s')}s{rows}",
                   err=True)


def _run_sites(app: AppContext, request: SitesRequest, parent: object,
               choice: object) -> None:
    """Every site's run; one summary line per site; a failed site fails the command after
    the others published."""
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        summary = run_sites(request, parent, choice)  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not app.quiet or summary.failed:
        for line in summary.lines():
            click.echo(line)
    error = summary.error()
    if error is not None:
        raise error


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (a cron timeout, systemd stop) unwinds like Ctrl-C: staging folders go.
    raise SystemExit(128 + signum)


@click.command("run", epilog=EXAMPLE)
@click.option("--steps", callback=_parse_steps, default=None, metavar="STEP,...",
              help=f"Steps to run, comma-separated, among {','.join(RUN_STEPS)} "
                   "[default: [run] steps].")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append one timestamped key=value line per event (step start/end, "
                   "duration, rows, warnings).")
@click.option("--wait", "wait_s", type=click.FloatRange(0, None), default=0.0,
              metavar="SECONDS", help="Wait up to SECONDS for a run holding the lock "
                                      "[default: exit 75 at once].")
@click.option("--keep", type=click.IntRange(0, None), default=None, metavar="N",
              help="Keep the N newest runs per output folder, 0 keeps all "
                   "[default: [run] keep].")
@click.option("--list-steps", is_flag=True, help="List the steps and what each does, then "
                                                  "exit.")
@click.option("--sites", "sites", default=None, metavar="GLOB",
              help="Run the pipeline of every site whose wfm.toml matches GLOB (quoted, e.g. "
                   "'sites/*/wfm.toml') side by side; each publishes on its own "
                   "[default: the [[sites]] of wfm.toml, if any].")
@executor_options
@pass_app
def run_command(app: AppContext, steps: tuple[str, ...] | None,  # noqa: PLR0917
                log_file: Path | None, wait_s: float, keep: int | None,
                list_steps: bool, sites: str | None, executor: str | None,
                scheduler: str | None) -> None:
    """Run the pipeline of wfm.toml [run]: ingest, forecast, staff, schedule, report.

    All outputs of a run are staged and appear together; every `latest` moves only when
    the whole run succeeded. Exit codes: 0 ok, 1 data/config/solver error (the message
    names the step), 2 usage, 75 another run holds the lock (retry later, or --wait).
    """
    if list_steps:
        for name, fn in STEPS.items():
            click.echo(f"{name:9} {(fn.__doc__ or '').strip().splitlines()[0]}")
        return
    quiet = app.quiet
    parent = open_parent(app.config_path) if sites is not None else app.project.config
    if sites is not None or (parent is not None and parent.sites):
        request = SitesRequest(sites, Path.cwd(), steps, keep, wait_s, log_file)
        _run_sites(app, request, parent, executor_choice(executor, scheduler))
        return
    project = app.project
    options = resolve_options(project.config, steps=steps, keep=keep, wait_s=wait_s,
                              log_file=log_file,
                              executor=executor_choice(executor, scheduler))
    watching = sys.stderr.isatty() and not quiet
    run_id = new_run_id()
    log = RunLog(run_id, log_file, listener=_on_terminal if watching else None)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        summary = run_pipeline(project, options, log=log, run_id=run_id)
    finally:
        signal.signal(signal.SIGTERM, previous)
        log.close()
    if not quiet:
        if not watching:
            for message in summary.warnings:
                click.echo(f"wfm: warning: {message}", err=True)
        click.echo(summary.line())
