"""Run the pipeline: lock, steps, staged outputs, one commit, ``latest`` for every area.

A run never writes into a visible output folder while it works. Each area it produces
(forecasts, requirements, schedules, reports) is built in ``<area>/.tmp-<run-id>.stage``;
only when every step succeeded does the commit:

1. rename each staged folder to ``<area>/<run-id>`` (complete, manifest included);
2. write the commit journal (``.wfm-run.commit`` beside the lock file) naming the run;
3. point ``<area>/latest`` at the run for every area, then delete the journal;
4. apply ``--keep N`` retention.

A run killed anywhere is repaired by the next run, under the lock, before it starts: a
journal left behind means step 3 was interrupted, so it is finished (roll forward, every
``latest`` then agrees); no journal means the dead run never committed, so its staged
folders and any folder already renamed in step 1 are deleted (roll back). Either way every
``latest`` points at one complete run and no partial file is visible.

``WFM_TEST_PAUSE_AT`` (tests only) names pause points, comma-separated: ``before:<step>``,
``after:<step>``, ``commit:<area>`` (before that area's rename) and ``latest:<area>``
(before that area's ``latest`` moves). The run logs ``event=pause`` and sleeps
``WFM_TEST_PAUSE_S`` seconds (default 60) there, so a test can SIGKILL it at that point.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wfm.config import Config
from wfm.errors import ConfigError, LockHeldError, OutputError, WfmError
from wfm.outputs import (
    LATEST,
    TMP_PREFIX,
    atomic_write_text,
    list_runs,
    new_run_id,
    set_latest,
    sha256_file,
    write_manifest,
)
from wfm.pipeline.lock import HeldLock, LockInfo, acquire_lock
from wfm.pipeline.runlog import RunLog
from wfm.pipeline.steps import (
    AREAS,
    RunOptions,
    StepContext,
    StepFunction,
    area_roots,
    load_step,
)

PAUSE_ENV = "WFM_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "WFM_TEST_PAUSE_S"
JOURNAL_NAME = ".wfm-run.commit"
MANIFEST = "manifest.json"
STORE_FOLDER = "intervals"


@dataclass
class StepOutcome:
    """How one step went: ``ok``, ``failed`` or ``not run``."""

    name: str
    status: str = "not run"
    duration_s: float = 0.0
    rows: int = 0
    warnings: int = 0
    error: str = ""
    unit: str = "rows"


@dataclass
class RunSummary:
    """The outcome of one run, with the one-line summary a cron mail shows."""

    run_id: str
    status: str
    duration_s: float
    steps: list[StepOutcome]
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    failed_step: str | None = None
    error: str = ""

    def line(self) -> str:
        if self.status == "ok":
            done = ", ".join(f"{s.name} {s.rows} {s.unit} {s.duration_s:.1f}s"
                             for s in self.steps)
            n = len(self.warnings)
            warn = f"; {n} warning{'s' if n != 1 else ''}" if n else ""
            areas = ", ".join(sorted(self.outputs)) or "nothing"
            return (f"run {self.run_id} ok in {self.duration_s:.1f}s: {done}{warn}; "
                    f"latest -> {self.run_id} for {areas}")
        return (f"run {self.run_id} FAILED at step {self.failed_step} after "
                f"{self.duration_s:.1f}s: {self.error} (previous outputs and latest "
                "unchanged)")


class StepFailedError(WfmError):
    """A step raised a WfmError; carries the run summary and the step's exit code."""

    def __init__(self, summary: RunSummary, cause: WfmError) -> None:
        super().__init__(summary.line(), hint=cause.hint)
        self.summary = summary
        self.exit_code = cause.exit_code


def resolve_options(cfg: Config, *, steps: tuple[str, ...] | None = None,
                    keep: int | None = None, wait_s: float = 0.0,
                    log_file: Path | None = None) -> RunOptions:
    """[run] settings overridden by the command line (``None`` keeps wfm.toml's value)."""
    run = cfg.run
    return RunOptions(
        steps=steps if steps is not None else run.steps,
        inputs=run.inputs if run.inputs is not None else cfg.data.history,
        horizon=run.horizon or cfg.forecasting.horizon,
        agents=run.agents or _scheduling_agents(cfg), week=run.week, reports=run.reports,
        keep=run.keep if keep is None else keep, wait_s=wait_s, log_file=log_file)


def _scheduling_agents(cfg: Config) -> Path | None:
    """``[scheduling] agents_file`` (relative to wfm.toml), the default of [run] agents."""
    name = cfg.scheduling.agents_file
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() else cfg.base_dir / path


