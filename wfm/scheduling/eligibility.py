"""Which shifts of the catalog each agent may work, and the agent groups of stage (a).

Agents are described structurally (:class:`AgentLike`, the fields of
``wfm.scheduling.agents.Agent``) so the optimiser depends on the shape, not the reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

import numpy as np

from wfm.scheduling.shift_catalog import MINUTES_PER_DAY, ShiftCatalog


class AgentLike(Protocol):
    """The agent fields the optimiser reads (see docs/scheduling.md, agents file)."""

    @property
    def agent_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def skills(self) -> Mapping[str, int]: ...
    @property
    def min_hours_week(self) -> float: ...
    @property
    def max_hours_week(self) -> float: ...
    @property
    def min_days_week(self) -> int: ...
    @property
    def max_days_week(self) -> int: ...
    @property
    def shift_lengths_h(self) -> tuple[float, ...]: ...
    @property
    def earliest_start(self) -> time: ...
    @property
    def latest_end(self) -> time: ...
    @property
    def time_off(self) -> frozenset[date]: ...
    @property
    def availability(self) -> Mapping[int, tuple[time, time]] | None: ...
    @property
    def preferred_start(self) -> time | None: ...
    @property
    def preferred_days_off(self) -> frozenset[int]: ...


def clock_min(t: time, *, end: bool = False) -> int:
    """Minutes after midnight; as an end, ``00:00`` and ``time.max`` (24:00) mean 1440."""
    m = t.hour * 60 + t.minute
    if end and (m == 0 or t == time.max):
        return MINUTES_PER_DAY
    return m


def eligible_shifts(agent: AgentLike, catalog: ShiftCatalog) -> np.ndarray:
    """Boolean mask over the catalog: shifts this agent may work under every hard rule of
    their contract, time off and availability (rest and weekly totals are checked later).

    A shift ending after midnight is allowed only to agents whose latest end (and
    availability window) runs to midnight.
    """
    ok = np.ones(catalog.n_shifts, dtype=bool)
    if agent.shift_lengths_h:
        allowed = [i for i, sl in enumerate(catalog.lengths)
                   if any(abs(sl.length_h - h) < 1e-6 for h in agent.shift_lengths_h)]
        ok &= np.isin(catalog.length, allowed)
    latest = clock_min(agent.latest_end, end=True)
    ok &= catalog.start_min >= clock_min(agent.earliest_start)
    ok &= (catalog.end_min <= latest) | (latest == MINUTES_PER_DAY)
    days = catalog.grid.days
    for d, day in enumerate(days):
        on_day = catalog.day == d
        if day in agent.time_off:
            ok &= ~on_day
            continue
        if agent.availability is None:
            continue
        window = agent.availability.get(day.weekday())
        if window is None:
            ok &= ~on_day
            continue
        lo, hi = clock_min(window[0]), clock_min(window[1], end=True)
        if hi <= lo:
            hi += MINUTES_PER_DAY
        fits = (catalog.start_min >= lo) & ((catalog.end_min <= hi) | (hi >= MINUTES_PER_DAY))
        ok &= ~on_day | fits
    return ok


@dataclass(frozen=True)
class AgentGroup:
    """Agents sharing a skill set and a contract: interchangeable in the weekly plan.

    ``shift_cap`` bounds each shift by the members who may work it, ``day_cap`` the shifts
    of each day by the members available that day; weekly totals are sums over members.
    """

    queues: tuple[str, ...]
    members: tuple[int, ...]
    shift_cap: np.ndarray
    day_cap: np.ndarray
    min_paid_h: float
    max_paid_h: float
    min_shifts: int
    max_shifts: int
    member_days: np.ndarray | None = None  # (n_members, 7) days each member can work
    member_min_days: np.ndarray | None = None
    member_max_days: np.ndarray | None = None
    member_min_paid_min: np.ndarray | None = None  # per member, the week's paid minutes
    member_max_paid_min: np.ndarray | None = None


def contract_key(agent: AgentLike, queues: set[str] | None = None) -> tuple[object, ...]:
    skills = sorted(q for q in agent.skills if queues is None or q in queues)
    # Availability windows are part of the key: members must be interchangeable within a
    # day. Days of time off are not (the per-day capacities and day-set conditions of the
    # group cover them), so leave does not split a team into many small groups.
    windows = None if agent.availability is None else tuple(sorted(agent.availability.items()))
    return (tuple(skills), agent.min_hours_week, agent.max_hours_week,
            agent.min_days_week, agent.max_days_week, tuple(sorted(agent.shift_lengths_h)),
            agent.earliest_start, agent.latest_end, windows)


def build_groups(agents: Sequence[AgentLike], eligible: np.ndarray, catalog: ShiftCatalog,
                 days_off_per_week: int, *, min_paid_h: Sequence[float] | None = None,
                 min_days: Sequence[int] | None = None, max_days: Sequence[int] | None = None,
                 queues: Sequence[str] | None = None) -> list[AgentGroup]:
    """Group agents by contract x skill set, with the capacities of stage (a).

    ``min_paid_h``, ``min_days`` and ``max_days`` (per agent) replace the contract limits,
    e.g. lowered for time off in the week; ``queues`` restricts skills to the queues that have
    requirements (a group without any keeps an empty queue list).
    """
    keep = None if queues is None else set(queues)
    by_key: dict[tuple[object, ...], list[int]] = {}
    for i, a in enumerate(agents):
        by_key.setdefault(contract_key(a, keep), []).append(i)
    groups = []
    rule_days = 7 - days_off_per_week
    for members in by_key.values():
        sub = eligible[members]
        member_days = np.stack([sub[:, catalog.day == d].any(axis=1) for d in range(7)],
                               axis=1)
        day_cap = member_days.sum(axis=0).astype(np.int64)
        ms = [agents[i] for i in members]
        skills = sorted(q for q in ms[0].skills if keep is None or q in keep)
        groups.append(AgentGroup(
            queues=tuple(skills),
            members=tuple(members),
            shift_cap=sub.sum(axis=0).astype(np.int64),
            day_cap=day_cap,
            min_paid_h=(sum(a.min_hours_week for a in ms) if min_paid_h is None
                        else float(sum(min_paid_h[i] for i in members))),
            max_paid_h=sum(a.max_hours_week for a in ms),
            min_shifts=(sum(a.min_days_week for a in ms) if min_days is None
                        else int(sum(min_days[i] for i in members))),
            max_shifts=(sum(min(a.max_days_week, rule_days) for a in ms) if max_days is None
                        else int(sum(max_days[i] for i in members))),
            member_days=member_days,
            member_min_days=np.array([a.min_days_week if min_days is None else min_days[i]
                                      for i, a in zip(members, ms, strict=True)]),
            member_max_days=np.array([min(a.max_days_week, rule_days) if max_days is None
                                      else max_days[i]
                                      for i, a in zip(members, ms, strict=True)]),
            member_min_paid_min=np.array([round((a.min_hours_week if min_paid_h is None
                                                 else min_paid_h[i]) * 60)
                                          for i, a in zip(members, ms, strict=True)]),
            member_max_paid_min=np.array([int(np.floor(a.max_hours_week * 60 + 1e-6))
                                          for a in ms]),
        ))
    return groups
