"""`wfm schedule --replan N` on the 500-agent multi-skill week, through the schedule job.

Run:  nice -n 10 .venv/bin/python bench/bench_schedule_replan.py [--quick] [--rounds 3]
      [--time-limit 240] [--replications 30]

The week of bench/schedule_instances.multi_skill_week (voice, chat with 2 slots, email;
40 % of the 500 agents hold two or three skills) is written as a wfm project under
bench/out/replan_project/: wfm.toml (the benchmark's queues, targets and shift rules:
the script checks the rules it reads back equal bench_rules()), requirements.csv (the
benchmark requirement, with the demand behind it rebuilt as bench/simulation_centre.py
does) and agents.csv. Then the schedule job runs as `wfm schedule --replan N` does:
schedule, simulate (30 replications), raise the requirement where a queue-day's
simulated probability of meeting its target is below one half, schedule again. Prints
the round lines, the simulated service per queue and day of the published roster, the
queue-days still short with the reason, and the hours the loop cost. Minutes per round
(the scheduler; ``--time-limit`` per round); not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedule_instances as si
import simulation_centre as sc

from wfm.pipeline import ScheduleRequest, open_project, schedule
from wfm.simulation.rosters import compact_table

OUT = Path(__file__).resolve().parent / "out"

TOML = """\
[site]
name = "Benchmark centre (500 agents, multi-skill)"
timezone = "{tz}"

[site.opening_hours]
mon = "07:00-23:00"
tue = "07:00-23:00"
wed = "07:00-23:00"
thu = "07:00-23:00"
fri = "07:00-23:00"
sat = "07:00-23:00"
sun = "07:00-23:00"

[data]
interval_minutes = 15

[[queues]]
name = "voice"
channel = "voice"
sl_target = 0.8
sl_threshold_s = 20
aht_s = {voice_aht}
patience_s = {patience}

[[queues]]
name = "chat"
channel = "chat"
sl_target = 0.8
sl_threshold_s = 60
aht_s = {chat_aht}
concurrency = {slots}

[[queues]]
name = "email"
channel = "email"
response_target = 0.9
response_time_h = 4
response_clock = "calendar"
aht_s = {email_aht}

[scheduling]
start_grid_minutes = 15
shift_lengths_h = [4, 6, 8, 10]
understaffing_weight = 10.0
overstaffing_weight = 0.0
cost_per_paid_hour = 1.0
time_limit_s = {time_limit}
workers = 1
seed = 0
"""


def write_project(folder: Path, *, quick: bool, time_limit: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wfm.toml").write_text(TOML.format(
        tz=si.TZ, voice_aht=sc.AHT_S["voice"], chat_aht=sc.AHT_S["chat"],
        email_aht=sc.AHT_S["email"], patience=sc.VOICE_PATIENCE_S, slots=sc.CHAT_SLOTS,
        time_limit=time_limit), encoding="utf-8")
    week = si.multi_skill_week(quick=quick)
    req = week.requirements.copy()
    demand = sc.volumes(req)
    req["offered"] = demand["offered"].to_numpy()
    req["aht_s"] = demand["aht_s"].to_numpy()
    req["interval_start"] = [t.isoformat() for t in req["interval_start"]]
    req.to_csv(folder / "requirements.csv", index=False)
    lines = ["agent_id,name,team,skills,min_hours_week,max_hours_week,min_days_week,"
             "max_days_week,shift_lengths_h"]
    for a in week.agents:
        skills = ";".join(f"{q}:{p}" for q, p in sorted(a.skills.items(), key=lambda kv: kv[1]))
        lengths = ";".join(f"{h:g}" for h in a.shift_lengths_h)
        lines.append(f"{a.agent_id},{a.name},{a.team},{skills},{a.min_hours_week:g},"
                     f"{a.max_hours_week:g},{a.min_days_week},{a.max_days_week},{lengths}")
    (folder / "agents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The project is the benchmark: same rules as every scheduling benchmark.
    rules = open_project(folder).config.scheduling.rules
    assert rules == si.bench_rules(), (rules, si.bench_rules())


def _keep_rounds(folder: Path) -> None:
    """Save every round's roster (agent_intervals) to ``folder/round_N.csv``: the job
    publishes only the best round, the diagnosis of the last one needs its roster."""
    import wfm.pipeline.roster_verification as rv

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("round_*.csv"):
        old.unlink()
    inner = rv.schedule_staffing
    seen: list[int] = []

    def keep(result, *args, **kwargs):  # type: ignore[no-untyped-def]
        if id(result) not in seen:  # the best round is converted again at the end
            seen.append(id(result))
            result.agent_intervals.to_csv(folder / f"round_{len(seen) - 1}.csv", index=False)
        return inner(result, *args, **kwargs)

    rv.schedule_staffing = keep  # type: ignore[assignment]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=240.0)
    ap.add_argument("--replications", type=int, default=30)
    args = ap.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    folder = OUT / ("replan_project_quick" if args.quick else "replan_project")
    write_project(folder, quick=args.quick, time_limit=args.time_limit)
    project = open_project(folder)
    _keep_rounds(folder / "rounds")
    t0 = time.perf_counter()
    outcome = schedule(project, ScheduleRequest(
        requirements=folder / "requirements.csv", agents=folder / "agents.csv", week=si.WEEK,
        allow_understaffing=True, replan=args.rounds, replications=args.replications),
        progress=lambda line: print(f"  {line}", flush=True))
    wall = time.perf_counter() - t0
    v = outcome.verification
    assert v is not None
    print(f"\n{len(v.rounds) - 1} re-plan(s) in {wall:.0f} s wall; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(v.report().title)
    table = compact_table(v.days)
    cols = [c for c in ("queue", "date", "offered", "service_level", "share_within_target",
                        "p_target_met") if c in table]
    print(table[cols].to_string(index=False))
    for line in [*v.miss_lines(), *v.unmet]:
        print(line)
    print(json.dumps(v.manifest(), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
