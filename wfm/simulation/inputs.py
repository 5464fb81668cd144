"""From the shared frames (forecast or requirements, agent intervals) to simulator inputs.

The frames follow DATA.md: a forecast or requirements frame (``queue, interval_start,
offered, aht_s`` and optionally ``offered_lo_80``/``offered_hi_80``...), a roster's
``agent_intervals`` view (``agent_id, interval_start, activity, queue``) and each
agent's skills with priorities (from the agents file). No files are read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputDataError
from wfm.simulation.arrivals import rate_sd_from_interval
from wfm.simulation.centre import Demand, FloatArray, IntArray, Staffing


@dataclass(frozen=True)
class Horizon:
    """The simulated stretch of time: interval starts (UTC) and their local days.

    Attributes
    ----------
    starts : interval starts, tz-aware UTC
    interval_s : interval length [s]
    day_index : (intervals,) the local day number of each interval
    days : the local dates, ISO ``YYYY-MM-DD``, one per day number
    """

    starts: pd.DatetimeIndex
    interval_s: float
    day_index: IntArray
    days: tuple[str, ...]


def make_horizon(first_day: date, n_days: int, interval_minutes: int,
                 tz: ZoneInfo) -> Horizon:
    """Intervals from local midnight of ``first_day`` for ``n_days`` local days (days of
    23 or 25 hours at daylight-saving changes included)."""
    start = pd.Timestamp(datetime.combine(first_day, time(0)), tz=tz)
    end = pd.Timestamp(datetime.combine(first_day + timedelta(days=n_days), time(0)), tz=tz)
    starts = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"),
                           freq=f"{interval_minutes}min", inclusive="left")
    local = starts.tz_convert(tz)
    ordinal = np.array([d.toordinal() for d in local.date], dtype=np.int64)
    day_index = (ordinal - first_day.toordinal()).astype(np.int64)
    days = tuple((first_day + timedelta(days=k)).isoformat() for k in range(n_days))
    return Horizon(starts, interval_minutes * 60.0, day_index, days)


def _grid(frame: pd.DataFrame, column: str, queues: Sequence[str], horizon: Horizon,
          source: str) -> FloatArray:
    """Values of ``column`` on the (queues, intervals) grid; NaN where no row."""
    out = np.full((len(queues), horizon.starts.size), np.nan)
    qi = frame["queue"].astype(str).map({q: k for k, q in enumerate(queues)})
    pos = horizon.starts.get_indexer(pd.DatetimeIndex(frame["interval_start"]).tz_convert(
        "UTC"))
    keep = qi.notna().to_numpy() & (pos >= 0)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    bad = keep & ~np.isfinite(values) & frame[column].notna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"{source}: line {row + 2}, column {column}: "
                             f"{frame[column].iloc[row]!r} is not a number")
    out[qi.to_numpy()[keep].astype(np.int64), pos[keep]] = values[keep]
    return out


def demand_from_frame(frame: pd.DataFrame, queues: Sequence[str], horizon: Horizon, *,
                      source: str = "forecast", mode: str = "poisson",
                      uncertainty_level: float | None = None,
                      uncertainty_scope: str = "day",
                      initial_backlog: Mapping[str, float] | None = None) -> Demand:
    """Demand per queue and horizon interval from a forecast or requirements frame.

    Intervals without a row have no contacts; the AHT of an empty interval is the
    queue's mean. ``uncertainty_level`` (e.g. 0.8) reads ``offered_lo_80`` and
    ``offered_hi_80`` and makes the arrivals doubly stochastic.
    """
    missing = [c for c in ("queue", "interval_start", "offered", "aht_s") if c not in frame]
    if missing:
        raise InputDataError(f"{source}: missing column(s) {', '.join(missing)}; the "
                             "simulation needs queue, interval_start, offered and aht_s")
    absent = sorted(set(queues) - set(frame["queue"].astype(str)))
    if absent:
        raise InputDataError(f"{source}: no rows for queue {absent[0]!r}, which the roster "
                             "staffs", hint="simulate with the forecast the roster was made for")
    volume = _grid(frame, "offered", queues, horizon, source)
    covered = ~np.isnan(volume)
    if not covered.any():
        raise InputDataError(f"{source}: no row falls in the simulated days "
                             f"{horizon.days[0]}..{horizon.days[-1]}")
    aht = _grid(frame, "aht_s", queues, horizon, source)
    mean_aht = np.array([np.nanmean(r) if np.isfinite(r).any() else 300.0 for r in aht])
    aht = np.where(np.isfinite(aht) & (aht > 0), aht, mean_aht[:, None])
    volume = np.nan_to_num(volume, nan=0.0)
    if np.any(volume < 0):
        q, i = (int(v[0]) for v in np.nonzero(volume < 0))
        raise InputDataError(f"{source}: queue {queues[q]!r} at {horizon.starts[i]}: offered "
                             f"{volume[q, i]:g} is negative; accepted: a number >= 0")
    if mode == "replay":
        volume = np.round(volume)
    rate_sd = None
    if uncertainty_level is not None:
        pct = round(uncertainty_level * 100)
        lo_col, hi_col = f"offered_lo_{pct}", f"offered_hi_{pct}"
        if lo_col not in frame or hi_col not in frame:
            raise InputDataError(f"{source}: no {lo_col}/{hi_col} columns for the forecast "
                                 "uncertainty", hint="use a forecast with prediction "
                                 "intervals, or simulate without the uncertainty option")
        lo = np.nan_to_num(_grid(frame, lo_col, queues, horizon, source), nan=0.0)
        hi = np.nan_to_num(_grid(frame, hi_col, queues, horizon, source), nan=0.0)
        hi = np.maximum(hi, lo)
        rate_sd = rate_sd_from_interval(volume, lo, hi, uncertainty_level)
    backlog = None
    if initial_backlog:
        backlog = np.array([float(initial_backlog.get(q, 0.0)) for q in queues])
    return Demand(horizon.interval_s, volume, aht, horizon.day_index, mode, rate_sd,
                  uncertainty_scope, backlog)


def slot_seconds(starts: pd.Series, default_s: float) -> float:
    """The smallest positive step between interval starts [s] (``default_s`` if none)."""
    values = pd.DatetimeIndex(starts).unique().sort_values()
    steps = (values[1:] - values[:-1]).total_seconds().to_numpy()  # any datetime unit
    steps = steps[steps > 0]
    return float(steps.min()) if steps.size else default_s


def staffing_from_intervals(intervals: pd.DataFrame, skills: Mapping[str, Mapping[str, int]],
                            queues: Sequence[str], horizon: Horizon, *,
                            slot_s: float | None = None,
                            source: str = "agent_intervals") -> Staffing:
    """Who is logged in when, from a roster's agent intervals and the agents' skills.

    ``activity == "work"`` rows log the agent in for that slot; breaks, lunch and absent
    rows log it out. ``skills[agent_id]`` maps queue -> priority (1 = first); skills on
    queues not simulated are dropped; ties go by queue name.
    """
    for col in ("agent_id", "interval_start", "activity"):
        if col not in intervals:
            raise InputDataError(f"{source}: missing column {col}; accepted: the "
                                 "agent_intervals.csv of a schedule run")
    ids = intervals["agent_id"].astype(str)
    agents = sorted(set(ids))
    unknown = [a for a in agents if a not in skills]
    if unknown:
        raise InputDataError(f"{source}: agent {unknown[0]!r} is in the roster but not in "
                             "the agents file", hint="simulate with the agents file the "
                             "roster was made from")
    slot = slot_s or slot_seconds(intervals["interval_start"], horizon.interval_s)
    t0 = horizon.starts[0]
    n_slots = int(np.ceil(horizon.starts.size * horizon.interval_s / slot - 1e-9))
    offset = (pd.DatetimeIndex(intervals["interval_start"]).tz_convert("UTC") - t0)
    pos_f = offset.total_seconds().to_numpy() / slot
    pos = np.round(pos_f).astype(np.int64)
    if np.any(np.abs(pos_f - pos) > 1e-6):
        row = int(np.flatnonzero(np.abs(pos_f - pos) > 1e-6)[0])
        raise InputDataError(f"{source}: line {row + 2}: interval_start "
                             f"{intervals['interval_start'].iloc[row]} is not on the "
                             f"{slot / 60:g}-minute grid of the roster")
    a_of = {a: k for k, a in enumerate(agents)}
    rows = ids.map(a_of).to_numpy(np.int64)
    working = (intervals["activity"].astype(str).str.lower() == "work").to_numpy()
    inside = working & (pos >= 0) & (pos < n_slots)
    on = np.zeros((len(agents), n_slots), dtype=bool)
    on[rows[inside], pos[inside]] = True
    planned = np.full((len(agents), n_slots), -1, dtype=np.int64)
    if "queue" in intervals:
        q_of = intervals["queue"].astype(str).map({q: k for k, q in enumerate(queues)})
        has_q = inside & q_of.notna().to_numpy()
        planned[rows[has_q], pos[has_q]] = q_of.to_numpy()[has_q].astype(np.int64)
    index = {q: k for k, q in enumerate(queues)}
    ordered = [[index[q] for q, _ in sorted(skills[a].items(), key=lambda kv: (kv[1], kv[0]))
                if q in index] for a in agents]
    width = max((len(s) for s in ordered), default=1) or 1
    skill_arr = np.full((len(agents), width), -1, dtype=np.int64)
    for k, s in enumerate(ordered):
        skill_arr[k, :len(s)] = s
    return Staffing(slot, on, skill_arr, tuple(agents), planned)


def requirement_grid(frame: pd.DataFrame, queues: Sequence[str], horizon: Horizon, *,
                     column: str = "agents_required",
                     source: str = "requirements") -> FloatArray:
    """A requirements frame's ``column`` on the (queues, intervals) grid, 0 where no row."""
    if column not in frame:
        raise InputDataError(f"{source}: missing column {column}")
    return np.nan_to_num(_grid(frame, column, queues, horizon, source), nan=0.0)


def requirement_frame(required: FloatArray, queues: Sequence[str], channels: Sequence[str],
                      horizon: Horizon) -> pd.DataFrame:
    """A requirements frame (queue, channel, interval_start, agents_productive,
    agents_required) of a (queues, intervals) grid, for the scheduler."""
    n_q, n_i = required.shape
    return pd.DataFrame({
        "queue": np.repeat(list(queues), n_i), "channel": np.repeat(list(channels), n_i),
        "interval_start": np.tile(horizon.starts.to_numpy(), n_q),
        "agents_productive": required.ravel(), "agents_required": required.ravel()})


def label_table(table: pd.DataFrame, horizon: Horizon, by: str) -> pd.DataFrame:
    """Replace the period numbers of a result table by ``interval_start`` (ISO, UTC) or
    the local ``date``."""
    out = table.copy()
    if by == "interval":
        stamps = [t.isoformat() for t in horizon.starts]
        out.insert(1, "interval_start", [stamps[i] for i in out.pop("interval")])
    elif by == "day":
        out.insert(1, "date", [horizon.days[i] for i in out.pop("day")])
    return out
