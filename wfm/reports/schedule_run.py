"""A schedule run as the reports take it (read from its folder by wfm.pipeline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd


@dataclass(frozen=True)
class ScheduleRun:
    """The frames of one schedule run; timestamps tz-aware UTC, ``tz`` the site zone."""

    run_id: str
    roster: pd.DataFrame
    agent_intervals: pd.DataFrame
    coverage: pd.DataFrame
    manifest: dict[str, Any]
    tz: ZoneInfo
    stamp: datetime

    @property
    def week(self) -> str:
        week = self.manifest.get("week")
        if week:
            return str(week)
        return str(min(self.roster["date"])) if len(self.roster) else ""


def interval_hours(starts: pd.Series) -> float:
    """The interval length [h] of a series of interval starts (smallest positive step)."""
    values = pd.Series(starts.drop_duplicates().sort_values().to_numpy())
    steps = values.diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return 0.25
    return float(steps.min() / pd.Timedelta(hours=1))
