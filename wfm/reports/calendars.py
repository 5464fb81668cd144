"""Agent calendars: one RFC 5545 .ics file per agent (``wfm export ical``).

Written by hand (about a hundred lines) rather than through a new runtime dependency: the
files need only VCALENDAR, VTIMEZONE and VEVENT with text escaping and line folding. Shift
times are local times with a ``TZID`` of the site's IANA zone, and the VTIMEZONE lists
every offset change the zone has around the exported dates (taken from the tz database via
zoneinfo), so calendar apps place shifts correctly across daylight-saving changes. Output
is deterministic: fixed DTSTAMP (the run's time), stable UIDs (agent + date + site).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.errors import InputDataError, OutputError
from wfm.outputs import write_output
from wfm.reports.roster_workbook import parse_activities
from wfm.reports.schedule_run import ScheduleRun

PRODID = "-//wfm//agent roster//EN"


def escape_text(text: str) -> str:
    r"""Escape a TEXT value (RFC 5545 3.3.11).

    >>> escape_text("a;b,c\\d\ne")
    'a\\;b\\,c\\\\d\\ne'
    """
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return "\r\n ".join(parts)


def _offset(td: timedelta | None) -> str:
    seconds = int((td or timedelta(0)).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    h, rem = divmod(abs(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{sign}{h:02d}{m:02d}" + (f"{s:02d}" if s else "")


def _local(ts: datetime) -> str:
    return ts.strftime("%Y%m%dT%H%M%S")


def transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in [start, end] where ``tz`` changes its UTC offset (to the second)."""
    out = []
    t = start
    while t < end:
        nxt = min(t + timedelta(days=1), end)
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(microsecond=0))
        t = nxt
    return out


def vtimezone(tz: ZoneInfo, first: datetime, last: datetime) -> list[str]:
    """A VTIMEZONE valid from a year before ``first`` to a year after ``last`` (UTC)."""
    start = first - timedelta(days=366)
    end = last + timedelta(days=366)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz.key}"]
    onset = start.astimezone(tz)
    points: list[tuple[datetime, timedelta | None]] = [(start, onset.utcoffset())]
    points += [(t, (t - timedelta(seconds=1)).astimezone(tz).utcoffset())
               for t in transitions(tz, start, end)]
    for t, before in points:
        after = t.astimezone(tz)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        onset_local = (t + (before or timedelta(0))).replace(tzinfo=None)
        lines += [f"BEGIN:{kind}", f"DTSTART:{_local(onset_local)}",
                  f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after.utcoffset())}",
                  f"TZNAME:{after.tzname()}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-").lower() or "site"


def safe_filename(agent_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", agent_id).strip("._") or "agent"


def agent_calendar(run: ScheduleRun, agent_id: str, *, site: str) -> str:
    """The .ics text (CRLF line ends) of one agent's shifts and leave in ``run``."""
    tz = run.tz
    rows = run.roster[run.roster["agent_id"] == agent_id].sort_values("date", kind="stable")
    if rows.empty:
        known = ", ".join(sorted(set(run.roster["agent_id"]))[:10])
        raise InputDataError(f"agent {agent_id!r} is not in run {run.run_id}; "
                             f"agents: {known}")
    ai = run.agent_intervals[run.agent_intervals["agent_id"] == agent_id]
    ai_local_day = ai["interval_start"].dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    stamp = run.stamp.strftime("%Y%m%dT%H%M%SZ")
    name = str(rows["name"].iloc[0]) or agent_id
    utc_tz = tz.key in ("UTC", "Etc/UTC")
    events: list[list[str]] = []
    starts: list[datetime] = []
    for _, r in rows.iterrows():
        status = str(r["status"]).lower()
        uid = f"{agent_id}-{r['date']}@{_slug(site)}.wfm"
        head = ["BEGIN:VEVENT", f"UID:{escape_text(uid)}", f"DTSTAMP:{stamp}"]
        if status == "leave":
            day = date.fromisoformat(str(r["date"]))
            events.append([*head, f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                           f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                           "SUMMARY:Leave", "TRANSP:TRANSPARENT", "END:VEVENT"])
            continue
        if status != "work" or pd.isna(r["shift_start"]) or pd.isna(r["shift_end"]):
            continue
        start = r["shift_start"].to_pydatetime()
        end = r["shift_end"].to_pydatetime()
        starts += [start, end]
        details = [f"{kind} {a}-{b}" for kind, a, b in parse_activities(str(r["activities"]))]
        queues = sorted({q for q in ai.loc[(ai_local_day == r["date"]) &
                                           (ai["activity"] == "work"), "queue"] if q})
        desc = "Breaks: " + ("; ".join(details) if details else "none")
        if queues:
            desc += "\nQueues: " + ", ".join(queues)
        if "paid_hours" in r and pd.notna(r["paid_hours"]):
            desc += f"\nPaid hours: {float(r['paid_hours']):g}"
        if utc_tz:
            when = [f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                    f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"]
        else:
            when = [f"DTSTART;TZID={tz.key}:{_local(start.astimezone(tz))}",
                    f"DTEND;TZID={tz.key}:{_local(end.astimezone(tz))}"]
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        summary = f"Shift {local_start:%H:%M}-{local_end:%H:%M}"
        if str(r["team"]):
            summary += f" ({r['team']})"
        events.append([*head, *when, f"SUMMARY:{escape_text(summary)}",
                       f"DESCRIPTION:{escape_text(desc)}", "TRANSP:OPAQUE", "END:VEVENT"])
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(f'{name} – {site}')}",
             f"X-WR-TIMEZONE:{tz.key}"]
    if starts and not utc_tz:
        lines += vtimezone(tz, min(starts).astimezone(UTC), max(starts).astimezone(UTC))
    for ev in events:
        lines += ev
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def write_calendars(run: ScheduleRun, directory: str | Path, *, site: str,
                    agents: Iterable[str] | None = None) -> list[Path]:
    """Write ``<agent_id>.ics`` for each agent (default all) into ``directory``.

    The folder is created if its parent exists; each file is written atomically.
    """
    out = Path(directory)
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
    ids = sorted(set(run.roster["agent_id"])) if agents is None else list(agents)
    texts = {a: agent_calendar(run, a, site=site) for a in ids}
    paths = []
    for agent_id, text in texts.items():
        path = out / f"{safe_filename(agent_id)}.ics"
        write_output(path, text.encode("utf-8"))
        paths.append(path)
    return paths
