"""A run in progress: staged folders, one commit, ``latest`` for every area, recovery.

A run never writes into a visible output folder while it works. Each area it produces
is built in ``<area root>/.tmp-<run-id>.stage``; only when every step succeeded does the
commit:

1. write each staged folder's manifest, then rename it to ``<area root>/<run-id>``;
2. write the commit journal (``.wfm-run.commit`` beside the lock file) naming the run;
3. point ``<area root>/latest`` at the run for every area, then delete the journal.

A run killed anywhere is repaired by the next run, under the lock, before it starts: a
journal left behind means step 3 was interrupted, so it is finished (roll forward, every
``latest`` then agrees); no journal means the dead run never committed, so its staged
folders and any folder already renamed in step 1 are deleted (roll back). Either way every
``latest`` points at one complete run and no partial file is visible.

Every job that publishes (a single command such as `wfm forecast`, or all the steps of
`wfm run`) goes through :func:`open_run`, so they share the lock, the staging and the
commit.

``WFM_TEST_PAUSE_AT`` (tests only) names pause points, comma-separated: ``before:<step>``,
``after:<step>``, ``commit:<area>`` (before that area's rename) and ``latest:<area>``
(before that area's ``latest`` moves). The run logs ``event=pause`` and sleeps
``WFM_TEST_PAUSE_S`` seconds (default 60) there, so a test can SIGKILL it at that point.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wfm.errors import ConfigError, LockHeldError, OutputError
from wfm.outputs import TMP_PREFIX, atomic_write_text
from wfm.pipeline.lock import HeldLock, LockInfo, acquire_lock
from wfm.pipeline.run_folders.layout import (
    AREAS,
    JOURNAL_FILE,
    LATEST,
    RunFolders,
    list_runs,
    new_run_id,
    set_latest,
)
from wfm.pipeline.run_folders.manifests import write_manifest
from wfm.pipeline.runlog import RunLog

PAUSE_ENV = "WFM_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "WFM_TEST_PAUSE_S"


class Run:
    """One run in progress: the folder it stages per area, its manifest entries and
    warnings. Made by :func:`open_run`; jobs write their files into :meth:`stage`."""

    def __init__(self, folders: RunFolders, run_id: str, log: RunLog, *, started: str,
                 journal: Path) -> None:
        self.folders = folders
        self.run_id = run_id
        self.log = log
        self.started = started
        self.warnings: list[str] = []
        self._journal = journal
        self._staged: dict[str, Path] = {}
        self._entries: dict[str, dict[str, Any]] = {}
        self.committed: dict[str, Path] = {}

    def stage(self, area: str) -> Path:
        """The run's temporary folder for ``area``, created on first use."""
        if area not in self._staged:
            root = self.folders.root(area)
            folder = root / f"{TMP_PREFIX}{self.run_id}.stage"
            try:
                root.mkdir(parents=True, exist_ok=True)
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"{_blocking_path(root)}: cannot create the {area} "
                                  f"folder ({exc.strerror})",
                                  hint="check [paths] in wfm.toml names folders, not files"
                                  ) from None
            self._staged[area] = folder
        return self._staged[area]

    def staged(self, area: str) -> Path | None:
        return self._staged.get(area)

    def source(self, area: str) -> Path | None:
        """This run's folder of ``area`` if it staged one, else the area's ``latest``."""
        return self._staged.get(area) or self.folders.latest(area)

    def final(self, area: str) -> Path:
        """Where ``area``'s staged folder will be once the run commits."""
        return self.folders.root(area) / self.run_id

    def final_path(self, path: Path) -> Path:
        """``path`` as it will be named after the commit (unchanged if not staged here)."""
        for area, folder in self._staged.items():
            if path.is_relative_to(folder):
                return self.final(area) / path.relative_to(folder)
        return path

    def record(self, area: str, **entries: Any) -> None:
        """Add entries to the manifest of ``area``'s run folder."""
        self._entries.setdefault(area, {}).update(entries)

    def recorded(self, area: str) -> dict[str, Any]:
        """The manifest entries recorded so far for ``area`` (written at the commit)."""
        return dict(self._entries.get(area, {}))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def commit(self, steps: list[str]) -> dict[str, Path]:
        """Write the manifests, publish every staged folder and move every ``latest``."""
        meta = {"id": self.run_id, "steps": steps, "started": self.started,
                "finished": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        with environment_errors():
            for area, folder in self._staged.items():
                write_manifest(folder, {**self._entries.get(area, {}), "run": meta})
            self.committed = self._publish()
        return self.committed

    def discard(self) -> None:
        for folder in self._staged.values():
            shutil.rmtree(folder, ignore_errors=True)
        self._staged = {}

    def _publish(self) -> dict[str, Path]:
        finals: dict[str, Path] = {}
        try:
            for area in (a for a in AREAS if a in self._staged):
                pause(f"commit:{area}", self.log)
                final = self.final(area)
                os.chmod(self._staged[area], 0o755)
                os.replace(self._staged[area], final)
                finals[area] = final
        except BaseException:
            for final in finals.values():  # not committed yet: take back what was renamed
                shutil.rmtree(final, ignore_errors=True)
            raise
        self._staged = {}  # renamed: nothing left to discard
        body = {"run_id": self.run_id, "areas": {a: str(p.parent) for a, p in finals.items()}}
        atomic_write_text(self._journal, json.dumps(body, sort_keys=True) + "\n")
        for area, final in finals.items():
            pause(f"latest:{area}", self.log)
            set_latest(final.parent, self.run_id)
        self._journal.unlink()
        self.log.event("commit", areas=",".join(finals) or "none")
        return finals


def _blocking_path(root: Path) -> Path:
    """The first existing non-folder on the way to ``root`` (what stops mkdir), or root."""
    for parent in (*reversed(root.parents), root):
        if parent.exists() and not parent.is_dir():
            return parent
    return root


@contextlib.contextmanager
def open_run(folders: RunFolders, *, lock_file: Path, source: str,
             run_id: str | None = None, wait_s: float = 0.0,
             log: RunLog | None = None) -> Iterator[Run]:
    """Take the project lock, repair what a killed run left, and yield a new :class:`Run`.

    Whatever the run staged and did not commit is deleted when the block ends (on an
    error, a signal or a normal end without :meth:`Run.commit`).

    Raises
    ------
    ConfigError
        Two areas share one folder (``source`` names the configuration file).
    LockHeldError
        Another run holds the lock after ``wait_s`` seconds (exit code 75).
    """
    run_id = run_id or new_run_id()
    log = log or RunLog(run_id)
    check_distinct(folders, source)
    journal = lock_file.parent / JOURNAL_FILE
    with _locked(lock_file, run_id, wait_s, folders, log) as held:
        recover(held, folders, journal, log)
        run = Run(folders, run_id, log, started=held.info.started, journal=journal)
        try:
            yield run
        finally:
            run.discard()


def pause(point: str, log: RunLog) -> None:
    wanted = os.environ.get(PAUSE_ENV, "")
    if point in {p.strip() for p in wanted.split(",")}:
        log.event("pause", point=point, pid=os.getpid())
        sys.stderr.write(f"wfm: test pause at {point}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "60")))


#: OS errors that are the machine's state, not a bug: reported as OutputError (exit 1).
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                 errno.EPERM, errno.EIO, errno.EMFILE, errno.ENFILE})


