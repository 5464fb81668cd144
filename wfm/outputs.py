"""Atomic outputs: files, run folders, manifests and the ``latest`` pointer.

Every file wfm writes goes to a temporary name in the same folder and is renamed into
place, so a failed or killed run never leaves a half-written file and never touches the
previous outputs. A run folder is built under a hidden temporary name and renamed whole;
``latest`` (a symlink) is switched by an atomic rename only after the run succeeded.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from wfm.errors import OutputError

LATEST = "latest"
MANIFEST_NAME = "manifest.json"
RUN_STAMP_LEN = len("20261123T063000Z")  # the UTC second of a run id
TMP_PREFIX = ".tmp-"


#: OSErrors that mean "the output cannot be written" (rather than a bug or a bad input).
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG,
                           errno.EACCES, errno.EPERM})


def _output_error(target: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"{target}: cannot write ({exc.strerror or exc}); earlier outputs are left as they were",
        hint="free disk space or fix the folder's permissions, then run again"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) else None,
    )


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise OutputError(
            f"{path}: folder {parent} does not exist", hint="create it or choose another --output"
        )
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: folder {parent} is not writable")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write; renamed over ``path`` on success.

    For libraries that write files themselves (Excel, Parquet). On any failure the
    temporary file is removed and ``path`` keeps its previous content; a full disk or a
    read-only folder becomes an OutputError naming ``path``.
    """
    target = Path(path)
    _check_parent(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", dir=target.parent,
                                   suffix=target.suffix)
    except OSError as exc:
        raise _output_error(target, exc) from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            raise _output_error(target, exc) from None
        raise


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success."""
    binary = "b" in mode
    with atomic_path(path) as tmp, open(tmp, mode, encoding=None if binary else encoding,
                                        newline=None if binary else newline) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_open(path, "w", newline="") as fh:
        fh.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id such as ``20261123T063000Z-1a2b``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{os.urandom(2).hex()}"


@contextlib.contextmanager
def atomic_run_dir(root: str | Path, run_id: str) -> Iterator[Path]:
    """Yield a temporary folder to fill; on success rename it to ``root/run_id``."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{root}: cannot create output folder ({exc.strerror})") from None
    final = root / run_id
    if final.exists():
        raise OutputError(f"{final}: run folder already exists")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{run_id}.", dir=root))
    except OSError as exc:
        raise _output_error(final, exc) from None
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        os.replace(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in _WRITE_ERRNOS:
            raise _output_error(final, exc) from None
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def set_latest(root: str | Path, run_id: str) -> None:
    """Point ``root/latest`` at ``run_id`` with one atomic rename of a fresh symlink."""
    root = Path(root)
    tmp = root / f"{TMP_PREFIX}{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(run_id, tmp)
    os.replace(tmp, root / LATEST)


def resolve_run(root: str | Path, run: str | None = None) -> Path:
    """The folder of run ``run`` (default: latest); an unknown id lists the recent ones."""
    root = Path(root)
    name = run or LATEST
    candidate = root / name
    if candidate.is_dir():
        return candidate.resolve()
    recent = list_runs(root)[-5:]
    listing = ", ".join(reversed(recent)) if recent else "none yet"
    what = "no run has succeeded yet" if run is None else f"run {run!r} does not exist"
    raise OutputError(f"{root}: {what}; recent runs: {listing}")


def list_runs(root: str | Path) -> list[str]:
    """Completed run ids under ``root``, oldest first; ids of the same second (their suffix
    is random) in the order their manifests were written."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", LATEST))]

    def written(run: Path) -> int:
        manifest = run / MANIFEST_NAME
        return (manifest if manifest.exists() else run).stat().st_mtime_ns

    return [p.name for p in sorted(runs, key=lambda p: (p.name[:RUN_STAMP_LEN], written(p),
                                                        p.name))]


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(run_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` listing every file of the run folder with its checksum."""
    run_dir = Path(run_dir)
    files = {
        p.relative_to(run_dir).as_posix(): sha256_file(p)
        for p in sorted(run_dir.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }
    body = {**manifest, "outputs": files}
    path = run_dir / MANIFEST_NAME
    atomic_write_text(path, json.dumps(body, indent=2, sort_keys=True, default=str) + "\n")
    return path
