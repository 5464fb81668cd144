"""The interval store as a Delta Lake table: Parquet files plus a transaction log.

Layout: ``<data_dir>/intervals/`` is a Delta table partitioned by ``queue``;
``queue=<name>/<YYYY-MM>-<txn>-<n>.parquet`` holds one queue's rows of one UTC month (the
files hold every column but ``queue``, whose value the log records per file, as Delta
does). ``_delta_log/`` lists, version by version, which files make up the table. Any
Delta reader (Dask, Spark, DuckDB, Polars, deltalake) reads it; a worker that wants one
queue reads the files :func:`stored_files` lists for it.

A write (:class:`StoreTransaction`) puts its new files next to the current ones, under
names no version lists, then commits one log entry that adds them and removes the files
they replace: the store changes from one version to the next in that single step, or not
at all. A write killed before its commit leaves files no version lists; the next write
deletes them (``_wfm_pending.json`` names the transaction they belong to).

Files replaced by a later version stay on disk, so an earlier version can be restored
(:mod:`wfm.io.store_history`).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wfm.errors import OutputError
from wfm.schema import CHANNEL, INTERVAL_KEY, INTERVAL_START, INTERVALS, QUEUE

# deltalake (its native library, ~30 MB resident) is imported where the log is read or
# written: an ingest reads and checks its files first, and that is its memory peak.
if TYPE_CHECKING:
    from deltalake import DeltaTable
    from deltalake.transaction import AddAction, RemoveAction

STORE_FOLDER = "intervals"  # the Delta table's folder under [paths] data_dir


def store_root(data_dir: str | Path) -> Path:
    """The table folder of the store at ``data_dir``."""
    return Path(data_dir) / STORE_FOLDER

LOG_FOLDER = "_delta_log"
PENDING_FILE = "_wfm_pending.json"
VACUUM_FILE = "_wfm_vacuum.json"  # the files a vacuum under way deletes
#: Custom commit metadata keys (read back by wfm.io.store_history).
META_OPERATION = "wfm.operation"
META_QUEUES = "wfm.queues"
META_FILES = "wfm.files"
META_RESTORED_TO = "wfm.restored_to"

_ARROW_TYPES = {"timestamp": pa.timestamp("us", tz="UTC"), "str": pa.string(),
                "count": pa.int64()}
TABLE_SCHEMA = pa.schema([pa.field(c.name, _ARROW_TYPES.get(c.kind, pa.float64()))
                          for c in INTERVALS.columns])
FILE_SCHEMA = pa.schema([f for f in TABLE_SCHEMA if f.name != QUEUE])
#: History and old files kept for 10 years: undo and history must not lose versions.
TABLE_CONFIG = {"delta.logRetentionDuration": "interval 3650 days"}
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
#: OS errors that are the machine's state (disk full, read-only), not a bug.
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG,
                           errno.EACCES, errno.EPERM})

Checkpoint = Callable[[str], None]


@dataclass(frozen=True)
class StoredFile:
    """One data file of the current version: path relative to the table, its queue, its
    first and last ``interval_start`` (UTC) and its row count."""

    path: str
    queue: str
    first: pd.Timestamp
    last: pd.Timestamp
    rows: int


def is_table(root: Path) -> bool:
    """True when ``root`` holds a Delta table (its log folder)."""
    return (root / LOG_FOLDER).is_dir()


def open_table(root: Path, version: int | None = None) -> DeltaTable:
    """The Delta table at ``root`` (its latest version, or ``version``)."""
    from deltalake import DeltaTable

    return DeltaTable(str(root), version=version)


def stored_files(table: DeltaTable) -> list[StoredFile]:
    """The data files of the table's loaded version, from its log (no file is opened)."""
    actions = pa.table(table.get_add_actions(flatten=True))
    if actions.num_rows == 0:
        return []
    cols = actions.to_pydict()
    first = pd.to_datetime(pd.Series(cols[f"min.{INTERVAL_START}"]), utc=True)
    last = pd.to_datetime(pd.Series(cols[f"max.{INTERVAL_START}"]), utc=True)
    return [StoredFile(unquote(p), str(q), f, la, int(n)) for p, q, f, la, n in zip(
        cols["path"], cols[f"partition.{QUEUE}"], first, last, cols["num_records"],
        strict=True)]