def _pause(point: str, log: RunLog) -> None:
    wanted = os.environ.get(PAUSE_ENV, "")
    if point in {p.strip() for p in wanted.split(",")}:
        log.event("pause", point=point, pid=os.getpid())
        sys.stderr.write(f"wfm: test pause at {point}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "60")))


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Stages:
    """The run's temporary folder per area, created on first use."""

    def __init__(self, roots: dict[str, Path], run_id: str) -> None:
        self.roots = roots
        self.run_id = run_id
        self.folders: dict[str, Path] = {}

    def stage(self, area: str) -> Path:
        if area not in self.folders:
            root = self.roots[area]
            folder = root / f"{TMP_PREFIX}{self.run_id}.stage"
            try:
                root.mkdir(parents=True, exist_ok=True)
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"{folder}: cannot create the staging folder "
                                  f"({exc.strerror})") from None
            self.folders[area] = folder
        return self.folders[area]

    def staged(self, area: str) -> Path | None:
        return self.folders.get(area)

    def discard(self) -> None:
        for folder in self.folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def run_pipeline(cfg: Config, options: RunOptions, *, log: RunLog | None = None,
                 run_id: str | None = None,
                 loader: Callable[[str], StepFunction] = load_step) -> RunSummary:
    """Run ``options.steps`` under the project lock and commit their outputs together.

    Raises
    ------
    ConfigError
        A step is unknown or unavailable (before anything is locked or written).
    LockHeldError
        Another run holds the lock after ``options.wait_s`` seconds (exit code 75).
    StepFailedError
        A step failed; nothing of this run is visible and every ``latest`` is unchanged.
    """
    run_id = run_id or new_run_id()
    log = log or RunLog(run_id)
    functions = {name: loader(name) for name in options.steps}
    roots = area_roots(cfg)
    _check_distinct(cfg, roots)
    lock_path = cfg.run.lock_file
    journal = lock_path.parent / JOURNAL_NAME
    started = time.monotonic()
    with _locked(lock_path, run_id, options.wait_s, roots, log) as held:
        log.event("start", steps=",".join(options.steps), pid=os.getpid(),
                  config=str(cfg.path))
        _recover(held, roots, journal, cfg.paths.data_dir, log)
        stages = _Stages(roots, run_id)
        ctx = StepContext(cfg, options, run_id, stages.stage, stages.staged)
        outcomes = [StepOutcome(name) for name in options.steps]
        try:
            for outcome in outcomes:
                _run_step(outcome, functions[outcome.name], ctx, log)
            meta = {"id": run_id, "steps": list(options.steps), "started": held.info.started,
                    "finished": _utc_now()}
            with _environment_errors():
                for area, folder in stages.folders.items():
                    _finalize_manifest(folder, ctx.manifest.get(area, {}), meta)
                outputs = _commit(stages, journal, log)
        except WfmError as exc:
            stages.discard()
            failed = next((o for o in outcomes if o.status == "failed"), None)
            summary = RunSummary(run_id, "failed", time.monotonic() - started, outcomes,
                                 warnings=ctx.warnings,
                                 failed_step=failed.name if failed else "commit",
                                 error=exc.message)
            log.event("end", status="failed", failed_step=summary.failed_step,
                      duration_s=summary.duration_s, error=exc.message)
            raise StepFailedError(summary, exc) from None
        except BaseException as exc:
            stages.discard()
            log.event("end", status="crashed", duration_s=time.monotonic() - started,
                      error=f"{type(exc).__name__}: {exc}")
            raise
        try:
            removed = _retain(roots, outputs, options.keep, run_id, log)
        except OSError as exc:  # the run itself succeeded: retention waits for the next
            removed = []
            ctx.warn(f"retention: could not delete old runs ({exc})")
            log.event("warning", step="retention", message=str(exc))
        summary = RunSummary(run_id, "ok", time.monotonic() - started, outcomes, outputs,
                             ctx.warnings, removed)
        log.event("end", status="ok", duration_s=summary.duration_s,
                  rows=sum(o.rows for o in outcomes), warnings=len(ctx.warnings))
        return summary


#: OS errors that are the machine's state, not a bug: reported as OutputError (exit 1).
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                 errno.EPERM, errno.EIO, errno.EMFILE, errno.ENFILE})


def _environment_error(exc: OSError) -> OutputError | None:
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
def _environment_errors() -> Iterator[None]:
    """Raise disk-full, read-only and permission errors as OutputError."""
    try:
        yield
    except OSError as exc:
        translated = _environment_error(exc)
        if translated is None:
            raise
        raise translated from exc


@contextlib.contextmanager
def _locked(lock_path: Path, run_id: str, wait_s: float, roots: dict[str, Path],
            log: RunLog) -> Iterator[HeldLock]:
    """The project lock; a run turned away by it still leaves its line in the log."""
    try:
        held = acquire_lock(lock_path, run_id, wait_s=wait_s,
                            roots=tuple(str(r) for r in roots.values()))
    except LockHeldError as exc:
        log.event("end", status="lock_held", error=exc.message)
        raise
    try:
        yield held
    finally:
        held.release()


def _check_distinct(cfg: Config, roots: dict[str, Path]) -> None:
    """Each area needs its own folder: run folders and ``latest`` are per area."""
    seen: dict[Path, str] = {}
    for area, root in roots.items():
        other = seen.setdefault(root.resolve(), area)
        if other != area:
            raise ConfigError(
                f"{cfg.path}: [paths] puts {other} and {area} in the same folder {root}; "
                "wfm run writes one run folder and one latest per area",
                hint="give each of forecasts_dir, schedules_dir and reports_dir its own "
                     "folder (requirements go beside forecasts_dir)")


