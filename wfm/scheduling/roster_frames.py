"""The roster frames of the shared contract, built from the optimiser's slot arrays.

``roster`` one row per agent and local date; ``agent_intervals`` one row per agent and
slot on shift (one queue per agent and slot, so nobody counts twice); ``coverage`` per
queue and requirement interval: required, scheduled (agents on the queue, averaged over
the interval's slots) and gap = scheduled - required.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from wfm.scheduling.break_placement import BREAK, LUNCH, WORK, PlacedBreaks
from wfm.scheduling.eligibility import AgentLike
from wfm.scheduling.requirement_grid import WeekRequirements
from wfm.scheduling.shift_catalog import ShiftCatalog

ROSTER_COLUMNS = ("agent_id", "name", "team", "date", "status", "shift_start", "shift_end",
                  "paid_hours", "activities")
INTERVAL_COLUMNS = ("agent_id", "interval_start", "activity", "queue")
COVERAGE_COLUMNS = ("queue", "channel", "interval_start", "required", "scheduled", "gap")
ACTIVITY_NAMES = {WORK: "work", BREAK: "break", LUNCH: "lunch"}


def roster_frame(catalog: ShiftCatalog, agents: Sequence[AgentLike], shift_of: np.ndarray,
                 placed: PlacedBreaks) -> pd.DataFrame:
    """One row per agent and day: status, shift start and end with offset, paid hours,
    breaks and lunch as local clock text."""
    grid = catalog.grid
    rows = []
    for a, agent in enumerate(agents):
        for d, day in enumerate(grid.days):
            i = int(shift_of[a, d])
            row = {"agent_id": agent.agent_id, "name": agent.name, "team": agent.team,
                   "date": day.isoformat(), "status": "off", "shift_start": "",
                   "shift_end": "", "paid_hours": 0.0, "activities": ""}
            if i < 0:
                if day in agent.time_off:
                    row["status"] = "leave"
                rows.append(row)
                continue
            parts = []
            for kind, first, slots in placed.breaks.get((a, d), []):
                lo = _local(catalog, first)
                hi = _local(catalog, first + slots)
                parts.append(f"{kind} {lo:%H:%M}-{hi:%H:%M}")
            row.update(status="work", shift_start=catalog.start_local(i).isoformat(),
                       shift_end=catalog.end_local(i).isoformat(),
                       paid_hours=round(float(catalog.paid_h[i]), 4),
                       activities="; ".join(parts))
            rows.append(row)
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


def _local(catalog: ShiftCatalog, slot: int) -> pd.Timestamp:
    grid = catalog.grid
    return pd.Timestamp(grid.start_utc + timedelta(minutes=slot * grid.slot_minutes)).tz_convert(
        grid.tz)


def intervals_frame(catalog: ShiftCatalog, agents: Sequence[AgentLike], placed: PlacedBreaks,
                    queue_names: Sequence[str]) -> pd.DataFrame:
    """One row per agent and slot on shift; ``queue`` empty on breaks. Agents with no
    skill among the required queues show their primary skill."""
    a_idx, t_idx = np.nonzero(placed.activity >= 0)
    times = catalog.grid.slot_times(catalog.grid.horizon)
    starts = [t.isoformat() for t in times]
    names = np.array([*list(queue_names), ""], dtype=object)
    primary = [min(a.skills, key=lambda q: (a.skills[q], q)) if a.skills else ""
               for a in agents]
    rows = []
    for a, t in zip(a_idx.tolist(), t_idx.tolist(), strict=True):
        act = int(placed.activity[a, t])
        q = int(placed.queue[a, t])
        queue = "" if act != WORK else (str(names[q]) if q >= 0 else primary[a])
        rows.append((agents[a].agent_id, starts[t], ACTIVITY_NAMES[act], queue))
    frame = pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))
    return frame.sort_values(["agent_id", "interval_start"], kind="stable").reset_index(drop=True)


def scheduled_counts(placed: PlacedBreaks, n_queues: int, n_slots: int) -> np.ndarray:
    """Agents working each queue in each slot of the week, int (n_queues, n_slots)."""
    q = placed.queue[:, :n_slots]
    out = np.zeros((n_queues, n_slots), dtype=np.int64)
    for k in range(n_queues):
        out[k] = (q == k).sum(axis=0)
    return out


def coverage_frame(catalog: ShiftCatalog, week: WeekRequirements,
                   counts: np.ndarray) -> pd.DataFrame:
    """Required, scheduled and gap per queue and requirement interval."""
    grid = catalog.grid
    per = week.interval_minutes // grid.slot_minutes
    f = week.frame
    first = np.floor((f["interval_start"] - pd.Timestamp(grid.start_utc)).dt.total_seconds()
                     .to_numpy() / 60 / grid.slot_minutes + 1e-9).astype(np.int64)
    qi = f["queue"].map({q: i for i, q in enumerate(week.queues)}).to_numpy()
    scheduled = np.zeros(len(f))
    for k in range(per):
        slot = np.clip(first + k, 0, grid.n_slots - 1)
        scheduled += counts[qi, slot]
    scheduled /= per
    required = f["required"].to_numpy(float)
    return pd.DataFrame({
        "queue": f["queue"].to_numpy(), "channel": f["channel"].to_numpy(),
        "interval_start": [t.isoformat() for t in f["interval_start"]],
        "required": required, "scheduled": scheduled, "gap": scheduled - required,
    }, columns=list(COVERAGE_COLUMNS))
