"""Benchmark: required agents for 10,000 voice intervals, wfm vs pyworkforce.

Two targets: 80/20 (voice) and 80/600 (callbacks), where pyworkforce's search, which
starts at round(load + 1), misses answers of floor(load) + 1 agents.

Run:  nice -n 10 .venv/bin/python bench/bench_staffing.py [--pyworkforce-python PATH]
pyworkforce lives in its own venv only (bench/.venv-pyworkforce, created on first use, as
for the scheduling benchmark); it is run there in a subprocess on the same intervals and
its answers are compared with the exact reference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import mpmath as mp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pyworkforce_env import DEFAULT_VENV, PYWORKFORCE, pyworkforce_python

from wfm.staffing import required_agents as required
from wfm.staffing.required_agents import required_agents, required_agents_erlang_a

PWF_SCRIPT = """
import json, sys, time
from pyworkforce.queuing import ErlangC
data = json.load(sys.stdin)
out = []
t = time.perf_counter()
for vol, aht in zip(data["volume"], data["aht"]):
    if vol <= 0:  # pyworkforce rejects zero volume; 0 agents, as wfm answers
        out.append(0)
        continue
    e = ErlangC(transactions=vol, aht=aht / 60.0, asa=data["threshold_s"] / 60.0, interval=30,
                shrinkage=0.0)
    out.append(e.required_positions(service_level=0.8, max_occupancy=1.0)["raw_positions"])
print(json.dumps({"seconds": time.perf_counter() - t, "agents": out}))
"""


def intervals(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # A day profile of 30-min intervals: quiet nights (loads < 1 Erlang) to busy peaks.
    hour = np.arange(n) % 48 / 2.0
    shape = np.exp(-((hour - 11.0) ** 2) / 18.0) + 0.6 * np.exp(-((hour - 16.0) ** 2) / 8.0)
    volume = np.round(rng.poisson(400 * shape + 0.3)).astype(float)
    aht = rng.uniform(180.0, 420.0, n)
    return volume, aht


def _sl_exact(n: int, a: mp.mpf, aht: mp.mpf, b: mp.mpf, threshold_s: float) -> mp.mpf:
    c = n * b / (n - a * (1 - b))
    return 1 - c * mp.exp(-(n - a) * threshold_s / aht)


def exact_reference(load: np.ndarray, aht: np.ndarray, guess: np.ndarray,
                    threshold_s: float) -> np.ndarray:
    """Smallest n with SL >= 0.8, checked in 30-digit arithmetic (mpmath Erlang-B recursion).

    For each interval the recursion runs up to ``guess`` (and beyond while the target is
    not met); the answer is the first n > A meeting the target, found independently of
    wfm's floating-point code (the guess only says where to look first).
    """
    mp.mp.dps = 30
    out = np.zeros(load.shape)
    for i, (a_f, h_f, g) in enumerate(zip(load, aht, guess, strict=True)):
        if a_f == 0:
            continue
        a, h = mp.mpf(float(a_f)), mp.mpf(float(h_f))
        b = mp.mpf(1)
        n = 0
        first_ok = None
        while first_ok is None or n < g:
            n += 1
            b = a * b / (n + a * b)
            if first_ok is None and n > a and _sl_exact(n, a, h, b, threshold_s) >= mp.mpf("0.8"):
                first_ok = n
        out[i] = first_ok
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyworkforce-python", type=Path, default=None,
                    help=f"interpreter with {PYWORKFORCE} (default: {DEFAULT_VENV}, created)")
    ap.add_argument("--intervals", type=int, default=10_000)
    args = ap.parse_args()
    volume, aht = intervals(args.intervals)
    load = volume * aht / 1800.0
    print(f"intervals: {args.intervals} half-hours, loads {load.min():.3g}-{load.max():.3g} "
          "Erlangs, AHT 180-420 s")
    py = args.pyworkforce_python or pyworkforce_python()
    for threshold_s in (20.0, 600.0):
        print(f"\n## 80% within {threshold_s:g} s")
        scenario(volume, aht, threshold_s, py)
    ea = min(_timed(lambda: required_agents_erlang_a(load, aht, 120.0, sl_target=0.8,
                                                     sl_threshold_s=20.0)) for _ in range(3))
    print(f"\nwfm Erlang A required_agents (80/20, patience 120 s): {ea * 1e3:.1f} ms")


def scenario(volume: np.ndarray, aht: np.ndarray, threshold_s: float,
             py: Path | None) -> None:
    load = volume * aht / 1800.0

    def ours_now() -> np.ndarray:
        return required_agents(load, aht, sl_target=0.8, sl_threshold_s=threshold_s)

    first = _timed(ours_now)  # loads (or, on a fresh install, compiles) the kernel
    best = min(_timed(ours_now) for _ in range(21))
    ours = ours_now()
    ref = exact_reference(load, aht, ours, threshold_s)
    print(f"wfm Erlang C required_agents: {best * 1e3:.3f} ms (best of 21; first call in "
          f"this process {first * 1e3:.0f} ms); disagreements with the 30-digit reference: "
          f"{int((ours != ref).sum())}")
    # Baseline: the same call on wfm's vectorised numpy search (what short arrays use).
    saved = required.COMPILED_MIN_INTERVALS
    required.COMPILED_MIN_INTERVALS = 10**12
    try:
        base = min(_timed(ours_now) for _ in range(7))
        same = bool(np.array_equal(ours_now(), ours))
    finally:
        required.COMPILED_MIN_INTERVALS = saved
    print(f"  baseline, wfm's vectorised numpy search: {base * 1e3:.2f} ms "
          f"({base / best:.1f}x slower; same answers: {same})")
    if py is None or not py.exists():
        print(f"pyworkforce: not run ({py} not found)")
        return
    proc = subprocess.run([str(py), "-c", PWF_SCRIPT], input=json.dumps(
        {"volume": volume.tolist(), "aht": aht.tolist(), "threshold_s": threshold_s}),
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print("pyworkforce failed:", proc.stderr.strip().splitlines()[-1:])
        return
    res = json.loads(proc.stdout)
    theirs = np.array(res["agents"], float)
    bad = np.flatnonzero(theirs != ref)
    print(f"pyworkforce ErlangC.required_positions loop: {res['seconds'] * 1e3:.0f} ms; "
          f"wfm is {res['seconds'] / best:.0f}x faster; pyworkforce disagreements: {bad.size}")
    for i in bad[:8]:
        print(f"  interval {i}: volume {volume[i]:g}, aht {aht[i]:.0f} s, load "
              f"{load[i]:.3f}: pyworkforce {theirs[i]:g}, exact {ref[i]:g}")


def _timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
