"""Benchmark: stage (a) weekly plan on a single-skill week, and pyworkforce on the same week.

Run:  nice -n 10 .venv/bin/python bench/bench_schedule_weekly.py [--quick] [--time-limit 50]
      [--workers 2] [--hogs 2] [--pyworkforce-python PATH | --no-pyworkforce]

The week (bench/schedule_instances.py, seeded): one voice queue, 7 x 96 quarter-hours,
daily peaks 60-150 agents, 15-min start grid, shifts of 4/6/8/10 h with a 15-min break per
4 h and a 30-min unpaid lunch (flexible windows), full- and part-time contracts. Target
(issue #4): stage (a) within 0.5% of its LP bound in under 60 s on 2 cores.

pyworkforce 0.5.1 runs in its own venv, never in wfm's: by default
bench/.venv-pyworkforce, created on first use (python3 -m venv + pip install
pyworkforce==0.5.1), like bench/bench_staffing.py's --pyworkforce-python. Its
MinAbsDifference and MinRequiredResources get the same week, the same shift lengths and
start grid, each break fixed in the middle of its window (it has no flexible breaks), the
same time limit and workers; both answers are scored with wfm's coverage and paid hours.

Stage (a)'s budget is deterministic (wfm.scheduling.solver_params): with ``--hogs N``
(default 2) the week is planned a second time beside N busy-loop processes
(bench/cpu_hogs.py), and both runs' figures, wall times and load averages are printed
with whether the two plans are identical.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedule_instances as si
from cpu_hogs import cpu_hogs, load_average
from pyworkforce_env import DEFAULT_VENV, PYWORKFORCE, pyworkforce_python

from wfm.scheduling.eligibility import build_groups, eligible_shifts
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog, build_catalog
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.weekly_plan import WeeklyPlan, relative_gap, solve_weekly_plan

GAP_TARGET = 0.005
TIME_TARGET_S = 60.0
NOT_EXPRESSIBLE = (
    "flexible break and lunch placement (breaks are fixed inside each shift pattern)",
    "unpaid lunch: cost is per shift pattern, coverage has no paid/unpaid notion",
    "agent groups and contracts: min/max weekly hours and days, shift lengths per contract",
    "named agents, availability, time off, skills and priorities",
    "rest between shifts (11 h), days off, maximum consecutive days (days are independent)",
    "shifts past midnight and daylight-saving days (a day is a fixed array of periods)",
    "several queues with a shared agent counted once (multi-skill)",
    "weighted under- vs over-staffing (MinAbsDifference weighs both 1; MinRequiredResources "
    "forbids any shortfall, so an infeasible peak makes the whole week infeasible)",
    "an LP bound or gap in its result (status and cost only)",
)

PWF_SCRIPT = r"""
import json, sys, time
from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources
data = json.load(sys.stdin)
out = {}
for name, cls in (("MinAbsDifference", MinAbsDifference),
                  ("MinRequiredResources", MinRequiredResources)):
    kwargs = dict(num_days=data["num_days"], periods=data["periods"],
                  shifts_coverage=data["shifts_coverage"], required_resources=data["required"],
                  max_period_concurrency=data["max_period"],
                  max_shift_concurrency=data["max_shift"],
                  max_search_time=data["time_limit_s"], num_search_workers=data["workers"])
    if name == "MinRequiredResources":
        kwargs["cost_dict"] = data["cost"]
    t = time.perf_counter()
    sol = cls(**kwargs).solve()
    out[name] = {"seconds": time.perf_counter() - t, "status": sol["status"],
                 "cost": sol["cost"], "resources_shifts": sol["resources_shifts"]}
