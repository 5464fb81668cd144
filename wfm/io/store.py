"""The interval data store: canonical intervals in a Delta Lake table, all or nothing.

Layout and transactions are in :mod:`wfm.io.store_table`: ``<data_dir>/intervals/`` is a
Delta table (Parquet files, one per queue and UTC month, plus a transaction log), readable
by Dask, Spark, DuckDB or Polars. Rows are keyed by ``(interval_start, queue, channel)``.

Overlap rule: a write *upserts* — for every key in the new frame the new row replaces the
stored one (the later ingest wins), keys not in the new frame are kept. Re-ingesting the
same file is therefore idempotent. Every write (an ingest of many queues, a drop) is one
transaction: its new files are written first, then one commit makes them the next version
of the table. An error or a SIGKILL at any point leaves the store exactly as before or
exactly as after; earlier versions stay restorable (:mod:`wfm.io.store_history`).

A store of the previous format (plain Parquet files renamed in place) is read as it is and
converted into the table by the first write (:mod:`wfm.io.store_legacy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wfm.errors import InputDataError
from wfm.io.store_legacy import is_legacy, legacy_files, prepare_store, read_legacy_file
from wfm.io.store_table import (
    Checkpoint,
    StoredFile,
    is_table,
    open_table,
    read_file,
    store_root,
    store_transaction,
    stored_files,
)
from wfm.schema import CHANNEL, INTERVAL_KEY, INTERVAL_START, INTERVALS, QUEUE

_COUNT_KINDS = ("count",)


@dataclass(frozen=True)
class StoreSummary:
    """What a write did: rows written, rows that replaced stored ones, partitions touched."""

    rows: int
    replaced: int
    added: int
    partitions: int


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One frame to one Parquet file, converted on this thread (the store writes many small
    files; pyarrow's conversion thread pool costs more than it saves on them)."""
    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    pq.write_table(table, path)


def read_parquet(path: Path) -> pd.DataFrame:
    """One Parquet file back to a frame (single-threaded, see :func:`write_parquet`)."""
    frame: pd.DataFrame = pq.read_table(path, use_threads=False).to_pandas(use_threads=False)
    return frame


