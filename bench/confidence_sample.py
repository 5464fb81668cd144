"""Staffing to a confidence level on the sample centre: the full figure of issue 16, item 3.

Run:  nice -n 10 .venv/bin/python bench/confidence_sample.py [--horizon 7d]
      [--check-replications 1000] [--confidence 0.8]

A project made by `wfm init` (two years of sample history, seed 7) under
bench/out/confidence_sample/: ingest, forecast (the default candidates and backtests),
then `wfm staff` twice, plain and with ``[staffing] confidence`` (100 sizing
replications, seed 0). Each queue's productive agents are then simulated on
``--check-replications`` independent replications (seed 2026) with the forecast's
day-level dispersion from its manifest: the share of simulated days (email: weeks, its
target period) meeting the target, plain and sized, and the extra agent-hours scheduled.
Prints the wall time of the sizing and the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wfm.config.simulation import simulation_queues
from wfm.pipeline import (
    ForecastRequest,
    IngestRequest,
    StaffRequest,
    forecast,
    ingest,
    init_project,
    open_project,
    staff,
)
from wfm.pipeline.confidence_staffing import forecast_horizon
from wfm.simulation.centre import SimOptions
from wfm.simulation.confidence import p_target_met
from wfm.simulation.head_counts import whole_agents_cumulative
from wfm.simulation.inputs import demand_from_frame, requirement_grid

OUT = Path(__file__).resolve().parent / "out" / "confidence_sample"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--horizon", default="7d")
    ap.add_argument("--check-replications", type=int, default=1000)
    ap.add_argument("--confidence", type=float, default=0.8)
    args = ap.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    shutil.rmtree(OUT, ignore_errors=True)
    init_project(OUT, seed=7, years=2.0)
    project = open_project(OUT)
    ingest(project, IngestRequest(files=(OUT / "sample" / "intervals.csv",)))
    made = forecast(project, ForecastRequest(horizon=args.horizon))
    frame = made.forecast.forecast
    series = json.loads((made.folder / "manifest.json").read_text())["series"]
    plain = staff(project, StaffRequest(output_dir=OUT / "plain"))
    t0 = time.perf_counter()
    sized = staff(project, StaffRequest(output_dir=OUT / "sized", confidence=args.confidence),
                  progress=print)
    seconds = time.perf_counter() - t0
    print(f"sizing: {seconds:.0f} s wall for {frame['queue'].nunique()} queues over "
          f"{args.horizon}; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    cfg = project.config
    horizon = forecast_horizon(frame, cfg)
    check = SimOptions(args.check_replications, seed=2026, workers=2)
    print(f"\n| queue | judged by | days meeting the target, plain | sized for "
          f"{args.confidence:g} | plain agent-hours (scheduled) | extra agent-hours |")
    print("|---|---|---|---|---|---|")
    for queue in sorted(frame["queue"].unique()):
        rows = frame[frame["queue"] == queue]
        q = simulation_queues(cfg, [queue], horizon.starts)[0]
        demand = demand_from_frame(rows, [queue], horizon)
        day_cv2 = series[f"{queue}/{rows['channel'].iloc[0]}"]["day_cv2"]
        demand = type(demand)(demand.interval_s, demand.volume, demand.aht_s,
                              demand.day_index, rate_sd=math.sqrt(day_cv2) * demand.volume)
        period = horizon.day_index // 7 if q.deferred else horizon.day_index
        shares = []
        for result in (plain, sized):
            req = result.requirements
            agents = requirement_grid(req, [queue], horizon, column="agents_productive")[0]
            whole = whole_agents_cumulative(agents) if q.deferred else agents
            shares.append(float(np.nanmean(p_target_met(q, demand, whole, check, period))))
        daily = sized.daily[sized.daily["queue"] == queue]
        base = float(daily["agent_hours_plain"].sum())
        extra = float(daily["extra_agent_hours"].sum())
        print(f"| {queue} | {'week' if q.deferred else 'day'} | {shares[0]:.3f} | "
              f"{shares[1]:.3f} | {base:,.1f} | {extra:+,.1f} ({extra / base:+.1%}) |")
    print(f"\n(checked on {args.check_replications} replications, seed 2026; sized on "
          f"{cfg.staffing.confidence_replications}, seed {cfg.staffing.confidence_seed}; "
          "day_cv2 of each series: "
          + ", ".join(f"{k} {v['day_cv2']:.4f}" for k, v in sorted(series.items())) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
