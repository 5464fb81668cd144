"""The week's time grid (UTC slots over local days) and every shift the rules allow.

Shifts are defined in the site's local time: a start clock on the start grid of a local
date, then a length in elapsed hours. On a daylight-saving day a local start that does not
exist is skipped and an ambiguous one takes its first occurrence, so an 8 h shift is always
8 h of real time. Slots are absolute (UTC) steps from the local midnight opening the week,
so a 23- or 25-hour day simply has 4 slots fewer or more at a 15-minute grain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import ConfigError
from wfm.scheduling.rules import ShiftRules

MINUTES_PER_DAY = 1440


def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of local clock ``minute`` on ``day``; ``None`` if it does not exist."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    aware = naive.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != naive:
        return None
    return aware.astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """UTC instant of the start of local ``day`` (the first existing minute)."""
    for minute in range(180):
        inst = local_instant(day, minute, tz)
        if inst is not None:
            return inst
    raise ConfigError(f"no valid local time near midnight of {day} in {tz.key}")  # pragma: no cover


@dataclass(frozen=True)
class WeekGrid:
    """Seven local days cut into UTC slots of ``slot_minutes``.

    ``n_slots`` slots cover the week itself; ``horizon`` adds room for overnight shifts
    that end after the week.
    """

    week_start: date
    tz: ZoneInfo
    slot_minutes: int
    start_utc: datetime
    day_first_slot: tuple[int, ...]  # 8 entries: first slot of each day and the week's end
    horizon: int

    @property
    def n_slots(self) -> int:
        return self.day_first_slot[7]

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.week_start + timedelta(days=i) for i in range(7))

    def slot_index(self, instant: datetime) -> int:
        minutes = (instant - self.start_utc).total_seconds() / 60
        return round(minutes / self.slot_minutes)

    def slot_times(self, count: int | None = None) -> pd.DatetimeIndex:
        """UTC start of each slot (``count`` slots, default the week)."""
        n = self.n_slots if count is None else count
        return pd.date_range(pd.Timestamp(self.start_utc), periods=n,
                             freq=f"{self.slot_minutes}min")

    def day_of_slot(self, slot: int) -> int:
        return int(np.searchsorted(self.day_first_slot, slot, side="right")) - 1


def build_grid(week_start: date, tz: ZoneInfo, slot_minutes: int, spill_h: float) -> WeekGrid:
    start = local_midnight(week_start, tz)
    firsts = []
    for i in range(8):
        inst = local_midnight(week_start + timedelta(days=i), tz)
        firsts.append(round((inst - start).total_seconds() / 60 / slot_minutes))
    spill = math.ceil(spill_h * 60 / slot_minutes)
    return WeekGrid(week_start, tz, slot_minutes, start, tuple(firsts), firsts[7] + spill)


@dataclass(frozen=True)
class BreakWindow:
    """A break of a shift length, in slots after the shift start."""

    kind: str
    duration: int
    earliest: int
    latest: int
    paid: bool


@dataclass(frozen=True)
class ShiftLength:
    """One allowed shift length with its break windows, in slots."""

    length_h: float
    n_slots: int
    paid_h: float
    breaks: tuple[BreakWindow, ...]

    @property
    def working_slots(self) -> int:
        """Slots on shift less the breaks and lunch."""
        return self.n_slots - sum(b.duration for b in self.breaks)


@dataclass(frozen=True)
class ShiftCatalog:
    """Every allowed shift of the week as parallel arrays (one entry per shift).

    ``day`` local day index 0-6 of the start; ``start`` first slot; ``length`` index into
    ``lengths``; ``start_min`` local clock of the start [min after midnight];
    ``end_min`` local clock of the end counted from the start day's midnight [min]
    (above 1440 when the shift ends the next day).
    """

    grid: WeekGrid
    lengths: tuple[ShiftLength, ...]
    day: np.ndarray
    start: np.ndarray
    length: np.ndarray
    start_min: np.ndarray
    end_min: np.ndarray

    @property
    def n_shifts(self) -> int:
        return len(self.day)

    @property
    def n_slots_of(self) -> np.ndarray:
        out: np.ndarray = np.array([sl.n_slots for sl in self.lengths])[self.length]
        return out

    @property
    def end(self) -> np.ndarray:
        out: np.ndarray = self.start + self.n_slots_of
        return out

    @property
    def paid_h(self) -> np.ndarray:
        out: np.ndarray = np.array([sl.paid_h for sl in self.lengths])[self.length]
        return out

    def start_local(self, i: int) -> datetime:
        return (self.grid.start_utc + timedelta(minutes=int(self.start[i]) *
                                                self.grid.slot_minutes)).astimezone(self.grid.tz)

    def end_local(self, i: int) -> datetime:
        return (self.grid.start_utc + timedelta(minutes=int(self.end[i]) *
                                                self.grid.slot_minutes)).astimezone(self.grid.tz)


def slot_minutes_for(rules: ShiftRules, requirement_minutes: int) -> int:
    """The coarsest slot that every start, length, break and requirement interval fits."""
    values = [requirement_minutes, rules.start_grid_minutes]
    values += [round(h * 60) for h in rules.shift_lengths_h]
    for b in rules.breaks:
        values += [b.duration_min, b.window_start_min, b.window_end_min]
    g = 0
    for v in values:
        g = math.gcd(g, int(v))
    return max(g, 1)


def build_catalog(week_start: date, tz: ZoneInfo, rules: ShiftRules,
                  requirement_minutes: int) -> ShiftCatalog:
    """All shifts of the week allowed by ``rules`` (start grid, lengths, overnight)."""
    rules.validate()
    slot = slot_minutes_for(rules, requirement_minutes)
    if 60 % slot:
        raise ConfigError(f"[scheduling] the start grid, shift lengths and break windows give "
                          f"a {slot}-minute step, which does not divide an hour",
                          hint="use multiples of 5, 10, 15 or 30 minutes")
    grid = build_grid(week_start, tz, slot, max(rules.shift_lengths_h))
    lengths = []
    for h in sorted(rules.shift_lengths_h):
        n = round(h * 60) // slot
        wins = []
        for b in rules.breaks_for(h):
            lo, hi = b.earliest_latest_min(round(h * 60))
            wins.append(BreakWindow(b.kind, b.duration_min // slot, lo // slot, hi // slot,
                                    b.paid))
        lengths.append(ShiftLength(h, n, rules.paid_hours(h), tuple(wins)))
    rows: list[tuple[int, int, int, int, int]] = []
    for d, day in enumerate(grid.days):
        day_end = grid.day_first_slot[d + 1]
        for minute in range(0, MINUTES_PER_DAY, rules.start_grid_minutes):
            inst = local_instant(day, minute, tz)
            if inst is None:
                continue
            s = grid.slot_index(inst)
            if d > 0 and s < grid.day_first_slot[d]:
                continue
            for li, sl in enumerate(lengths):
                e = s + sl.n_slots
                if not rules.allow_overnight and e > day_end:
                    continue
                end_local = (inst + timedelta(minutes=sl.n_slots * slot)).astimezone(tz)
                end_min = ((end_local.date() - day).days * MINUTES_PER_DAY
                           + end_local.hour * 60 + end_local.minute)
                rows.append((d, s, li, minute, end_min))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return ShiftCatalog(grid, tuple(lengths), arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3],
                        arr[:, 4])
