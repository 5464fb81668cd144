"""From a forecast frame to the requirements frame (DATA.md) and a per-day summary.

This is the library entry point behind ``wfm staff`` (and the pipeline's staffing step):
explicit arguments only, no Config, no files.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import StaffingError
from wfm.schema import COLD_CHANNELS, REQUIREMENTS
from wfm.staffing.deferred import evaluate_deferred, plan_deferred
from wfm.staffing.hot_queue import staff_hot_queue
from wfm.staffing.shrinkage import ShrinkageProfile, scheduled_agents

Window = tuple[time, time] | None


@dataclass(frozen=True)
class QueueTargets:
    """What one queue must achieve and how it is handled (plain values from [[queues]]).

    Hot channels: ``sl_target`` within ``sl_threshold_s`` [s], ``max_asa_s`` [s],
    ``max_abandon_rate``; ``patience_s`` [s] selects Erlang A; ``concurrency`` slots per
    agent. Deferred channels: ``response_target`` within ``response_time_s`` [s] on the
    ``response_clock`` ("calendar" or "working"), worked only inside ``opening_windows``
    (local clock, Monday first, ``None`` = closed that day).
    """

    channel: str
    sl_target: float | None = None
    sl_threshold_s: float | None = None
    max_asa_s: float | None = None
    max_abandon_rate: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    response_target: float | None = None
    response_time_s: float | None = None
    response_clock: str = "calendar"
    opening_windows: tuple[Window, ...] = ((time(0), time.max),) * 7

    @property
    def is_deferred(self) -> bool:
        return self.channel in COLD_CHANNELS


@dataclass(frozen=True)
class StaffingInputs:
    """What :func:`staff_forecast` needs besides the forecast: the queues' targets and the
    site's rules (built from wfm.toml by ``wfm.config.staffing.staffing_inputs``).

    Parameters
    ----------
    queues
        Targets by queue name; every forecast queue must be present.
    interval_minutes
        Interval length [min].
    timezone
        The site's zone (opening hours, days, shrinkage bands).
    shrinkage
        Fraction of paid time not available for contacts, by weekday and time of day.
    max_occupancy
        Occupancy cap (0, 1] for hot queues (``None``: none).
    hours_per_fte
        Weekly paid hours of one FTE [h] (daily FTE = hours / (this / 5)).
    closed_dates
        Local dates closed all day (holidays, closing special days).
    like_days
        Local dates that keep another weekday's opening hours (0 = Monday).
    """

    queues: Mapping[str, QueueTargets]
    interval_minutes: int
    timezone: ZoneInfo
    shrinkage: ShrinkageProfile = field(default_factory=lambda: ShrinkageProfile(0.0))
    max_occupancy: float | None = None
    hours_per_fte: float = 37.5
    closed_dates: frozenset[date] = frozenset()
    like_days: Mapping[date, int] = field(default_factory=dict)

    def with_queues(self, queues: Mapping[str, QueueTargets]) -> StaffingInputs:
        """The same site rules with other queue targets."""
        return replace(self, queues=queues)

    def open_intervals(self, queue: str, starts: pd.Series) -> np.ndarray:
        """True for the intervals of ``starts`` inside ``queue``'s opening hours (its
        windows, closed dates and like-days; :func:`opening_mask`)."""
        return opening_mask(starts, self.queues[queue].opening_windows, self.timezone,
                            interval_minutes=self.interval_minutes,
                            closed_dates=self.closed_dates, like_days=self.like_days)


def opening_mask(starts: pd.Series, windows: tuple[Window, ...], timezone: ZoneInfo, *,
                 interval_minutes: int, closed_dates: Collection[date] = (),
                 like_days: Mapping[date, int] | None = None) -> np.ndarray:
    """True for intervals lying wholly inside the local opening window of their day.

    ``closed_dates`` are closed all day; ``like_days`` maps a date to the weekday
    (0 = Monday) whose window it uses.
    """
    local = pd.DatetimeIndex(starts).tz_convert(timezone)
    weekday = local.day_of_week.to_numpy().copy()
    days = local.date
    if like_days:
        for i, d in enumerate(days):
            if d in like_days:
                weekday[i] = like_days[d]
    clock = (local.hour * 60 + local.minute).to_numpy()
    out = np.zeros(len(local), dtype=bool)
    for wd, win in enumerate(windows):
        if win is None:
            continue
        lo = win[0].hour * 60 + win[0].minute
        hi = 24 * 60 if win[1] == time.max else win[1].hour * 60 + win[1].minute
        out |= (weekday == wd) & (clock >= lo) & (clock + interval_minutes <= hi)
    if closed_dates:
        out &= ~np.isin(np.array(days, dtype=object), np.array(list(closed_dates), dtype=object))
    return out


def _full_grid(rows: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """The rows on a gap-free interval grid (a deferred backlog runs through the night)."""
    grid = pd.date_range(rows["interval_start"].iloc[0], rows["interval_start"].iloc[-1],
                         freq=f"{interval_minutes}min")
    if len(grid) == len(rows):
        return rows
    out = rows.set_index("interval_start").reindex(grid)
    out.index.name = "interval_start"
    out["offered"] = out["offered"].fillna(0.0)
    out["aht_s"] = out["aht_s"].ffill()
    out[["queue", "channel"]] = out[["queue", "channel"]].ffill()
    return out.reset_index()


def _staff_deferred(rows: pd.DataFrame, q: QueueTargets, *, interval_minutes: int,
                    timezone: ZoneInfo, closed_dates: Collection[date],
                    like_days: Mapping[date, int] | None,
                    initial_backlog: float, given: np.ndarray | None = None
                    ) -> dict[str, Any]:
    if q.response_target is None or q.response_time_s is None:
        raise StaffingError("a deferred queue needs response_target and response_time_h")
    mask = opening_mask(rows["interval_start"], q.opening_windows, timezone,
                        interval_minutes=interval_minutes, closed_dates=closed_dates,
                        like_days=like_days)
    labels = list(pd.DatetimeIndex(rows["interval_start"]).tz_convert(timezone)
                  .strftime("%a %Y-%m-%d %H:%M"))
    if given is not None:
        plan = evaluate_deferred(rows["offered"].to_numpy(float),
                                 rows["aht_s"].to_numpy(float), mask, interval_minutes * 60.0,
                                 given, response_time_s=q.response_time_s,
                                 clock=q.response_clock, initial_backlog=initial_backlog)
        agents = np.where(mask, given, 0.0)
    else:
        plan = plan_deferred(rows["offered"].to_numpy(float), rows["aht_s"].to_numpy(float),
                             mask, interval_minutes * 60.0, response_target=q.response_target,
                             response_time_s=q.response_time_s, clock=q.response_clock,
                             initial_backlog=initial_backlog, labels=labels)
        agents = plan.agents_productive
    return {"agents_productive": agents, "service_level": plan.share_within_target,
            "asa_s": np.nan, "occupancy": np.where(agents > 0, 1.0, 0.0),
            "abandon_rate": np.nan, "method": f"deferred_{q.response_clock}",
            "backlog": plan.backlog, "oldest_age_s": plan.oldest_age_s}


def _given(agents: Mapping[str, pd.Series] | None, name: str,
           rows: pd.DataFrame) -> np.ndarray | None:
    """The given agents of queue ``name`` on its rows (0 where the series has none)."""
    if agents is None or name not in agents:
        return None
    series = agents[name]
    stamps = pd.DatetimeIndex(rows["interval_start"]).tz_convert("UTC")
    index = pd.DatetimeIndex(series.index).tz_convert("UTC")
    values: np.ndarray = pd.Series(series.to_numpy(float), index=index).reindex(
        stamps).fillna(0.0).to_numpy(float)
    return values


def staff_forecast(forecast: pd.DataFrame, inputs: StaffingInputs, *,
                   initial_backlog: Mapping[str, float] | None = None,
                   agents: Mapping[str, pd.Series] | None = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Requirements per queue and interval, and agent-hours / FTE per queue and local day.

    Parameters
    ----------
    forecast : FORECAST frame (``interval_start`` tz-aware)
    inputs : the queues' targets and the site's rules (:class:`StaffingInputs`)
    initial_backlog : open deferred items at the start, by queue
    agents : a given staffing by queue (productive agents indexed by ``interval_start``,
        0 where an interval is missing) to measure instead of the smallest one meeting
        the targets (staffing to a confidence level); its rows keep ``method``

    Returns
    -------
    requirements : schema.REQUIREMENTS columns plus ``backlog`` [items] and
        ``oldest_age_s`` [s] (empty for hot queues)
    daily : queue, date, agent_hours_productive, agent_hours_scheduled, fte
    """
    queues, interval_minutes, timezone = inputs.queues, inputs.interval_minutes, inputs.timezone
    closed_dates, like_days = inputs.closed_dates, inputs.like_days
    profile = inputs.shrinkage
    interval_s = interval_minutes * 60.0
    parts = []
    for (queue, _channel), group in forecast.groupby(["queue", "channel"], sort=True):
        name = str(queue)
        if name not in queues:
            raise StaffingError(f"queue {name!r} is in the forecast but has no targets; add "
                                "it to [[queues]] in wfm.toml")
        q = queues[name]
        rows = group.sort_values("interval_start").reset_index(drop=True)
        try:
            if q.is_deferred:
                rows = _full_grid(rows, interval_minutes)
                res = _staff_deferred(rows, q, interval_minutes=interval_minutes,
                                      timezone=timezone, closed_dates=closed_dates,
                                      like_days=like_days,
                                      initial_backlog=(initial_backlog or {}).get(name, 0.0),
                                      given=_given(agents, name, rows))
            else:
                hot = staff_hot_queue(
                    rows["offered"].to_numpy(float), rows["aht_s"].to_numpy(float),
                    interval_s, sl_target=q.sl_target, sl_threshold_s=q.sl_threshold_s,
                    max_asa_s=q.max_asa_s, max_abandon_rate=q.max_abandon_rate,
                    patience_s=q.patience_s, concurrency=q.concurrency,
                    max_occupancy=inputs.max_occupancy, agents=_given(agents, name, rows))
                res = {k: v for k, v in hot.items() if k != "agents_required"}
        except StaffingError as exc:
            raise StaffingError(f"queue {name!r}: {exc.message}", hint=exc.hint) from None
        out = rows[["queue", "channel", "interval_start", "offered", "aht_s"]].copy()
        for key, value in res.items():
            out[key] = value
        parts.append(out)
    if not parts:
        raise StaffingError("the forecast has no rows to staff")
    req = pd.concat(parts, ignore_index=True)
    local = pd.DatetimeIndex(req["interval_start"]).tz_convert(timezone)
    shrink = profile.at(local.day_of_week.to_numpy(), (local.hour * 60 + local.minute).to_numpy())
    req["agents_required"] = scheduled_agents(req["agents_productive"].to_numpy(float), shrink)
    for extra in ("backlog", "oldest_age_s"):
        if extra not in req:
            req[extra] = np.nan
    req = req[list(REQUIREMENTS.names)]
    hours = interval_minutes / 60.0
    daily = (req.assign(date=local.strftime("%Y-%m-%d"),
                        agent_hours_productive=req["agents_productive"] * hours,
                        agent_hours_scheduled=req["agents_required"] * hours)
             .groupby(["queue", "date"], as_index=False)[
                 ["agent_hours_productive", "agent_hours_scheduled"]].sum())
    daily["fte"] = daily["agent_hours_scheduled"] / (inputs.hours_per_fte / 5.0)
    return req, daily
