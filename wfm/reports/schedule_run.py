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


def shift_queues(run: ScheduleRun) -> dict[tuple[str, str], tuple[str, ...]]:
    """(agent_id, roster date) -> the queues the agent's shift that day works (sorted).

    From the agent intervals worked on a queue: an interval belongs to the agent's shift
    that holds it, so an overnight shift keeps the queues of its whole night.
    """
    ai = run.agent_intervals
    ai = ai[(ai["activity"] == "work") & (ai["queue"].fillna("") != "")]
    roster = run.roster
    start = pd.to_datetime(roster["shift_start"], utc=True)
    end = pd.to_datetime(roster["shift_end"], utc=True)
    shifts = pd.DataFrame({"agent_id": roster["agent_id"].astype(str),
                           "date": roster["date"].astype(str).str[:10],
                           "start": start, "end": end})
    shifts = shifts[(roster["status"].astype(str).str.lower() == "work").to_numpy()
                    & start.notna().to_numpy() & end.notna().to_numpy()]
    if ai.empty or shifts.empty:
        return {}
    left = pd.DataFrame({"agent_id": ai["agent_id"].astype(str),
                         "interval_start": ai["interval_start"], "queue": ai["queue"]})
    left = left.sort_values("interval_start", kind="stable")
    right = shifts.sort_values("start", kind="stable")
    right = right.assign(start=right["start"].astype(left["interval_start"].dtype),
                         end=right["end"].astype(left["interval_start"].dtype))
    joined = pd.merge_asof(left, right, left_on="interval_start", right_on="start",
                           by="agent_id", direction="backward")
    joined = joined[joined["interval_start"] < joined["end"]]
    pairs = joined[["agent_id", "date", "queue"]].drop_duplicates().sort_values(
        ["agent_id", "date", "queue"], kind="stable")
    grouped = pairs.groupby(["agent_id", "date"], sort=False, as_index=False)["queue"].agg(
        tuple)
    return {(str(a), str(d)): tuple(map(str, q)) for a, d, q in
            zip(grouped["agent_id"], grouped["date"], grouped["queue"], strict=True)}
