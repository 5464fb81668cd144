"""Ingest vendor exports into the data store, all or nothing, with a data-health report.

:func:`ingest_files` reads every file in chunks (bounded memory), converts it through a
column mapping, stages the canonical rows on disk per queue, resolves duplicates, runs the
data-health checks and only then writes the store, in one transaction over every queue
(:mod:`wfm.io.store`). Any bad cell, or any error-level health finding, raises before the
store is touched; an error or a kill while it is written leaves it as it was.

Overlap rule: an interval (queue, channel, interval_start) present in several files of one
ingest takes the row of the file given *last*; against the store, the new ingest wins
(upsert). Identical repeated rows inside one file are dropped with a warning; conflicting
ones are an error.

Rows for queues (or channels) not configured are refused (:mod:`wfm.io.known_queues`);
intervals absent from an export are read as zero or as gaps per series
(:mod:`wfm.io.absent_intervals`).
"""

from __future__ import annotations

import dataclasses
import glob
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import InputDataError
from wfm.io.absent_intervals import AbsentIntervals, check_absent_queues, fill_absent
from wfm.io.column_mapping import ColumnMapping, resolve_mapping
from wfm.io.convert import FILE, LINE, ChunkConverter, match_headers
from wfm.io.health import (
    FINDING_COLUMNS,
    HealthSettings,
    empty_findings,
    has_errors,
    health_findings,
)
from wfm.io.known_queues import SeenSeries, skipped_findings, unknown_error, unknown_series
from wfm.io.sources import (
    CsvDialect,
    EncodingMismatchError,
    SheetLayout,
    file_kind,
    read_chunks,
    read_header,
    sniff_csv,
    sniff_xlsx,
)
from wfm.io.store import (
    read_intervals,
    read_parquet,
    stored_queues,
    upsert_queues,
    write_parquet,
)
from wfm.io.store_table import META_FILES
from wfm.outputs import sha256_file
from wfm.schema import BACKLOG, CHANNEL, INTERVAL_START, INTERVALS, QUEUE, SL_THRESHOLD_S

CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did.

    ``rows_read`` data rows read from the files, ``rows_written`` rows upserted into the
    store (after duplicates were resolved), of which ``rows_replaced`` replaced stored rows;
    ``findings`` is the data-health frame (``FINDING_COLUMNS``).
    """

    files: tuple[Path, ...]
    mapping: str
    rows_read: int
    rows_written: int
    rows_replaced: int
    findings: pd.DataFrame


class IngestHealthError(InputDataError):
    """Error-level data-health findings stopped an ingest; ``findings`` holds all of them."""

    def __init__(self, message: str, findings: pd.DataFrame, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings


@dataclass(frozen=True)
class IngestSettings:
    """How to read exports and where to store them (``wfm.config`` builds it from wfm.toml).

    Attributes
    ----------
    data_dir
        The data store folder (``[paths] data_dir``).
    health
        The site's zone (also for local timestamps without an offset, unless the mapping
        or ``source_tz`` names one), the interval length [min] (timestamps off this grid
        are rejected), the calendar and strictness of the health checks.
    mapping
        Built-in mapping name, key of ``user_mappings`` or path of a mapping TOML file;
        ``None`` is the canonical ``wfm`` mapping.
    mapping_source
        Where ``mapping`` came from (``--mapping``, ``wfm.toml: [data] mapping``), named
        when it is unknown or its file is missing.
    user_mappings
        ``[data.mappings.<name>]`` tables of wfm.toml.
    mapping_dir
        Folder that a relative mapping path is relative to (the wfm.toml folder).
    source_tz
        Zone of exported timestamps without an offset when it differs from the site's
        (``[data] timezone``); a mapping's own ``timezone`` takes precedence over both.
    known_queues
        Configured queue -> channel (``[[queues]]``); rows of any other queue, or of a
        known queue with another channel, are refused. ``None`` accepts every queue.
    skip_unknown_queues
        Leave such rows out (with a warning) instead of refusing the ingest.
    absent_intervals
        ``[data] absent_intervals``: what an interval absent from an export means
        (:mod:`wfm.io.absent_intervals`); ``None`` is ``auto`` unless the mapping says.
    """

    data_dir: Path
    health: HealthSettings
    mapping: str | None = None
    mapping_source: str | None = None
    user_mappings: Mapping[str, Mapping[str, Any]] | None = None
    mapping_dir: Path | None = None
    source_tz: str | None = None
    known_queues: Mapping[str, str] | None = None
    skip_unknown_queues: bool = False
    absent_intervals: AbsentIntervals | None = None


def ingest_files(
    paths: Sequence[Path],
    settings: IngestSettings,
    *,
    aggregate: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
    checkpoint: Callable[[str], None] | None = None,
) -> IngestResult:
    """Read, convert and check ``paths``; upsert them into the store at ``data_dir``.

    Parameters
    ----------
    paths
        CSV or .xlsx exports, in order (a later file wins where files overlap).
    settings
        Where to store and how to read (:class:`IngestSettings`).
    aggregate
        Sum intervals finer than ``interval_minutes`` (e.g. a 5-minute export) into it:
        counts and seconds are summed, ``backlog`` is the last value, ``sl_threshold_s``
        the first. Without it, off-grid timestamps are an error.
    chunk_rows
        Rows read at once; bounds memory.
    progress
        Called with a line of progress text per file.
    checkpoint
        Called at the points of the store write (``store:file:<n>``, ``store:commit``,
        ``store:committed``; see :func:`wfm.io.store.upsert_queues`), for test pauses.

    Returns
    -------
    IngestResult

    Raises
    ------
    InputDataError
        A file is unreadable or holds a bad cell (the message names file, line and column),
        or the health checks found errors (:class:`IngestHealthError`). Nothing is written.
    ConfigError
        The mapping is unknown or invalid.
    """
    if not paths:
        raise InputDataError("no files to ingest",
                             hint="name the exports: wfm ingest FILE... or set [data] history")
    data_dir, known_queues = settings.data_dir, settings.known_queues
    tz, interval_minutes = settings.health.tz, settings.health.interval_minutes
    cmap = resolve_mapping(settings.mapping, settings.user_mappings or {},
                           base_dir=settings.mapping_dir, source=settings.mapping_source)
    absent = settings.absent_intervals or AbsentIntervals()
    if known_queues is not None:
        check_absent_queues(absent, known_queues)
        check_absent_queues(cmap.absent_intervals, known_queues)
    with tempfile.TemporaryDirectory(prefix="wfm-ingest-") as tmp:
        stage = _Staging(Path(tmp))
        rows_read = 0
        notes: list[dict[str, object]] = []
        for index, path in enumerate(paths):
            n, file_notes = _stage_file(Path(path), index, cmap, stage, tz=settings.source_tz or tz,
                                        interval_minutes=interval_minutes,
                                        chunk_rows=chunk_rows, aggregate=aggregate)
            rows_read += n
            notes += file_notes
            if progress is not None:
                progress(f"read {n} rows from {path}")
        names = [str(p) for p in paths]
        skip: set[tuple[str, str]] = set()
        if known_queues is not None:
            unknown = unknown_series(stage.seen(names), known_queues)
            if unknown and not settings.skip_unknown_queues:
                raise unknown_error(unknown, known_queues)
            skip = {(u.queue, u.channel) for u in unknown}
            notes = [n for n in notes if (n["queue"], n["channel"]) not in skip]
            notes += skipped_findings(unknown)
        findings = [_frame(notes)]
        for queue in stage.queues():
            staged = stage.read(queue)
            skipped = [c for q, c in skip if q == queue]
            if skipped:
                staged = staged.loc[~staged[CHANNEL].isin(skipped)].reset_index(drop=True)
            if staged.empty:
                continue
            if aggregate:
                staged = _aggregate(staged)
            staged, absent_notes = fill_absent(staged, queue, absent, cmap.absent_intervals,
                                               tz=tz, interval_minutes=interval_minutes,
                                               file_col=FILE, line_col=LINE)
            frame, dup_notes = _resolve(staged, names)
            findings += [_frame(absent_notes), dup_notes]
            findings.append(health_findings(frame.assign(**{FILE: frame[FILE].map(
                dict(enumerate(names)))}), settings.health))
            stage.save_resolved(queue, frame.drop(columns=[FILE, LINE]))
        all_findings = _concat(findings)
        if has_errors(all_findings):
            errors = all_findings.loc[all_findings["severity"] == "error"]
            first = errors.iloc[0]
            raise IngestHealthError(
                f"data health found {len(errors)} error(s); nothing was written. First: "
                f"queue {first['queue']!r} channel {first['channel']!r} {first['check']}: "
                f"{first['detail']}", all_findings,
                hint="fix the export (or the mapping) and ingest again")
        # One transaction over every queue: the store changes at its commit, or not at all.
        files = [{"path": str(p), "sha256": sha256_file(p)} for p in paths]
        summary = upsert_queues(
            data_dir, (stage.read_resolved(q) for q in stage.resolved_queues()),
            operation="ingest", details={META_FILES: files, "wfm.mapping": cmap.name},
            checkpoint=checkpoint)
        written, replaced = summary.rows, summary.replaced
    return IngestResult(tuple(Path(p) for p in paths), cmap.name, rows_read, written, replaced,
                        all_findings)


def history_files(patterns: Sequence[str], base_dir: Path, *, key: str = "[data] history",
                  hint: str = "name them (wfm ingest FILE...) or set [data] history in "
                              "wfm.toml") -> list[Path]:
    """The files matched by glob patterns (relative to ``base_dir``), each pattern's
    matches sorted, patterns in order (a later file wins where files overlap).

    Raises :class:`InputDataError` when there is no pattern (with ``hint``) or a pattern
    matches nothing (naming the configuration ``key`` it came from).
    """
    if not patterns:
        raise InputDataError("no files to ingest", hint=hint)
    out: list[Path] = []
    for pattern in patterns:
        full = pattern if Path(pattern).is_absolute() else str(base_dir / pattern)
        hits = sorted(glob.glob(full))  # noqa: PTH207 - absolute patterns with folders
        if not hits:
            raise InputDataError(f"{key} pattern {pattern!r} matches no file in {base_dir}",
                                 hint="check the export landed, or fix the pattern")
        out.extend(Path(h) for h in hits)
    return out


def data_health(data_dir: Path, settings: HealthSettings,
                queues: Sequence[str] | None = None) -> pd.DataFrame:
    """Data-health findings of the stored intervals, read one queue at a time.

    Raises :class:`InputDataError` when the store is empty or a queue is not stored.
    """
    wanted = list(queues) if queues else stored_queues(data_dir)
    if not wanted:
        read_intervals(data_dir)  # raises the "store is empty" error with its hint
    parts = [empty_findings()]
    for q in wanted:
        parts.append(health_findings(
            read_intervals(data_dir, queues=[q]), settings))
    return _concat(parts)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    if not rows:
        return empty_findings()
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype({"count": "int64"})


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    nonempty = [p for p in parts if not p.empty]
    if not nonempty:
        return empty_findings()
    return pd.concat(nonempty, ignore_index=True)[list(FINDING_COLUMNS)]


def _stage_file(path: Path, index: int, cmap: ColumnMapping, stage: _Staging, *, tz: str,
                interval_minutes: int, chunk_rows: int, aggregate: bool
                ) -> tuple[int, list[dict[str, object]]]:
    """Stage one file; read it again when the first read guessed the encoding or a
    column's decimal mark wrong. Returns the rows read and the file's notes (findings)."""
    kind = file_kind(path)
    dialect = sniff_csv(path, cmap.required_sources()) if kind == "csv" else None
    layout = sniff_xlsx(path, cmap.required_sources()) if kind == "xlsx" else None
    styles: dict[str, str] = {}
    for _ in range(3):
        try:
            n, conv = _stage_chunks(path, index, cmap, stage, kind=kind, dialect=dialect,
                                    layout=layout, tz=tz, interval_minutes=interval_minutes,
                                    chunk_rows=chunk_rows, aggregate=aggregate, styles=styles)
        except EncodingMismatchError:
            if dialect is None or dialect.encoding != "utf-8":
                raise
            # UTF-8 in the sniffed first megabyte, not later: an ANSI (cp1252) export.
            stage.drop_file(index)
            dialect = dataclasses.replace(dialect, encoding="cp1252")
            continue
        again = conv.finish()
        if again is None:
            skipped = dialect.skipped if dialect else layout.skipped if layout else ()
            return n, _title_notes(path, skipped) + conv.notes()
        # Ambiguous numbers (1,234) were read before the cells telling the decimal mark.
        stage.drop_file(index)
        styles = again
    raise AssertionError("a file is read at most three times")  # pragma: no cover


def _title_notes(path: Path, skipped: tuple[tuple[int, str], ...]
                 ) -> list[dict[str, object]]:
    if not skipped:
        return []
    shown = ", ".join(f"{line} ({text!r})" for line, text in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return [{"queue": "", "channel": "", "severity": "warning", "check": "skipped_rows",
             "count": len(skipped),
             "detail": f"{path}: line(s) above the header skipped (report title or filter): "
                       f"{shown}{more}"}]


def _stage_chunks(path: Path, index: int, cmap: ColumnMapping, stage: _Staging, *, kind: str,
                  dialect: CsvDialect | None, layout: SheetLayout | None, tz: str,
                  interval_minutes: int, chunk_rows: int, aggregate: bool,
                  styles: dict[str, str]) -> tuple[int, ChunkConverter]:
    header = read_header(path, kind, dialect, layout)
    headers = match_headers(cmap, header, path)
    # With a comma delimiter, 1,234 must have been quoted: a thousands separator.
    default = "." if dialect is not None and dialect.delimiter == "," else None
    conv = ChunkConverter(cmap, headers, path, default, tz, interval_minutes, aggregate,
                          styles)
    rows = 0
    for chunk in read_chunks(path, kind, dialect, usecols=conv.usecols(),
                             text_cols=conv.text_columns(), chunk_rows=chunk_rows,
                             layout=layout):
        if chunk.frame.empty:
            continue
        frame = conv.convert(chunk)
        if frame.empty:
            continue
        frame[FILE] = index
        stage.add(frame, index)
        rows += len(frame)
    if rows == 0:
        raise InputDataError(f"{path}: the file has a header but no data rows")
    return rows, conv


class _Staging:
    """Canonical rows parked on disk per queue until every file has been read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._ids: dict[str, int] = {}
        self._n = 0
        # file -> (queue, channel) -> [rows, first line]
        self._seen: dict[int, dict[tuple[str, str], list[int]]] = {}
        self._resolved: list[str] = []

    def add(self, frame: pd.DataFrame, file_index: int) -> None:
        self._n += 1
        seen = self._seen.setdefault(file_index, {})
        for (queue, channel), part in frame.groupby([QUEUE, CHANNEL], sort=False):
            entry = seen.setdefault((str(queue), str(channel)), [0, int(part[LINE].iloc[0])])
            entry[0] += len(part)
        for queue, part in frame.groupby(QUEUE, sort=False):
            qid = self._ids.setdefault(str(queue), len(self._ids))
            folder = self.root / str(qid)
            folder.mkdir(exist_ok=True)
            write_parquet(part, folder / f"0{file_index:05d}-{self._n:06d}.parquet")

    def seen(self, names: Sequence[str]) -> dict[tuple[str, str], SeenSeries]:
        """Each staged (queue, channel): its rows and where it first appeared."""
        out: dict[tuple[str, str], SeenSeries] = {}
        for index in sorted(self._seen):
            for key, (rows, line) in self._seen[index].items():
                old = out.get(key)
                out[key] = SeenSeries(rows + (old.rows if old else 0),
                                      old.file if old else names[index],
                                      old.line if old else line)
        return out

    def drop_file(self, file_index: int) -> None:
        """Forget what one file staged (to read it again)."""
        self._seen.pop(file_index, None)
        for p in self.root.glob(f"*/0{file_index:05d}-*.parquet"):
            p.unlink()
        for queue, qid in list(self._ids.items()):
            if not any((self.root / str(qid)).glob("0*.parquet")):
                del self._ids[queue]

    def queues(self) -> list[str]:
        return sorted(self._ids)

    def read(self, queue: str) -> pd.DataFrame:
        folder = self.root / str(self._ids[queue])
        parts = [read_parquet(p) for p in sorted(folder.glob("0*.parquet"))]
        return pd.concat(parts, ignore_index=True)

    def save_resolved(self, queue: str, frame: pd.DataFrame) -> None:
        write_parquet(frame, self.root / str(self._ids[queue]) / "resolved.parquet")
        self._resolved.append(queue)

    def resolved_queues(self) -> list[str]:
        return list(self._resolved)

    def read_resolved(self, queue: str) -> pd.DataFrame:
        return read_parquet(self.root / str(self._ids[queue]) / "resolved.parquet")


