"""The rounds of bench_schedule_replan.py, simulated and diagnosed one by one.

Run:  nice -n 10 .venv/bin/python bench/replan_rounds.py [--quick]

bench/bench_schedule_replan.py saves every round's roster (``agent_intervals``) under
bench/out/replan_project/rounds/round_N.csv. This script simulates each as the schedule
job does (the requirements' ``offered`` and ``aht_s``, 30 replications, seed 0: the
figures of the job's round lines) and prints the simulated service per queue and day,
the logged-in agent-hours, and for each queue-day short (fewer than half of the
simulated days meet the target) what the agents holding its skill could still give
(wfm/pipeline/replan_diagnosis.py: who works that day, where the roster planned their
hours, and for each agent off, the rule that keeps them off). The roster frame the
diagnosis needs is rebuilt from the intervals (a shift: an agent's first to last slot of
a local day; paid hours by the shift rules).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wfm.config.simulation import simulation_queues
from wfm.pipeline import open_project
from wfm.pipeline.replan_diagnosis import skill_day
from wfm.pipeline.roster_verification import MIN_PROBABILITY
from wfm.pipeline.run_folders.files import read_requirements
from wfm.pipeline.schedule_job import load_agents
from wfm.scheduling.rules import ShiftRules
from wfm.simulation.centre import SimOptions
from wfm.simulation.inputs import (
    demand_from_frame,
    label_table,
    make_horizon,
    staffing_from_intervals,
)
from wfm.simulation.replan import missing_days
from wfm.simulation.run import simulate_centre

OUT = Path(__file__).resolve().parent / "out"
WEEK = date(2026, 6, 1)


def roster_from_intervals(intervals: pd.DataFrame, rules: ShiftRules, tz: object
                          ) -> pd.DataFrame:
    """One row per agent and local day worked: first slot to last slot's end."""
    stamps = pd.to_datetime(intervals["interval_start"], utc=True, format="ISO8601")
    local = stamps.dt.tz_convert(tz)  # type: ignore[arg-type]
    frame = pd.DataFrame({"agent_id": intervals["agent_id"].astype(str), "t": local,
                          "date": local.dt.date.astype(str)})
    g = frame.groupby(["agent_id", "date"])["t"]
    out = pd.DataFrame({"start": g.min(), "end": g.max() + pd.Timedelta(minutes=15)})
    out = out.reset_index()
    hours = (out["end"] - out["start"]).dt.total_seconds() / 3600.0
    return pd.DataFrame({
        "agent_id": out["agent_id"], "date": out["date"], "status": "work",
        "shift_start": [t.isoformat() for t in out["start"]],
        "shift_end": [t.isoformat() for t in out["end"]],
        "paid_hours": [rules.paid_hours(round(h * 4) / 4) for h in hours]})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--replications", type=int, default=30)
    args = ap.parse_args()
    folder = OUT / ("replan_project_quick" if args.quick else "replan_project")
    project = open_project(folder)
    cfg = project.config
    tz = cfg.site.timezone
    rules = cfg.scheduling.rules
    agents = load_agents(cfg, folder / "agents.csv")
    skills = {a.agent_id: dict(a.skills) for a in agents}
    requirements = read_requirements(folder / "requirements.csv")
    horizon = make_horizon(WEEK, 7, cfg.data.interval_minutes, tz)
    names = sorted(set(requirements["queue"].astype(str)))
    queues = simulation_queues(cfg, names, horizon.starts)
    demand = demand_from_frame(requirements, names, horizon, source="requirements")
    options = SimOptions(args.replications, 0, workers=2)
    for path in sorted((folder / "rounds").glob("round_*.csv"),
                       key=lambda p: int(p.stem.split("_")[1])):
        intervals = pd.read_csv(path, dtype={"agent_id": str, "queue": str},
                                keep_default_na=False)
        frame = intervals.copy()
        frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True,
                                                 format="ISO8601")
        staffing = staffing_from_intervals(frame, skills, names, horizon)
        result = simulate_centre(queues, demand, staffing, options)
        days = label_table(result.day_table(), horizon, "day")
        miss = missing_days(result, MIN_PROBABILITY)
        print(f"\n## {path.stem}: {staffing.agent_hours():,.1f} agent-h logged in; "
              f"{int(miss.sum())} queue-day(s) short")
        for q in queues:
            col = "share_within_target" if q.deferred else "service_level"
            part = days[days["queue"] == q.name]
            print(f"  {q.name:6s} " + " ".join(
                f"{str(d)[5:]} {v:.3f} (p {p:.2f})" for d, v, p in
                zip(part["date"], part[col], part["p_target_met"], strict=True)))
        roster = roster_from_intervals(intervals, rules, tz)
        for k, d in zip(*np.nonzero(miss), strict=True):
            met = [q for j, q in enumerate(names) if j != k and not miss[j, d]]
            diag = skill_day(names[k], date.fromisoformat(horizon.days[d]), roster,
                             intervals, agents, rules=rules, tz=tz)
            print(f"  short: {names[k]} on {horizon.days[d]}: {diag.text(met)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
