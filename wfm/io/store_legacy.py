"""The previous store format, read as it is and converted on the first write.

Before the Delta table (:mod:`wfm.io.store_table`), the store was plain Parquet:
``<data_dir>/intervals/queue=<queue>/<YYYY-MM>.parquet``, each file rewritten in place by
a rename. Such a store is still read as it is (no write needed to forecast from it); the
first write (an ingest, a drop, or a ``wfm data`` command) converts it into the table's
version 0 (``migrate`` in ``wfm data history``) in one commit, then deletes the old files.
A conversion killed before its commit leaves the old store as it was; one killed after it
leaves old files that no reader looks at any more, deleted by the next write.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from wfm.io.store_table import (
    Checkpoint,
    StoreTransaction,
    create_migrated,
    is_table,
    open_table,
    stored_files,
    write_pending,
)
from wfm.outputs import TMP_PREFIX
from wfm.schema import INTERVAL_START, QUEUE

#: Files of the previous format: exactly ``YYYY-MM.parquet`` in a ``queue=`` folder.
_LEGACY_NAME = re.compile(r"^\d{4}-\d{2}\.parquet$")


def legacy_files(root: Path, folder: str | None = None) -> list[Path]:
    """The previous format's partition files under ``root`` (of one queue folder)."""
    if not root.is_dir():
        return []
    pattern = f"{folder or 'queue=*'}/*.parquet"
    return sorted(p for p in root.glob(pattern) if _LEGACY_NAME.match(p.name))


def legacy_queue_folders(root: Path) -> dict[str, str]:
    """Queue name -> folder name of the previous format (a folder without files is none)."""
    out: dict[str, str] = {}
    for folder in sorted({p.parent.name for p in legacy_files(root)}):
        out[folder.removeprefix("queue=")] = folder
    return out


def read_legacy_file(path: Path) -> pd.DataFrame:
    frame: pd.DataFrame = pq.read_table(path, use_threads=False).to_pandas(use_threads=False)
    return frame


def is_legacy(root: Path) -> bool:
    """True when ``root`` holds the previous format and no table yet."""
    return not is_table(root) and bool(legacy_files(root))


def migrate_legacy(root: Path, txn: str, checkpoint: Checkpoint | None) -> None:
    """Convert the previous format at ``root`` into the table's version 0 (one commit),
    one queue at a time; then delete the old files. Does nothing without old files."""
    folders = legacy_queue_folders(root)
    if not folders:
        return
    write_pending(root, txn)
    writer = StoreTransaction(root, None, checkpoint, txn)  # writes files, no table yet
    try:
        for folder in folders.values():
            frame = pd.concat([read_legacy_file(p) for p in legacy_files(root, folder)],
                              ignore_index=True)
            frame[INTERVAL_START] = frame[INTERVAL_START].dt.tz_convert("UTC")
            for queue, part in frame.groupby(QUEUE, sort=True):
                writer.write_months(str(queue), part)
                writer.count(str(queue), added=len(part))
        create_migrated(root, writer.added(), writer.counts)
    except BaseException:
        writer.discard()
        raise
    remove_legacy_leftovers(root)


def prepare_store(root: Path, txn: str, checkpoint: Checkpoint | None) -> None:
    """Before a write: convert a store of the previous format, or delete the old files a
    conversion killed after its commit left behind."""
    if is_table(root):
        remove_legacy_leftovers(root)
    else:
        migrate_legacy(root, txn, checkpoint)


def remove_legacy_leftovers(root: Path) -> None:
    """Delete old-format files (and the previous format's temporary files) once the table
    exists: no version lists them."""
    if not is_table(root):
        return
    for path in legacy_files(root):
        path.unlink()
    for path in root.glob(f"queue=*/{TMP_PREFIX}*"):
        path.unlink()
    for trash in root.glob(f"{TMP_PREFIX}drop-*"):
        shutil.rmtree(trash, ignore_errors=True)
    listed = {f.path.split("/", 1)[0] for f in stored_files(open_table(root))}
    for folder in root.glob("queue=*"):
        if folder.is_dir() and folder.name not in listed and not any(folder.iterdir()):
            folder.rmdir()
