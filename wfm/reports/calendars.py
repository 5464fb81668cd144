"""Agent calendars: one RFC 5545 .ics file per agent (``wfm export ical``).

Generated with the ``icalendar`` library (escaping, folding, value types, and parsing the
previous export back). Shift times are local times with a ``TZID`` of the site's IANA
zone and a VTIMEZONE from the tz database (calendar_timezones.py), so calendar apps place
shifts right across daylight-saving changes; a UTC site gets plain UTC times.

Events update rather than pile up: each has a stable UID (agent + date + site) and a
SEQUENCE that rises when its content changes from the previous export, and a shift that
a re-plan removed is exported once more with STATUS:CANCELLED (calendar_updates.py).
Busy time: a shift is OPAQUE (busy), leave OPAQUE and out of office
(``X-MICROSOFT-CDO-BUSYSTATUS:OOF``, which Outlook shows as away), a cancelled event
TRANSPARENT (free). Output is deterministic: DTSTAMP is the run's time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from icalendar import Calendar, Event, vText

from wfm.errors import InputDataError, OutputError
from wfm.outputs import write_output
from wfm.reports.calendar_timezones import vtimezone
from wfm.reports.calendar_updates import (
    BUSY_STATUS,
    CalendarExport,
    Changes,
    PreviousCalendar,
    read_previous,
    update_events,
)
from wfm.reports.roster_workbook import parse_activities
from wfm.reports.schedule_run import ScheduleRun, shift_queues

PRODID = "-//wfm//agent roster//EN"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-").lower() or "site"


def safe_filename(agent_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", agent_id).strip("._") or "agent"


def event_uid(agent_id: str, day: str, site: str) -> str:
    """``A1-2026-03-27@lyon-contact-centre.wfm``: the same for every export of that day."""
    return f"{agent_id}-{day}@{_slug(site)}.wfm"


def calendar_events(run: ScheduleRun, *, site: str) -> dict[str, list[Event]]:
    """Agent id -> the VEVENTs of its shifts and leave in ``run``, by date (no DTSTAMP or
    SEQUENCE yet); days off have none."""
    tz = run.tz
    utc_site = tz.key in ("UTC", "Etc/UTC")
    queues = shift_queues(run)
    out: dict[str, list[Event]] = {str(a): [] for a in run.roster["agent_id"]}
    for r in run.roster.sort_values(["agent_id", "date"], kind="stable").to_dict("records"):
        agent_id, day, status = str(r["agent_id"]), str(r["date"])[:10], str(r["status"])
        event = Event()
        event.add("uid", event_uid(agent_id, day, site))
        if status.lower() == "leave":
            first = date.fromisoformat(day)
            event.add("dtstart", first)
            event.add("dtend", first + timedelta(days=1))
            event.add("summary", "Leave")
            _add_availability(event, "OPAQUE", "OOF")
            out[agent_id].append(event)
            continue
        if status.lower() != "work" or pd.isna(r["shift_start"]) or pd.isna(r["shift_end"]):
            continue
        local_start = r["shift_start"].to_pydatetime().astimezone(tz)
        local_end = r["shift_end"].to_pydatetime().astimezone(tz)
        event.add("dtstart", local_start.astimezone(UTC) if utc_site else local_start)
        event.add("dtend", local_end.astimezone(UTC) if utc_site else local_end)
        summary = f"Shift {local_start:%H:%M}-{local_end:%H:%M}"
        if str(r["team"]):
            summary += f" ({r['team']})"
        event.add("summary", summary)
        details = [f"{kind} {a}-{b}" for kind, a, b in parse_activities(str(r["activities"]))]
        desc = "Breaks: " + ("; ".join(details) if details else "none")
        if queues.get((agent_id, day)):
            desc += "\nQueues: " + ", ".join(queues[(agent_id, day)])
        if pd.notna(r.get("paid_hours")):
            desc += f"\nPaid hours: {float(r['paid_hours']):g}"
        event.add("description", desc)
        _add_availability(event, "OPAQUE", "BUSY")
        out[agent_id].append(event)
    return out


def _add_availability(event: Event, transp: str, busy: str) -> None:
    event.add("status", "CONFIRMED")
    event.add("transp", transp)
    event.add(BUSY_STATUS, busy)


def calendar_bytes(events: Iterable[Event], *, name: str, site: str, tz: ZoneInfo,
                   stamp: datetime) -> bytes:
    """The .ics file (CRLF line ends, folded at 75 octets) holding ``events``.

    ``stamp`` (naive = UTC) is every event's DTSTAMP; one VTIMEZONE per zone the events'
    times use, reaching a year either side of them.
    """
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # Text values (escaped); without vText icalendar writes unknown X- properties raw.
    cal.add("x-wr-calname", vText(f"{name} – {site}"))
    cal.add("x-wr-timezone", vText(tz.key))
    events = list(events)
    zoned: dict[str, tuple[ZoneInfo, list[datetime]]] = {}
    for event in events:
        for key in ("DTSTART", "DTEND"):
            value = event.decoded(key, None)
            if (isinstance(value, datetime) and isinstance(value.tzinfo, ZoneInfo)
                    and value.tzinfo.key not in ("UTC", "Etc/UTC")):
                zoned.setdefault(value.tzinfo.key, (value.tzinfo, []))[1].append(value)
    for key in sorted(zoned):
        zone, times = zoned[key]
        cal.add_component(vtimezone(zone, min(times), max(times)))
    dtstamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    for event in events:
        event.pop("DTSTAMP", None)
        event.add("dtstamp", dtstamp)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def write_calendars(run: ScheduleRun, directory: str | Path, *, site: str,
                    agents: Iterable[str] | None = None,
                    previous: str | Path | None = None) -> CalendarExport:
    """Write ``<agent_id>.ics`` for each agent (default all) into ``directory``.

    ``previous``: the folder of the last export of these calendars (often ``directory``
    itself), read before anything is written: an event whose content changed gets a
    higher SEQUENCE, an event on one of the run's days that the roster no longer has is
    written as cancelled, events on other days are kept as they were. With every agent,
    an agent who left the roster but has a calendar there gets it back with those shifts
    cancelled. The folder is created if its parent exists; each file is written
    atomically, after every file has been made.
    """
    before = read_previous(Path(previous)) if previous is not None else {}
    rostered = set(run.roster["agent_id"])
    ids = sorted(rostered) if agents is None else list(dict.fromkeys(agents))
    files = {f"{safe_filename(a)}.ics": a for a in ids}
    for file_name, agent_id in files.items():
        if agent_id not in rostered and file_name not in before:
            known = ", ".join(sorted(rostered)[:10])
            raise InputDataError(f"agent {agent_id!r} is not in run {run.run_id}; "
                                 f"agents: {known}")
    if agents is None:  # agents gone from the roster: their shifts are cancelled
        files.update({name: "" for name in before if name not in files})
    days = run_days(run)
    planned = calendar_events(run, site=site)
    texts: dict[str, bytes] = {}
    changes = Changes()
    for file_name, agent_id in sorted(files.items()):
        old = before.get(file_name, PreviousCalendar("", []))
        current = planned.get(agent_id, [])
        events, changed = update_events(current, old.events, days=days, tz=run.tz)
        changes += changed
        texts[file_name] = calendar_bytes(events, name=_agent_name(run, agent_id, old),
                                          site=site, tz=run.tz, stamp=run.stamp)
    out = _output_folder(Path(directory))
    paths = []
    for file_name, data in texts.items():
        path = out / file_name
        write_output(path, data)
        paths.append(path)
    return CalendarExport(paths, changes)


def run_days(run: ScheduleRun) -> frozenset[date]:
    """The local days a schedule run plans: its week (7 days) and every roster date."""
    days = {date.fromisoformat(d[:10]) for d in run.roster["date"].astype(str)}
    try:
        monday = date.fromisoformat(run.week[:10])
    except ValueError:
        return frozenset(days)
    return frozenset(days | {monday + timedelta(days=i) for i in range(7)})


def _agent_name(run: ScheduleRun, agent_id: str, old: PreviousCalendar) -> str:
    rows = run.roster.loc[run.roster["agent_id"] == agent_id, "name"]
    if len(rows) and str(rows.iloc[0]):
        return str(rows.iloc[0])
    return old.name or agent_id or "agent"


def _output_folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: not a folder; --output takes a folder for the .ics files")
    if not out.exists():
        if not out.parent.exists():
            raise OutputError(f"{out}: folder {out.parent} does not exist",
                              hint="create it or choose another --output")
        try:
            out.mkdir()
        except OSError as exc:
            raise OutputError(f"{out}: cannot create folder ({exc.strerror})") from None
    return out