def environment_error(exc: OSError) -> OutputError | None:
    """Disk full, read-only or permission errors as one clear line; others stay bugs."""
    if exc.errno not in _ENVIRONMENT_ERRNOS:
        return None
    where = exc.filename or "an output file"
    hints = {errno.ENOSPC: "free disk space (or lower [run] keep), then rerun",
             errno.EDQUOT: "free space in your quota (or lower [run] keep), then rerun"}
    return OutputError(f"{where}: {exc.strerror or exc}",
                       hint=hints.get(exc.errno or 0, "check the folder's permissions, "
                                                      "then rerun"))


@contextlib.contextmanager
def environment_errors() -> Iterator[None]:
    """Raise disk-full, read-only and permission errors as OutputError."""
    try:
        yield
    except OSError as exc:
        translated = environment_error(exc)
        if translated is None:
            raise
        raise translated from exc


@contextlib.contextmanager
def _locked(lock_path: Path, run_id: str, wait_s: float, folders: RunFolders,
            log: RunLog) -> Iterator[HeldLock]:
    """The project lock; a run turned away by it still leaves its line in the log."""
    try:
        held = acquire_lock(lock_path, run_id, wait_s=wait_s,
                            roots=tuple(str(r) for r in folders.roots().values()))
    except LockHeldError as exc:
        log.event("end", status="lock_held", error=exc.message)
        raise
    try:
        yield held
    finally:
        held.release()


