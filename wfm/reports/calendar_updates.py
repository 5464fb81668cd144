"""How a new export of agents' calendars updates the previous one (RFC 5545 SEQUENCE).

A calendar app that already holds an event replaces it only when the new copy has the
same UID and a higher SEQUENCE, and drops it when that copy says STATUS:CANCELLED. So the
SEQUENCE of an event is derived from the previous export, read back from its .ics files:

- an event whose content (times, summary, description, status, busy state) is unchanged
  keeps its SEQUENCE, so re-exporting an unchanged week gives the same bytes;
- an event whose content changed gets the previous SEQUENCE + 1;
- an event of the previous export, on one of the days this export plans, that the new
  roster no longer has (a shift removed by a re-plan, a day turned off) is written once
  more with STATUS:CANCELLED, SEQUENCE + 1, shown as free and titled "Cancelled: ...";
  a cancelled event stays as it was in later exports;
- events on other days are kept as they were, so one folder can carry several weeks;
  those that start more than five weeks (KEPT_DAYS) before the first planned day are
  dropped, so a folder a nightly run rewrites does not grow without end.

Nothing else is stored: the files agents were sent are the state.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from wfm.errors import InputDataError

#: Outlook's free/busy property: BUSY for shifts, OOF (out of office) for leave, FREE for
#: cancelled events.
BUSY_STATUS = "X-MICROSOFT-CDO-BUSYSTATUS"
CANCELLED_PREFIX = "Cancelled: "
#: What counts as a change of an event (UID, DTSTAMP and SEQUENCE do not).
CONTENT = ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS", "TRANSP", BUSY_STATUS)
#: Events of days before the planned ones are kept this long [days], then dropped.
KEPT_DAYS = 35


@dataclass(frozen=True)
class Changes:
    """How many events an export published for the first time, changed (SEQUENCE raised),
    cancelled (removed by the re-plan) or left as they were."""

    new: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0

    def __add__(self, other: Changes) -> Changes:
        return Changes(self.new + other.new, self.updated + other.updated,
                       self.cancelled + other.cancelled, self.unchanged + other.unchanged)


@dataclass(frozen=True)
class CalendarExport:
    """The .ics files written and what changed in them against the previous export."""

    paths: list[Path]
    changes: Changes = field(default_factory=Changes)


@dataclass(frozen=True)
class PreviousCalendar:
    """One agent's calendar of the previous export: its name and its events."""

    name: str
    events: list[Event]


def read_previous(folder: Path) -> dict[str, PreviousCalendar]:
    """The ``*.ics`` files of an earlier export, by file name (empty if no folder)."""
    if not folder.is_dir():
        return {}
    out: dict[str, PreviousCalendar] = {}
    for path in sorted(folder.glob("*.ics")):
        try:
            cal = Calendar.from_ical(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputDataError(f"{path}: not an iCalendar file of an earlier export "
                                 f"({exc})", hint="remove it, or export into an empty "
                                                  "folder") from None
        except OSError as exc:
            raise InputDataError(f"{path}: cannot read it ({exc.strerror})") from None
        events = [e for e in cal.walk("VEVENT")
                  if isinstance(e, Event) and "UID" in e and "DTSTART" in e]
        raw = cal.get("X-WR-CALNAME")
        name = unescape_text(_text(raw))
        out[path.name] = PreviousCalendar(name.rsplit(" – ", 1)[0], events)
    return out


def update_events(current: Iterable[Event], previous: Iterable[Event], *,
                  days: Collection[date], tz: ZoneInfo) -> tuple[list[Event], Changes]:
    """The events to export, SEQUENCE and cancellations set from ``previous``.

    ``current``: the events of the new roster (no SEQUENCE yet; they get one);
    ``previous``: the events of the last export; ``days``: the local days the new roster
    plans (only their events can be cancelled); ``tz``: the site zone. Sorted by start.
    """
    oldest = min(days) - timedelta(days=KEPT_DAYS) if days else date.min
    before = {str(e["UID"]): e for e in previous}
    out: list[Event] = []
    new = updated = cancelled = unchanged = 0
    for event in current:
        old = before.pop(str(event["UID"]), None)
        sequence = 0 if old is None else sequence_of(old)
        if old is None:
            new += 1
        elif content_key(event) != content_key(old):
            sequence += 1
            updated += 1
        else:
            unchanged += 1
        event.add("sequence", sequence)
        out.append(event)
    for old in before.values():
        day = local_day(old, tz)
        if day < oldest:
            continue
        if is_cancelled(old) or day not in days:
            out.append(old)
        else:
            out.append(cancelled_copy(old))
            cancelled += 1
    out.sort(key=lambda e: (start_instant(e, tz), str(e["UID"])))
    return out, Changes(new, updated, cancelled, unchanged)


def cancelled_copy(old: Event) -> Event:
    """``old`` as a cancellation: same UID and times, SEQUENCE + 1, shown as free."""
    event = Event()
    event.add("uid", str(old["UID"]))
    event.add("dtstart", old.decoded("DTSTART"))
    if "DTEND" in old:
        event.add("dtend", old.decoded("DTEND"))
    summary = str(old.get("SUMMARY", ""))
    event.add("summary", summary if summary.startswith(CANCELLED_PREFIX)
              else CANCELLED_PREFIX + summary)
    if "DESCRIPTION" in old:
        event.add("description", str(old["DESCRIPTION"]))
    event.add("status", "CANCELLED")
    event.add("transp", "TRANSPARENT")
    event.add(BUSY_STATUS, "FREE")
    event.add("sequence", sequence_of(old) + 1)
    return event


def content_key(event: Event) -> tuple[object, ...]:
    """What a calendar user sees of an event; times as UTC instants (or dates)."""
    key: list[object] = []
    for name in CONTENT:
        if name in ("DTSTART", "DTEND"):
            value = event.decoded(name, None)
            key.append(value.astimezone(UTC) if isinstance(value, datetime) else value)
        else:
            key.append(_text(event.get(name)).upper() if name in ("STATUS", "TRANSP",
                                                                  BUSY_STATUS)
                       else _text(event.get(name)))
    return tuple(key)


def unescape_text(text: str) -> str:
    r"""A TEXT value as written (RFC 5545 3.3.11); icalendar leaves X- properties escaped.

    >>> unescape_text(r"Ben\, Jr.\; a\\b\nc")
    'Ben, Jr.; a\\b\nc'
    """
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1),
                  text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return str(value)
    to_ical = getattr(value, "to_ical", None)
    return to_ical().decode("utf-8") if callable(to_ical) else str(value)


def sequence_of(event: Event) -> int:
    """The event's SEQUENCE (0 when absent, as RFC 5545 says)."""
    try:
        return int(event.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def is_cancelled(event: Event) -> bool:
    return _text(event.get("STATUS")).upper() == "CANCELLED"


def start_instant(event: Event, tz: ZoneInfo) -> datetime:
    """The start as a UTC instant (an all-day event starts at local midnight)."""
    value = event.decoded("DTSTART")
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tz)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def local_day(event: Event, tz: ZoneInfo) -> date:
    """The local day the event starts on (an all-day event: its date)."""
    value = event.decoded("DTSTART")
    if not isinstance(value, datetime):
        return value  # type: ignore[no-any-return]
    return (value if value.tzinfo is None else value.astimezone(tz)).date()
