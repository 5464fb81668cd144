"""Print the simulator's single-skill validation table (docs/simulation.md).

Run:  nice -n 10 .venv/bin/python bench/simulation_validation.py

The cases of tests/simulation/test_simulator_validation.py (60 one-hour intervals, the
first left out as warm-up, 20 replications, seed 3): the exact value, the simulated mean
and its 95 % interval, and whether the exact value is inside.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "simulation"))
from test_simulator_validation import _email_weeks, after_warm_up, steady

from wfm.simulation.centre import Demand, SimOptions, SimQueue
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre
from wfm.staffing.deferred import plan_deferred
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, service_level


def row(case: str, measure: str, exact: float, sim: tuple[float, float, float]) -> None:
    mean, lo, hi = sim
    inside = "yes" if lo <= exact <= hi else "NO"
    print(f"| {case} | {measure} | {exact:.4f} | {mean:.4f} [{lo:.4f}, {hi:.4f}] | {inside} |")


def main() -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("| case | measure | exact | simulated [95 %] | inside |")
    print("|---|---|---|---|---|")
    for n, a, h, t in ((14, 10.0, 180.0, 20.0), (55, 50.0, 300.0, 20.0), (3, 1.6, 240.0, 30.0)):
        res = steady(SimQueue("v", sl_threshold_s=t), n, a, h)
        case = f"Erlang C, N={n}, A={a:g}, AHT {h:g} s"
        row(case, f"SL {t:g} s", float(service_level(n, a, h, t)),
            after_warm_up(res, "service_level"))
        row(case, "ASA [s]", float(asa(n, a, h)), after_warm_up(res, "asa_s"))
    for n, a, h, p in ((14, 12.0, 180.0, 120.0), (20, 24.0, 240.0, 300.0)):
        res = steady(SimQueue("v", patience_s=p, sl_threshold_s=20.0), n, a, h)
        m = erlang_a(n, a, h, p, 20.0)
        case = f"Erlang A, N={n}, A={a:g}, AHT {h:g} s, patience {p:g} s"
        row(case, "SL 20 s (offered)", float(m["sl_offered"]),
            after_warm_up(res, "service_level"))
        row(case, "abandonment", float(m["p_abandon"]), after_warm_up(res, "abandon_rate"))
        row(case, "ASA answered [s]", float(asa_answered(n, a, h, p)),
            after_warm_up(res, "asa_s"))
    for k, n, a in ((2, 8, 14.0), (3, 5, 13.0)):
        res = steady(SimQueue("c", concurrency=k, sl_threshold_s=60.0), n, a, 600.0)
        case = f"chat, {n} agents x {k} slots, A={a:g}, AHT 600 s"
        row(case, "SL 60 s", float(service_level(k * n, a, 600.0, 60.0)),
            after_warm_up(res, "service_level"))
        row(case, "ASA [s]", float(asa(k * n, a, 600.0)), after_warm_up(res, "asa_s"))
    arrivals, open_mask = _email_weeks()
    n = arrivals.size
    for clock, target, hours in (("calendar", 0.9, 24.0), ("working", 1.0, 4.0)):
        plan = plan_deferred(arrivals, 480.0, open_mask, 900.0, response_target=target,
                             response_time_s=hours * 3600.0, clock=clock)
        queue = SimQueue("e", deferred=True, response_target=target,
                         response_time_s=hours * 3600.0, response_clock=clock,
                         open_mask=open_mask)
        demand = Demand(900.0, arrivals[None, :], np.full((1, n), 480.0),
                        np.arange(n, dtype=np.int64) // 96, mode="replay")
        res = simulate_centre([queue], demand, staffing_from_counts(
            plan.agents_productive[None, :], 900.0, 60.0),
            SimOptions(replications=5, seed=1, handle_time="deterministic"))
        judged = res.count("judged")[:, 0]
        both = ~np.isnan(plan.share_within_target) & np.all(judged == arrivals, axis=0)
        share = res.count("on_time")[:, 0][:, both].sum(axis=1) / judged[:, both].sum(axis=1)
        plan_share = float((plan.share_within_target * arrivals)[both].sum()
                           / arrivals[both].sum())
        print(f"| email backlog, forecast comes true, {target:.0%} within {hours:g} h "
              f"({clock}) | share within target | plan {plan_share:.4f} | "
              f"{share.min():.4f}-{share.max():.4f} (5 runs) | >= plan |")


if __name__ == "__main__":
    main()
