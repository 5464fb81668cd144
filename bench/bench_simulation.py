"""Benchmark: 30 replications of the 500-agent multi-skill week, beside a plain SimPy model.

Run:  nice -n 10 .venv/bin/python bench/bench_simulation.py [--quick] [--simpy-reps 4]
      (needs the bench extra: pip install -e ".[dev,bench]")

The centre is bench/simulation_centre.py's (its roster is made once by the scheduler and
cached under bench/out/). wfm's simulator runs R = 30 replications on 2 worker threads;
the SimPy model (bench/simpy_centre.py: same rules, its own arrival draws) runs
``--simpy-reps`` replications on 2 worker processes. Printed: wall time of each, the
speed-up per replication, events per second, peak memory, and the week's measures per
queue from both with 95 % intervals and whether they agree (Welch: the difference's
interval contains 0). Targets (issue 16): 30 replications in under 60 s on 2 cores, at
least 20x faster than SimPy, the same results within the confidence intervals.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import simulation_centre as sc

from wfm.simulation.centre import SimOptions
from wfm.simulation.inputs import label_table
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import t_interval

MEASURES = ("service_level", "asa_s", "abandon_rate", "occupancy", "share_within_target")
TARGET_S, TARGET_RATIO = 60.0, 20.0


def _simpy_rep(args: tuple[bool, int]) -> dict[str, np.ndarray]:
    import simpy_centre

    quick, seed = args
    centre = sc.load_centre(quick)
    return simpy_centre.simulate_simpy(centre.queues, centre.demand, centre.staffing,
                                       10_000 + seed)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the 30-agent week")
    ap.add_argument("--replications", type=int, default=30)
    ap.add_argument("--simpy-reps", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    try:
        import simpy_centre
    except ImportError:
        print("the SimPy baseline needs the bench extra: .venv/bin/pip install -e '.[bench]'")
        return 1
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    centre = sc.load_centre(args.quick)
    st = centre.staffing
    print(f"centre: {st.n_agents} agents ({(st.skills >= 0).sum(axis=1).mean():.2f} skills "
          f"each), {st.agent_hours():,.0f} agent-hours logged in, queues "
          f"{', '.join(q.name for q in centre.queues)}; "
          f"{centre.demand.volume.sum():,.0f} contacts expected in the week")
    t = time.perf_counter()
    simulate_centre(centre.queues, centre.demand, st, SimOptions(replications=1, seed=99))
    print(f"first call (compile or load the cached machine code, 1 replication): "
          f"{time.perf_counter() - t:.2f} s")
    rss_before = _peak_rss_mb()
    tracemalloc.start()
    t = time.perf_counter()
    res = simulate_centre(centre.queues, centre.demand, st,
                          SimOptions(replications=args.replications, seed=0,
                                     workers=args.workers))
    wfm_s = time.perf_counter() - t
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"wfm: {args.replications} replications on {args.workers} threads in {wfm_s:.2f} s "
          f"({wfm_s / args.replications:.3f} s each; {res.events / wfm_s / 1e6:.2f} M events/s;"
          f" target < {TARGET_S:g} s: {'met' if wfm_s < TARGET_S else 'MISSED'})")
    print(f"memory: peak RSS {_peak_rss_mb():.0f} MB (before the run {rss_before:.0f} MB); "
          f"numpy allocations during the run peaked at {traced_peak / 2**20:.0f} MB")
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        simpy_runs = list(pool.map(_simpy_rep, [(args.quick, r)
                                                for r in range(args.simpy_reps)]))
    simpy_s = time.perf_counter() - t
    ratio = (simpy_s / args.simpy_reps) / (wfm_s / args.replications)
    print(f"SimPy: {args.simpy_reps} replications on {args.workers} processes in "
          f"{simpy_s:.1f} s ({simpy_s / args.simpy_reps:.2f} s each); wfm is {ratio:.1f}x faster"
          f" per replication (target >= {TARGET_RATIO:g}x: "
          f"{'met' if ratio >= TARGET_RATIO else 'MISSED'})")
    week = res.measures(np.zeros(res.counts.shape[-1], np.int64))
    pairs = [(q.name, name, week.values[name][:, k, 0],
              np.array([r[name][k] for r in simpy_runs]))
             for k, q in enumerate(centre.queues) for name in MEASURES
             if not np.isnan(week.values[name][:, k, 0]).all()]
    # Two independent estimates: compare their difference with the difference's own
    # interval (Welch), each measure at 95 %; the family of m measures at 95 % together
    # (Bonferroni: each at 1 - 0.05 / m), since with m = 10 measures one of them falls
    # outside its 95 % interval by chance in up to 40 % of runs.
    family = 1.0 - 0.05 / (2 * len(pairs))
    agree_all = agree_family = True
    print("\nweek per queue: wfm mean [95 % interval] | SimPy mean [95 % interval] | "
          "difference [95 % interval of the difference] | agree at 95 % | at 95 % for the "
          f"family of {len(pairs)}")
    for queue, name, a, b in pairs:
        ma, la, ha = (float(v) for v in t_interval(a))
        mb, lb, hb = (float(v) for v in t_interval(b))
        va, vb = np.nanvar(a, ddof=1) / a.size, np.nanvar(b, ddof=1) / b.size
        se = float(np.sqrt(va + vb))
        # Welch-Satterthwaite degrees of freedom.
        df = float((va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))) \
            if va + vb > 0 else 1.0
        half = float(special.stdtrit(df, 0.975)) * se
        half_family = float(special.stdtrit(df, family)) * se
        agree = abs(ma - mb) <= half + 1e-12
        agree_f = abs(ma - mb) <= half_family + 1e-12
        agree_all &= agree
        agree_family &= agree_f
        print(f"  {queue:6s} {name:20s} {ma:9.4f} [{la:.4f}, {ha:.4f}] | {mb:9.4f} "
              f"[{lb:.4f}, {hb:.4f}] | {ma - mb:+.4f} [±{half:.4f}] | "
              f"{'yes' if agree else 'NO'} | {'yes' if agree_f else 'NO'} (±{half_family:.4f})")
    print(f"results agree within the intervals: each measure at 95 %: "
          f"{'yes' if agree_all else 'NO'}; all {len(pairs)} together at 95 % (Bonferroni): "
          f"{'yes' if agree_family else 'NO'}")
    # The same contacts through both: the routing must agree contact by contact.
    same = simpy_centre.simulate_simpy(centre.queues, centre.demand, st, 0, wfm_replication=0)
    worst = 0.0
    for k in range(len(centre.queues)):
        for name in MEASURES:
            a, b = week.values[name][0, k, 0], same[name][k]
            if not (np.isnan(a) and np.isnan(b)):
                worst = max(worst, abs(a - b) / max(abs(a), 1e-9))
    print(f"same contacts (replication 0) through SimPy: largest relative difference of the "
          f"week's measures {worst:.2e}")
    days = label_table(res.day_table(), centre.horizon, "day")
    cols = ["queue", "date", "offered", "service_level", "service_level_lo", "service_level_hi",
            "abandon_rate", "occupancy", "share_within_target", "p_target_met"]
    print("\nsimulated service per queue and day (wfm, 30 replications):")
    print(days[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
