"""Rows for queues (or channels) that wfm.toml does not configure.

Stored silently, such rows break every later run ("no forecast could be made for
voice_fr/chat"), so an ingest refuses them, naming each one with its first file and line and
the three fixes; or, when asked, leaves them out with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wfm.errors import InputDataError

_SHOW = 5


@dataclass(frozen=True)
class SeenSeries:
    """Where a (queue, channel) series first appeared in an ingest, and how many rows."""

    rows: int
    file: str
    line: int


@dataclass(frozen=True)
class UnknownSeries:
    """A series whose queue is not configured, or is configured with another channel."""

    queue: str
    channel: str
    seen: SeenSeries
    configured_channel: str | None  # the queue's channel in wfm.toml, if the queue is known

    def describe(self) -> str:
        what = repr(self.queue) if self.configured_channel is None else (
            f"{self.queue!r} channel {self.channel} (wfm.toml: {self.configured_channel})")
        return f"{what}: {self.seen.rows} row(s), first at {self.seen.file} line {self.seen.line}"


def unknown_series(seen: Mapping[tuple[str, str], SeenSeries], known: Mapping[str, str]
                   ) -> list[UnknownSeries]:
    """The series of ``seen`` that ``known`` (queue -> channel) does not configure."""
    out = []
    for (queue, channel), where in sorted(seen.items()):
        if queue not in known:
            out.append(UnknownSeries(queue, channel, where, None))
        elif known[queue] != channel:
            out.append(UnknownSeries(queue, channel, where, known[queue]))
    return out


def unknown_error(unknown: list[UnknownSeries], known: Mapping[str, str]) -> InputDataError:
    """One message naming every unknown series and the fixes."""
    shown = "; ".join(u.describe() for u in unknown[:_SHOW])
    more = f"; and {len(unknown) - _SHOW} more" if len(unknown) > _SHOW else ""
    configured = ", ".join(f"{q} ({c})" for q, c in sorted(known.items())) or "none"
    return InputDataError(
        f"rows for queue(s) not in wfm.toml: {shown}{more}; configured queues: {configured}; "
        "nothing was written",
        hint="add the queue to wfm.toml ([[queues]] name and channel), rename it to a "
             "configured queue in the mapping ([queues] table: \"export name\" = \"queue\"; "
             "[channels] for channels), or pass --skip-unknown-queues to leave its rows out")


def skipped_findings(unknown: list[UnknownSeries]) -> list[dict[str, object]]:
    """Warning rows (findings) for the series left out with ``--skip-unknown-queues``."""
    out: list[dict[str, object]] = []
    for u in unknown:
        why = ("not in wfm.toml" if u.configured_channel is None else
               f"wfm.toml configures this queue with channel {u.configured_channel}")
        out.append({"queue": u.queue, "channel": u.channel, "severity": "warning",
                    "check": "unknown_queue_skipped", "count": u.seen.rows,
                    "detail": f"{why}; {u.seen.rows} row(s) left out (--skip-unknown-queues), "
                              f"first at {u.seen.file} line {u.seen.line}"})
    return out
