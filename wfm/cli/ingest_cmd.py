"""`wfm ingest`: vendor exports into the data store; `wfm check`: data-health report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wfm.cli.common import AppContext, emit_report, output_options, pass_app

INGEST_EXAMPLE = ("Example:  wfm ingest exports/genesys_2025-*.csv --mapping genesys-cloud\n\n"
                  "Mappings: wfm (default), genesys-cloud, avaya-cms, amazon-connect, a name "
                  "under [data.mappings] in wfm.toml, or a mapping .toml file.")
CHECK_EXAMPLE = "Example:  wfm check --queue voice_fr --format csv > health.csv"


@click.command("ingest", epilog=INGEST_EXAMPLE)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--mapping", "-m", default=None, metavar="NAME|PATH",
              help="Column mapping of the export [default: [data] mapping, else wfm].")
@click.option("--aggregate", is_flag=True,
              help="Sum finer intervals (e.g. 5-min exports) into [data] interval_minutes.")
@click.option("--skip-unknown-queues", is_flag=True,
              help="Leave out rows of queues (or channels) not in wfm.toml, with a warning, "
                   "instead of refusing the files.")
@output_options
@pass_app
def ingest_command(  # noqa: PLR0917 - click passes options positionally
        app: AppContext, files: tuple[Path, ...], mapping: str | None, aggregate: bool,
        skip_unknown_queues: bool, fmt: str | None, output: Path | None) -> None:
    """Read CSV/Excel interval exports into the data store and print their data health.

    FILES default to the [data] history patterns of wfm.toml. Delimiter, encoding,
    decimal comma and day-first dates are detected. All files are checked before anything
    is written: a bad cell or an error-level health finding writes nothing. Re-ingesting a
    file is idempotent; where files overlap, the file named last wins.
    """
    from wfm.pipeline import IngestRequest, ingest
    from wfm.pipeline.ingest_job import IngestHealthError, health_report

    project = app.project
    # Per-file progress only on a terminal; cron logs get the summary line alone.
    progress = app.info if sys.stderr.isatty() else None
    try:
        result = ingest(project, IngestRequest(files, mapping, aggregate, skip_unknown_queues),
                        progress=progress)
    except IngestHealthError as exc:
        emit_report(app, health_report(exc.findings), fmt, output)
        raise
    emit_report(app, health_report(result.findings), fmt, output)
    app.info(f"ingested {result.rows_written} rows from {len(result.files)} file(s) "
             f"with mapping {result.mapping!r} into {project.data_dir} "
             f"({result.rows_replaced} replaced stored rows)")


@click.command("check", epilog=CHECK_EXAMPLE)
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable).")
@output_options
@pass_app
def check_command(app: AppContext, queues: tuple[str, ...], fmt: str | None,
                  output: Path | None) -> None:
    """Data-health report of the stored interval history.

    Per queue and channel: date range, missing intervals inside/outside opening hours,
    duplicates, impossible values, daylight-saving days, zero-volume days, outlier days and
    likely special days. Severity error|warning|info.
    """
    from wfm.pipeline import check_data

    emit_report(app, check_data(app.project, queues), fmt, output)
