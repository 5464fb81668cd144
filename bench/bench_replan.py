"""The multi-skill loop on the 500-agent week: simulate, raise where short, re-plan.

Run:  nice -n 10 .venv/bin/python bench/bench_replan.py [--quick] [--rounds 3]
      [--time-limit 240]

Round 0 is the cached roster of bench/simulation_centre.py; each further round raises
the requirement where a queue-day's simulated probability of meeting its target is below
one half and schedules the week again with wfm's scheduler (``--time-limit`` per round).
Prints, per round, the requirement and roster agent-hours and the simulated service per
queue and day, and at the end the queue-days still short with the reason. Minutes per
round (the scheduler); not part of ``make bench``'s quick set of figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedule_instances as si
import simulation_centre as sc

from wfm.errors import WfmError
from wfm.scheduling.roster import schedule_week
from wfm.scheduling.solver_params import SolverParams
from wfm.simulation.centre import FloatArray, SimOptions, Staffing
from wfm.simulation.inputs import (
    requirement_frame,
    requirement_grid,
    staffing_from_intervals,
)
from wfm.simulation.replan import replan


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=240.0)
    args = ap.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    centre = sc.load_centre(args.quick)
    week = si.multi_skill_week(quick=args.quick)
    names = [q.name for q in centre.queues]
    channels = [q.channel for q in centre.queues]
    required = requirement_grid(week.requirements, names, centre.horizon)

    def schedule(req: FloatArray) -> Staffing:
        if np.array_equal(req, required):
            return centre.staffing  # round 0: the cached roster
        t = time.perf_counter()
        res = schedule_week(requirement_frame(req, names, channels, centre.horizon),
                            week.agents, week.rules, week_start=si.WEEK, tz=ZoneInfo(si.TZ),
                            params=SolverParams(args.time_limit, workers=1, seed=0),
                            allow_understaffing=True)
        intervals = res.agent_intervals.copy()
        intervals["interval_start"] = pd.to_datetime(intervals["interval_start"], utc=True)
        print(f"  scheduled in {time.perf_counter() - t:.0f} s: gap {res.summary.gap:.2%}, "
              f"short {res.summary.under_agent_hours:.1f} agent-h")
        return staffing_from_intervals(intervals, centre.skills, names, centre.horizon)

    out = replan(required, schedule, centre.queues, centre.demand,
                 SimOptions(replications=30, seed=0, workers=2), max_rounds=args.rounds,
                 day_labels=list(centre.horizon.days), progress=print,
                 stop_on=(WfmError,))  # a round the scheduler cannot solve ends the loop
    for r in out.rounds:
        days = r.days
        print(f"\nround {r.number}: requirement {r.required_agent_hours:,.1f} agent-h, roster "
              f"{r.agent_hours:,.1f} agent-h")
        for q in centre.queues:
            col = "share_within_target" if q.deferred else "service_level"
            part = days[days["queue"] == q.name]
            print(f"  {q.name:6s} " + " ".join(
                f"{centre.horizon.days[d][5:]}: {v:.3f} (p {p:.2f})"
                for d, v, p in zip(part["day"], part[col], part["p_target_met"], strict=True)))
    first, last = out.rounds[0], out.rounds[-1]
    print(f"\ncost: {last.agent_hours - first.agent_hours:+,.1f} agent-hours logged in "
          f"({last.required_agent_hours - first.required_agent_hours:+,.1f} required)")
    if out.failure:
        print(f"the loop stopped early: {out.failure}")
    print("every queue-day meets its target" if out.met else
          "still short:\n  " + "\n  ".join(out.unmet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
