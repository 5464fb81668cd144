"""Why a queue-day is still short after the re-plan loop: what its agents could still give.

The loop (wfm.simulation.replan) sees rosters only as who is logged in when; whether an
agent with the skill *could* have worked more that day is a question of contracts and
shift rules, which live in the scheduling layer. This module (the pipeline: it may see
both) counts, for one queue and local day of a roster, the agents holding the skill: who
works that day and where the roster planned their hours, and for each agent off, the
first rule that keeps them off (leave or availability, their most days a week, their most
hours a week, the rest or consecutive-days rules) or that nothing does. The verdict says
whether the roster could have given the queue more hours that day.

Checks on an agent off that day: on leave or unavailable that weekday; days worked in the
week at ``min(max_days_week, 7 - days_off_per_week)``; paid hours plus the shortest
shift they may work above ``max_hours_week``; a run of working days through that day
longer than ``max_consecutive_days``; no shift of their shortest length fitting between
the previous day's end and the next day's start with ``min_rest_h`` on both sides, inside
their window of that weekday. Shifts of the weeks before and after are not known here (a
run or rest carried over a week boundary is not checked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.scheduling.agents import Agent
from wfm.scheduling.rules import ShiftRules

#: Reasons an agent off that day stays off, in the order they are checked.
OFF_REASONS: tuple[str, ...] = ("unavailable", "max_days", "max_hours", "rest_rules", "free")


@dataclass(frozen=True)
class SkillDay:
    """The agents holding ``queue``'s skill on ``day`` of a roster.

    Attributes
    ----------
    queue, day : the queue and the local date
    holders : agents holding the skill
    working : of them, on shift that day
    logged_in_h : their work hours that day (breaks and lunch out) [h]
    planned_h : those hours by the queue the roster planned them on [h]
    first_skill_h : of the hours planned on ``queue``, those of agents whose first
        (highest-priority) skill it is [h]; the others serve their other skills first
    off : agents off that day by the first rule keeping them off (``OFF_REASONS``;
        ``free``: none does, they could work a shift that day)
    longer : of those working, how many could work a longer shift (a longer length
        they may work still within their weekly hours)
    """

    queue: str
    day: date
    holders: int
    working: int
    logged_in_h: float
    planned_h: Mapping[str, float]
    first_skill_h: float
    off: Mapping[str, int] = field(default_factory=dict)
    longer: int = 0

    @property
    def could_work_more(self) -> int:
        """Agents with the skill who could have given the queue more hours that day."""
        return int(self.off.get("free", 0)) + self.longer

    def text(self, met_queues: Sequence[str] = ()) -> str:
        """The facts and the verdict, one sentence list (``met_queues``: the other queues
        that met their targets that day)."""
        on_queue = self.planned_h.get(self.queue, 0.0)
        others = ", ".join(f"{h:,.1f} h on {q}" for q, h in sorted(self.planned_h.items())
                           if q != self.queue and h > 0)
        off = sum(self.off.values())
        parts = [f"{self.holders} agent(s) hold the skill; {self.working} work that day "
                 f"({self.logged_in_h:,.1f} h logged in: {on_queue:,.1f} h planned on "
                 f"{self.queue}" + (f", {others}" if others else "") + ")"]
        if on_queue > 0:
            parts.append(f"{self.first_skill_h:,.1f} h of the {on_queue:,.1f} h on "
                         f"{self.queue} are agents whose first skill it is (the others take "
                         "their first skill's contacts first)")
        parts.append(f"of the {off} off, {self.off.get('unavailable', 0)} on leave or "
                     f"unavailable, {self.off.get('max_days', 0)} at their most days a week, "
                     f"{self.off.get('max_hours', 0)} at their most hours a week, "
                     f"{self.off.get('rest_rules', 0)} held by the rest or consecutive-day "
                     f"rules, {self.off.get('free', 0)} free to work a shift that day; "
                     f"{self.longer} of those working could work a longer shift")
        moved = sum(h for q, h in self.planned_h.items() if q != self.queue and q in
                    met_queues)
        if self.could_work_more:
            verdict = (f"so the roster could give {self.queue} more hours that day "
                       f"({self.could_work_more} agent(s) could work more); the scheduler "
                       "did not (allow more rounds, a larger step or a longer time limit)")
        else:
            verdict = "so no agent with the skill could work more that day"
            if moved > 0:
                verdict += (f"; {moved:,.1f} h of its agents went to queues meeting their "
                            "targets (moving them needs other skill priorities or less "
                            "requirement there)")
        return "; ".join(parts) + "; " + verdict


def skill_day(queue: str, day: date, roster: pd.DataFrame, agent_intervals: pd.DataFrame,
              agents: Sequence[Agent], *, rules: ShiftRules, tz: ZoneInfo) -> SkillDay:
    """What the agents holding ``queue``'s skill give and could give on local ``day``.

    Parameters
    ----------
    queue, day : the queue and local date
    roster : the roster frame (one row per agent and local date: ``status``,
        ``shift_start``, ``shift_end`` with offset, ``paid_hours``)
    agent_intervals : one row per agent and slot on shift (``activity``, planned ``queue``)
    agents : the agents file (skills, contracts, availability)
    rules : the shift rules the roster was made under
    tz : the site's time zone (local days)
    """
    holders = [a for a in agents if queue in a.skills]
    ids = {a.agent_id for a in holders}
    rows = roster[roster["agent_id"].astype(str).isin(ids)]
    working_ids = set(rows.loc[(rows["date"].astype(str) == day.isoformat())
                               & (rows["status"] == "work"), "agent_id"].astype(str))
    planned, first_h, logged = _planned_hours(queue, day, agent_intervals, holders, tz)
    off = dict.fromkeys(OFF_REASONS, 0)
    longer = 0
    by_agent = {str(k): g for k, g in rows.groupby("agent_id")}
    for a in holders:
        mine = by_agent.get(a.agent_id, rows.iloc[:0])
        if a.agent_id in working_ids:
            longer += _could_work_longer(a, mine, day, rules=rules, tz=tz)
        else:
            off[_off_reason(a, mine, day, rules=rules, tz=tz)] += 1
    return SkillDay(queue, day, len(holders), len(working_ids), logged, planned, first_h,
                    off, longer)


def _planned_hours(queue: str, day: date, intervals: pd.DataFrame, holders: Sequence[Agent],
                   tz: ZoneInfo) -> tuple[dict[str, float], float, float]:
    ids = {a.agent_id for a in holders}
    first = {a.agent_id for a in holders if min(a.skills, key=lambda q: (a.skills[q], q))
             == queue}
    mine = intervals[intervals["agent_id"].astype(str).isin(ids)]
    if mine.empty:
        return {}, 0.0, 0.0
    stamps = pd.to_datetime(mine["interval_start"], utc=True, format="ISO8601")
    slot_h = _slot_hours(intervals)
    work = mine[(stamps.dt.tz_convert(tz).dt.date == day).to_numpy()
                & (mine["activity"] == "work").to_numpy()]
    planned = {str(q): float(n) * slot_h for q, n in work["queue"].value_counts().items()}
    on_queue = work[work["queue"].astype(str) == queue]
    first_h = float(on_queue["agent_id"].astype(str).isin(first).sum()) * slot_h
    return planned, first_h, float(len(work)) * slot_h


def _slot_hours(intervals: pd.DataFrame) -> float:
    """The roster's slot length [h] (the smallest step between an agent's slots)."""
    stamps = pd.to_datetime(intervals["interval_start"], utc=True, format="ISO8601")
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    agent = intervals["agent_id"].astype(str).to_numpy()
    order = np.lexsort((seconds, agent))
    same = agent[order][1:] == agent[order][:-1]
    steps = np.diff(seconds[order])[same]
    steps = steps[steps > 0]
    return float(steps.min()) / 3600.0 if steps.size else 0.25


def _lengths(agent: Agent, rules: ShiftRules) -> list[float]:
    allowed = agent.shift_lengths_h or rules.shift_lengths_h
    return sorted(h for h in allowed if any(abs(h - s) < 1e-6 for s in rules.shift_lengths_h))


def _off_reason(agent: Agent, rows: pd.DataFrame, day: date, *, rules: ShiftRules,
                tz: ZoneInfo) -> str:
    if day in agent.time_off or agent.window(day.weekday()) is None:
        return "unavailable"
    worked = rows[rows["status"] == "work"]
    max_days = min(agent.max_days_week, 7 - rules.days_off_per_week)
    if len(worked) >= max_days:
        return "max_days"
    lengths = _lengths(agent, rules)
    shortest_paid = min((rules.paid_hours(h) for h in lengths), default=float("inf"))
    if float(worked["paid_hours"].sum()) + shortest_paid > agent.max_hours_week + 1e-9:
        return "max_hours"
    days = {date.fromisoformat(str(d)) for d in worked["date"]}
    run = 1
    d = day - timedelta(days=1)
    while d in days:
        run, d = run + 1, d - timedelta(days=1)
    d = day + timedelta(days=1)
    while d in days:
        run, d = run + 1, d + timedelta(days=1)
    if not lengths or run > rules.max_consecutive_days or not _fits_between(
            agent, worked, day, lengths[0], rules=rules, tz=tz):
        return "rest_rules"
    return "free"


def _fits_between(agent: Agent, worked: pd.DataFrame, day: date, length_h: float, *,
                  rules: ShiftRules, tz: ZoneInfo) -> bool:
    """Whether a shift of ``length_h`` fits on ``day`` inside the agent's window, with the
    minimum rest after their shifts of earlier days and before those of later days."""
    window = agent.window(day.weekday())
    if window is None:
        return False
    lo = datetime.combine(day, window[0], tz)
    hi = (datetime.combine(day + timedelta(days=1), time(0), tz) if window[1] == time.max
          else datetime.combine(day, window[1], tz))
    rest = timedelta(hours=rules.min_rest_h)
    for row in worked.itertuples():
        if str(row.date) < day.isoformat():
            lo = max(lo, datetime.fromisoformat(str(row.shift_end)) + rest)
        elif str(row.date) > day.isoformat():
            hi = min(hi, datetime.fromisoformat(str(row.shift_start)) - rest)
    return (hi - lo) >= timedelta(hours=length_h) - timedelta(seconds=1)


def _could_work_longer(agent: Agent, rows: pd.DataFrame, day: date, *, rules: ShiftRules,
                       tz: ZoneInfo) -> int:
    """1 when a longer shift length the agent may work fits their weekly hours, their
    window that day and the rest around their other days' shifts."""
    today = rows[(rows["date"].astype(str) == day.isoformat()) & (rows["status"] == "work")]
    if today.empty:
        return 0
    paid_today = float(today["paid_hours"].iloc[0])
    week = float(rows.loc[rows["status"] == "work", "paid_hours"].sum())
    others = rows[(rows["date"].astype(str) != day.isoformat()) & (rows["status"] == "work")]
    return int(any(rules.paid_hours(h) > paid_today + 1e-9
                   and week - paid_today + rules.paid_hours(h) <= agent.max_hours_week + 1e-9
                   and _fits_between(agent, others, day, h, rules=rules, tz=tz)
                   for h in _lengths(agent, rules)))
