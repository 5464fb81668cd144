"""The site calendar as the forecast sees it: opening hours, holidays and special days.

Everything is by *local* clock time in the site's zone, so a 23- or 25-hour day keeps its
shape. The config layer owns parsing; this module takes plain values (a special day is any
object with ``day``, ``effect``, ``multiplier`` and ``like`` attributes, such as
``wfm.config.SpecialDay``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ForecastError

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Window = tuple[time, time] | None


class SpecialDayLike(Protocol):
    """What the forecast needs of a special day (``wfm.config.SpecialDay`` fits)."""

    @property
    def day(self) -> date: ...
    @property
    def effect(self) -> str: ...
    @property
    def multiplier(self) -> float: ...
    @property
    def like(self) -> str | None: ...


@dataclass(frozen=True)
class SiteCalendar:
    """Opening windows (Monday first, ``None`` = closed), closing dates and special days.

    ``holidays`` are dates the site is closed (public holidays plus listed dates).
    ``open_holidays``: holidays on which contacts still arrive (deferred channels such as
    email): not closed, their volume factor is learnt from past holidays.
    """

    timezone: ZoneInfo
    windows: tuple[Window, ...] = ((time(0), time.max),) * 7
    holidays: frozenset[date] = frozenset()
    special_days: tuple[SpecialDayLike, ...] = field(default=())
    open_holidays: frozenset[date] = frozenset()


def public_holidays(country: str | None, years: Iterable[int], subdivision: str | None = None,
                    extra: Iterable[date] = ()) -> frozenset[date]:
    """Public holidays of ``country`` (``holidays`` package) in ``years`` plus ``extra`` dates."""
    out = set(extra)
    if country:
        out.update(holiday_names(country, years, subdivision))
    return frozenset(out)


def holiday_language(country: str) -> str | None:
    """The language of holiday names: US English where the ``holidays`` package translates
    the country's names into it, else the country's own. Fixed explicitly because the
    package otherwise follows the process locale, and a name in wfm.toml must match
    under cron as it did in the planner's shell."""
    try:
        entity = holidays_lib.country_holidays(country.upper(), years=[])
    except NotImplementedError:
        return None
    langs = entity.supported_languages
    return "en_US" if "en_US" in langs else entity.default_language


def holiday_names(country: str, years: Iterable[int], subdivision: str | None = None
                  ) -> dict[date, tuple[str, ...]]:
    """Names of the public holidays of ``country`` (and ``subdivision``) by date, in
    :func:`holiday_language` (one date may hold several, e.g. a holiday and another's
    observed day)."""
    try:
        cal = holidays_lib.country_holidays(country.upper(), subdiv=subdivision,
                                            years=list(years),
                                            language=holiday_language(country))
    except NotImplementedError:
        where = country if subdivision is None else f"{country}-{subdivision}"
        raise ForecastError(f"country {where!r} has no holiday calendar in the "
                            "'holidays' package") from None
    return {d: tuple(cal.get_list(d)) for d in sorted(cal.keys())}


class HolidayEffectLike(Protocol):
    """What the calendar needs of a declared holiday effect (``wfm.config.HolidayEffect``
    fits): ``effect`` is ``closed``, ``open``, ``like`` (with ``like`` a weekday name) or
    ``multiplier``."""

    @property
    def name(self) -> str: ...
    @property
    def effect(self) -> str: ...
    @property
    def multiplier(self) -> float: ...
    @property
    def like(self) -> str | None: ...


@dataclass(frozen=True)
class HolidaySpecialDay:
    """A public holiday the site opens with another weekday's hours (``like``) or a volume
    factor (``multiplier``): a special day of the forecast (fits :class:`SpecialDayLike`)."""

    day: date
    name: str
    effect: str
    multiplier: float = 1.0
    like: str | None = None


@dataclass(frozen=True)
class SiteHolidays:
    """Public holidays resolved against the site's declared effects.

    ``closed``: dates closed all day (holidays left closed plus the listed ``extra``
    dates); ``special_days``: holidays open "like" a weekday or with a multiplier;
    ``opened``: holidays declared open, ordinary days of their weekday.
    """

    closed: frozenset[date]
    special_days: tuple[HolidaySpecialDay, ...] = ()
    opened: frozenset[date] = frozenset()


