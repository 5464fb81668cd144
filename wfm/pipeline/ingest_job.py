"""The ingest job: vendor exports -> the data store (all or nothing), with data health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.config.data import health_settings, ingest_settings
from wfm.io.ingest import (
    IngestHealthError,
    IngestResult,
    data_health,
    history_files,
    ingest_files,
)
from wfm.io.store import DropSummary, drop_intervals
from wfm.outputs import sha256_file
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import write_report_csv
from wfm.pipeline.run_folders.layout import HEALTH_FILE
from wfm.pipeline.run_folders.staging import pause
from wfm.reports import Report


@dataclass(frozen=True)
class IngestRequest:
    """``files``: exports to read, in order (a later file wins where files overlap;
    default: the files the [data] history patterns match); ``mapping``:
    the column mapping (default: [data] mapping); ``aggregate``: sum finer intervals into
    [data] interval_minutes; ``skip_unknown_queues``: leave out (with a warning) rows of
    queues or channels not in wfm.toml instead of refusing the files (also [data]
    skip_unknown_queues)."""

    files: tuple[Path, ...] = ()
    mapping: str | None = None
    aggregate: bool = False
    skip_unknown_queues: bool = False


def ingest(project: Project, request: IngestRequest | None = None, *, run: Run | None = None,
           progress: Callable[[str], None] | None = None) -> IngestResult:
    """Read, check and store the exports; the data-health findings come back in the result.

    All or nothing: a bad cell or an error-level finding raises (an
    :class:`~wfm.io.ingest.IngestHealthError` carries the findings) before the store
    changes. As a step of ``run``, the findings are also kept as the run's
    reports/data_health.csv. ``progress`` receives a line per file.
    """
    request = request or IngestRequest()
    cfg = project.config
    with project.publishing(run, command="ingest") as current:
        paths = (list(request.files) if request.files
                 else history_files(cfg.data.history, project.base_dir))
        settings = ingest_settings(cfg, request.mapping,
                                   skip_unknown_queues=request.skip_unknown_queues)
        result = ingest_files(paths, settings, aggregate=request.aggregate,
                              progress=progress, checkpoint=store_pauses(current))
        if run is not None:
            _keep_findings(project, current, result)
    return result


def _keep_findings(project: Project, run: Run, result: IngestResult) -> None:
    findings = result.findings
    warnings = findings.loc[findings["severity"] == "warning"]
    if len(warnings):
        first = warnings.iloc[0]
        run.warn(f"data health: {len(warnings)} warning(s), first: queue {first['queue']!r} "
                 f"{first['check']}: {first['detail']} (all in reports/{run.run_id}/"
                 f"{HEALTH_FILE})")
    write_report_csv(run.stage("reports"), HEALTH_FILE, findings, float_format=None)
    base = project.base_dir
    run.record("reports", ingested={
        str(p.relative_to(base)) if p.is_relative_to(base) else str(p): sha256_file(p)
        for p in result.files}, mapping=result.mapping)


def check_data(project: Project, queues: tuple[str, ...] = ()) -> Report:
    """Data-health findings of the stored history (every queue, or ``queues``)."""
    return health_report(data_health(project.data_dir, health_settings(project.config),
                                     queues=list(queues) or None))


def drop_data(project: Project, queue: str, channel: str | None = None) -> DropSummary:
    """Remove every stored row of ``queue`` (or of one of its ``channel``), atomically and
    under the project lock; nothing else in the store changes (``wfm data undo`` takes it
    back)."""
    with project.publishing(None, command="data drop") as current:
        return drop_intervals(project.data_dir, queue, channel,
                              checkpoint=store_pauses(current))


def store_pauses(run: Run) -> Callable[[str], None]:
    """The store's write points as test pause points (``WFM_TEST_PAUSE_AT=store:file:2``,
    ``store:commit``, ``store:committed``), logged in the run's log."""
    return lambda point: pause(point, run.log)


def health_report(findings: pd.DataFrame) -> Report:
    """Data-health findings as a report (severity error|warning|info, one row each)."""
    return Report(findings, "Data health")


__all__ = ["DropSummary", "IngestHealthError", "IngestRequest", "IngestResult", "check_data",
           "drop_data", "health_report", "ingest"]
