"""[site]: name, time zone, opening hours, holidays and special days."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date, time
from zoneinfo import ZoneInfo

from wfm.config._reader import TableReader, parse_clock, shown
from wfm.errors import ConfigError

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
class HolidayEffect:
    """What one public holiday of ``country`` does (every other one is closed).

    ``open``: an ordinary day of its weekday; ``closed``: no work (the default);
    ``like``: open with the hours, level and shape of the weekday ``like``;
    ``multiplier``: open, volume times ``multiplier``. ``name`` is the ``holidays``
    package's name (US English where it has one); a name also covers its
    parenthesised variants ("Christmas Day (observed)") unless they are listed too.
    """

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
    holiday_effects: tuple[HolidayEffect, ...] = ()


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
    effects = read_holiday_effects(t, country, subdivision)
    t.finish()
    return SiteConfig(name, tz, country, subdivision, hours, holidays, special, effects)


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


HOLIDAY_EFFECT_VALUES = "'open', 'closed', 'like:<weekday>' (mon ... sun) or a multiplier >= 0"
_NAME_YEARS_BACK, _NAME_YEARS_AHEAD = 20, 10  # years searched for valid holiday names


def read_holiday_effects(t: TableReader, country: str | None, subdivision: str | None
                         ) -> tuple[HolidayEffect, ...]:
    """``open_holidays = [names]`` and ``[site.holiday_effects]`` (name = effect).

    Names are checked against the public holidays of ``country``/``subdivision`` (the
    ``holidays`` package, US English names where it has them) over the last 20 and next
    10 years; a name also covers its parenthesised variants ("... (observed)") unless
    those are listed themselves.
    """
    open_names = t.str_list("open_holidays", ())
    raw = t.raw_table("holiday_effects")
    if not open_names and not raw:
        return ()
    if country is None:
        key, value = ("open_holidays", list(open_names)) if open_names else \
            ("holiday_effects", raw)
        raise t.fail(key, value, "names of public holidays of [site] country, which is not "
                                 "set (add country = \"US\" or the like)")
    declared = {n: HolidayEffect(n, "open") for n in open_names}
    for name, value in raw.items():
        effect = _holiday_effect(t, name, value)
        if name in declared and declared[name] != effect:
            raise ConfigError(f"{t.source}: [site] holiday {name!r} is in open_holidays and "
                              f"in [site.holiday_effects] as {value!r}; accepted: one of them")
        declared[name] = effect
    valid = _holiday_name_universe(t, country, subdivision)
    for name in declared:
        if name not in valid:
            where = "open_holidays" if name in open_names else f"holiday_effects.{name!r}"
            close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            region = country if subdivision is None else f"{country}-{subdivision}"
            raise ConfigError(
                f"{t.source}: [site] {where}: {name!r} is not a public holiday of {region}; "
                f"{hint}valid names: {', '.join(valid)}")
    out = dict(declared)
    for name, effect in declared.items():
        for variant in valid:
            if variant not in declared and variant.startswith(f"{name} (") and \
                    variant.endswith(")"):
                out[variant] = replace(effect, name=variant)
    return tuple(out.values())


def _holiday_effect(t: TableReader, name: str, value: object) -> HolidayEffect:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return HolidayEffect(name, "multiplier", float(value))
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("open", "closed"):
            return HolidayEffect(name, v)
        if v.startswith("like:") and v[5:].strip() in WEEKDAYS:
            return HolidayEffect(name, "like", like=v[5:].strip())
    raise ConfigError(f"{t.source}: [site.holiday_effects] {name!r} = {shown(value)} is not valid; "
                      f"accepted: {HOLIDAY_EFFECT_VALUES}")


def _holiday_name_universe(t: TableReader, country: str, subdivision: str | None
                           ) -> list[str]:
    from wfm.errors import ForecastError
    from wfm.forecasting.calendar import holiday_names  # imports 'holidays': only when used

    this_year = date.today().year
    years = range(this_year - _NAME_YEARS_BACK, this_year + _NAME_YEARS_AHEAD + 1)
    try:
        by_day = holiday_names(country, years, subdivision)
    except ForecastError:
        raise t.fail("subdivision", subdivision,
                     f"a subdivision of {country} known to the 'holidays' package") from None
    return sorted({n for names in by_day.values() for n in names})
