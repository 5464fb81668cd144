"""Seeded random weeks: every roster passes the checker and covers exactly what it claims."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from roster_helpers import MONDAY, agent, hourly_rules, solve
from scheduling_frames import requirements_frame

from wfm.scheduling.roster import ScheduleResult
from wfm.scheduling.rules import BreakRule
from wfm.scheduling.solver_params import SolverParams


def _random_week(seed: int) -> tuple[pd.DataFrame, list[object]]:
    rng = np.random.default_rng(seed)
    per_day = {}
    for q in ("voice_fr", "chat_fr"):
        for d in range(7):
            a, b = int(rng.integers(7, 11)), int(rng.integers(15, 20))
            per_day[(q, d)] = [(f"{a:02d}:00", f"{b:02d}:00", int(rng.integers(1, 3)))]
    req = requirements_frame(MONDAY, "Europe/Paris", per_day=per_day, minutes=60)
    agents = []
    for k in range(7):
        skills = [{"voice_fr": 1}, {"chat_fr": 1}, {"voice_fr": 1, "chat_fr": 2}][k % 3]
        kw: dict[str, object] = {"skills": skills, "min_days_week": 3, "max_days_week": 5,
                                 "min_hours_week": 9, "max_hours_week": 25,
                                 "shift_lengths_h": (4.0, 6.0)}
        if rng.random() < 0.3:
            kw["time_off"] = frozenset({MONDAY + timedelta(days=int(rng.integers(0, 7)))})
        if rng.random() < 0.3:
            kw["availability"] = {d: (time(8), time(20)) for d in range(6)}
        if rng.random() < 0.3:
            kw["preferred_days_off"] = frozenset({5, 6})
        agents.append(agent(f"R{seed}{k}", **kw))
    return req, agents


def random_roster(seed: int) -> tuple[Any, list[Any], ScheduleResult]:
    """The random week of ``seed`` rostered (breaks, a lunch, 2 days off, short runs),
    checked by the independent checker; returns the requirements, agents and result."""
    req, agents = _random_week(seed)
    breaks = (BreakRule("break", 60, 60, 120, 4.0), BreakRule(
        "lunch", 60, 180, 240, 6.0, paid=False))
    rules = hourly_rules(shift_lengths_h=(4.0, 6.0), breaks=breaks, days_off_per_week=2,
                         max_consecutive_days=4)
    res = solve(req, agents, rules, tz="Europe/Paris", allow_understaffing=True,
                params=SolverParams(6.0, 1, seed, 0.01))
    return req, agents, res


@pytest.mark.parametrize("seed", [1, 2])
def test_random_week_is_valid_and_consistent(seed: int) -> None:
    _, agents, res = random_roster(seed)
    s = res.summary
    assert s.lp_bound <= s.objective + 1e-6
    # coverage.scheduled is exactly the agents on each queue in agent_intervals
    work = res.agent_intervals[res.agent_intervals["activity"] == "work"]
    counted = work.groupby(["queue", "interval_start"]).size()
    cov = res.coverage.set_index(["queue", "interval_start"])["scheduled"]
    assert (cov[cov > 0].sort_index() == counted.sort_index().astype(float)).all()
    assert set(counted.index) <= set(cov.index)
    # one queue per agent and slot, and only queues the agent holds
    assert not res.agent_intervals.duplicated(["agent_id", "interval_start"]).any()
    skills = {a.agent_id: set(a.skills) for a in agents}
    assert all(q in skills[aid] for aid, q in zip(work["agent_id"], work["queue"], strict=True))
    # summary agent-hours agree with the coverage frame (hourly intervals)
    gap = res.coverage["gap"]
    assert s.under_agent_hours == pytest.approx(float((-gap).clip(lower=0).sum()), abs=1e-3)
    assert s.over_agent_hours == pytest.approx(float(gap.clip(lower=0).sum()), abs=1e-3)
    # paid hours in the roster match the shifts: length less the unpaid lunch
    worked = res.roster[res.roster["status"] == "work"]
    assert s.paid_hours == pytest.approx(worked["paid_hours"].sum())
    assert s.status in ("OPTIMAL", "FEASIBLE")
