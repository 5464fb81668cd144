"""[site]: name, time zone, opening hours, holidays and special days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from wfm.config._reader import TableReader, parse_clock

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPECIAL_DAY_EFFECTS: tuple[str, ...] = ("closed", "multiplier", "like", "exclude")


@dataclass(frozen=True)
class OpeningHours:
    """Opening window per weekday (Monday first); ``None`` means closed all day.

    Times are local clock times in the site's time zone; ``close`` of ``time.max`` means
    open until midnight.
    """

    windows: tuple[tuple[time, time] | None, ...] = ((time(8), time(20)),) * 5 + (None, None)

    def window(self, weekday: int) -> tuple[time, time] | None:
        return self.windows[weekday]

    def is_open_at(self, weekday: int, clock: time) -> bool:
        w = self.windows[weekday]
        return w is not None and w[0] <= clock < w[1]

    def describe(self) -> dict[str, str]:
        out = {}
        for name, w in zip(WEEKDAYS, self.windows, strict=True):
            out[name] = "closed" if w is None else f"{_clock(w[0])}-{_clock(w[1])}"
        return out


@dataclass(frozen=True)
class SpecialDay:
    """A dated event with an effect on volume (and the forecast's treatment of it).

    ``closed``: no work that day; ``multiplier``: volume times ``multiplier``;
    ``like``: behaves like the weekday ``like`` (e.g. a bridge day like a Saturday);
    ``exclude``: an outlier left out of model training.
    """

    day: date
    name: str
    effect: str
    multiplier: float = 1.0
    like: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    name: str = "Contact centre"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    country: str | None = None
    subdivision: str | None = None
    opening_hours: OpeningHours = field(default_factory=OpeningHours)
    holidays: tuple[date, ...] = ()
    special_days: tuple[SpecialDay, ...] = ()


def _clock(t: time) -> str:
    return "24:00" if t == time.max else t.strftime("%H:%M")


def parse_window(v: object) -> tuple[time, time] | None:
    """``"08:00-20:00"`` or ``"closed"``."""
    if not isinstance(v, str):
        raise TypeError
    if v.strip().lower() == "closed":
        return None
    start_s, end_s = v.split("-")
    start, end = parse_clock(start_s), parse_clock(end_s)
    if not start < end:
        raise ValueError
    return (start, end)


def read_opening_hours(t: TableReader) -> OpeningHours:
    default = OpeningHours()
    windows = tuple(
        t.value(
            day,
            default.windows[i],
            convert=parse_window,
            accepted="'HH:MM-HH:MM' (end after start, 24:00 for midnight) or 'closed'",
        )
        for i, day in enumerate(WEEKDAYS)
    )
    t.finish()
    return OpeningHours(windows)


def read_site(t: TableReader) -> SiteConfig:
    name = t.str("name", "Contact centre")
    tz = t.timezone("timezone", ZoneInfo("UTC"))
    country = t.str("country", None)
    if country is not None:
        _check_country(t, country)
    subdivision = t.str("subdivision", None)
    hours = read_opening_hours(t.table("opening_hours"))
    holidays = t.value(
        "holidays",
        (),
        convert=lambda v: tuple(_dates(v)),
        accepted="a list of dates YYYY-MM-DD",
    )
    special = tuple(_read_special(s) for s in t.tables("special_days"))
    t.finish()
    return SiteConfig(name, tz, country, subdivision, hours, holidays, special)


def _dates(v: object) -> list[date]:
    from wfm.config._reader import parse_date

    if not isinstance(v, list):
        raise TypeError
    return [parse_date(x) for x in v]


def _check_country(t: TableReader, country: str) -> None:
    import holidays as holidays_lib  # fenced: only to validate the code

    if country.upper() not in holidays_lib.list_supported_countries():
        raise t.fail("country", country, "an ISO 3166-1 alpha-2 code supported by 'holidays'")


def _read_special(t: TableReader) -> SpecialDay:
    day = t.date("date")
    name = t.str("name", "special day")
    effect = t.str("effect", choices=SPECIAL_DAY_EFFECTS)
    multiplier = t.number("multiplier", 1.0, low=0.0)
    like = t.str("like", None, choices=WEEKDAYS)
    if effect == "multiplier" and "multiplier" not in t.raw:
        raise t.fail("multiplier", None, "a number >= 0 (required when effect = 'multiplier')")
    if effect == "like" and like is None:
        raise t.fail("like", None, f"one of {', '.join(WEEKDAYS)} (required when effect = 'like')")
    t.finish()
    return SpecialDay(day, name, effect, multiplier, like)
