"""Do wfm's simulator and the plain SimPy model agree where the exact answer is known?

Run:  nice -n 10 .venv/bin/python bench/simpy_agreement.py [--reps 100] [--hours 24]
      (needs the bench extra: pip install -e ".[dev,bench]")

A targeted check behind bench/bench_simulation.py's side-by-side: one single-skill queue
in steady state, Erlang A (N=14 agents, A=12 Erlangs, AHT 180 s, exponential patience
120 s, 80 % in 20 s: the validation case of docs/simulation.md) and Erlang C (N=14,
A=10), ``--hours`` one-hour intervals at a constant rate, the first hour left out as
warm-up. Each model draws its own contacts (wfm: seed 0; SimPy: its own generator,
seeds 10,000 + r). Printed per measure: the exact value (wfm.staffing's Erlang A / C),
each model's mean with its Student-t 95 % interval, and the difference wfm - SimPy
with the 95 % interval of the difference (Welch: sqrt(h1^2 + h2^2) for equal sizes),
whether each model's interval holds the exact value and whether the difference's
interval holds 0. A real model difference (routing, patience) would show here as an
exact value outside one model's interval, or a difference away from 0.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wfm.simulation.centre import Demand, SimOptions, SimQueue
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import t_interval
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, service_level

HOUR_S = 3600.0
CASES = {  # name: (agents, load [Erlang], AHT [s], patience [s] or None, threshold [s])
    "Erlang A N=14 A=12": (14, 12.0, 180.0, 120.0, 20.0),
    "Erlang C N=14 A=10": (14, 10.0, 180.0, None, 20.0),
}
MEASURES = ("service_level", "abandon_rate", "asa_s")


def _setup(case: str, hours: int) -> tuple[SimQueue, Demand, object]:
    n, a, h, p, t = CASES[case]
    queue = SimQueue("v", patience_s=p, sl_threshold_s=t)
    demand = Demand(HOUR_S, np.full((1, hours), a / h * HOUR_S), np.full((1, hours), h),
                    np.zeros(hours, np.int64))
    return queue, demand, staffing_from_counts(np.full((1, hours), n), HOUR_S)


def _exact(case: str) -> dict[str, float]:
    n, a, h, p, t = CASES[case]
    if p is None:
        return {"service_level": float(service_level(n, a, h, t)), "abandon_rate": 0.0,
                "asa_s": float(asa(n, a, h))}
    m = erlang_a(n, a, h, p, t)
    return {"service_level": float(m["sl_offered"]), "abandon_rate": float(m["p_abandon"]),
            "asa_s": float(asa_answered(n, a, h, p))}


def _simpy_rep(args: tuple[str, int, int]) -> dict[str, float]:
    """One SimPy replication: the measures of the contacts arriving after hour 0."""
    import simpy_centre

    case, hours, seed = args
    queue, demand, staffing = _setup(case, hours)
    centre = simpy_centre.Centre([queue], demand, staffing, seed)  # type: ignore[arg-type]
    centre.run()
    horizon = demand.horizon_s
    cs = [c for c in centre.contacts if c.arrival >= HOUR_S]
    answered = [c for c in cs if not math.isnan(c.start)]
    gone = sum(1 for c in cs if c.gone or (math.isnan(c.start)
                                           and c.arrival + c.patience <= horizon))
    within = sum(1 for c in answered if c.start - c.arrival <= queue.sl_threshold_s + 1e-9)
    return {"service_level": within / len(cs), "abandon_rate": gone / len(cs),
            "asa_s": sum(c.start - c.arrival for c in answered) / len(answered)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {args.reps} replications of "
          f"{args.hours} h each model, hour 0 left out")
    print("| case | measure | exact | wfm [95 %] | SimPy [95 %] | wfm - SimPy [95 %] | "
          "exact in wfm / SimPy | difference holds 0 |")
    print("|---|---|---|---|---|---|---|---|")
    period = np.r_[0, np.ones(args.hours - 1, np.int64)]
    for case in CASES:
        queue, demand, staffing = _setup(case, args.hours)
        res = simulate_centre([queue], demand, staffing,  # type: ignore[arg-type]
                              SimOptions(replications=args.reps, seed=0, workers=2))
        wfm = res.measures(period).values
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            runs = list(pool.map(_simpy_rep, [(case, args.hours, 10_000 + r)
                                              for r in range(args.reps)]))
        exact = _exact(case)
        for name in MEASURES:
            a = wfm[name][:, 0, 1]
            b = np.array([r[name] for r in runs])
            ma, la, ha = (float(v) for v in t_interval(a))
            mb, lb, hb = (float(v) for v in t_interval(b))
            va, vb = np.var(a, ddof=1) / a.size, np.var(b, ddof=1) / b.size
            se = math.sqrt(va + vb)
            # Welch-Satterthwaite degrees of freedom.
            df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1)) \
                if va + vb > 0 else 1.0
            half = float(special.stdtrit(df, 0.975)) * se
            d = ma - mb
            e = exact[name]
            print(f"| {case} | {name} | {e:.4f} | {ma:.4f} [{la:.4f}, {ha:.4f}] | "
                  f"{mb:.4f} [{lb:.4f}, {hb:.4f}] | {d:+.4f} [{d - half:+.4f}, "
                  f"{d + half:+.4f}] | {'yes' if la <= e <= ha else 'NO'} / "
                  f"{'yes' if lb <= e <= hb else 'NO'} | "
                  f"{'yes' if abs(d) <= half + 1e-12 else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
