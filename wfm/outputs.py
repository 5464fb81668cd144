"""Atomic files: every file wfm writes goes to a temporary name in the same folder and is
renamed into place, so a failed or killed run never leaves a half-written file and never
touches the previous outputs. Run folders, manifests and ``latest`` are built on these in
:mod:`wfm.pipeline.run_folders`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from wfm.errors import OutputError

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


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_output(output: str | Path, data: bytes | str) -> None:
    """Write a user-named output atomically; an OS refusal (read-only place, a file where
    a folder should be) becomes an :class:`OutputError` naming the path."""
    try:
        if isinstance(data, bytes):
            atomic_write_bytes(output, data)
        else:
            atomic_write_text(output, data)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write here ({exc.strerror or exc})",
                          hint="choose a writable --output location") from None
