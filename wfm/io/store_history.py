"""History, undo and SQL questions over the interval store (the Delta table's versions).

Every write of the store is one version of the table (:mod:`wfm.io.store_table`); its log
entry carries what wfm recorded: the operation, the files ingested with their SHA-256 and
the rows added, replaced or removed per queue. :func:`store_history` lists them,
:func:`undo_store` restores the state before the last change (or any version) in one more
commit — the files of earlier versions stay on disk for that — and :func:`query_store`
answers a SQL ``SELECT`` over the table ``intervals`` (DataFusion, the engine deltalake
ships).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from deltalake import QueryBuilder
from deltalake.exceptions import DeltaError
from deltalake.transaction import CommitProperties, PostCommitHookProperties

from wfm.errors import InputDataError
from wfm.io.store_table import (
    META_FILES,
    META_OPERATION,
    META_QUEUES,
    META_RESTORED_TO,
    TABLE_SCHEMA,
    finish_vacuum,
    is_table,
    open_table,
    store_root,
    stored_files,
)

HISTORY_COLUMNS = ("version", "time", "operation", "queue", "rows_added", "rows_replaced",
                   "rows_removed", "files", "detail")
QUERY_TABLE = "intervals"
_READ_ONLY = re.compile(r"^\s*(select|with|explain|values)\b", re.IGNORECASE)


def _require_table(data_dir: Path) -> Path:
    root = store_root(data_dir)
    if not is_table(root):
        raise InputDataError(f"{root}: the data store is empty",
                             hint="ingest interval history first: wfm ingest FILE...")
    return root


def _operation(entry: dict[str, Any]) -> str:
    op = entry.get(META_OPERATION)
    if op:
        return str(op)
    # A commit of another Delta writer (Spark, delta-rs): its own operation name.
    return str(entry.get("operation", "unknown")).lower().replace(" ", "_")


def _entries(root: Path) -> list[dict[str, Any]]:
    """Log entries, oldest first."""
    return sorted(open_table(root).history(), key=lambda e: int(e["version"]))


def store_history(data_dir: Path) -> pd.DataFrame:
    """One row per version and queue (a version touching no queue has one row, queue
    empty): ``version, time`` (UTC), ``operation`` (create, migrate, ingest, drop, undo,
    write, or another writer's), ``rows_added, rows_replaced, rows_removed``, ``files``
    (ingested files with the first 12 hex digits of their SHA-256) and ``detail``.

    Raises :class:`InputDataError` when there is no store yet.
    """
    rows: list[dict[str, object]] = []
    for entry in reversed(_entries(_require_table(data_dir))):
        version = int(entry["version"])
        time = pd.Timestamp(int(entry["timestamp"]), unit="ms", tz="UTC")
        files = "; ".join(f"{f['path']} (sha256 {f['sha256'][:12]})"
                          for f in json.loads(entry.get(META_FILES, "[]")))
        detail = _detail(entry)
        queues: dict[str, dict[str, int]] = json.loads(entry.get(META_QUEUES, "{}"))
        base = {"version": version, "time": time, "operation": _operation(entry),
                "files": files, "detail": detail}
        if not queues:
            rows.append({**base, "queue": ""})
        for queue, counts in sorted(queues.items()):
            rows.append({**base, "queue": queue, "rows_added": counts.get("added", 0),
                         "rows_replaced": counts.get("replaced", 0),
                         "rows_removed": counts.get("removed", 0)})
    out = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    for col in ("rows_added", "rows_replaced", "rows_removed"):
        out[col] = out[col].astype("Int64")
    return out


def _detail(entry: dict[str, Any]) -> str:
    if META_RESTORED_TO in entry:
        return f"restored version {entry[META_RESTORED_TO]}"
    if "wfm.mapping" in entry:
        return f"mapping {entry['wfm.mapping']}"
    if "wfm.dropped" in entry:
        dropped = json.loads(entry["wfm.dropped"])
        return f"dropped queue {dropped['queue']}" + (
            f" channel {dropped['channel']}" if dropped.get("channel") else "")
    return ""


@dataclass(frozen=True)
class UndoSummary:
    """What an undo did: the version it started from, the version whose rows the store now
    holds, the new version that records it, and the versions taken back."""

    from_version: int
    restored_version: int
    new_version: int
    undone: tuple[tuple[int, str], ...]
    rows_before: int
    rows_after: int


def _state_before(entries: dict[int, dict[str, Any]], version: int) -> int | None:
    """The version whose rows preceded the rows of ``version`` (None: the first state)."""
    seen: set[int] = set()
    while version in entries and version not in seen:
        seen.add(version)
        entry = entries[version]
        if META_RESTORED_TO in entry:  # an undo: its rows are those of the version restored
            version = int(entry[META_RESTORED_TO])
            continue
        return version - 1 if version > 0 else None
    return None


def _rows_per_queue(root: Path, version: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for f in stored_files(open_table(root, version)):
        counts[f.queue] += f.rows
    return counts


def undo_store(data_dir: Path, to_version: int | None = None) -> UndoSummary:
    """Take back the last change of the store (the last ingest or drop, or the last undo's
    own change when undoing twice goes further back), or restore ``to_version``: one new
    version whose rows are those of the version restored. Nothing else changes.

    Raises :class:`InputDataError` when there is nothing to undo or ``to_version`` does not
    exist.
    """
    root = _require_table(data_dir)
    entries = {int(e["version"]): e for e in _entries(root)}
    current = max(entries)
    if to_version is None:
        target = _state_before(entries, current)
        if target is None:
            raise InputDataError(
                f"{root}: nothing to undo: version {current} "
                f"({_operation(entries[current])}) is the first state of the store",
                hint="wfm data history lists the versions")
    else:
        if to_version not in entries:
            raise InputDataError(f"{root}: no version {to_version} of the data store; "
                                 f"versions: 0 to {current}",
                                 hint="wfm data history lists the versions")
        if to_version == current:
            raise InputDataError(f"{root}: the store is at version {current} already")
        target = to_version
    finish_vacuum(root)  # a vacuum killed while deleting: its versions are gone
    missing = [f.path for f in stored_files(open_table(root, target))
               if not (root / f.path).is_file()]
    if missing:
        raise InputDataError(
            f"{root}: version {target} can no longer be restored: wfm data vacuum removed "
            f"{len(missing)} of its files (first: {missing[0]})",
            hint="wfm data history lists the versions; vacuum keeps those its retention "
                 "names (--keep-versions, --older-than)")
    before, after = _rows_per_queue(root, current), _rows_per_queue(root, target)
    counts = {q: {"added": max(after[q] - before[q], 0), "removed": max(before[q] - after[q], 0)}
              for q in sorted(set(before) | set(after)) if after[q] != before[q]}
    undone = tuple((v, _operation(entries[v])) for v in sorted(entries)
                   if target < v <= current and META_RESTORED_TO not in entries[v])
    table = open_table(root)
    try:
        table.restore(target, commit_properties=CommitProperties(custom_metadata={
            META_OPERATION: "undo", META_RESTORED_TO: str(target),
            META_QUEUES: json.dumps(counts)}),
            post_commithook_properties=PostCommitHookProperties(
                create_checkpoint=True, cleanup_expired_logs=False))
    except DeltaError as exc:
        raise InputDataError(f"{root}: version {target} cannot be restored ({exc})",
                             hint="its files were removed from disk (vacuum)") from None
    return UndoSummary(current, target, int(open_table(root).version()), undone,
                       sum(before.values()), sum(after.values()))


def query_store(data_dir: Path, sql: str) -> pd.DataFrame:
    """The result of a read-only SQL query over the stored intervals, the table
    ``intervals`` (DataFusion SQL: ``interval_start`` is a UTC timestamp, ``AT TIME ZONE
    'Europe/Paris'`` gives local time; ``date_trunc``, ``sum``, ``GROUP BY`` ...).

    Raises :class:`InputDataError` for a statement other than ``SELECT``/``WITH`` or a
    query the engine refuses (its message is kept).
    """
    root = _require_table(data_dir)
    if not _READ_ONLY.match(sql):
        first = sql.strip().split(maxsplit=1)[0] if sql.strip() else "(empty)"
        raise InputDataError(f"wfm data query: only SELECT (or WITH ... SELECT) queries are "
                             f"run; got {first!r}",
                             hint=f"for example: SELECT queue, sum(offered) FROM "
                                  f"{QUERY_TABLE} GROUP BY queue")
    try:
        reader = QueryBuilder().register(QUERY_TABLE, open_table(root)).execute(sql)
        result = pa.table(reader)
    except DeltaError as exc:
        message = str(exc).strip().replace("\n", " ")
        raise InputDataError(f"wfm data query: {message}",
                             hint=f"the table is {QUERY_TABLE}; its columns: "
                                  f"{', '.join(TABLE_SCHEMA.names)}"
                             ) from None
    frame: pd.DataFrame = result.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return frame
