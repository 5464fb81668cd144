"""Benchmark: whole rosters of named agents (stages a, b, c) against the stage (a) LP bound.

Run:  nice -n 10 .venv/bin/python bench/bench_schedule_agents.py [--quick]
      [--only named|multi] [--time-limit 240] [--workers 2] [--hogs 2 | --no-hogs]

Two seeded weeks (bench/schedule_instances.py):
- named: 1,000 agents, full- and part-time contracts, 11 h rest, 15% of agent-days
  unavailable, one voice queue. Target: roster within 1% of the stage (a) bound in
  under 5 minutes.
- multi: 500 agents on voice, chat and email, 40% holding two or three skills. Target:
  coverage shortfall within 2% of the LP bound in under 5 minutes.

Each roster goes through the independent checker (wfm.scheduling.checker.check_roster);
its violation count is printed. The objective is paid hours + 10 per agent-hour short,
the same as bench_schedule_weekly.py; "gap" is (roster objective - LP bound) / objective.

The budget is deterministic (wfm.scheduling.solver_params): each week is scheduled once as
is and once more beside two CPU hogs (busy-loop processes, --hogs), and the script
prints both runs' figures, their wall times and load averages, and whether the two
rosters are byte-identical (SHA-256 of roster.csv's and agent_intervals.csv's text).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedule_instances as si
from cpu_hogs import cpu_hogs, load_average

from wfm.errors import WfmError
from wfm.scheduling.checker import check_roster
from wfm.scheduling.roster import schedule_week
from wfm.scheduling.solver_params import SolverParams

TARGETS = {"named": 0.01, "multi": 0.02}
TIME_TARGET_S = 300.0


def run_week(name: str, week: si.AgentsWeek, params: SolverParams,
             condition: str = "as is") -> dict[str, Any]:
    """Schedule ``week``, check the roster, and return the figures."""
    zone = ZoneInfo(si.TZ)
    load_before = load_average()
    t = time.perf_counter()
    res = schedule_week(week.requirements, week.agents, week.rules, week_start=si.WEEK,
                        tz=zone, params=params, allow_understaffing=True)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    violations = check_roster(res.roster, list(week.agents), week.rules, zone,
                              requirements=week.requirements, intervals=res.agent_intervals)
    check_s = time.perf_counter() - t
    s = res.summary.to_dict()  # printed as JSON: the manifest's keys
    required_h = sum(v["required_agent_hours"] for v in s["by_queue"].values())
    out = {
        "name": name, "agents": len(week.agents), "queues": week.queues,
        "status": s["status"], "objective": s["objective"], "lp_bound": s["lp_bound"],
        "gap": s["gap"], "plan_objective": s["plan_objective"], "plan_gap": s["plan_gap"],
        "paid_h": s["paid_hours"], "under_h": s["under_agent_hours"],
        "over_h": s["over_agent_hours"], "required_h": required_h,
        "seconds": seconds, "seconds_a": s["seconds_a"], "seconds_b": s["seconds_b"],
        "seconds_c": s["seconds_c"], "shifts": s["shifts"],
        "shifts_missed": s["shifts_missed"], "shifts_extra": s["shifts_extra"],
        "stage_status": s["stage_status"], "by_queue": s["by_queue"],
        "violations": len(violations), "violation_rules": Counter(v.rule for v in violations),
        "check_s": check_s, "roster_rows": len(res.roster),
        "condition": condition, "load_before": load_before, "load_after": load_average(),
        "reproducible": s["reproducible"], "wall_limit_hits": s["wall_limit_hits"],
        "fallbacks": s["fallbacks"], "queue_switches": s["queue_switches"],
        "roster_sha256": _sha256(res.roster), "intervals_sha256": _sha256(res.agent_intervals),
    }
    _print(out)
    return out


def _sha256(frame: Any) -> str:
    """SHA-256 of a frame's CSV text, as the run folder writes it."""
    return hashlib.sha256(frame.to_csv(index=False, lineterminator="\n").encode()).hexdigest()