def check_distinct(folders: RunFolders, source: str) -> None:
    """Each area needs its own folder: run folders and ``latest`` are per area."""
    seen: dict[Path, str] = {}
    for area, root in folders.roots().items():
        other = seen.setdefault(root.resolve(), area)
        if other != area:
            raise ConfigError(
                f"{source}: [paths] puts {other} and {area} in the same folder {root}; "
                "each run writes one run folder and one latest per area",
                hint="give each of forecasts_dir, schedules_dir and reports_dir its own "
                     "folder (requirements go beside forecasts_dir)")


def recover(held: HeldLock, folders: RunFolders, journal: Path, log: RunLog) -> None:
    """Finish or undo what a killed run left (see the module docstring)."""
    if journal.exists():
        try:
            body = json.loads(journal.read_text(encoding="utf-8"))
            run_id, areas = str(body["run_id"]), dict(body["areas"])
        except (OSError, ValueError, KeyError, TypeError):
            # Written atomically, so unreadable means tampered with: ignore, roll back.
            run_id, areas = "", {}
        for root in map(Path, areas.values()):
            if (root / run_id).is_dir():
                set_latest(root, run_id)
        journal.unlink()
        if run_id:
            log.event("recovered", action="roll_forward", dead_run=run_id)
    stale = held.stale
    if stale is not None:
        _roll_back(stale, folders)
        log.event("recovered", action="roll_back", dead_run=stale.run_id,
                  dead_pid=stale.pid, dead_started=stale.started)


def _roll_back(stale: LockInfo, folders: RunFolders) -> None:
    for root in folders.roots().values():
        if not root.is_dir():
            continue
        for leftover in root.glob(f"{TMP_PREFIX}{stale.run_id}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            (root / f"{TMP_PREFIX}{LATEST}.{stale.pid}").unlink()
        renamed = root / stale.run_id
        latest = root / LATEST
        if renamed.is_dir() and not (latest.is_symlink()
                                     and str(latest.readlink()) == stale.run_id):
            shutil.rmtree(renamed, ignore_errors=True)


def retain(folders: RunFolders, outputs: dict[str, Path], keep: int, run_id: str,
           log: RunLog) -> list[Path]:
    """Delete all but the ``keep`` newest runs of each area this run wrote (0 keeps all)."""
    removed: list[Path] = []
    if keep <= 0:
        return removed
    for area in outputs:
        root = folders.root(area)
        latest = root / LATEST
        current = str(latest.readlink()) if latest.is_symlink() else None
        old = [r for r in list_runs(root)[:-keep] if r != current]
        for run in old:
            # Renamed out of sight first: a run killed mid-delete leaves only a hidden
            # folder (named after this run, so the next run's recovery removes it).
            trash = root / f"{TMP_PREFIX}{run_id}.trash-{run}"
            os.replace(root / run, trash)
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(root / run)
    if removed:
        log.event("retention", keep=keep, removed=len(removed))
    return removed
