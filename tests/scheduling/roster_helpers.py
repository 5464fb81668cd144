"""Builders shared by the roster tests: agents, rules, a solve that always runs the checker."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.scheduling.agents import Agent
from wfm.scheduling.checker import check_roster
from wfm.scheduling.roster import ScheduleResult, schedule_week
from wfm.scheduling.rules import BreakRule, ShiftRules
from wfm.scheduling.solver_params import SolverParams

PARAMS = SolverParams(time_limit_s=20.0, workers=1, seed=3)
MONDAY = date(2026, 11, 16)


def agent(agent_id: str, **kw: Any) -> Agent:
    fields: dict[str, Any] = {"agent_id": agent_id, "name": f"Agent {agent_id}", "team": "T",
                              "skills": {"voice_fr": 1}}
    fields.update(kw)
    return Agent(**fields)


def hourly_rules(**kw: Any) -> ShiftRules:
    """Hour grid, 4-hour shifts without breaks, no days-off rule: small models."""
    base: dict[str, Any] = {"start_grid_minutes": 60, "shift_lengths_h": (4.0,), "breaks": (),
                            "days_off_per_week": 0, "max_consecutive_days": 7}
    base.update(kw)
    return ShiftRules(**base)


LUNCH_1H = BreakRule("lunch", 60, 60, 120, 4.0, paid=False)


def solve(requirements: pd.DataFrame, agents: Sequence[Agent], rules: ShiftRules, *,
          week: date = MONDAY, tz: str = "UTC", **kw: Any) -> ScheduleResult:
    """schedule_week, then the independent checker on the roster it returns (must be clean)."""
    result = schedule_week(requirements, agents, rules, week_start=week, tz=tz,
                           params=kw.pop("params", PARAMS), **kw)
    found = check_roster(result.roster, list(agents), rules, ZoneInfo(tz),
                         requirements=requirements, intervals=result.agent_intervals)
    assert found == [], found
    return result


def brute_force(options: Sequence[Sequence[np.ndarray]], required: np.ndarray,
                under_w: float, over_w: float, slot_h: float) -> float:
    """Minimum objective over every combination: options[a] lists agent a's possible
    coverage vectors (each an array like ``required``)."""
    best = float("inf")
    for combo in itertools.product(*options):
        cover = np.sum(combo, axis=0) if combo else np.zeros_like(required)
        under = np.maximum(required - cover, 0).sum()
        over = np.maximum(cover - required, 0).sum()
        best = min(best, (under * under_w + over * over_w) * slot_h)
    return best


def clock(h: int, m: int = 0) -> time:
    return time(h, m)
