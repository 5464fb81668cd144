"""Removing the data files that no kept version of the store lists (`wfm data vacuum`).

Every write of the store adds files and takes others out of the current version; the
files taken out stay on disk so that earlier versions can be restored (``wfm data undo``,
:mod:`wfm.io.store_history`). :func:`vacuum_store` deletes the files that none of the
versions kept restorable lists: by default the current version and the one ``wfm data
undo`` would restore; ``keep_versions=N`` keeps the last N versions before the current
one; ``older_than`` keeps every version committed within that age (and the one in force
when the window opened). The current version is never touched, so readers see no change.

All or nothing: the files to delete are first written to a journal (``_wfm_vacuum.json``,
replaced atomically); a vacuum killed while it deletes is finished by the next vacuum or
undo (:func:`wfm.io.store_table.finish_vacuum`), so a version is either restorable or
gone, never half there. The log itself is not changed: ``wfm data history`` still lists
every version, and undoing to one whose files were removed is refused with a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wfm.errors import InputDataError
from wfm.io.store_history import _entries, _require_table, _state_before
from wfm.io.store_table import (
    clean_pending,
    data_files,
    finish_vacuum,
    open_table,
    stored_files,
    write_vacuum_journal,
)

_AGE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def parse_age(text: str) -> timedelta:
    """``"12h"``, ``"7d"`` or ``"2w"`` -> that age (whole hours, days or weeks, >= 0)."""
    m = _AGE.match(str(text))
    if not m:
        raise InputDataError(f"--older-than {text!r} cannot be read; accepted: a number of "
                             "hours, days or weeks such as 12h, 7d or 2w")
    hours = int(m.group(1)) * _HOURS[m.group(2).lower()]
    if hours > 100 * 365 * 24:
        raise InputDataError(f"--older-than {text!r} is more than 100 years; accepted: up "
                             "to 100 years (36500d)")
    return timedelta(hours=hours)


@dataclass(frozen=True)
class VacuumFile:
    """A data file no kept version lists: its path in the table folder and size [bytes]."""

    path: str
    size_bytes: int


@dataclass(frozen=True)
class VacuumSummary:
    """What a vacuum removed (or, with ``dry_run``, would remove): the files and bytes,
    the store's current version and the versions kept restorable."""

    current_version: int
    kept_versions: tuple[int, ...]
    files: tuple[VacuumFile, ...]
    bytes_freed: int
    dry_run: bool


def kept_versions(data_dir: Path, *, keep_versions: int | None = None,
                  older_than: timedelta | None = None, now: datetime | None = None
                  ) -> tuple[int, ...]:
    """The versions a vacuum keeps restorable, oldest first (see :func:`vacuum_store`)."""
    if keep_versions is not None and older_than is not None:
        raise InputDataError("--keep-versions and --older-than both given; accepted: one "
                             "of them (or neither: keep what wfm data undo needs)")
    if keep_versions is not None and keep_versions < 0:
        raise InputDataError(f"--keep-versions {keep_versions} is negative; accepted: 0 "
                             "(the current version only) or more")
    entries = {int(e["version"]): e for e in _entries(_require_table(data_dir))}
    current = max(entries)
    kept = {current}
    if keep_versions is not None:
        kept |= {v for v in entries if v >= current - keep_versions}
    elif older_than is not None:
        start_ms = ((now or datetime.now(UTC)) - older_than).timestamp() * 1000
        kept |= {v for v, e in entries.items() if int(e["timestamp"]) >= start_ms}
        before = [v for v, e in entries.items() if int(e["timestamp"]) < start_ms]
        if before:
            kept.add(max(before))  # the state in force when the window opened
    else:
        target = _state_before(entries, current)
        if target is not None:
            kept.add(target)
    return tuple(sorted(kept))


def vacuum_store(data_dir: Path, *, keep_versions: int | None = None,
                 older_than: timedelta | None = None, dry_run: bool = False,
                 now: datetime | None = None) -> VacuumSummary:
    """Delete the data files that no kept version lists (nothing, with ``dry_run``).

    Kept: the current version and, by default, the version ``wfm data undo`` restores
    (so the last change can still be taken back); with ``keep_versions=N`` the N
    versions before the current one; with ``older_than`` every version committed within
    that age of ``now`` and the one in force when that window opened. Also deleted: the
    files of a write killed before its commit. The caller holds the project lock (no
    write may run meanwhile).

    Raises :class:`InputDataError` when there is no store, or for a negative
    ``keep_versions`` or both retention rules at once.
    """
    root = _require_table(data_dir)
    kept = kept_versions(data_dir, keep_versions=keep_versions, older_than=older_than,
                         now=now)
    if not dry_run:
        finish_vacuum(root)
        clean_pending(root)
    listed: set[str] = set()
    for version in kept:
        listed |= {f.path for f in stored_files(open_table(root, version))}
    files = tuple(VacuumFile(rel, (root / rel).stat().st_size)
                  for rel in data_files(root) if rel not in listed)
    summary = VacuumSummary(kept[-1], kept, files, sum(f.size_bytes for f in files), dry_run)
    if not dry_run and files:
        write_vacuum_journal(root, [f.path for f in files])
        finish_vacuum(root)
    return summary


__all__ = ["VacuumFile", "VacuumSummary", "kept_versions", "parse_age", "vacuum_store"]
