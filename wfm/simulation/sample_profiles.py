"""Parameters of the sample contact centre: queues, calendar, seasonal shapes and events.

The centre matches the starter ``wfm.toml``: four queues in Europe/Paris, open Mon-Fri
08-20 and Sat 09-17 (local clock time), closed on Sundays and French public holidays.
All shapes are functions of *local clock time*, so days of 23 and 25 hours keep their shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

TIMEZONE = "Europe/Paris"
COUNTRY = "FR"
INTERVAL_S = 900
EMAIL_RESPONSE_S = 24 * 3600

# Opening window per weekday (Monday first) in local clock hours; None = closed.
OPENING_HOURS: tuple[tuple[float, float] | None, ...] = ((8.0, 20.0),) * 5 + ((9.0, 17.0), None)


@dataclass(frozen=True)
class QueueSpec:
    """One queue of the sample centre.

    Attributes
    ----------
    name, channel : queue key and channel (as in the starter wfm.toml)
    weekday_volume : contacts on an average Wednesday at the start of the history [contacts/day]
    growth_per_year : volume trend, compounded (0.06 = +6 % a year)
    weekly : day-volume factor per weekday, Monday first (Sunday 0 for closed hot queues)
    aht_s : mean handle time at mid-day [s]; per-contact times are lognormal around it
    aht_cv : coefficient of variation of one contact's handle time
    sl_threshold_s : service-level threshold [s] (email: the response time)
    patience_s : mean patience before abandoning [s]; ``inf`` for email
    concurrency : contacts one agent works at once (chat)
    safety : beta of square-root staffing, servers = a + beta * sqrt(a)
    hold_share, acw_share : mean shares of handle time on hold and in after-contact work
    """

    name: str
    channel: str
    weekday_volume: float
    growth_per_year: float
    weekly: tuple[float, float, float, float, float, float, float]
    aht_s: float
    aht_cv: float
    sl_threshold_s: float
    patience_s: float
    concurrency: int = 1
    safety: float = 1.0
    hold_share: float = 0.0
    acw_share: float = 0.1

    @property
    def deferred(self) -> bool:
        """Worked from a backlog in opening hours rather than answered live."""
        return self.channel == "email"


DEFAULT_QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("voice_fr", "voice", 1400.0, 0.05, (1.22, 1.06, 1.0, 0.97, 0.93, 0.45, 0.0),
              aht_s=300.0, aht_cv=0.7, sl_threshold_s=20.0, patience_s=120.0, safety=0.9,
              hold_share=0.06, acw_share=0.15),
    QueueSpec("voice_en", "voice", 320.0, 0.02, (1.18, 1.05, 1.0, 0.98, 0.95, 0.35, 0.0),
              aht_s=360.0, aht_cv=0.75, sl_threshold_s=30.0, patience_s=180.0, safety=0.8,
              hold_share=0.07, acw_share=0.15),
    QueueSpec("chat_fr", "chat", 450.0, 0.15, (1.10, 1.0, 1.0, 1.0, 1.05, 0.60, 0.0),
              aht_s=600.0, aht_cv=0.6, sl_threshold_s=60.0, patience_s=240.0, concurrency=2,
              safety=0.8, acw_share=0.05),
    QueueSpec("email_fr", "email", 260.0, -0.04, (1.10, 1.05, 1.0, 1.0, 0.95, 0.55, 0.45),
              aht_s=420.0, aht_cv=0.9, sl_threshold_s=float(EMAIL_RESPONSE_S),
              patience_s=float("inf"), acw_share=0.1),
)


@dataclass(frozen=True)
class SpecialEvent:
    """A dated event of the sample history.

    ``campaign``: every queue's volume times ``multiplier`` all day, while planners staffed
    for only ``planned_multiplier``. ``outage``: between ``start_h`` and ``end_h`` (local)
    most calls never reach the voice queues (offered times ``multiplier``) and those that do
    meet ``server_share`` of the agents; chat and email take the overflow; voice callers
    retry for two hours after the repair (times ``1 / multiplier ** 0.25``).
    """

    day: date
    name: str
    kind: str
    multiplier: float
    planned_multiplier: float = 1.0
    start_h: float = 0.0
    end_h: float = 24.0
    server_share: float = 1.0


DEFAULT_EVENTS: tuple[SpecialEvent, ...] = (
    SpecialEvent(date(2025, 11, 28), "Black Friday campaign", "campaign", 1.6,
                 planned_multiplier=1.2),
    SpecialEvent(date(2025, 3, 12), "Telephony outage", "outage", 0.15, start_h=10.0,
                 end_h=14.5, server_share=0.1),
)
OUTAGE_SPILL = {"chat": 1.8, "email": 1.3}
OUTAGE_RETRY_H = 2.0
HOLIDAY_EMAIL_FACTOR = 0.5
CATCH_UP_FACTOR = 1.25
DAY_NOISE_SIGMA = 0.04
AHT_TREND_PER_YEAR = -0.02
ABSENCE_MAX = 0.12


def _bump(x: FloatArray, centre: float, width: float) -> FloatArray:
    return np.asarray(np.exp(-0.5 * ((x - centre) / width) ** 2), dtype=np.float64)


def intraday_shape(channel: str, weekday: NDArray[np.int64], clock_h: FloatArray) -> FloatArray:
    """Relative arrival intensity at local clock time ``clock_h`` [h] (unnormalised).

    Voice has the classic morning and early-afternoon peaks, chat peaks again in the
    evening, email arrives around the clock with a daytime hump and an evening shoulder.
    Saturdays have one broad midday peak.
    """
    sat = weekday == 5
    if channel == "voice":
        week = 0.15 + _bump(clock_h, 10.75, 1.4) + 0.85 * _bump(clock_h, 14.5, 1.7)
        weekend = 0.15 + _bump(clock_h, 11.5, 2.2)
    elif channel == "chat":
        week = 0.3 + 0.7 * _bump(clock_h, 11.5, 1.8) + _bump(clock_h, 18.0, 1.6)
        weekend = 0.3 + _bump(clock_h, 13.0, 2.5)
    else:
        week = (0.08 + 0.6 * _bump(clock_h, 10.5, 2.2) + 0.5 * _bump(clock_h, 15.0, 2.5)
                + 0.25 * _bump(clock_h, 21.5, 1.5))
        weekend = week
    return np.where(sat, weekend, week)


def open_mask(weekday: NDArray[np.int64], clock_h: FloatArray) -> NDArray[np.bool_]:
    """True where the centre is open by its weekly hours (holidays not applied)."""
    start = np.array([np.nan if w is None else w[0] for w in OPENING_HOURS])[weekday]
    end = np.array([np.nan if w is None else w[1] for w in OPENING_HOURS])[weekday]
    return (clock_h >= start) & (clock_h < end)


def yearly_factor(day_of_year: FloatArray) -> FloatArray:
    """Seasonal day-volume factor: winter high, August trough, back-to-school bump.

    ``1 + 0.06 cos(2 pi (doy - 25) / 365.25) - 0.2 b(222, 11) + 0.08 b(248, 6)
    - 0.12 b(362, 5)`` with ``b(c, w)`` a Gaussian bump centred on day ``c``.
    """
    doy = np.asarray(day_of_year, dtype=np.float64)
    wave = 0.06 * np.cos(2 * np.pi * (doy - 25.0) / 365.25)
    return np.asarray(1.0 + wave - 0.2 * _bump(doy, 222.0, 11.0) + 0.08 * _bump(doy, 248.0, 6.0)
                      - 0.12 * _bump(doy, 362.0, 5.0), dtype=np.float64)


def aht_factor(channel: str, weekday: NDArray[np.int64], clock_h: FloatArray) -> FloatArray:
    """Handle-time factor by local hour and weekday: longer early/late and on Mondays.

    Email handle time does not depend on the clock (it is worked from a backlog).
    """
    if channel == "email":
        return np.ones_like(clock_h)
    hour = 1.0 + 0.10 * ((clock_h - 13.5) / 6.5) ** 2 - 0.03
    return np.asarray(hour * np.where(weekday == 0, 1.04, 1.0), dtype=np.float64)