def site_holidays(country: str | None, years: Iterable[int], subdivision: str | None = None,
                  extra: Iterable[date] = (), effects: Iterable[HolidayEffectLike] = ()
                  ) -> SiteHolidays:
    """Public holidays of ``country`` in ``years`` with the site's declared ``effects``.

    Every public holiday is closed unless an effect names it (exact name, in
    :func:`holiday_language`). A date holding several holidays stays closed while any of
    them is; otherwise it takes the first ``like`` or ``multiplier`` effect of its names
    (in the package's order), else it is an ordinary open day. ``extra`` dates (``[site]
    holidays``) are closed whatever the effects say.
    """
    by_name = {e.name: e for e in effects}
    extra_days = frozenset(extra)
    closed: set[date] = set(extra_days)
    special: list[HolidaySpecialDay] = []
    opened: set[date] = set()
    names = holiday_names(country, years, subdivision) if country else {}
    for day, day_names in names.items():
        if day in extra_days:
            continue
        found = [by_name.get(n) for n in day_names]
        if any(e is None or e.effect == "closed" for e in found):
            closed.add(day)
            continue
        rule = next((e for e in found if e is not None and e.effect != "open"), None)
        if rule is None:
            opened.add(day)
        else:
            special.append(HolidaySpecialDay(day, rule.name, rule.effect, rule.multiplier,
                                             rule.like))
    return SiteHolidays(frozenset(closed), tuple(special), frozenset(opened))


@dataclass(frozen=True)
class DayTable:
    """One row per local day of a series grid (history and horizon)."""

    dates: pd.DatetimeIndex  # local midnights (naive dates)
    weekday: npt.NDArray[np.int64]  # effective weekday ("like" applied), 0 = Monday
    closed: npt.NDArray[np.bool_]  # the whole day is closed (weekday, holiday, special)
    irregular_closed: npt.NDArray[np.bool_]  # closed although its weekday is normally open
    excluded: npt.NDArray[np.bool_]  # outlier: never trained on
    multiplier: npt.NDArray[np.float64]  # volume factor of a special day (1 otherwise)
    special: npt.NDArray[np.bool_]  # any special day or holiday (not a normal training day)
    after_closure: npt.NDArray[np.bool_]  # first open day after a holiday or special closure
    regular_open: npt.NDArray[np.bool_]  # its calendar weekday is normally open
    holiday: npt.NDArray[np.bool_]  # an open holiday (volume factor learnt from history)


def day_table(dates: pd.DatetimeIndex, cal: SiteCalendar) -> DayTable:
    """Classify each local date: effective weekday, closures, multipliers, catch-up days."""
    n = len(dates)
    wd = dates.day_of_week.to_numpy().astype(np.int64)
    regular_open = np.array([cal.windows[w] is not None for w in wd], dtype=bool)
    eff = wd.copy()
    closed = ~regular_open
    excluded = np.zeros(n, dtype=bool)
    mult = np.ones(n)
    special = np.zeros(n, dtype=bool)
    pos = {d.date(): i for i, d in enumerate(dates)}
    for h in cal.holidays:
        i = pos.get(h)
        if i is not None:
            closed[i] = True
            special[i] = True
    holiday = np.zeros(n, dtype=bool)
    for h in cal.open_holidays:
        i = pos.get(h)
        if i is not None:
            holiday[i] = True
            special[i] = True
    for s in cal.special_days:
        i = pos.get(s.day)
        if i is None:
            continue
        special[i] = True
        if s.effect == "closed":
            closed[i] = True
        elif s.effect == "multiplier":
            mult[i] = s.multiplier
        elif s.effect == "like" and s.like is not None:
            eff[i] = WEEKDAY_NAMES.index(s.like)
            closed[i] = cal.windows[eff[i]] is None
        elif s.effect == "exclude":
            excluded[i] = True
    irregular = closed & regular_open
    # Contacts held back by a holiday or a special closure arrive on the next open day, even
    # when the holiday fell on a day that is closed anyway (its size is learnt from history).
    held_back = special & closed
    after = np.zeros(n, dtype=bool)
    prev_irregular = False
    for i in range(n):
        if closed[i] or holiday[i]:
            prev_irregular = prev_irregular or bool(held_back[i]) or bool(holiday[i])
        else:
            after[i] = prev_irregular
            prev_irregular = False
    return DayTable(dates, eff, closed, irregular, excluded, mult, special, after, regular_open,
                    holiday)


def open_mask(local_clock_min: npt.NDArray[np.int64], day_index: npt.NDArray[np.int64],
              days: DayTable, windows: Sequence[Window], interval_minutes: int
              ) -> npt.NDArray[np.bool_]:
    """True for intervals that start inside the opening window of their (effective) weekday."""
    open_ = np.zeros(len(local_clock_min), dtype=bool)
    wd = days.weekday[day_index]
    for w in range(7):
        win = windows[w]
        if win is None:
            continue
        lo = win[0].hour * 60 + win[0].minute
        hi = 24 * 60 if win[1] == time.max else win[1].hour * 60 + win[1].minute
        sel = wd == w
        clock = local_clock_min[sel]
        open_[sel] = (clock >= lo) & (clock + interval_minutes <= hi)
    open_ &= ~days.closed[day_index]
    return open_
