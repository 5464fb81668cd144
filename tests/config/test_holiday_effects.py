"""[site] open_holidays / [site.holiday_effects]: a country holiday declared open, "like" a
weekday or scaled; validated against the `holidays` package; honoured by the forecast,
staffing and data health."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from wfm.config import parse_config
from wfm.config.data import health_settings
from wfm.config.site import HolidayEffect
from wfm.config.staffing import staffing_inputs
from wfm.errors import ConfigError
from wfm.forecasting.calendar import site_holidays

P = Path("/p/wfm.toml")
US = '[site]\ncountry = "US"\n'
COLUMBUS_2025, VETERANS_2025, THANKSGIVING_2025 = (date(2025, 10, 13), date(2025, 11, 11),
                                                   date(2025, 11, 27))


def test_effects_are_read_and_cover_observed_days() -> None:
    text = (US + 'open_holidays = ["Columbus Day", "Christmas Day"]\n'
            '[site.holiday_effects]\n"Veterans Day" = "like:sat"\n"Thanksgiving Day" = 0.4\n'
            '"Christmas Day (observed)" = "closed"\n')
    effects = {e.name: e for e in parse_config(text, P).site.holiday_effects}
    assert effects == {
        "Columbus Day": HolidayEffect("Columbus Day", "open"),
        "Christmas Day": HolidayEffect("Christmas Day", "open"),
        "Veterans Day": HolidayEffect("Veterans Day", "like", like="sat"),
        "Veterans Day (observed)": HolidayEffect("Veterans Day (observed)", "like", like="sat"),
        "Thanksgiving Day": HolidayEffect("Thanksgiving Day", "multiplier", 0.4),
        # listed itself: its own effect wins over the base name's
        "Christmas Day (observed)": HolidayEffect("Christmas Day (observed)", "closed"),
    }


@pytest.mark.parametrize(("text", "expected"), [
    (US + 'open_holidays = ["Colombus Day"]\n',
     "[site] open_holidays: 'Colombus Day' is not a public holiday of US; did you mean "
     "'Columbus Day'? valid names: Christmas Day, Christmas Day (observed), Columbus Day, "
     "Independence Day, "),
    (US + '[site.holiday_effects]\n"Thanksgiving" = "open"\n',
     "[site] holiday_effects.'Thanksgiving': 'Thanksgiving' is not a public holiday of US; "
     "did you mean 'Thanksgiving Day'?"),
    ('[site]\nopen_holidays = ["Columbus Day"]\n',
     "[site] open_holidays = ['Columbus Day'] is not valid; accepted: names of public "
     "holidays of [site] country, which is not set"),
    (US + '[site.holiday_effects]\n"Labor Day" = "like:funday"\n',
     "[site.holiday_effects] 'Labor Day' = 'like:funday' is not valid; accepted: 'open', "
     "'closed', 'like:<weekday>' (mon ... sun) or a multiplier >= 0"),
    (US + '[site.holiday_effects]\n"Labor Day" = -1\n', "'Labor Day' = -1 is not valid"),
    (US + 'open_holidays = ["Labor Day"]\n[site.holiday_effects]\n"Labor Day" = "closed"\n',
     "[site] holiday 'Labor Day' is in open_holidays and in [site.holiday_effects] as "
     "'closed'; accepted: one of them"),
    (US + 'subdivision = "ZZ"\nopen_holidays = ["Labor Day"]\n',
     "[site] subdivision = 'ZZ' is not valid; accepted: a subdivision of US known to the "
     "'holidays' package"),
    (US + 'open_holiday = ["Labor Day"]\n', "did you mean 'open_holidays'?"),
])
def test_bad_holiday_effects(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, P)
    assert str(info.value).startswith("/p/wfm.toml: ")
    assert expected in str(info.value)


def test_a_subdivision_names_its_own_holidays() -> None:
    text = '[site]\ncountry = "US"\nsubdivision = "CA"\nopen_holidays = ["Cesar Chavez Day"]\n'
    assert [e.name for e in parse_config(text, P).site.holiday_effects] == [
        "Cesar Chavez Day", "Cesar Chavez Day (observed)"]
    with pytest.raises(ConfigError, match="'Cesar Chavez Day' is not a public holiday of US;"):
        parse_config(US + 'open_holidays = ["Cesar Chavez Day"]\n', P)


def test_site_holidays_resolve_dates() -> None:
    effects = (HolidayEffect("Columbus Day", "open"),
               HolidayEffect("Veterans Day", "like", like="sat"),
               HolidayEffect("Thanksgiving Day", "multiplier", 0.4),
               HolidayEffect("Labor Day", "open"))
    hol = site_holidays("US", [2025], effects=effects, extra=[date(2025, 9, 1)])
    assert COLUMBUS_2025 in hol.opened and COLUMBUS_2025 not in hol.closed
    assert date(2025, 9, 1) in hol.closed  # listed in [site] holidays: closed whatever
    assert date(2025, 12, 25) in hol.closed and date(2025, 7, 4) in hol.closed
    special = {s.day: (s.effect, s.like, s.multiplier) for s in hol.special_days}
    assert special == {VETERANS_2025: ("like", "sat", 1.0),
                       THANKSGIVING_2025: ("multiplier", None, 0.4)}
    every = site_holidays("US", [2025])
    assert len(every.closed) == 11 and every.opened == frozenset()


def test_a_date_with_two_holidays_opens_only_when_both_do() -> None:
    # 1 May 2008 in France was both Labour Day and Ascension Day.
    may_day = date(2008, 5, 1)
    one = site_holidays("FR", [2008], effects=[HolidayEffect("Ascension Day", "open")])
    assert may_day in one.closed
    both = site_holidays("FR", [2008], effects=[HolidayEffect("Ascension Day", "open"),
                                                HolidayEffect("Labor Day", "open")])
    assert may_day in both.opened and may_day not in both.closed


def test_staffing_inputs_and_health_settings_follow_the_effects() -> None:
    text = (US + 'open_holidays = ["Columbus Day"]\n[site.holiday_effects]\n'
            '"Veterans Day" = "like:sat"\n'
            '[[queues]]\nname = "mail"\nchannel = "email"\naht_s = 300\n')
    cfg = parse_config(text, P)
    args = staffing_inputs(cfg, [2025])
    assert COLUMBUS_2025 not in args.closed_dates
    assert VETERANS_2025 not in args.closed_dates
    assert args.like_days == {VETERANS_2025: 5}
    assert date(2025, 12, 25) in args.closed_dates
    calendar = health_settings(cfg).calendar
    assert set(calendar.open_holidays) == {"Columbus Day", "Veterans Day",
                                           "Veterans Day (observed)"}


def test_starter_hours_unchanged_by_effects() -> None:
    cfg = parse_config(US + 'open_holidays = ["Columbus Day"]\n', P)
    assert cfg.site.opening_hours.window(0) == (time(8), time(20))
