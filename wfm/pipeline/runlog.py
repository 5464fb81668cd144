"""Structured run log: one timestamped ``key=value`` (logfmt) line per event.

Lines look like::

    2026-11-23T05:30:02.114Z run=20261123T053000Z-1a2b step=forecast event=end status=ok \
duration_s=81.204 rows=16128 warnings=0

They are appended to ``--log-file`` (one ``write`` per line, flushed at once, so a killed
run leaves whole lines only) and handed to an optional listener (the CLI prints them on a
terminal). Values with spaces, quotes or ``=`` are double-quoted with backslash escapes, so
``grep``/``awk`` and any logfmt parser read them back.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from wfm.errors import OutputError

_BARE = re.compile(r"^[A-Za-z0-9_.:/+,@%-]+$")

Listener = Callable[[dict[str, str]], None]


def _fmt_value(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.3f}"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def format_line(fields: dict[str, object]) -> str:
    """One logfmt line (no newline) of ``fields`` in their given order."""
    return " ".join(f"{k}={_fmt_value(v)}" for k, v in fields.items() if v is not None)


def parse_line(line: str) -> dict[str, str]:
    """Read back a line written by :func:`format_line` (timestamp under ``time``)."""
    out: dict[str, str] = {}
    rest = line.rstrip("\n")
    stamp, _, rest = rest.partition(" ")
    out["time"] = stamp
    pattern = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)\s*')
    for m in pattern.finditer(rest):
        value = m.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", lambda g: "\n" if g.group(1) == "n" else g.group(1),
                           value[1:-1])
        out[m.group(1)] = value
    return out


class RunLog:
    """Writes events to a log file (append) and to a listener. ``site``: the site of a
    multi-site run, on every line (``site=lyon``)."""

    def __init__(self, run_id: str, log_file: Path | None = None,
                 listener: Listener | None = None, *, site: str | None = None) -> None:
        self.run_id = run_id
        self.listener = listener
        self.site = site
        self._fh: IO[str] | None = None
        if log_file is not None:
            try:
                self._fh = log_file.open("a", encoding="utf-8")
            except OSError as exc:
                raise OutputError(
                    f"{log_file}: cannot open the log file ({exc.strerror})",
                    hint="check the folder exists and is writable",
                ) from None

    def event(self, event: str, *, step: str | None = None, **fields: object) -> None:
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        ordered: dict[str, object] = {"run": self.run_id, "site": self.site, "step": step,
                                      "event": event, **fields}
        line = f"{stamp} {format_line(ordered)}"
        if self._fh is not None:
            self._fh.write(line + "\n")
            self._fh.flush()
            with contextlib.suppress(OSError):
                os.fsync(self._fh.fileno())
        if self.listener is not None:
            self.listener({k: f"{v:.3f}" if isinstance(v, float) else str(v)
                           for k, v in ordered.items() if v is not None})

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