def canonical_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in schema order with canonical dtypes (counts Int64, seconds float)."""
    out = pd.DataFrame(index=frame.index)
    for col in INTERVALS.columns:
        if col.name not in frame.columns:
            continue
        s = frame[col.name]
        if col.kind == "timestamp":
            out[col.name] = pd.to_datetime(s, utc=True)
        elif col.kind == "str":
            out[col.name] = s.astype(str)
        elif col.kind in _COUNT_KINDS:
            out[col.name] = pd.to_numeric(s).round().astype("Int64")
        else:
            out[col.name] = pd.to_numeric(s).astype("float64")
    return out


def _validate(frame: pd.DataFrame) -> None:
    missing = [c for c in INTERVALS.required if c not in frame.columns]
    if missing:
        raise InputDataError(f"data store: frame lacks required column(s) {', '.join(missing)}")
    if not isinstance(frame[INTERVAL_START].dtype, pd.DatetimeTZDtype):
        raise InputDataError("data store: interval_start must be time-zone aware")
    dup = frame.duplicated(list(INTERVAL_KEY), keep=False)
    if dup.any():
        row = frame.loc[dup].iloc[0]
        raise InputDataError(
            f"data store: duplicate interval {row[INTERVAL_START].isoformat()} for queue "
            f"{row[QUEUE]!r} channel {row[CHANNEL]!r} in one write"
        )


def write_intervals(data_dir: str | Path, frame: pd.DataFrame, *,
                    checkpoint: Checkpoint | None = None) -> StoreSummary:
    """Upsert ``frame`` (INTERVALS schema) into the store in one transaction; later writes
    win per key."""
    new = canonical_frame(frame)
    _validate(new)
    return upsert_queues(data_dir, (part for _, part in new.groupby(QUEUE, sort=True)),
                         operation="write", checkpoint=checkpoint)


def upsert_queues(data_dir: str | Path, frames: Iterable[pd.DataFrame], *, operation: str,
                  details: Mapping[str, object] | None = None,
                  checkpoint: Checkpoint | None = None) -> StoreSummary:
    """Upsert the frames (each one queue's canonical rows, keys unique) in ONE transaction:
    only one queue's rows are in memory at a time, and the store changes at the commit.

    ``operation`` and ``details`` are recorded in the store's history (``wfm data
    history``); ``checkpoint`` is called with ``store:file:<n>`` after each file written,
    ``store:commit`` before the commit and ``store:committed`` after it (test pauses).
    """
    rows = replaced = 0
    root = store_root(data_dir)
    # Hand the memory Arrow kept from the caller's earlier work (an ingest's reading) back
    # to the system before the Delta library's code is paged in: the write then stays
    # under the reading's peak.
    pa.default_memory_pool().release_unused()
    with store_transaction(root, checkpoint=checkpoint, prepare=prepare_store) as txn:
        for frame in frames:
            if frame.empty:
                continue
            part = canonical_frame(frame)
            queue = str(part[QUEUE].iloc[0])
            txn.upsert(part)
            rows += len(part)
            replaced += txn.counts[queue]["replaced"]
        if rows == 0:
            return StoreSummary(0, 0, 0, 0)
        partitions = len(txn.added())
        txn.commit(operation, details)
    return StoreSummary(rows, replaced, rows - replaced, partitions)


def needs_conversion(data_dir: str | Path) -> bool:
    """True when the store is in the previous format (converted by the next write)."""
    return is_legacy(store_root(data_dir))


def convert_store(data_dir: str | Path) -> None:
    """Convert a store of the previous format into the table now (one commit)."""
    with store_transaction(store_root(data_dir), prepare=prepare_store):
        pass


def stored_queues(data_dir: str | Path) -> list[str]:
    """Queues with stored rows."""
    root = store_root(data_dir)
    if is_table(root):
        return sorted({f.queue for f in stored_files(open_table(root)) if f.rows})
    return sorted({str(read_legacy_file(p)[QUEUE].iloc[0]) for p in _legacy_first_files(root)})


def _legacy_first_files(root: Path) -> list[Path]:
    firsts: dict[str, Path] = {}
    for p in legacy_files(root):
        firsts.setdefault(p.parent.name, p)
    return list(firsts.values())


def read_intervals(
    data_dir: str | Path,
    *,
    queues: Sequence[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The stored intervals (``start`` inclusive, ``end`` exclusive), sorted by queue,
    channel and interval_start, with ``interval_start`` in UTC. Optional columns that no
    row read holds a value of are left out.

    Raises :class:`InputDataError` when the store is empty or a requested queue is absent.
    """
    root = store_root(data_dir)
    known = stored_queues(data_dir)
    if not known:
        raise InputDataError(
            f"{root}: the data store is empty",
            hint="ingest interval history first: wfm ingest FILE...",
        )
    wanted = list(queues) if queues is not None else known
    absent = [q for q in wanted if q not in known]
    if absent:
        raise InputDataError(
            f"{root}: no stored data for queue(s) {', '.join(absent)}; "
            f"stored: {', '.join(known)}"
        )
    lo = None if start is None else pd.Timestamp(start).tz_convert("UTC")
    hi = None if end is None else pd.Timestamp(end).tz_convert("UTC")
    parts = (_read_table(root, set(wanted), lo, hi) if is_table(root)
             else _read_legacy(root, set(wanted), lo, hi))
    if not parts:
        return canonical_frame(pd.DataFrame({c: [] for c in INTERVALS.required}).astype(
            {INTERVAL_START: "datetime64[ns, UTC]"}))
    out = pd.concat(parts, ignore_index=True)
    out[INTERVAL_START] = out[INTERVAL_START].dt.tz_convert("UTC").astype(
        "datetime64[ns, UTC]")
    if lo is not None:
        out = out.loc[out[INTERVAL_START] >= lo]
    if hi is not None:
        out = out.loc[out[INTERVAL_START] < hi]
    empty = [c.name for c in INTERVALS.columns
             if not c.required and c.name in out.columns and out[c.name].isna().all()]
    columns = [c for c in INTERVALS.names if c in out.columns and c not in empty]
    return out[columns].sort_values(
        [QUEUE, CHANNEL, INTERVAL_START], kind="stable").reset_index(drop=True)


