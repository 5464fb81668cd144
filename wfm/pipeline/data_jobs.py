"""The data store's history, undo, SQL questions and vacuum (`wfm data
history|undo|query|vacuum`).

The store keeps every version of itself (:mod:`wfm.io.store_history`): each ingest, drop
or undo is one. A store still in the previous format is converted first (under the
project lock), so that it has a history to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.io.store import convert_store, needs_conversion
from wfm.io.store_history import UndoSummary, query_store, store_history, undo_store
from wfm.io.store_vacuum import VacuumSummary, parse_age, vacuum_store
from wfm.pipeline.project import Project
from wfm.reports import Report


@dataclass(frozen=True)
class QueryRequest:
    """``sql``: a SELECT over the table ``intervals`` (the stored rows; ``interval_start``
    in UTC). Timestamps of the result are shown in the site time zone, with offset."""

    sql: str


def _converted(project: Project, command: str) -> None:
    if needs_conversion(project.data_dir):
        with project.publishing(None, command=command):
            convert_store(project.data_dir)


def _local(frame: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    """Time-zone-aware columns as local ISO 8601 text with offset (as every CSV a planner
    opens)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            text = out[col].dt.tz_convert(tz).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            out[col] = text.str.slice(0, -2) + ":" + text.str.slice(-2)
    return out


def data_history(project: Project) -> Report:
    """Every version of the store, newest first: time, operation, rows added, replaced
    and removed per queue, ingested files with their SHA-256."""
    _converted(project, "data history")
    frame = store_history(project.data_dir)
    return Report(_local(frame, project.config.site.timezone),
                  "Data store history (newest first; wfm data undo takes back the last "
                  "change)")


def undo_data(project: Project, to_version: int | None = None) -> UndoSummary:
    """Take back the last change of the store (ingest, drop or undo), or restore
    ``to_version``, atomically and under the project lock."""
    _converted(project, "data undo")
    with project.publishing(None, command="data undo"):
        return undo_store(project.data_dir, to_version)


@dataclass(frozen=True)
class VacuumRequest:
    """Which versions stay restorable: ``keep_versions`` the last N before the current
    one, or ``older_than`` (``"12h"``, ``"7d"``, ``"2w"``) every version of that age or
    younger; neither: what ``wfm data undo`` needs to take back the last change.
    ``dry_run``: list the files and bytes, delete nothing."""

    keep_versions: int | None = None
    older_than: str | None = None
    dry_run: bool = False


def vacuum_data(project: Project, request: VacuumRequest | None = None) -> VacuumSummary:
    """Delete the store's files that no kept version lists (or list them, dry run), under
    the project lock so that no ingest writes meanwhile."""
    request = request or VacuumRequest()
    age = None if request.older_than is None else parse_age(request.older_than)
    _converted(project, "data vacuum")
    with project.publishing(None, command="data vacuum"):
        return vacuum_store(project.data_dir, keep_versions=request.keep_versions,
                            older_than=age, dry_run=request.dry_run)


def query_data(project: Project, request: QueryRequest) -> Report:
    """The rows a read-only SQL query returns over the stored intervals."""
    _converted(project, "data query")
    return Report(_local(query_store(project.data_dir, request.sql),
                         project.config.site.timezone), "")


__all__ = ["QueryRequest", "UndoSummary", "VacuumRequest", "VacuumSummary", "data_history",
           "query_data", "undo_data", "vacuum_data"]
