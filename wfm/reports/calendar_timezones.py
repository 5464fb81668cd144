"""VTIMEZONE components from the tz database, with onsets as RFC 5545 defines them.

icalendar can make a VTIMEZONE itself (``Timezone.from_tzid``), but it writes the onset
of a spring-forward change in the local time *after* the change (``DTSTART:...T030000``
with ``TZOFFSETFROM:+0100`` for Paris), which per RFC 5545 3.6.5 (DTSTART is local time
in the TZOFFSETFROM offset) puts the change an hour late, at 02:00 UTC instead of 01:00.
Calendar apps that take the RFC literally would then misplace an instant in that hour.
So the observances are found here (every offset change in the window, to the second,
from zoneinfo) and built as icalendar components; icalendar serialises them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard


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


@lru_cache(maxsize=16)
def _transitions(tz: ZoneInfo, start: datetime, end: datetime) -> tuple[datetime, ...]:
    """:func:`transitions`, once per zone and window (every agent's calendar asks)."""
    return tuple(transitions(tz, start, end))


def vtimezone(tz: ZoneInfo, first: datetime, last: datetime) -> Timezone:
    """A VTIMEZONE valid from 1 January of the year before ``first`` to the end of the year
    after ``last`` (tz-aware): at least a year either side, and the same component for
    every calendar of the same years.

    One observance for the offset in force at the window's start, then one per change;
    each onset (DTSTART) is the local clock time in the offset *before* the change
    (TZOFFSETFROM), as RFC 5545 3.6.5 defines it.
    """
    start = datetime(first.astimezone(UTC).year - 1, 1, 1, tzinfo=UTC)
    end = datetime(last.astimezone(UTC).year + 2, 1, 1, tzinfo=UTC)
    zero = timedelta(0)
    points: list[tuple[datetime, timedelta]] = [(start, start.astimezone(tz).utcoffset()
                                                 or zero)]
    points += [(t, (t - timedelta(seconds=1)).astimezone(tz).utcoffset() or zero)
               for t in _transitions(tz, start, end)]
    component = Timezone()
    component.add("tzid", tz.key)
    for t, before in points:
        after = t.astimezone(tz)
        observance = TimezoneDaylight() if after.dst() else TimezoneStandard()
        observance.add("dtstart", (t + before).replace(tzinfo=None, microsecond=0))
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after.utcoffset() or zero)
        observance.add("tzname", after.tzname() or tz.key)
        component.add_component(observance)
    return component
