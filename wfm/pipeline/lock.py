"""The project lock: one ``wfm run`` at a time, recovered automatically after a crash.

Why POSIX record locks (``fcntl.lockf``) rather than ``O_CREAT|O_EXCL`` plus a pid check or
``flock``:

* the kernel drops the lock the moment its holder dies (SIGKILL, OOM, power loss on a
  local disk), so a stale lock can never block the next run and there is no window in
  which two processes both decide the holder is dead and both take over (the classic race
  of pid-file locks, made worse by pid reuse);
* unlike ``flock``, a POSIX lock belongs to the *process*, not the open file: the worker
  processes the forecast step forks do not inherit it, so a killed run whose workers are
  still finishing a task cannot keep the lock alive.

The lock file is never deleted (deleting it would let a waiting process lock a file that
no longer has a name). While held it carries a JSON line with the holder's pid, host,
start time and run id; a clean release empties it. So a non-empty file that we manage to
lock was left by a run that died, and its run id tells us which partial outputs to clear.
Locks on network filesystems are only as good as the server's lock support: keep the
project on a local disk (documented in docs/running.md).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wfm.errors import LockHeldError, OutputError

_POLL_S = 0.2
#: Lock files held by this process: POSIX locks never conflict within one process, so a
#: second in-process acquisition would silently succeed without this guard.
_HELD_HERE: set[Path] = set()


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or held) the lock."""

    pid: int
    host: str
    started: str
    run_id: str
    roots: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, run {self.run_id} started {self.started}"


def read_lock_info(path: Path) -> LockInfo | None:
    """The holder recorded in ``path``, or ``None`` when empty, missing or unreadable.

    Never call this from the process holding the lock: closing any descriptor of the file
    drops a POSIX lock. The holder reads through its own descriptor (``_info_from_fd``).
    """
    try:
        return _parse_info(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def _info_from_fd(fd: int) -> LockInfo | None:
    return _parse_info(os.pread(fd, 65536, 0).decode("utf-8", "replace"))


def _parse_info(text: str) -> LockInfo | None:
    text = text.strip()
    try:
        raw: dict[str, Any] = json.loads(text) if text else {}
        return LockInfo(int(raw["pid"]), str(raw["host"]), str(raw["started"]),
                        str(raw["run_id"]), tuple(str(r) for r in raw.get("roots", ())))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class HeldLock:
    """A lock this process holds; ``stale`` is the dead holder it took over, if any."""

    path: Path
    fd: int
    info: LockInfo
    stale: LockInfo | None

    def release(self) -> None:
        """Empty the file (a clean end) and drop the lock."""
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        with contextlib.suppress(OSError):
            fcntl.lockf(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        _HELD_HERE.discard(self.path)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


def acquire_lock(path: Path, run_id: str, *, wait_s: float = 0.0,
                 roots: tuple[str, ...] = ()) -> HeldLock:
    """Take the project lock, waiting up to ``wait_s`` seconds for another run to finish.

    Raises
    ------
    LockHeldError
        Another live process holds the lock after ``wait_s`` seconds (exit code 75).
    OutputError
        The lock file cannot be created or opened.
    """
    path = path.resolve()
    if path in _HELD_HERE:
        raise LockHeldError(f"{path}: this process already holds the run lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{path}: cannot open the run lock file ({exc.strerror})") from None
    deadline = time.monotonic() + wait_s
    try:
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = read_lock_info(path)
                who = holder.describe() if holder else "another process"
                waited = f" after waiting {wait_s:g}s" if wait_s > 0 else ""
                raise LockHeldError(
                    f"another wfm run holds the lock {path} ({who}){waited}",
                    hint="let it finish, or pass --wait SECONDS to queue behind it",
                )
            time.sleep(_POLL_S)
    except BaseException:
        os.close(fd)
        raise
    stale = _info_from_fd(fd)  # non-empty yet lockable: its holder died
    info = LockInfo(os.getpid(), socket.gethostname(),
                    datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), run_id, roots)
    body = json.dumps(info.__dict__, sort_keys=True) + "\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, body.encode("utf-8"), 0)
    os.fsync(fd)
    _HELD_HERE.add(path)
    return HeldLock(path, fd, info, stale)


@contextlib.contextmanager
def project_lock(path: Path, run_id: str, *, wait_s: float = 0.0,
                 roots: tuple[str, ...] = ()) -> Iterator[HeldLock]:
    """``acquire_lock`` as a context manager that always releases."""
    held = acquire_lock(path, run_id, wait_s=wait_s, roots=roots)
    try:
        yield held
    finally:
        held.release()
