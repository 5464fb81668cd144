"""Seeded generators of the scheduling benchmark instances (requirements + agents).

Every instance is a pure function of its seed: the same week on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.scheduling.agents import Agent
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import WeekGrid

WEEK = date(2026, 6, 1)  # a Monday without a daylight-saving change
TZ = "Europe/Paris"


def daily_profile(rng: np.random.Generator, peak: float, minutes: int = 15) -> np.ndarray:
    """Agents required per interval of one local day: two humps (late morning, afternoon),
    open 07:00-23:00, seeded noise."""
    hours = np.arange(0, 24, minutes / 60)
    shape = (np.exp(-0.5 * ((hours - 10.5) / 1.8) ** 2)
             + 0.85 * np.exp(-0.5 * ((hours - 15.5) / 2.2) ** 2)
             + 0.25 * np.exp(-0.5 * ((hours - 20.0) / 1.5) ** 2))
    shape = shape / shape.max()
    noisy = peak * shape * rng.normal(1.0, 0.04, size=shape.shape)
    open_ = (hours >= 7) & (hours < 23)
    return np.where(open_, np.maximum(np.ceil(noisy), 1), 0).astype(np.int64)


def requirements(seed: int, queues: dict[str, tuple[str, float, float]],
                 minutes: int = 15) -> pd.DataFrame:
    """REQUIREMENTS frame for the week; ``queues[name] = (channel, peak_lo, peak_hi)``."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(TZ)
    frames = []
    for q, (channel, lo, hi) in queues.items():
        for d in range(7):
            day = WEEK + timedelta(days=d)
            start = pd.Timestamp(day).tz_localize(zone)
            stamps = pd.date_range(start, periods=24 * 60 // minutes, freq=f"{minutes}min")
            agents = daily_profile(rng, rng.uniform(lo, hi), minutes).astype(float)
            frames.append(pd.DataFrame({
                "queue": q, "channel": channel, "interval_start": stamps.tz_convert("UTC"),
                "offered": 0.0, "aht_s": 300.0, "agents_productive": agents,
                "agents_required": agents}))
    return pd.concat(frames, ignore_index=True)


def agents(seed: int, count: int, queues: list[str], *, multi_share: float = 0.0,
           unavailable: float = 0.0, full_time_share: float = 0.7) -> list[Agent]:
    """Named agents: full time (8 h or 10 h shifts, 32-40 h, 4-5 days) and part time
    (4 h or 6 h shifts, 16-30 h, 3-5 days); ``unavailable`` share of agent-days off;
    ``multi_share`` of agents hold 2-3 skills."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        primary = queues[int(rng.integers(len(queues)))]
        skills = {primary: 1}
        if len(queues) > 1 and rng.random() < multi_share:
            extra = [q for q in queues if q != primary]
            k = int(rng.integers(1, min(2, len(extra)) + 1))
            for j, q in enumerate(rng.choice(extra, size=k, replace=False)):
                skills[str(q)] = 2 + j
        off = frozenset(WEEK + timedelta(days=d) for d in range(7) if rng.random() < unavailable)
        if rng.random() < full_time_share:
            out.append(Agent(f"A{i:04d}", f"Agent {i}", f"T{i % 10}", skills, 32.0, 40.0,
                             4, 5, (8.0, 10.0), time_off=off))
        else:
            out.append(Agent(f"A{i:04d}", f"Agent {i}", f"T{i % 10}", skills, 16.0, 30.0,
                             3, 5, (4.0, 6.0), time_off=off))
    return out


# --- the benchmark weeks --------------------------------------------------------------------

def bench_rules(**overrides: object) -> ShiftRules:
    """Rules of every scheduling benchmark: 15-min start grid, 4/6/8/10 h shifts with the
    default breaks (15-min paid break per 4 h, 30-min unpaid lunch 3-5 h in for 6 h+),
    11 h rest, 2 days off; objective = paid hours + 10 per agent-hour short (excess is
    already paid for, so it carries no separate weight)."""
    base: dict[str, object] = {
        "start_grid_minutes": 15, "shift_lengths_h": (4.0, 6.0, 8.0, 10.0),
        "understaffing_weight": 10.0, "overstaffing_weight": 0.0, "cost_per_paid_hour": 1.0}
    base.update(overrides)
    return ShiftRules(**base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SingleSkillWeek:
    requirements: pd.DataFrame
    agents: list[Agent]
    rules: ShiftRules


def single_skill_week(seed: int = 1, *, quick: bool = False) -> SingleSkillWeek:
    """One voice queue, daily peaks 60-150 agents (6-15 with ``quick``), and a pool of
    full- and part-time agents about 10% larger than the week needs."""
    lo, hi = (6.0, 15.0) if quick else (60.0, 150.0)
    req = requirements(seed, {"voice": ("voice", lo, hi)})
    need_h = float(req["agents_required"].sum()) / 4
    count = int(np.ceil(1.1 * need_h / 32.0))
    return SingleSkillWeek(req, agents(seed + 1, count, ["voice"]), bench_rules())


def required_array(frame: pd.DataFrame, queues: list[str], grid: WeekGrid) -> np.ndarray:
    """Agents required per queue and grid slot (n_queues, n_slots) from a REQUIREMENTS frame
    whose intervals are the grid's slots."""
    out = np.zeros((len(queues), grid.n_slots), dtype=np.int64)
    minutes = (frame["interval_start"] - pd.Timestamp(grid.start_utc)).dt.total_seconds() / 60
    slot = np.round(minutes.to_numpy() / grid.slot_minutes).astype(np.int64)
    q = frame["queue"].map({name: i for i, name in enumerate(queues)}).to_numpy()
    inside = (slot >= 0) & (slot < grid.n_slots)
    out[q[inside], slot[inside]] = np.ceil(frame["agents_required"].to_numpy()[inside] - 1e-9)
    return out


@dataclass(frozen=True)
class AgentsWeek:
    requirements: pd.DataFrame
    agents: list[Agent]
    rules: ShiftRules
    queues: list[str]


def named_agents_week(seed: int = 3, *, quick: bool = False) -> AgentsWeek:
    """1,000 named agents (40 with ``quick``) on one voice queue: 70% full time (8/10 h,
    32-40 h, 4-5 days), 30% part time (4/6 h, 16-30 h, 3-5 days), 15% of agent-days
    unavailable, 11 h rest; daily peaks drawn so the pool can cover the week."""
    count = 40 if quick else 1000
    scale = count / 1000
    req = requirements(seed, {"voice": ("voice", 220.0 * scale, 560.0 * scale)})
    return AgentsWeek(req, agents(seed + 1, count, ["voice"], unavailable=0.15), bench_rules(),
                      ["voice"])


def multi_skill_week(seed: int = 5, *, quick: bool = False) -> AgentsWeek:
    """500 agents (30 with ``quick``) on voice, chat and email queues, 40% holding two or
    three skills (primary first), same contracts and rules as :func:`named_agents_week`."""
    count = 30 if quick else 500
    scale = count / 500
    queues = {"voice": ("voice", 60.0 * scale, 140.0 * scale),
              "chat": ("chat", 30.0 * scale, 70.0 * scale),
              "email": ("email", 20.0 * scale, 50.0 * scale)}
    req = requirements(seed, queues)
    return AgentsWeek(req, agents(seed + 1, count, list(queues), multi_share=0.4),
                      bench_rules(), list(queues))
