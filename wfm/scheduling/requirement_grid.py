"""The requirements frame of one week, laid on the optimiser's slot grid.

Requirements come at the staffing interval (15 or 30 min, ...); the optimiser's slot may be
finer (the greatest common divisor of the start grid, shift lengths and break windows).
Each slot takes the requirement of the interval containing it; fractional agents are
rounded up for the model (a requirement of 12.3 agents needs 13 people) while coverage is
reported against the original figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputDataError
from wfm.scheduling.shift_catalog import WeekGrid
from wfm.schema import parse_timestamps

REQUIRED_COLUMN = "agents_required"
_ROUND_TOL = 1e-6  # 12.0000001 agents (float noise) still means 12


@dataclass(frozen=True)
class WeekRequirements:
    """Requirements of the week.

    ``queues`` and ``channels`` are parallel; ``interval_minutes`` is the requirement grain;
    ``frame`` keeps the week's rows (queue, channel, interval_start UTC, required) at that
    grain for the coverage report.
    """

    queues: tuple[str, ...]
    channels: tuple[str, ...]
    interval_minutes: int
    frame: pd.DataFrame

    def slot_array(self, grid: WeekGrid) -> np.ndarray:
        """Whole agents required per queue and slot, int array (n_queues, grid.n_slots)."""
        out = np.zeros((len(self.queues), grid.n_slots), dtype=np.int64)
        if self.frame.empty:
            return out
        per = self.interval_minutes // grid.slot_minutes
        first = _slot_of(self.frame["interval_start"], grid)
        qi = self.frame["queue"].map({q: i for i, q in enumerate(self.queues)}).to_numpy()
        need = np.ceil(self.frame["required"].to_numpy(float) - _ROUND_TOL).astype(np.int64)
        for k in range(per):
            slot = first + k
            ok = (slot >= 0) & (slot < grid.n_slots)
            np.maximum.at(out, (qi[ok], slot[ok]), need[ok])
        return out


def _slot_of(starts: pd.Series, grid: WeekGrid) -> np.ndarray:
    minutes = (starts - pd.Timestamp(grid.start_utc)).dt.total_seconds().to_numpy() / 60
    return np.floor(minutes / grid.slot_minutes + 1e-9).astype(np.int64)


def interval_minutes_of(starts: pd.Series) -> int:
    """The requirement grain [min]: the smallest step between successive intervals."""
    values = np.unique(starts.to_numpy(dtype="datetime64[ns]").astype(np.int64))
    if len(values) < 2:
        return 60
    step = int(np.diff(values).min() // 60_000_000_000)
    return max(step, 1)


def week_requirements(requirements: pd.DataFrame, week_start: date, tz: ZoneInfo, *,
                      source: str = "requirements") -> WeekRequirements:
    """The rows of the local week from ``week_start`` (Monday or any day), validated.

    Raises
    ------
    InputDataError
        Missing columns, unreadable timestamps or negative values, or no requirement in
        that week (naming the dates the file does cover).
    """
    missing = [c for c in ("queue", "channel", "interval_start", REQUIRED_COLUMN)
               if c not in requirements.columns]
    if missing:
        raise InputDataError(f"{source}: missing column(s) {', '.join(missing)}; columns found: "
                             f"{', '.join(map(str, requirements.columns)) or '(none)'}")
    starts = parse_timestamps(requirements["interval_start"], source, "interval_start")
    required = pd.to_numeric(requirements[REQUIRED_COLUMN], errors="coerce")
    bad = required.isna() | (required < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(f"{source}: line {row + 2}, column {REQUIRED_COLUMN}: "
                             f"{requirements[REQUIRED_COLUMN].iloc[row]!r} is not valid; "
                             "accepted: a number of agents >= 0")
    if starts.empty:
        raise InputDataError(f"{source}: the requirements file has no rows")
    frame = pd.DataFrame({"queue": requirements["queue"].astype(str).to_numpy(),
                          "channel": requirements["channel"].astype(str).to_numpy(),
                          "interval_start": starts.to_numpy(),
                          "required": required.to_numpy(float)})
    lo = pd.Timestamp(week_start).tz_localize(tz)
    hi = pd.Timestamp(week_start + timedelta(days=7)).tz_localize(tz)
    local_days = starts.dt.tz_convert(tz).dt.date
    in_week = ((frame["interval_start"] >= lo) & (frame["interval_start"] < hi)).to_numpy()
    if not in_week.any():
        raise InputDataError(
            f"{source}: no requirement in the week of {week_start} (Monday {week_start} to "
            f"{week_start + timedelta(days=6)}); the file covers {local_days.min()} to "
            f"{local_days.max()}", hint="pass --week with a Monday inside that range")
    week_days = local_days[in_week]
    last = week_start + timedelta(days=6)
    if week_days.min() > week_start or week_days.max() < last:
        # A roster must not put shifts on days nobody planned for (the checker flags them).
        raise InputDataError(
            f"{source}: the requirements cover only {week_days.min()} to {week_days.max()} of "
            f"the week of {week_start} ({week_start} to {last}); accepted: a whole week",
            hint="pass --week with a Monday whose whole week the file covers")
    frame = frame[in_week].reset_index(drop=True)
    step = interval_minutes_of(frame["interval_start"])
    if 60 % step and step % 60:
        raise InputDataError(f"{source}: intervals of {step} minutes; accepted: 5, 10, 15, 20, "
                             "30 or 60 minutes")
    frame = pd.DataFrame(frame.groupby(["queue", "channel", "interval_start"], as_index=False,
                                       sort=True)["required"].sum())
    pairs = frame[["queue", "channel"]].drop_duplicates().sort_values("queue")
    dup = pairs["queue"].duplicated()
    if dup.any():
        queue = pairs["queue"][dup].iloc[0]
        raise InputDataError(f"{source}: queue {queue!r} appears with two channels; accepted: "
                             "one channel per queue")
    return WeekRequirements(tuple(pairs["queue"]), tuple(pairs["channel"]), step, frame)


def first_monday(requirements: pd.DataFrame, tz: ZoneInfo, source: str) -> date:
    """The week to roster when none is named (``wfm schedule`` without ``--week``, the
    pipeline's ``week = "next"``): the first local Monday whose midnight the requirements
    reach, else their first day. ``source`` names the file in errors."""
    if "interval_start" not in requirements.columns:
        raise InputDataError(f"{source}: missing column interval_start")
    starts = parse_timestamps(requirements["interval_start"], source, "interval_start")
    if starts.empty:
        raise InputDataError(f"{source}: no requirement rows; accepted: the requirements "
                             "frame `wfm staff` writes")
    first = pd.Timestamp(starts.min()).tz_convert(tz)
    day: date = first.date()
    if first.time() != pd.Timestamp(0).time() or day.weekday():
        day += timedelta(days=(7 - day.weekday()) % 7 or 7)
    last: date = pd.Timestamp(starts.max()).tz_convert(tz).date()
    return day if day <= last else first.date()
