"""`wfm data drop`: remove a queue's (or one channel's) rows from the data store."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, emit, output_options, pass_app

EXAMPLE = ("Example:  wfm data drop --queue voice_fr --channel chat --yes\n\n"
           "Then ingest the right exports again (wfm ingest FILE...).")


@click.group("data", epilog=EXAMPLE)
def data_group() -> None:
    """Manage the interval data store ([paths] data_dir)."""


@data_group.command("drop", epilog=EXAMPLE)
@click.option("--queue", required=True, help="Queue whose stored rows to remove.")
@click.option("--channel", default=None,
              help="Only this channel's rows of the queue [default: every channel].")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@output_options
@pass_app
def drop_command(  # noqa: PLR0917 - click passes options positionally
        app: AppContext, queue: str, channel: str | None, yes: bool, fmt: str | None,
        output: Path | None) -> None:
    """Remove every stored row of a queue (or of one of its channels), atomically.

    Use it to undo an ingest of the wrong queue or channel. Nothing else in the store
    changes; the exports can be ingested again afterwards.
    """
    import pandas as pd

    from wfm.pipeline.ingest_job import drop_data

    project = app.project
    what = f"queue {queue!r}" + ("" if channel is None else f" channel {channel!r}")
    if not yes:
        click.confirm(f"Remove every stored row of {what} from {project.data_dir}?",
                      abort=True, err=True)
    summary = drop_data(project, queue, channel)
    app.info(f"dropped {summary.rows} rows of {what} from {project.data_dir}")
    emit(pd.DataFrame([{"queue": summary.queue, "channel": summary.channel or "*",
                        "rows_dropped": summary.rows,
                        "partitions": summary.partitions}]), fmt, output)