def _read_table(root: Path, wanted: set[str], lo: pd.Timestamp | None,
                hi: pd.Timestamp | None) -> list[pd.DataFrame]:
    files: list[StoredFile] = [
        f for f in stored_files(open_table(root))
        if f.queue in wanted and (lo is None or f.last >= lo) and (hi is None or f.first < hi)]
    return [read_file(root, f) for f in sorted(files, key=lambda f: (f.queue, f.first))]


def _read_legacy(root: Path, wanted: set[str], lo: pd.Timestamp | None,
                 hi: pd.Timestamp | None) -> list[pd.DataFrame]:
    first = None if lo is None else lo.strftime("%Y-%m")
    last = None if hi is None else hi.strftime("%Y-%m")
    parts = []
    for path in legacy_files(root):
        month = path.stem
        if (first is not None and month < first) or (last is not None and month > last):
            continue
        frame = read_legacy_file(path)
        if len(frame) and str(frame[QUEUE].iloc[0]) in wanted:
            parts.append(frame)
    return parts


def stored_series(data_dir: str | Path, queues: Sequence[str] | None = None) -> pd.DataFrame:
    """``queue, channel, first, last`` (UTC interval starts) of every stored series, read
    from two columns of each file only: what a driver needs to plan per-queue work without
    loading the history (workers read it, one queue each).

    Raises :class:`InputDataError` like :func:`read_intervals` (empty store, absent queue).
    """
    root = store_root(data_dir)
    known = stored_queues(data_dir)
    if not known:
        read_intervals(data_dir)  # the "store is empty" error with its hint
    wanted = list(queues) if queues is not None else known
    absent = [q for q in wanted if q not in known]
    if absent:
        read_intervals(data_dir, queues=absent)  # names them and the stored ones
    parts = []
    if is_table(root):
        for f in stored_files(open_table(root)):
            if f.queue in wanted and f.rows:
                part = pq.read_table(root / f.path, columns=[INTERVAL_START, CHANNEL],
                                     use_threads=False).to_pandas(use_threads=False)
                parts.append(part.assign(**{QUEUE: f.queue}))
    else:
        parts = [read_intervals(data_dir, queues=wanted)[[INTERVAL_START, QUEUE, CHANNEL]]]
    cols = [QUEUE, CHANNEL, "first", "last"]
    if not parts:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(parts, ignore_index=True)
    frame[INTERVAL_START] = pd.to_datetime(frame[INTERVAL_START], utc=True)
    out = frame.groupby([QUEUE, CHANNEL], sort=True)[INTERVAL_START].agg(["min", "max"])
    spans: pd.DataFrame = out.rename(columns={"min": "first", "max": "last"}).reset_index()
    return spans[cols]


@dataclass(frozen=True)
class DropSummary:
    """What a drop removed: rows, and partition files rewritten or removed."""

    queue: str
    channel: str | None
    rows: int
    partitions: int


def drop_intervals(data_dir: str | Path, queue: str, channel: str | None = None, *,
                   checkpoint: Checkpoint | None = None) -> DropSummary:
    """Remove every stored row of ``queue`` (of one ``channel`` only, when given), in one
    transaction: no reader ever sees part of it, and it can be undone.

    Raises :class:`InputDataError` when the queue (or the channel) has no stored rows.
    """
    root = store_root(data_dir)
    known = stored_queues(data_dir)
    if queue not in known:
        shown = ", ".join(known) or "none (the store is empty)"
        raise InputDataError(f"{root}: no stored data for queue {queue!r}; stored: {shown}")
    with store_transaction(root, checkpoint=checkpoint, prepare=prepare_store) as txn:
        rows, partitions = txn.remove(queue, channel)
        if rows == 0:
            channels = sorted({str(c) for f in txn.files(queue)
                               for c in read_file(root, f)[CHANNEL].unique()})
            raise InputDataError(f"{root}: queue {queue!r} has no stored rows of channel "
                                 f"{channel!r}; stored channels: {', '.join(channels)}")
        txn.commit("drop", {"wfm.dropped": {"queue": queue, "channel": channel}})
    return DropSummary(queue, channel, rows, partitions)