def month_key(ts: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each UTC timestamp (formatted once per distinct month)."""
    utc = ts.dt.tz_convert("UTC")
    code = utc.dt.year * 100 + utc.dt.month
    names = {c: f"{c // 100:04d}-{c % 100:02d}" for c in code.unique()}
    months: pd.Series = code.map(names)
    return months


def file_months(f: StoredFile) -> list[str]:
    """The UTC months a stored file spans (one for files wfm writes)."""
    months = pd.period_range(f.first.tz_convert("UTC").tz_localize(None).to_period("M"),
                             f.last.tz_convert("UTC").tz_localize(None).to_period("M"),
                             freq="M")
    return [str(m) for m in months]


def read_file(root: Path, f: StoredFile) -> pd.DataFrame:
    """One data file as a frame with its ``queue`` column (counts ``Int64``, UTC times)."""
    table = pq.read_table(root / f.path, use_threads=False)
    return to_frame(table, f.queue)


def to_frame(table: pa.Table, queue: str) -> pd.DataFrame:
    """An Arrow table of a data file as an INTERVALS frame of ``queue``."""
    frame: pd.DataFrame = table.to_pandas(
        use_threads=False, types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    frame.insert(1, QUEUE, pd.Series([queue] * len(frame), dtype=frame[CHANNEL].dtype))
    frame[INTERVAL_START] = frame[INTERVAL_START].astype("datetime64[ns, UTC]")
    return frame


def _file_table(frame: pd.DataFrame) -> pa.Table:
    """A frame's columns in the file schema; columns it lacks are null (the table has one
    schema; readers drop optional columns that are null throughout)."""
    n = len(frame)
    arrays = [pa.array(frame[f.name], type=f.type, from_pandas=True)
              if f.name in frame.columns else pa.nulls(n, f.type) for f in FILE_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=FILE_SCHEMA)


def _stats(table: pa.Table, first_ns: int, last_ns: int, channels: tuple[str, str]) -> str:
    """Delta file statistics: row count, null counts, min/max of time (UTC, ns since the
    epoch) and channel (so readers can skip files by time range or channel)."""
    fmt = "%Y-%m-%dT%H:%M:%S.%f"
    first, last = (pd.Timestamp(ns, unit="ns", tz="UTC").strftime(fmt)[:-3] + "Z"
                   for ns in (first_ns, last_ns))
    return json.dumps({
        "numRecords": table.num_rows,
        "minValues": {INTERVAL_START: first, CHANNEL: channels[0]},
        "maxValues": {INTERVAL_START: last, CHANNEL: channels[1]},
        "nullCount": {name: table.column(name).null_count for name in table.column_names},
    })


def queue_folder(queue: str) -> str:
    """The partition folder of ``queue``: ``queue=<name>`` with characters other than
    letters, digits, ``_ . -`` replaced (and a short hash then added, so two names never
    share a folder); the true name is in the log."""
    safe = _SAFE.sub("_", queue)
    if safe != queue:
        safe += "-" + uuid.uuid5(uuid.NAMESPACE_URL, queue).hex[:8]
    return f"queue={safe}"


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def _write_error(root: Path, exc: OSError) -> OutputError:
    where = exc.filename or root
    return OutputError(f"{where}: cannot write the data store ({exc.strerror or exc}); "
                       "the store is unchanged",
                       hint="free disk space or fix the folder's permissions, then run again")


class StoreTransaction:
    """One change of the store: files written one partition at a time, then one commit.

    Made by :func:`store_transaction`. :meth:`upsert` and :meth:`remove` write new files
    (nothing is visible yet); :meth:`commit` makes all of them the next version at once.
    """

    def __init__(self, root: Path, table: DeltaTable | None, checkpoint: Checkpoint | None,
                 txn: str | None = None) -> None:
        self.root = root
        self.table = table
        self.txn = txn or uuid.uuid4().hex[:12]
        self._checkpoint = checkpoint
        self._files: dict[str, list[StoredFile]] = {}
        for f in stored_files(table) if table is not None else []:
            self._files.setdefault(f.queue, []).append(f)
        self._actions: list[AddAction | RemoveAction] = []
        self._written: list[Path] = []
        self.counts: dict[str, dict[str, int]] = {}

    def queues(self) -> list[str]:
        """Queues with rows in the version this transaction started from."""
        return sorted(q for q, files in self._files.items() if files)

    def files(self, queue: str) -> list[StoredFile]:
        return list(self._files.get(queue, []))

    def added(self) -> list[AddAction]:
        """The files written so far, as log actions."""
        from deltalake.transaction import AddAction

        return [a for a in self._actions if isinstance(a, AddAction)]

    def count(self, queue: str, **counts: int) -> None:
        """Add to the rows ``added``, ``replaced`` or ``removed`` recorded for ``queue``."""
        entry = self.counts.setdefault(queue, {"added": 0, "replaced": 0, "removed": 0})
        for key, n in counts.items():
            entry[key] += n

    def write_months(self, queue: str, frame: pd.DataFrame) -> None:
        """Write ``frame`` (one queue) as new files, one per UTC month (not yet visible),
        each sorted by channel and time. The frame goes to Arrow once and is sorted once
        (month, channel, time) as an index; each file takes its rows from it."""
        utc = frame[INTERVAL_START].dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        ns = utc.array.asi8
        month = (utc.dt.year * 100 + utc.dt.month).to_numpy(np.int64)
        channel, names = pd.factorize(frame[CHANNEL], sort=True)
        order = np.lexsort((ns, channel, month))  # stable; the last key sorts first
        ns, channel, month = ns[order], channel[order], month[order]
        table = _file_table(frame)
        cuts = [0, *(np.flatnonzero(np.diff(month)) + 1).tolist(), len(month)]
        for lo, hi in itertools.pairwise(cuts):
            code, part = int(month[lo]), table.take(pa.array(order[lo:hi]))
            stats = _stats(part, int(ns[lo:hi].min()), int(ns[lo:hi].max()),
                           (str(names[channel[lo]]), str(names[channel[hi - 1]])))
            self._write_file(queue, f"{code // 100:04d}-{code % 100:02d}", part, stats)

    def _write_file(self, queue: str, month: str, table: pa.Table, stats: str) -> None:
        from deltalake.transaction import AddAction

        rel = f"{queue_folder(queue)}/{month}-{self.txn}-{len(self._written) + 1:05d}.parquet"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._written.append(path)
        pq.write_table(table, path)
        size = path.stat().st_size
        self._actions.append(AddAction(rel, size, {QUEUE: queue}, _now_ms(), True, stats))
        if self._checkpoint is not None:
            self._checkpoint(f"store:file:{len(self._written)}")

    def _remove_file(self, f: StoredFile) -> None:
        from deltalake.transaction import RemoveAction

        self._actions.append(RemoveAction(f.path, True, _now_ms(), None, {QUEUE: f.queue}))
        self._files[f.queue].remove(f)

    def upsert(self, frame: pd.DataFrame) -> None:
        """Upsert one queue's canonical rows: for each key the new row replaces the stored
        one; stored rows of other keys in the same months are kept."""
        queue = str(frame[QUEUE].iloc[0])
        touched: list[StoredFile] = []
        if self._files.get(queue):
            months = set(month_key(frame[INTERVAL_START]).unique())
            touched = [f for f in self._files[queue] if months & set(file_months(f))]
        merged = frame
        replaced = 0
        if touched:
            old = pd.concat([read_file(self.root, f) for f in touched], ignore_index=True)
            keys = pd.MultiIndex.from_frame(frame[list(INTERVAL_KEY)])
            hit = pd.MultiIndex.from_frame(old[list(INTERVAL_KEY)]).isin(keys)
            replaced = int(hit.sum())
            merged = pd.concat([old.loc[~hit], frame], ignore_index=True)
            for f in touched:
                self._remove_file(f)
        self.write_months(queue, merged)
        self.count(queue, added=len(frame) - replaced, replaced=replaced)

    def remove(self, queue: str, channel: str | None = None) -> tuple[int, int]:
        """Remove a queue's rows (of one channel only, when given). Returns the rows and
        the files removed or rewritten."""
        files = self.files(queue)
        if channel is None:
            for f in files:
                self._remove_file(f)
            rows = sum(f.rows for f in files)
            self.count(queue, removed=rows)
            return rows, len(files)
        rows = touched = 0
        for f in files:
            frame = read_file(self.root, f)
            hit = (frame[CHANNEL] == channel).to_numpy()
            if not hit.any():
                continue
            rows += int(hit.sum())
            touched += 1
            self._remove_file(f)
            if not hit.all():
                self.write_months(queue, frame.loc[~hit])
        self.count(queue, removed=rows)
        return rows, touched

    def commit(self, operation: str, details: Mapping[str, object] | None = None) -> int:
        """Make every file written the next version, in one log entry; returns it."""
        from deltalake.exceptions import CommitFailedError
        from deltalake.transaction import CommitProperties, PostCommitHookProperties

        meta = {META_OPERATION: operation, META_QUEUES: json.dumps(self.counts)}
        meta.update({k: v if isinstance(v, str) else json.dumps(v)
                     for k, v in (details or {}).items()})
        if self.table is None:
            raise AssertionError("a transaction without a table only writes files")
        if self._checkpoint is not None:
            self._checkpoint("store:commit")
        try:
            self.table.create_write_transaction(
                self._actions, mode="append", schema=TABLE_SCHEMA, partition_by=[QUEUE],
                commit_properties=CommitProperties(custom_metadata=meta),
                post_commithook_properties=PostCommitHookProperties(
                    create_checkpoint=True, cleanup_expired_logs=False))
        except CommitFailedError as exc:
            raise OutputError(f"{self.root}: the data store changed while this write was "
                              f"under way ({exc}); the store is unchanged",
                              hint="run the command again") from None
        self._written = []  # committed: no longer ours to delete
        if self._checkpoint is not None:
            self._checkpoint("store:committed")
        return int(self.table.version())

    def discard(self) -> None:
        """Delete the files written (after an error): none of them is in any version."""
        for path in self._written:
            with contextlib.suppress(OSError):
                path.unlink()
        self._written = []


@contextlib.contextmanager
def store_transaction(root: Path, *, checkpoint: Checkpoint | None = None,
                      prepare: Callable[[Path, str, Checkpoint | None], None] | None = None
                      ) -> Iterator[StoreTransaction]:
    """A transaction on the table at ``root``, created first if need be (after
    ``prepare``, which may convert a store of the previous format into the table). Files
    written and not committed are deleted when the block raises; a disk-full or
    permission error becomes an :class:`OutputError`."""
    from deltalake import DeltaTable
    from deltalake.transaction import CommitProperties

    try:
        clean_pending(root)
        if prepare is not None:
            try:
                prepare(root, uuid.uuid4().hex[:12], checkpoint)
            except BaseException:
                clean_pending(root)
                raise
        if not is_table(root):
            root.mkdir(parents=True, exist_ok=True)
            DeltaTable.create(str(root), TABLE_SCHEMA, partition_by=[QUEUE],
                              name="intervals", configuration=TABLE_CONFIG,
                              commit_properties=CommitProperties(
                                  custom_metadata={META_OPERATION: "create"}))
        txn = StoreTransaction(root, open_table(root), checkpoint)
        write_pending(root, txn.txn)
    except OSError as exc:
        if exc.errno in _WRITE_ERRNOS:
            raise _write_error(root, exc) from None
        raise
    try:
        yield txn
    except BaseException as exc:
        txn.discard()
        with contextlib.suppress(OSError):
            (root / PENDING_FILE).unlink()
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            raise _write_error(root, exc) from None
        raise
    with contextlib.suppress(OSError):
        (root / PENDING_FILE).unlink()


def create_migrated(root: Path, actions: list[AddAction], counts: Mapping[str, object]) -> None:
    """Create the table at version 0 holding ``actions`` (the previous format's rows)."""
    from deltalake import Schema
    from deltalake.transaction import CommitProperties, create_table_with_add_actions

    create_table_with_add_actions(
        str(root), Schema.from_arrow(TABLE_SCHEMA), actions, partition_by=[QUEUE],
        name="intervals",
        configuration=TABLE_CONFIG, commit_properties=CommitProperties(custom_metadata={
            META_OPERATION: "migrate", META_QUEUES: json.dumps(counts)}))


def write_pending(root: Path, txn: str) -> None:
    tmp = root / f".{PENDING_FILE}.{txn}"
    tmp.write_text(json.dumps({"txn": txn}), encoding="utf-8")
    os.replace(tmp, root / PENDING_FILE)


def clean_pending(root: Path) -> None:
    """Delete the files of a transaction that was killed before its commit."""
    marker = root / PENDING_FILE
    if not marker.is_file():
        return
    try:
        txn = str(json.loads(marker.read_text(encoding="utf-8"))["txn"])
    except (ValueError, KeyError, TypeError):
        marker.unlink()
        return
    listed: set[str] = set()
    if is_table(root):
        listed = {f.path for f in stored_files(open_table(root))}
    for path in root.glob(f"queue=*/*-{txn}-*.parquet"):
        if path.relative_to(root).as_posix() not in listed:
            path.unlink()
    marker.unlink()


def data_files(root: Path) -> list[str]:
    """Every data file in the table folder (paths relative to it), listed or not; files
    and folders starting with ``_`` or ``.`` are not data (Delta's convention)."""
    return sorted(rel for rel in (p.relative_to(root).as_posix()
                                  for p in root.rglob("*.parquet") if p.is_file())
                  if not any(part.startswith(("_", ".")) for part in rel.split("/")))


def write_vacuum_journal(root: Path, paths: list[str]) -> None:
    """Record (atomically) the files a vacuum is about to delete: from here on they are
    gone, whoever finishes the deletion (:func:`finish_vacuum`)."""
    tmp = root / f".{VACUUM_FILE}.{uuid.uuid4().hex[:12]}"
    tmp.write_text(json.dumps({"files": paths}), encoding="utf-8")
    os.replace(tmp, root / VACUUM_FILE)


def finish_vacuum(root: Path) -> None:
    """Delete the files of a vacuum's journal (one killed while deleting, or the one under
    way), then the journal. No version kept restorable lists them."""
    journal = root / VACUUM_FILE
    if not journal.is_file():
        return
    try:
        paths = [str(p) for p in json.loads(journal.read_text(encoding="utf-8"))["files"]]
    except (ValueError, KeyError, TypeError):
        paths = []  # a torn journal cannot exist (it is replaced whole); be safe anyway
    for rel in paths:
        with contextlib.suppress(FileNotFoundError):
            (root / rel).unlink()
    journal.unlink()
