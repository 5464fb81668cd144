"""The simulation benchmark's centre: the 500-agent multi-skill week and its roster.

The week is ``schedule_instances.multi_skill_week`` (voice, chat and email, 40 % of the
agents holding two or three skills). Its requirements are agents per interval, so the
demand is rebuilt from them: the largest offered load each interval's requirement meets
for its target (voice: Erlang A, 80 % within 20 s, patience 240 s; chat: 2 slots per
agent, Erlang C, 80 % within 60 s; email: 90 % of the requirement's capacity arriving,
90 % within 4 h). The roster is made once with the scheduler and cached under
``bench/out/`` (it takes minutes); delete the folder to make it again.

Run:  nice -n 10 .venv/bin/python bench/simulation_centre.py [--quick]   (makes the roster)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedule_instances as si

from wfm.simulation.centre import Demand, SimQueue, Staffing
from wfm.simulation.inputs import (
    Horizon,
    demand_from_frame,
    make_horizon,
    staffing_from_intervals,
)
from wfm.staffing.erlang_a import erlang_a
from wfm.staffing.erlang_c import service_level

OUT = Path(__file__).resolve().parent / "out"
AHT_S = {"voice": 300.0, "chat": 600.0, "email": 300.0}
VOICE_PATIENCE_S = 240.0
CHAT_SLOTS = 2
EMAIL_LOAD = 0.9


@dataclass(frozen=True)
class Centre:
    queues: list[SimQueue]
    demand: Demand
    staffing: Staffing
    horizon: Horizon
    skills: dict[str, dict[str, int]]
    agent_intervals: pd.DataFrame


def largest_load(agents: np.ndarray, meets: object) -> np.ndarray:
    """Largest load [Erlangs] per interval that ``agents`` still serve to target
    (bisection, vectorised over intervals)."""
    lo = np.zeros(agents.shape)
    hi = agents.astype(float) * 1.5 + 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        ok = meets(agents, mid)  # type: ignore[operator]
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    return np.where(agents > 0, lo, 0.0)


def volumes(req: pd.DataFrame) -> pd.DataFrame:
    """A forecast frame (queue, interval_start, offered, aht_s) behind the requirements."""
    out = req[["queue", "channel", "interval_start"]].copy()
    n = req["agents_required"].to_numpy(float)
    q = req["queue"].to_numpy()
    load = np.zeros(n.size)
    v = q == "voice"
    load[v] = largest_load(n[v], lambda a, x: erlang_a(a, x, AHT_S["voice"], VOICE_PATIENCE_S,
                                                       20.0)["sl_offered"] >= 0.8)
    c = q == "chat"
    load[c] = largest_load(n[c], lambda a, x: (service_level(CHAT_SLOTS * a, x, AHT_S["chat"],
                                                             60.0) >= 0.8) & (x < CHAT_SLOTS * a))
    e = q == "email"
    load[e] = EMAIL_LOAD * n[e]
    aht = np.array([AHT_S[str(name)] for name in q])
    out["aht_s"] = aht
    out["offered"] = load * 900.0 / aht
    return out


def queues(open_email: np.ndarray) -> list[SimQueue]:
    return [
        SimQueue("voice", "voice", patience_s=VOICE_PATIENCE_S, sl_threshold_s=20.0,
                 sl_target=0.8),
        SimQueue("chat", "chat", concurrency=CHAT_SLOTS, sl_threshold_s=60.0, sl_target=0.8),
        SimQueue("email", "email", deferred=True, response_target=0.9,
                 response_time_s=4 * 3600.0, open_mask=open_email),
    ]


def roster_folder(quick: bool) -> Path:
    return OUT / ("sim_roster_quick" if quick else "sim_roster_multi")


def make_roster(quick: bool, time_limit_s: float) -> Path:
    """Schedule the week once and cache roster.csv and agent_intervals.csv."""
    from wfm.scheduling.roster import schedule_week
    from wfm.scheduling.solver_params import SolverParams

    folder = roster_folder(quick)
    if (folder / "agent_intervals.csv").is_file():
        return folder
    week = si.multi_skill_week(quick=quick)
    t = time.perf_counter()
    res = schedule_week(week.requirements, week.agents, week.rules, week_start=si.WEEK,
                        tz=ZoneInfo(si.TZ), params=SolverParams(time_limit_s, workers=1, seed=0),
                        allow_understaffing=True, progress=print)
    folder.mkdir(parents=True, exist_ok=True)
    res.roster.to_csv(folder / "roster.csv", index=False)
    res.agent_intervals.to_csv(folder / "agent_intervals.csv", index=False)
    s = res.summary
    print(f"roster made in {time.perf_counter() - t:.0f} s: gap {s.gap:.3%}, short "
          f"{s.under_agent_hours:.1f} agent-h, over {s.over_agent_hours:.1f}")
    return folder


def load_centre(quick: bool = False) -> Centre:
    """The centre with its cached roster (made first if missing)."""
    folder = make_roster(quick, 240.0)
    week = si.multi_skill_week(quick=quick)
    tz = ZoneInfo(si.TZ)
    horizon = make_horizon(si.WEEK, 7, 15, tz)
    names = list(week.queues)
    forecast = volumes(week.requirements)
    email = forecast[forecast["queue"] == "email"]
    open_email = np.zeros(horizon.starts.size, dtype=bool)
    pos = horizon.starts.get_indexer(pd.DatetimeIndex(email["interval_start"]))
    open_email[pos[pos >= 0]] = (email["offered"].to_numpy() > 0)[pos >= 0]
    demand = demand_from_frame(forecast, names, horizon, source="bench forecast")
    intervals = pd.read_csv(folder / "agent_intervals.csv", dtype={"agent_id": str})
    intervals["interval_start"] = pd.to_datetime(intervals["interval_start"], utc=True)
    skills = {a.agent_id: dict(a.skills) for a in week.agents}
    staffing = staffing_from_intervals(intervals, skills, names, horizon)
    return Centre(queues(open_email), demand, staffing, horizon, skills, intervals)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--time-limit", type=float, default=240.0)
    args = ap.parse_args()
    print(make_roster(args.quick, args.time_limit))