def _aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum the rows of each file that fall in one interval (after flooring to the grid)."""
    key = [QUEUE, CHANNEL, INTERVAL_START, FILE]
    how: dict[str, Any] = {LINE: "first"}
    for c in INTERVALS.columns:
        if c.name in frame.columns and c.name not in key:
            how[c.name] = "last" if c.name == BACKLOG else "first" if c.name == SL_THRESHOLD_S \
                else lambda s: s.sum(min_count=1)
    ordered = frame.sort_values([*key, LINE], kind="stable")
    out = ordered.groupby(key, sort=False, as_index=False).agg(how)
    for c in INTERVALS.columns:
        if c.kind == "count" and c.name in out.columns:
            out[c.name] = out[c.name].astype("Int64")
    return out


def _resolve(frame: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop identical repeats inside a file, let the later file win across files; raise on
    conflicting repeats inside one file."""
    key = [CHANNEL, INTERVAL_START]
    values = [c for c in INTERVALS.names if c in frame.columns and c not in (*key, QUEUE)]
    f = frame.sort_values([*key, FILE, LINE], kind="stable").reset_index(drop=True)
    notes: list[dict[str, object]] = []
    queue = str(f[QUEUE].iloc[0])
    repeat = f.duplicated([*key, FILE], keep="first")
    if repeat.any():
        identical = f.duplicated([*key, FILE, *values], keep="first")
        conflict = repeat & ~identical
        if conflict.any():
            row = f.loc[conflict].iloc[0]
            same = f.loc[(f[CHANNEL] == row[CHANNEL]) & (f[INTERVAL_START] == row[INTERVAL_START])
                         & (f[FILE] == row[FILE])]
            lines = " and ".join(str(int(x)) for x in same[LINE].iloc[:2])
            raise InputDataError(
                f"{names[int(row[FILE])]}: lines {lines} both hold queue {queue!r} channel "
                f"{row[CHANNEL]!r} interval {row[INTERVAL_START].isoformat()} with different "
                "values; keep one of them")
        notes.append({"queue": queue, "channel": str(f.loc[repeat, CHANNEL].iloc[0]),
                      "severity": "warning", "check": "duplicate_rows",
                      "count": int(repeat.sum()),
                      "detail": "identical repeated rows inside a file were dropped"})
        f = f.loc[~repeat]
    overlap = f.duplicated(key, keep="last")
    if overlap.any():
        notes.append({"queue": queue, "channel": str(f.loc[overlap, CHANNEL].iloc[0]),
                      "severity": "info", "check": "overlapping_files",
                      "count": int(overlap.sum()),
                      "detail": "intervals in more than one file; the file given last wins"})
        f = f.loc[~overlap]
    out = pd.DataFrame(notes, columns=list(FINDING_COLUMNS)) if notes else empty_findings()
    return f.reset_index(drop=True), out
