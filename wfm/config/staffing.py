"""[staffing]: shrinkage (flat, by weekday, by time-of-day band), occupancy cap, FTE."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, Any

from wfm.config._reader import TableReader, parse_clock
from wfm.config.site import WEEKDAYS, SpecialDay
from wfm.errors import ConfigError
from wfm.staffing.abandonment import DEFAULT_ABANDON_WARNING_RATE
from wfm.staffing.requirements import QueueTargets, StaffingInputs
from wfm.staffing.shrinkage import ShrinkageBand, ShrinkageProfile

if TYPE_CHECKING:
    from wfm.config.model import Config


@dataclass(frozen=True)
class StaffingConfig:
    """``shrinkage`` is the fraction of paid time not available for contacts [0, 1);
    ``shrinkage_by_weekday`` overrides it per weekday (Monday first) where given, and
    ``shrinkage_bands`` override both inside local time-of-day bands.
    ``abandon_warning_rate``: `wfm staff` and `wfm run` warn about a queue whose
    abandonment under the staffing (offered-weighted) exceeds it [0-1].
    ``confidence``: staff every queue (unless its own ``confidence`` says otherwise) so
    that its target is met with this probability (0-1, exclusive) given Poisson arrivals
    and the forecast's uncertainty, sized by simulation with ``confidence_replications``
    replications from ``confidence_seed``; ``None``: plain staffing (the forecast comes
    true).
    """

    shrinkage: float = 0.30
    shrinkage_by_weekday: tuple[float, ...] | None = None
    max_occupancy: float = 0.90
    hours_per_fte: float = 37.5
    shrinkage_bands: tuple[ShrinkageBand, ...] = ()
    abandon_warning_rate: float = DEFAULT_ABANDON_WARNING_RATE
    confidence: float | None = None
    confidence_replications: int = 100
    confidence_seed: int = 0

    def shrinkage_on(self, weekday: int) -> float:
        if self.shrinkage_by_weekday is None:
            return self.shrinkage
        return self.shrinkage_by_weekday[weekday]

    def shrinkage_profile(self) -> ShrinkageProfile:
        return ShrinkageProfile(self.shrinkage, self.shrinkage_by_weekday, self.shrinkage_bands)


def _minutes(t: time) -> int:
    return 24 * 60 if t == time.max else t.hour * 60 + t.minute


def _read_band(t: TableReader) -> ShrinkageBand:
    days = t.value("days", WEEKDAYS, convert=_weekdays,
                   accepted=f"a list of weekdays from {', '.join(WEEKDAYS)}")
    start = t.value("start", convert=parse_clock, accepted="a local clock time 'HH:MM'")
    end = t.value("end", convert=parse_clock, accepted="a local clock time 'HH:MM' "
                                                       "(24:00 for midnight)")
    value = t.fraction("shrinkage")
    t.finish()
    if not _minutes(start) < _minutes(end):
        raise t.fail("end", t.raw["end"], f"a clock time after start = {t.raw['start']!r}")
    return ShrinkageBand(tuple(WEEKDAYS.index(d) for d in days), _minutes(start),
                         _minutes(end), value)


def _weekdays(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v or any(d not in WEEKDAYS for d in v):
        raise ValueError
    return tuple(v)


def _check_overlaps(bands: list[ShrinkageBand], where: str) -> None:
    for i, a in enumerate(bands):
        for j, b in enumerate(bands[:i]):
            both = set(a.weekdays) & set(b.weekdays)
            if both and a.start_min < b.end_min and b.start_min < a.end_min:
                raise ConfigError(
                    f"{where}: shrinkage bands {j + 1} and {i + 1} overlap on "
                    f"{WEEKDAYS[min(both)]}; accepted: bands that do not overlap on a day")


def read_staffing(t: TableReader) -> StaffingConfig:
    shrinkage = t.fraction("shrinkage", 0.30)
    by_day_t = t.table("shrinkage_by_weekday")
    by_day = None
    if by_day_t.raw:
        by_day = tuple(by_day_t.fraction(d, shrinkage) for d in WEEKDAYS)
        by_day_t.finish()
    max_occ = t.number("max_occupancy", 0.90, low=0.0, high=1.0, low_open=True)
    hours_per_fte = t.number("hours_per_fte", 37.5, low=0.0, high=168.0, low_open=True)
    bands = [_read_band(b) for b in t.tables("shrinkage_bands")]
    abandon_warning = t.number("abandon_warning_rate", DEFAULT_ABANDON_WARNING_RATE, low=0.0,
                               high=1.0)
    confidence = t.number("confidence", None, low=0.0, high=1.0, low_open=True,
                          high_open=True)
    replications = t.number("confidence_replications", 100, low=20, high=10_000,
                            integer=True)
    seed = t.number("confidence_seed", 0, low=0, integer=True)
    t.finish()
    _check_overlaps(bands, f"{t.source}: [staffing]")
    return StaffingConfig(shrinkage, by_day, max_occ, hours_per_fte, tuple(bands),
                          abandon_warning, confidence, int(replications), int(seed))


def staffing_inputs(config: Config, years: Iterable[int]) -> StaffingInputs:
    """What :func:`wfm.staffing.requirements.staff_forecast` needs, from wfm.toml:
    [[queues]] targets, [site] opening hours, holidays and special days, [staffing].

    ``years``: the calendar years the forecast covers (for public holidays).
    """
    from wfm.forecasting.calendar import HolidaySpecialDay, site_holidays

    site = config.site
    hol = site_holidays(site.country, years, site.subdivision, site.holidays,
                        site.holiday_effects)
    closed: set[date] = set(hol.closed)
    closed |= {s.day for s in site.special_days if s.effect == "closed"}
    days: list[HolidaySpecialDay | SpecialDay] = [*hol.special_days, *site.special_days]
    like = {s.day: WEEKDAYS.index(s.like) for s in days if s.effect == "like" and s.like}
    queues = {}
    for q in config.queues:
        hours = q.opening_hours or site.opening_hours
        queues[q.name] = QueueTargets(
            channel=q.channel, sl_target=q.sl_target, sl_threshold_s=q.sl_threshold_s,
            max_asa_s=q.max_asa_s, max_abandon_rate=q.max_abandon_rate,
            patience_s=q.patience_s, concurrency=q.concurrency,
            response_target=q.response_target,
            response_time_s=None if q.response_time_h is None else q.response_time_h * 3600.0,
            response_clock=q.response_clock, opening_windows=hours.windows)
    return StaffingInputs(
        queues, interval_minutes=config.data.interval_minutes, timezone=site.timezone,
        shrinkage=config.staffing.shrinkage_profile(),
        max_occupancy=config.staffing.max_occupancy,
        hours_per_fte=config.staffing.hours_per_fte, closed_dates=frozenset(closed),
        like_days=like)
