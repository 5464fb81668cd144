"""The interval data store: canonical intervals as Parquet, one file per queue and month.

Layout: ``<data_dir>/intervals/queue=<queue>/<YYYY-MM>.parquet`` (month of the UTC
``interval_start``). Rows are keyed by ``(interval_start, queue, channel)``.

Overlap rule: a write *upserts* — for every key in the new frame the new row replaces the
stored one (the later ingest wins), keys not in the new frame are kept. Re-ingesting the
same file is therefore idempotent. Each partition file is rewritten atomically (temporary
file, then rename); a write validates the whole frame before touching any file, so bad
input never changes the store. A run killed between two partition renames leaves every
partition consistent, and re-running the same ingest completes it (idempotence).

:func:`drop_intervals` removes a queue's rows (or one channel's): a whole queue goes with one
folder rename; one channel is written partition by partition like an ingest.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wfm.errors import InputDataError
from wfm.outputs import TMP_PREFIX, atomic_path
from wfm.schema import CHANNEL, INTERVAL_KEY, INTERVAL_START, INTERVALS, QUEUE

STORE_FOLDER = "intervals"
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


def _partition_dir(data_dir: Path, queue: str) -> Path:
    safe = queue.replace("/", "_").replace("\\", "_")
    return data_dir / STORE_FOLDER / f"queue={safe}"


def _month_key(ts: pd.Series) -> pd.Series:
    utc = ts.dt.tz_convert("UTC")
    # Integer year * 100 + month, formatted once per distinct month (strftime per row is slow).
    code = utc.dt.year * 100 + utc.dt.month
    names = {c: f"{c // 100:04d}-{c % 100:02d}" for c in code.unique()}
    months: pd.Series = code.map(names)
    return months


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


def write_intervals(data_dir: str | Path, frame: pd.DataFrame) -> StoreSummary:
    """Upsert ``frame`` (INTERVALS schema) into the store; later writes win per key."""
    data_dir = Path(data_dir)
    new = canonical_frame(frame)
    _validate(new)
    if new.empty:
        return StoreSummary(0, 0, 0, 0)
    new = new.assign(_month=_month_key(new[INTERVAL_START]))
    # Build every partition's new content first, then rename them all: a failure while
    # building leaves the store untouched.
    staged: list[tuple[Path, pd.DataFrame]] = []
    replaced = 0
    for (queue, month), incoming in new.groupby([QUEUE, "_month"], sort=True):
        merged = incoming.drop(columns="_month")
        path = _partition_dir(data_dir, str(queue)) / f"{month}.parquet"
        if path.exists():
            old = read_parquet(path)
            keys = pd.MultiIndex.from_frame(merged[list(INTERVAL_KEY)])
            old_keys = pd.MultiIndex.from_frame(old[list(INTERVAL_KEY)])
            hit = old_keys.isin(keys)
            replaced += int(hit.sum())
            merged = pd.concat([old.loc[~hit], merged], ignore_index=True)
        merged = merged.sort_values([CHANNEL, INTERVAL_START], kind="stable")
        staged.append((path, merged.reset_index(drop=True)))
    for path, part in staged:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            write_parquet(part, tmp)
    return StoreSummary(len(new), replaced, len(new) - replaced, len(staged))


def stored_queues(data_dir: str | Path) -> list[str]:
    root = Path(data_dir) / STORE_FOLDER
    if not root.is_dir():
        return []
    return sorted(p.name.removeprefix("queue=") for p in root.iterdir()
                  if p.is_dir() and p.name.startswith("queue="))


def read_intervals(
    data_dir: str | Path,
    *,
    queues: Sequence[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The stored intervals (``start`` inclusive, ``end`` exclusive), sorted by queue,
    channel and interval_start, with ``interval_start`` in UTC.

    Raises :class:`InputDataError` when the store is empty or a requested queue is absent.
    """
    data_dir = Path(data_dir)
    known = stored_queues(data_dir)
    if not known:
        raise InputDataError(
            f"{data_dir / STORE_FOLDER}: the data store is empty",
            hint="ingest interval history first: wfm ingest FILE...",
        )
    wanted = list(queues) if queues is not None else known
    absent = [q for q in wanted if q not in known]
    if absent:
        raise InputDataError(
            f"{data_dir / STORE_FOLDER}: no stored data for queue(s) {', '.join(absent)}; "
            f"stored: {', '.join(known)}"
        )
    lo = None if start is None else pd.Timestamp(start).tz_convert("UTC").strftime("%Y-%m")
    hi = None if end is None else pd.Timestamp(end).tz_convert("UTC").strftime("%Y-%m")
    parts = []
    for q in wanted:
        for path in sorted(_partition_dir(data_dir, q).glob("*.parquet")):
            if path.name.startswith(TMP_PREFIX):
                continue  # a write killed before its rename: never part of the store
            month = path.stem
            if (lo is not None and month < lo) or (hi is not None and month > hi):
                continue
            parts.append(read_parquet(path))
    if not parts:
        return canonical_frame(pd.DataFrame({c: [] for c in INTERVALS.required}).astype(
            {INTERVAL_START: "datetime64[ns, UTC]"}))
    out = pd.concat(parts, ignore_index=True)
    out[INTERVAL_START] = out[INTERVAL_START].dt.tz_convert("UTC")
    if start is not None:
        out = out.loc[out[INTERVAL_START] >= pd.Timestamp(start)]
    if end is not None:
        out = out.loc[out[INTERVAL_START] < pd.Timestamp(end)]
    return out.sort_values([QUEUE, CHANNEL, INTERVAL_START], kind="stable").reset_index(
        drop=True
    )


