"""Data health: public holidays treated as closed whose history looks like an open day.

With ``[site] country`` every public holiday is closed: the forecast puts 0 there and
staffing nobody. A centre that opens on some of them (Columbus Day in many US centres)
shows ordinary volume on those days; this check names them and the ``open_holidays``
line that declares them open.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

NORMAL_HOLIDAY_SHARE = 0.5
"""A closed public holiday with at least this share of a usual same weekday's volume
looks open: a closed centre handles next to nothing."""
HALF_WINDOW_WEEKS = 4  # the same weekday in this many weeks either side makes "usual"
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                  "Sunday")


@dataclass(frozen=True)
class OpenLookingHoliday:
    """A holiday treated as closed with ``volume`` contacts, ``share`` of a usual day."""

    day: date
    names: tuple[str, ...]
    volume: float
    share: float


def open_looking_holidays(daily: Mapping[date, float],
                          closed_holidays: Mapping[date, tuple[str, ...]],
                          not_ordinary: Collection[date]) -> list[OpenLookingHoliday]:
    """Holidays of ``closed_holidays`` whose volume is at least ``NORMAL_HOLIDAY_SHARE`` of
    the median of the same weekday in the ``HALF_WINDOW_WEEKS`` weeks either side.

    Parameters
    ----------
    daily : contacts per local day (handled, or offered on a live channel)
    closed_holidays : public holidays treated as closed (date -> names)
    not_ordinary : days that say nothing about a usual day (closed days, holidays,
        special days, partly covered first and last days); at least two ordinary
        neighbours are needed
    """
    out = []
    for day, names in sorted(closed_holidays.items()):
        if day not in daily or (day in not_ordinary and day not in closed_holidays):
            continue
        around = (day + timedelta(weeks=k)
                  for k in range(-HALF_WINDOW_WEEKS, HALF_WINDOW_WEEKS + 1) if k)
        usual = [daily[x] for x in around if x in daily and x not in not_ordinary]
        if len(usual) < 2:
            continue
        median = float(np.median(usual))
        if median > 0 and daily[day] >= NORMAL_HOLIDAY_SHARE * median:
            out.append(OpenLookingHoliday(day, names, daily[day], daily[day] / median))
    return out


def describe(found: list[OpenLookingHoliday], what: str, show: int = 5) -> str:
    """The finding's detail: the days, then the wfm.toml line that declares them open."""
    shown = ", ".join(f"{h.day} {'; '.join(h.names)} ({h.volume:,.0f} {what}, {h.share:.0%} "
                      f"of a usual {_WEEKDAY_NAMES[h.day.weekday()]})" for h in found[:show])
    more = f" and {len(found) - show} more" if len(found) > show else ""
    names = sorted({n for h in found for n in h.names})
    listed = ", ".join(json.dumps(n, ensure_ascii=False) for n in names)
    return (f"{shown}{more}: contacts {what} on public holidays treated as closed (forecast "
            "0, nobody staffed); if the site opens on them, add to [site] in wfm.toml: "
            f"open_holidays = [{listed}]")


def holiday_names(country: str | None, subdivision: str | None, years: Iterable[int]
                  ) -> dict[date, tuple[str, ...]]:
    """Names of the public holidays of ``country`` by date (``holidays`` package); empty
    without a country or for one the package does not know."""
    if not country:
        return {}
    return dict(_holidays(country, subdivision, tuple(years)))


@functools.lru_cache(maxsize=32)
def _holidays(country: str, subdivision: str | None, years: tuple[int, ...]
              ) -> tuple[tuple[date, tuple[str, ...]], ...]:
    import holidays as holidays_lib

    try:
        # Names in US English where the package has them, else the country's own: fixed,
        # not the process locale, so they match the names wfm.toml declares open
        # (as wfm.forecasting.calendar.holiday_language does).
        langs = holidays_lib.country_holidays(country.upper(), years=[])
        language = "en_US" if "en_US" in langs.supported_languages else langs.default_language
        cal = holidays_lib.country_holidays(country.upper(), subdiv=subdivision,
                                            years=list(years), language=language)
    except NotImplementedError:
        return ()
    return tuple((d, tuple(cal.get_list(d))) for d in sorted(cal.keys()))
