"""Small builders for scheduling tests: agents and requirement frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class FakeAgent:
    """Same fields as wfm.scheduling.agents.Agent."""

    agent_id: str
    name: str = ""
    team: str = "A"
    skills: dict[str, int] = field(default_factory=lambda: {"voice_fr": 1})
    min_hours_week: float = 0.0
    max_hours_week: float = 40.0
    min_days_week: int = 0
    max_days_week: int = 5
    shift_lengths_h: tuple[float, ...] = ()
    earliest_start: time = time(0)
    latest_end: time = time(23, 59)
    time_off: frozenset[date] = frozenset()
    availability: dict[int, tuple[time, time]] | None = None
    preferred_start: time | None = None
    preferred_days_off: frozenset[int] = frozenset()


def requirements_frame(week: date, tz: str, needs: dict[str, list[int]] | None = None,
                       *, per_day: dict[tuple[str, int], list[tuple[str, str, int]]] | None = None,
                       minutes: int = 15, channel: str = "voice") -> pd.DataFrame:
    """A REQUIREMENTS frame over the local week: ``per_day[(queue, day)]`` lists
    (from "HH:MM", to "HH:MM", agents) local windows; everything else 0."""
    zone = ZoneInfo(tz)
    start = pd.Timestamp(week).tz_localize(zone)
    end = pd.Timestamp(week + timedelta(days=7)).tz_localize(zone)
    slots = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq=f"{minutes}min",
                          inclusive="left")
    queues = sorted({q for q, _ in (per_day or {})} | set(needs or {}))
    rows = []
    for q in queues:
        local = slots.tz_convert(zone)
        agents = np.zeros(len(slots), dtype=np.int64)
        for (qq, d), windows in (per_day or {}).items():
            if qq != q:
                continue
            day = week + timedelta(days=d)
            for lo, hi, n in windows:
                lo_t, hi_t = time.fromisoformat(lo), time.fromisoformat(hi)
                m = (local.date == day) & (local.time >= lo_t) & (local.time < hi_t)
                agents[m] = n
        rows.append(pd.DataFrame({
            "queue": q, "channel": channel, "interval_start": slots, "offered": 0.0,
            "aht_s": 300.0, "agents_productive": agents.astype(float),
            "agents_required": agents.astype(float)}))
    return pd.concat(rows, ignore_index=True)
