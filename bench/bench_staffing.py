"""Benchmark: required agents for 10,000 voice intervals at 80/20, wfm vs pyworkforce.

Run:  nice -n 10 .venv/bin/python bench/bench_staffing.py [--pyworkforce-python PATH]
pyworkforce lives in its own venv only (e.g. python3 -m venv /tmp/pwf-venv &&
/tmp/pwf-venv/bin/pip install pyworkforce==0.5.4); it is run there in a subprocess on the
same intervals and its answers are compared with the exact reference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wfm.staffing.erlang_c import service_level
from wfm.staffing.required import required_agents, required_agents_erlang_a

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
    e = ErlangC(transactions=vol, aht=aht / 60.0, asa=20 / 60.0, interval=30, shrinkage=0.0)
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


def exact_reference(load: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """Smallest n with SL >= 0.8 by walking up from floor(load) + 1, one agent at a time."""
    out = np.zeros(load.shape)
    for i, (a, h) in enumerate(zip(load, aht, strict=True)):
        if a == 0:
            continue
        n = np.floor(a) + 1
        while service_level(n, a, h, 20.0) < 0.8:
            n += 1
        out[i] = n
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyworkforce-python", default="/tmp/pwf-venv/bin/python")
    ap.add_argument("--intervals", type=int, default=10_000)
    args = ap.parse_args()
    volume, aht = intervals(args.intervals)
    load = volume * aht / 1800.0
    required_agents(load[:10], aht[:10], sl_target=0.8, sl_threshold_s=20.0)  # warm-up
    best = min(_timed(lambda: required_agents(load, aht, sl_target=0.8, sl_threshold_s=20.0))
               for _ in range(5))
    ours = required_agents(load, aht, sl_target=0.8, sl_threshold_s=20.0)
    ref = exact_reference(load, aht)
    print(f"intervals: {args.intervals}, loads {load.min():.3g}-{load.max():.3g} Erlangs")
    print(f"wfm Erlang C required_agents: {best * 1e3:.1f} ms; "
          f"disagreements with exact reference: {int((ours != ref).sum())}")
    ea = min(_timed(lambda: required_agents_erlang_a(load, aht, 120.0, sl_target=0.8,
                                                     sl_threshold_s=20.0)) for _ in range(3))
    print(f"wfm Erlang A required_agents (patience 120 s): {ea * 1e3:.1f} ms")
    py = Path(args.pyworkforce_python)
    if not py.exists():
        print(f"pyworkforce: not run ({py} not found)")
        return
    proc = subprocess.run([str(py), "-c", PWF_SCRIPT], input=json.dumps(
        {"volume": volume.tolist(), "aht": aht.tolist()}), capture_output=True, text=True,
        check=False)
    if proc.returncode != 0:
        print("pyworkforce failed:", proc.stderr.strip().splitlines()[-1:])
        return
    res = json.loads(proc.stdout)
    theirs = np.array(res["agents"], float)
    bad = np.flatnonzero(theirs != ref)
    print(f"pyworkforce ErlangC.required_positions loop: {res['seconds'] * 1e3:.0f} ms; "
          f"speed-up {res['seconds'] / best:.0f}x; disagreements: {bad.size}")
    for i in bad[:10]:
        print(f"  interval {i}: volume {volume[i]:g}, aht {aht[i]:.0f} s, load "
              f"{load[i]:.3f}: pyworkforce {theirs[i]:g}, exact {ref[i]:g}")


def _timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