def stored_series(data_dir: str | Path, queues: Sequence[str] | None = None) -> pd.DataFrame:
    """``queue, channel, first, last`` (UTC interval starts) of every stored series, read
    from three columns only: what a driver needs to plan per-queue work without loading
    the history (workers read it, one queue each).

    Raises :class:`InputDataError` like :func:`read_intervals` (empty store, absent queue).
    """
    data_dir = Path(data_dir)
    known = stored_queues(data_dir)
    if not known:
        read_intervals(data_dir)  # the "store is empty" error with its hint
    wanted = list(queues) if queues is not None else known
    absent = [q for q in wanted if q not in known]
    if absent:
        read_intervals(data_dir, queues=absent)  # names them and the stored ones
    parts = []
    for q in wanted:
        for path in sorted(_partition_dir(data_dir, q).glob("*.parquet")):
            if path.name.startswith(TMP_PREFIX):
                continue
            parts.append(pq.read_table(path, columns=[INTERVAL_START, QUEUE, CHANNEL],
                                       use_threads=False).to_pandas(use_threads=False))
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


def drop_intervals(data_dir: str | Path, queue: str, channel: str | None = None
                   ) -> DropSummary:
    """Remove every stored row of ``queue`` (of one ``channel`` only, when given).

    A whole queue is removed by renaming its folder out of the store in one step, so no
    reader ever sees part of it. One channel's rows are removed partition by partition: all
    new partitions are written before any replaces its original, each replacement is atomic,
    and running the same drop again completes one that was interrupted.

    Raises :class:`InputDataError` when the queue (or the channel) has no stored rows.
    """
    data_dir = Path(data_dir)
    known = stored_queues(data_dir)
    folder = _partition_dir(data_dir, queue)
    if queue not in known:
        shown = ", ".join(known) or "none (the store is empty)"
        raise InputDataError(f"{data_dir / STORE_FOLDER}: no stored data for queue {queue!r}; "
                             f"stored: {shown}")
    parts = [p for p in sorted(folder.glob("*.parquet")) if not p.name.startswith(TMP_PREFIX)]
    if channel is None:
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
        trash = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}drop-", dir=folder.parent))
        os.replace(folder, trash / folder.name)  # one rename: the queue is gone at once
        shutil.rmtree(trash, ignore_errors=True)
        return DropSummary(queue, None, rows, len(parts))
    staged: list[tuple[Path, pd.DataFrame]] = []
    rows = 0
    channels: set[str] = set()
    for path in parts:
        frame = read_parquet(path)
        channels.update(frame[CHANNEL].astype(str).unique())
        hit = (frame[CHANNEL] == channel).to_numpy()
        if hit.any():
            rows += int(hit.sum())
            staged.append((path, frame.loc[~hit].reset_index(drop=True)))
    if not staged:
        raise InputDataError(f"{folder}: queue {queue!r} has no stored rows of channel "
                             f"{channel!r}; stored channels: {', '.join(sorted(channels))}")
    written: list[tuple[Path, Path | None]] = []
    try:
        for path, rest in staged:
            if rest.empty:
                written.append((path, None))
                continue
            fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.name}.", dir=folder,
                                       suffix=".parquet")
            os.close(fd)
            written.append((path, Path(tmp)))
            write_parquet(rest, Path(tmp))
    except BaseException:
        for _, tmp_path in written:
            if tmp_path is not None:
                tmp_path.unlink(missing_ok=True)
        raise
    for path, tmp_path in written:
        if tmp_path is None:
            path.unlink()
        else:
            os.replace(tmp_path, path)
    if not any(folder.glob("*.parquet")):
        shutil.rmtree(folder, ignore_errors=True)
    return DropSummary(queue, channel, rows, len(staged))