print(json.dumps(out))
"""


@dataclass(frozen=True)
class StageAResult:
    plan: WeeklyPlan
    catalog: ShiftCatalog
    required: np.ndarray
    seconds: float
    n_agents: int
    n_groups: int

    @property
    def scheduled(self) -> np.ndarray:
        """Agents on the phone per queue and slot (breaks removed)."""
        out: np.ndarray = self.plan.alloc.sum(axis=0)
        return out

    @property
    def paid_h(self) -> float:
        return float((self.plan.shifts * self.catalog.paid_h).sum())


def solve_stage_a(week: si.SingleSkillWeek, params: SolverParams) -> StageAResult:
    """Catalog, groups and the weekly plan of ``week``, timed end to end."""
    t = time.perf_counter()
    catalog = build_catalog(si.WEEK, ZoneInfo(si.TZ), week.rules, 15)
    eligible = np.array([eligible_shifts(a, catalog) for a in week.agents])
    groups = build_groups(week.agents, eligible, catalog, week.rules.days_off_per_week)
    required = si.required_array(week.requirements, ["voice"], catalog.grid)
    plan = solve_weekly_plan(catalog, groups, ["voice"], required, week.rules, params)
    return StageAResult(plan, catalog, required, time.perf_counter() - t, len(week.agents),
                        len(groups))


def coverage_figures(scheduled: np.ndarray, required: np.ndarray, paid_h: float,
                     rules: ShiftRules, slot_h: float = 0.25) -> dict[str, float]:
    """Paid hours, agent-hours short and in excess, and the benchmark objective."""
    diff = scheduled.astype(float) - required
    under_h = float(np.clip(-diff, 0, None).sum()) * slot_h
    over_h = float(np.clip(diff, 0, None).sum()) * slot_h
    objective = (paid_h * rules.cost_per_paid_hour + under_h * rules.understaffing_weight
                 + over_h * rules.overstaffing_weight)
    return {"paid_h": paid_h, "under_h": under_h, "over_h": over_h, "objective": objective}


def pyworkforce_input(week: si.SingleSkillWeek, required: np.ndarray, params: SolverParams,
                      ) -> tuple[dict[str, object], dict[str, tuple[np.ndarray, float]]]:
    """The week in pyworkforce's terms: every shift pattern (length x 15-min start inside the
    opening hours) as a 96-period 0/1 array with its breaks fixed mid-window, the
    requirement per day and period, and the paid quarter-hours of each pattern as cost.
    Also returns pattern -> (array, paid hours) for scoring."""
    rules = week.rules
    day_req = required[0, : 7 * 96].reshape(7, 96)
    open_slots = np.flatnonzero(day_req.max(axis=0) > 0)
    first, last = int(open_slots[0]), int(open_slots[-1]) + 1
    patterns: dict[str, tuple[np.ndarray, float]] = {}
    for length_h in rules.shift_lengths_h:
        n = round(length_h * 4)
        breaks = rules.breaks_for(length_h)
        for start in range(first, last - n + 1, rules.start_grid_minutes // 15):
            arr = np.zeros(96, dtype=np.int64)
            arr[start:start + n] = 1
            for b in breaks:
                lo, hi = b.earliest_latest_min(n * 15)
                mid = start + ((lo + hi) // 2) // 15
                arr[mid:mid + b.duration_min // 15] = 0
            patterns[f"{length_h:g}h_{start // 4:02d}{start % 4 * 15:02d}"] = (
                arr, rules.paid_hours(length_h))
    peak = int(day_req.max())
    data: dict[str, object] = {
        "num_days": 7, "periods": 96,
        "shifts_coverage": {k: v[0].tolist() for k, v in patterns.items()},
        "required": day_req.tolist(), "max_period": 3 * peak, "max_shift": peak,
        "cost": {k: round(v[1] * 4) for k, v in patterns.items()},
        "time_limit_s": float(params.time_limit_s), "workers": int(params.workers)}
    return data, patterns


def score_pyworkforce(answer: dict[str, object], patterns: dict[str, tuple[np.ndarray, float]],
                      ) -> tuple[np.ndarray, float]:
    """Agents on the phone per slot of the week and paid hours of a pyworkforce answer."""
    scheduled = np.zeros((7, 96), dtype=np.int64)
    paid_h = 0.0
    for row in answer["resources_shifts"]:  # type: ignore[attr-defined]
        if row["day"] < 0 or row["resources"] <= 0:
            continue
        arr, paid = patterns[row["shift"]]
        scheduled[row["day"]] += row["resources"] * arr
        paid_h += row["resources"] * paid
    return scheduled.reshape(1, -1), paid_h


def run_pyworkforce(py: Path, data: dict[str, object]) -> dict[str, dict[str, object]] | None:
    proc = subprocess.run([str(py), "-c", PWF_SCRIPT], input=json.dumps(data),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print("pyworkforce failed:", proc.stderr.strip().splitlines()[-1:])
        return None
    out: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return out


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="peaks 6-15 agents, 5 s limit")
    ap.add_argument("--time-limit", type=float, default=None, help="solver limit [s]")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hogs", type=int, default=2,
                    help="CPU hogs beside a second run of stage (a) (0: no second run)")
    ap.add_argument("--pyworkforce-python", type=Path, default=None,
                    help=f"interpreter with {PYWORKFORCE} (default: {DEFAULT_VENV}, created)")
    ap.add_argument("--no-pyworkforce", action="store_true")
    args = ap.parse_args(argv)
    limit = args.time_limit or (5.0 if args.quick else 50.0)
    params = SolverParams(limit, args.workers, 0)
    week = si.single_skill_week(args.seed, quick=args.quick)
    load_quiet = load_average()
    res = solve_stage_a(week, params)
    plan = res.plan
    ours = coverage_figures(res.scheduled, res.required, res.paid_h, week.rules)
    gap = relative_gap(plan.objective, plan.lp_bound)
    print(f"single-skill week {si.WEEK} ({si.TZ}): {res.required.shape[1]} slots, peak "
          f"{res.required.max()} agents, {res.required.sum() / 4:.0f} agent-hours required; "
          f"{res.n_agents} agents in {res.n_groups} contract groups; "
          f"{res.catalog.n_shifts} shifts in the catalog")
    print(f"stage (a): status {plan.status}, objective {plan.objective:.2f}, LP bound "
          f"{plan.lp_bound:.2f}, gap to LP {gap:.3%} (target {GAP_TARGET:.1%}), "
          f"CP-SAT bound {plan.cp_bound:.2f}")
    print(f"stage (a): {res.seconds:.1f} s end to end with a {limit:g} s limit and "
          f"{args.workers} workers (target {TIME_TARGET_S:g} s): "
          f"{'MET' if gap <= GAP_TARGET and res.seconds < TIME_TARGET_S else 'MISSED'}")
    result: dict[str, object] = {"wfm": ours | {"gap": gap, "seconds": res.seconds,
                                                 "lp_bound": plan.lp_bound,
                                                 "objective_plan": plan.objective}}
    if args.hogs > 0:
        load_hogs = load_average()
        with cpu_hogs(args.hogs):
            loaded = solve_stage_a(week, params)
        same = (np.array_equal(loaded.plan.shifts, plan.shifts)
                and loaded.plan.objective == plan.objective)
        print(f"stage (a) as is (load average {load_quiet} before): {res.seconds:.1f} s, "
              f"objective {plan.objective:.2f}; beside {args.hogs} CPU hogs (load average "
              f"{load_hogs} before, {load_average()} after): {loaded.seconds:.1f} s, objective "
              f"{loaded.plan.objective:.2f}; the two plans are "
              f"{'identical' if same else 'DIFFERENT'}")
        result["hogs"] = {"seconds": loaded.seconds, "objective": loaded.plan.objective,
                          "identical": same}
    rows = [("wfm stage (a)", ours, res.seconds, plan.status)]
    py = None
    if not args.no_pyworkforce:
        py = args.pyworkforce_python or pyworkforce_python(DEFAULT_VENV, create=True)
    if py is not None and Path(py).exists():
        data, patterns = pyworkforce_input(week, res.required, params)
        answers = run_pyworkforce(Path(py), data) or {}
        for name, ans in answers.items():
            scheduled, paid_h = score_pyworkforce(ans, patterns)
            fig = coverage_figures(scheduled, res.required[:, : 7 * 96], paid_h, week.rules)
            rows.append((f"pyworkforce {name}", fig, float(ans["seconds"]),  # type: ignore[arg-type]
                         str(ans["status"])))
            result[name] = fig | {"seconds": ans["seconds"], "status": ans["status"]}
    print()
    print(f"{'':32} {'paid h':>9} {'short h':>8} {'excess h':>9} {'objective':>10} "
          f"{'vs LP':>7} {'time s':>7}  status")
    for name, fig, seconds, status in rows:
        print(f"{name:32} {fig['paid_h']:9.1f} {fig['under_h']:8.1f} {fig['over_h']:9.1f} "
              f"{fig['objective']:10.1f} {fig['objective'] / plan.lp_bound:7.3f} "
              f"{seconds:7.1f}  {status}")
    print("(objective = paid hours + 10 x agent-hours short; LP bound "
          f"{plan.lp_bound:.1f} = the best any plan could do under wfm's flexible breaks)")
    print("\npyworkforce cannot express:")
    for item in NOT_EXPRESSIBLE:
        print(f"  - {item}")
    return result


if __name__ == "__main__":
    main()