def _run_step(outcome: StepOutcome, fn: StepFunction, ctx: StepContext, log: RunLog) -> None:
    name = outcome.name
    _pause(f"before:{name}", log)
    log.event("start", step=name)
    t0 = time.monotonic()
    n_warnings = len(ctx.warnings)
    try:
        # A library warning of the step (numpy, pandas...) goes to the run log as one of
        # its warnings, not to stderr: a quiet cron run stays quiet and loses nothing.
        with _environment_errors(), warnings.catch_warnings(record=True) as caught:
            result = fn(ctx)
        for note in dict.fromkeys(f"{w.category.__name__}: {w.message} "
                                  f"({Path(w.filename).name}:{w.lineno})" for w in caught):
            ctx.warn(note)
    except WfmError as exc:
        outcome.status, outcome.error = "failed", exc.message
        outcome.duration_s = time.monotonic() - t0
        log.event("end", step=name, status="failed", duration_s=outcome.duration_s,
                  error=exc.message)
        raise
    except BaseException as exc:
        outcome.status, outcome.error = "failed", f"{type(exc).__name__}: {exc}"
        log.event("end", step=name, status="crashed", duration_s=time.monotonic() - t0,
                  error=outcome.error)
        raise
    outcome.duration_s = time.monotonic() - t0
    outcome.status, outcome.rows, outcome.unit = "ok", result.rows, result.unit
    new = ctx.warnings[n_warnings:]
    outcome.warnings = len(new)
    for message in new:
        log.event("warning", step=name, message=message)
    log.event("end", step=name, status="ok", duration_s=outcome.duration_s,
              rows=result.rows, warnings=len(new),
              outputs=",".join(result.outputs) or None)
    _pause(f"after:{name}", log)


def output_checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file of a run folder but its manifest (what ``outputs`` lists)."""
    return {p.relative_to(folder).as_posix(): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def content_digest(outputs: dict[str, str]) -> str:
    """One sha256 over the sorted (file, checksum) list: equal iff the outputs are equal."""
    text = "\n".join(f"{k} {v}" for k, v in sorted(outputs.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _finalize_manifest(folder: Path, entries: dict[str, Any], meta: dict[str, Any]) -> None:
    """Merge the step's manifest (if any), the steps' entries and the run metadata.

    ``run`` (id, started, finished) is the only part that changes between two runs on the
    same inputs; ``outputs`` and ``content_sha256`` do not.
    """
    path = folder / MANIFEST
    body: dict[str, Any] = {}
    if path.exists():
        body = json.loads(path.read_text(encoding="utf-8"))
        body.pop("outputs", None)
    body.update(entries)
    body["run"] = meta
    body["content_sha256"] = content_digest(output_checksums(folder))
    write_manifest(folder, body)


def _commit(stages: _Stages, journal: Path, log: RunLog) -> dict[str, Path]:
    run_id = stages.run_id
    finals: dict[str, Path] = {}
    try:
        for area in (a for a in AREAS if a in stages.folders):
            folder = stages.folders[area]
            _pause(f"commit:{area}", log)
            final = stages.roots[area] / run_id
            os.chmod(folder, 0o755)
            os.replace(folder, final)
            finals[area] = final
    except BaseException:
        for final in finals.values():  # not committed yet: take back what was renamed
            shutil.rmtree(final, ignore_errors=True)
        raise
    stages.folders = {}  # renamed: nothing left to discard
    body = {"run_id": run_id, "areas": {a: str(p.parent) for a, p in finals.items()}}
    atomic_write_text(journal, json.dumps(body, sort_keys=True) + "\n")
    for area, final in finals.items():
        _pause(f"latest:{area}", log)
        set_latest(final.parent, run_id)
    journal.unlink()
    log.event("commit", areas=",".join(finals) or "none")
    return finals


def _recover(held: HeldLock, roots: dict[str, Path], journal: Path, data_dir: Path,
             log: RunLog) -> None:
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
        _roll_back(stale, roots, data_dir)
        log.event("recovered", action="roll_back", dead_run=stale.run_id,
                  dead_pid=stale.pid, dead_started=stale.started)


def _roll_back(stale: LockInfo, roots: dict[str, Path], data_dir: Path) -> None:
    for root in roots.values():
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
    # A store partition being rewritten when the run died leaves its temporary file.
    store = data_dir / STORE_FOLDER
    if store.is_dir():
        for leftover in store.glob(f"*/{TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _retain(roots: dict[str, Path], outputs: dict[str, Path], keep: int, run_id: str,
            log: RunLog) -> list[Path]:
    """Delete all but the ``keep`` newest runs of each area this run wrote (0 keeps all)."""
    removed: list[Path] = []
    if keep <= 0:
        return removed
    for area in outputs:
        root = roots[area]
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
