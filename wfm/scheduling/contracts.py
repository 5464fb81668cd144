"""Each agent's weekly limits for one week: the contract less time off, capped by the rules.

Time off lowers the contract minimum by one day and a pro-rata share of hours per day of
leave (the same reading as the roster checker), so a full-time agent on leave on Tuesday
is not asked for 35 hours in four days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from wfm.scheduling.eligibility import AgentLike


@dataclass(frozen=True)
class WeekLimits:
    """Per-agent arrays of the week's limits (paid minutes and working days)."""

    min_paid_min: np.ndarray
    max_paid_min: np.ndarray
    min_days: np.ndarray
    max_days: np.ndarray


def week_limits(agents: Sequence[AgentLike], week_start: date,
                days_off_per_week: int) -> WeekLimits:
    """The limits of every agent in the week starting ``week_start``."""
    week = [week_start + timedelta(days=i) for i in range(7)]
    n = len(agents)
    out = WeekLimits(np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
                     np.zeros(n, np.int64))
    for k, a in enumerate(agents):
        leave = sum(1 for d in week if d in a.time_off)
        per_day_h = a.min_hours_week / max(a.min_days_week, 5)
        min_h = max(a.min_hours_week - per_day_h * leave, 0.0)
        # Round the minimum up and the maximum down to whole minutes: never below the contract.
        out.min_paid_min[k] = int(np.ceil(min_h * 60 - 1e-6))
        out.max_paid_min[k] = int(np.floor(a.max_hours_week * 60 + 1e-6))
        out.min_days[k] = max(a.min_days_week - leave, 0)
        out.max_days[k] = min(a.max_days_week, 7 - days_off_per_week, 7 - leave)
    return out
