"""`wfm data`: drop, history, undo, query and vacuum the interval data store."""

from __future__ import annotations

from pathlib import Path

import click

from wfm.cli.common import AppContext, emit, emit_report, output_options, pass_app

EXAMPLE = ("Examples:\n\n\b\n"
           "  wfm data history\n"
           "  wfm data undo --yes\n"
           "  wfm data query \"SELECT queue, sum(offered) AS offered FROM intervals "
           "GROUP BY queue\"\n"
           "  wfm data drop --queue voice_fr --channel chat --yes\n"
           "  wfm data vacuum --older-than 30d --dry-run")


@click.group("data", epilog=EXAMPLE)
def data_group() -> None:
    """Manage the interval data store ([paths] data_dir): history, undo, query, drop,
    vacuum."""


@data_group.command("drop", epilog="Example:  wfm data drop --queue voice_fr --yes")
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

    Use it to remove a queue ingested by mistake. Nothing else in the store changes;
    `wfm data undo` takes the drop back.
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


@data_group.command("history", epilog="Example:  wfm data history --format csv > history.csv")
@output_options
@pass_app
def history_command(app: AppContext, fmt: str | None, output: Path | None) -> None:
    """Every change of the store, newest first: version, time, operation, rows added,
    replaced and removed per queue, and the files ingested with their SHA-256."""
    from wfm.pipeline.data_jobs import data_history

    emit_report(app, data_history(app.project), fmt, output)


@data_group.command("undo", epilog="Examples:  wfm data undo --yes\n\n"
                                   "           wfm data undo --to-version 3 --yes")
@click.option("--to-version", type=click.IntRange(min=0), default=None,
              help="Restore the rows of this version (see wfm data history) "
                   "[default: the state before the last change].")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@output_options
@pass_app
def undo_command(
        app: AppContext, to_version: int | None, yes: bool, fmt: str | None,
        output: Path | None) -> None:
    """Take back the last ingest (or drop) atomically, or restore an earlier version.

    The undo is itself a new version: `wfm data history` shows it, and undoing again goes
    one change further back.
    """
    import pandas as pd

    from wfm.pipeline.data_jobs import undo_data

    project = app.project
    if not yes:
        what = "the last change" if to_version is None else f"version {to_version}"
        click.confirm(f"Restore the data store {project.data_dir} to before {what}?"
                      if to_version is None else
                      f"Restore the data store {project.data_dir} to {what}?",
                      abort=True, err=True)
    done = undo_data(project, to_version)
    undone = ", ".join(f"{v} ({op})" for v, op in done.undone) or "none"
    app.info(f"restored the rows of version {done.restored_version} as version "
             f"{done.new_version}; undone: {undone}")
    emit(pd.DataFrame([{"from_version": done.from_version,
                        "restored_version": done.restored_version,
                        "new_version": done.new_version, "undone": undone,
                        "rows_before": done.rows_before, "rows_after": done.rows_after}]),
         fmt, output)


@data_group.command("query", epilog=EXAMPLE)
@click.argument("sql")
@output_options
@pass_app
def query_command(app: AppContext, sql: str, fmt: str | None, output: Path | None) -> None:
    """Answer a SQL SELECT over the stored intervals (the table `intervals`).

    Columns are those of the store (interval_start in UTC, queue, channel, offered,
    handled, handle_s ...); timestamps in the result are shown in the site time zone.
    """
    from wfm.pipeline.data_jobs import QueryRequest, query_data

    emit_report(app, query_data(app.project, QueryRequest(sql)), fmt, output)


@data_group.command("vacuum", epilog="Examples:  wfm data vacuum --dry-run\n\n"
                                     "           wfm data vacuum --older-than 30d\n\n"
                                     "           wfm data vacuum --keep-versions 5")
@click.option("--keep-versions", type=click.IntRange(min=0), default=None,
              help="Keep the last N versions before the current one restorable "
                   "[default: the one 'wfm data undo' restores].")
@click.option("--older-than", default=None,
              help="Keep every version younger than this restorable: 12h, 7d, 2w.")
@click.option("--dry-run", is_flag=True, help="List the files and bytes; delete nothing.")
@output_options
@pass_app
def vacuum_command(  # noqa: PLR0917 - click passes options positionally
        app: AppContext, keep_versions: int | None, older_than: str | None, dry_run: bool,
        fmt: str | None, output: Path | None) -> None:
    """Delete the stored files that no version kept restorable needs.

    Files replaced by an ingest, drop or undo stay on disk so that the change can be
    taken back; vacuum removes those of versions outside the retention. The current
    rows never change.
    """
    import pandas as pd

    from wfm.pipeline.data_jobs import VacuumRequest, vacuum_data

    done = vacuum_data(app.project, VacuumRequest(keep_versions, older_than, dry_run))
    verb = "would remove" if done.dry_run else "removed"
    app.info(f"{verb} {len(done.files)} file(s), {done.bytes_freed:,} bytes; versions "
             f"still restorable: {', '.join(map(str, done.kept_versions))} (current "
             f"{done.current_version})")
    emit(pd.DataFrame([{"path": f.path, "bytes": f.size_bytes} for f in done.files],
                      columns=["path", "bytes"]), fmt, output)