def _print(r: dict[str, Any]) -> None:
    target = TARGETS[r["name"]]
    met = r["gap"] <= target and r["seconds"] < TIME_TARGET_S
    print(f"== {r['name']} ({r['condition']}): {r['agents']} agents, queues "
          f"{', '.join(r['queues'])}, {r['required_h']:.0f} agent-hours required; load "
          f"average {r['load_before']} before, {r['load_after']} after")
    print(f"roster: status {r['status']} (stages {r['stage_status']}), objective "
          f"{r['objective']:.1f}, LP bound {r['lp_bound']:.1f}, gap {r['gap']:.3%} "
          f"(target {target:.0%}); plan (a) objective {r['plan_objective']:.1f}, plan gap "
          f"{r['plan_gap']:.3%}")
    print(f"roster: {r['shifts']} shifts, paid {r['paid_h']:.1f} h, short {r['under_h']:.1f} "
          f"agent-h ({r['under_h'] / max(r['required_h'], 1e-9):.3%} of required), excess "
          f"{r['over_h']:.1f} agent-h; shifts missed/extra vs plan {r['shifts_missed']}/"
          f"{r['shifts_extra']}")
    for q, v in r["by_queue"].items():
        print(f"  {q:8} required {v['required_agent_hours']:9.1f}  scheduled "
              f"{v['scheduled_agent_hours']:9.1f}  short {v['under_agent_hours']:7.1f}  "
              f"excess {v['over_agent_hours']:7.1f}")
    print(f"time: {r['seconds']:.1f} s (a {r['seconds_a']:.1f}, b {r['seconds_b']:.1f}, "
          f"c {r['seconds_c']:.1f}; target {TIME_TARGET_S:g} s): "
          f"{'MET' if met else 'MISSED'}")
    print(f"budget: deterministic, reproducible {r['reproducible']} (calls stopped by the "
          f"wall-clock net: {r['wall_limit_hits']}); fallbacks: {r['fallbacks'] or 'none'}; "
          f"queue switches per multi-skill agent-day: max {r['queue_switches']['max']}, mean "
          f"{r['queue_switches']['mean']}; sha256 roster {r['roster_sha256'][:16]}, agent "
          f"intervals {r['intervals_sha256'][:16]}")
    rules = ", ".join(f"{k}: {n}" for k, n in r["violation_rules"].most_common())
    print(f"checker: {r['violations']} violations{' (' + rules + ')' if rules else ''} on "
          f"{r['roster_rows']} roster rows, {r['check_s']:.1f} s")
    print()


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="40 and 30 agents, 10 s limit")
    ap.add_argument("--only", choices=("named", "multi"), default=None)
    ap.add_argument("--time-limit", type=float, default=None,
                    help="budget of the whole run, shared by the stages [s]")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--hogs", type=int, default=2,
                    help="CPU hogs running beside the second run of each week")
    ap.add_argument("--no-hogs", action="store_true", help="one run per week, as is")
    args = ap.parse_args(argv)
    limit = args.time_limit or (10.0 if args.quick else 240.0)
    params = SolverParams(limit, args.workers, 0)
    weeks = {"named": si.named_agents_week, "multi": si.multi_skill_week}
    results = []
    for name, make in weeks.items():
        if args.only not in (None, name):
            continue
        week = make(quick=args.quick)
        runs = []
        conditions = ["as is"] + ([] if args.no_hogs else [f"{args.hogs} CPU hogs"])
        for condition in conditions:
            try:
                if condition == "as is":
                    runs.append(run_week(name, week, params, condition))
                else:
                    with cpu_hogs(args.hogs):
                        runs.append(run_week(name, week, params, condition))
            except WfmError as exc:  # report and go on
                print(f"== {name} ({condition}): FAILED: {exc}\n")
        if len(runs) == 2:
            same = all(runs[0][k] == runs[1][k] for k in ("roster_sha256", "intervals_sha256"))
            print(f"== {name}: the two rosters (roster.csv, agent_intervals.csv) are "
                  f"{'byte-identical' if same else 'DIFFERENT'}; "
                  f"wall time {runs[0]['seconds']:.1f} s as is, {runs[1]['seconds']:.1f} s "
                  f"with {args.hogs} CPU hogs\n")
        results += runs
    return results


if __name__ == "__main__":
    main()
