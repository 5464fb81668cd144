"""Benchmark: 100 series x 2 years of 15-minute history, 6-week horizon, auto choice with the
default backtest, on all cores; then the accuracy of the forecast against the true rates.

Run:  nice -n 10 .venv/bin/python bench/bench_forecast.py [--series 100] [--workers 2]
          [--baseline 86e77c5 | --baseline none]

Prints CPU seconds (this process and its workers, the forecast call only) and wall time,
side by side with the same forecast by the code of ``--baseline`` (a git revision exported
to a temporary folder and run first in a child process, so both see the same machine);
peak memory, time per series per model, and wMAPE of the forecast against the actual
(Poisson) volume next to the noise floor (a forecast equal to the true rate) and seasonal
naive, for the day-ahead, week-ahead and 6-week lead bands.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "forecasting"))
from forecast_synthetic import TZ, calendar, make_history
from test_forecast_sample_accuracy import _coarsen, _errors, sample_frames

from wfm.forecasting import LocalProcessExecutor, forecast_intervals

# Hot channels only: the synthetic generator follows the opening hours, which deferred
# channels (email) do not (the full-sample check below covers email).
CHANNELS = ("voice", "chat", "callback", "voice")
START = "2023-09-04"
HISTORY_DAYS = 730
HORIZON_DAYS = 42


def build(n_series: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    hist, truth, future = [], [], []
    rng = np.random.default_rng(0)
    for i in range(n_series):
        level = float(rng.choice([150, 400, 1000, 2500]))
        ch = CHANNELS[i % 4]
        full, tr = make_history(START, HISTORY_DAYS + HORIZON_DAYS, daily_level=level, seed=i,
                                queue=f"q{i:03d}", channel=ch,
                                trend_per_year=float(rng.uniform(-0.1, 0.2)))
        cut = pd.Timestamp(START).tz_localize(TZ) + pd.Timedelta(days=HISTORY_DAYS)
        hist.append(full[full["interval_start"] < cut])
        future.append(full[full["interval_start"] >= cut])
        truth.append(tr[tr["interval_start"] >= cut])
    return (pd.concat(hist, ignore_index=True), pd.concat(truth, ignore_index=True),
            pd.concat(future, ignore_index=True))


def bands(fc: pd.DataFrame, truth: pd.DataFrame, future: pd.DataFrame) -> dict[str, tuple]:
    key = ["interval_start", "queue", "channel"]
    m = fc.merge(truth, on=key).merge(future[[*key, "offered"]].rename(
        columns={"offered": "actual"}), on=key)
    m = m[m["open"]]
    first = m["interval_start"].dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
    lead = (first - first.min()).dt.days + 1
    out = {}
    for name, sel in (("day-ahead", lead == 1), ("week-ahead", lead <= 7), ("6 weeks", lead > 0)):
        x = m[sel]
        a = x["actual"].sum()
        out[name] = (float(np.abs(x["actual"] - x["offered"]).sum() / a),
                     float(np.abs(x["actual"] - x["true_offered"]).sum() / a))
    return out


def _cpu_s() -> float:
    """CPU seconds of this process, of its reaped children and of its live descendants
    with what they reaped: the pool's workers are children of a fork server that lives on
    after the forecast, so RUSAGE_CHILDREN alone never sees them."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + _live_tree_cpu_s()


def _live_tree_cpu_s() -> float:
    """utime + stime + cutime + cstime of every live descendant (Linux /proc)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    pending, seen = [os.getpid()], set()
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in set(kids) - seen:
                seen.add(kid)
                try:
                    stat = Path(f"/proc/{kid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += sum(int(stat[i]) for i in (11, 12, 13, 14)) / tick  # fields 14-17
                pending.append(kid)
    return total


def timed_forecast(hist: pd.DataFrame, workers: int) -> tuple[Any, float, float]:
    """The benchmark's forecast (library defaults: backtest, candidates) with its CPU and
    wall seconds."""
    kw = {"calendar": calendar(), "interval_minutes": 15, "horizon_days": HORIZON_DAYS}
    cpu0, t0 = _cpu_s(), time.perf_counter()
    run = forecast_intervals(hist, executor=LocalProcessExecutor(workers), **kw)
    return run, _cpu_s() - cpu0, time.perf_counter() - t0


def baseline_cpu(rev: str, n_series: int, workers: int) -> dict[str, float]:
    """Run the same forecast with the code of git revision ``rev`` in a child process."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", rev], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        out = subprocess.run([sys.executable, __file__, "--measure-only", "--series",
                              str(n_series), "--workers", str(workers)], env=env, check=True,
                             capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample-only", action="store_true")
    ap.add_argument("--baseline", default="86e77c5",
                    help="git revision to run side by side ('none' to skip)")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sample_only:
        sample_check()
        return
    if args.measure_only:  # the baseline's child process: one JSON line
        hist, _, _ = build(args.series)
        _, cpu, wall = timed_forecast(hist, args.workers)
        print(json.dumps({"cpu_s": cpu, "wall_s": wall}))
        return
    base = None
    if args.baseline != "none":
        print(f"baseline {args.baseline}: running the same forecast first ...", flush=True)
        base = baseline_cpu(args.baseline, args.series, args.workers)
    t0 = time.perf_counter()
    hist, truth, future = build(args.series)
    print(f"data: {args.series} series, {len(hist):,} history rows "
          f"(built in {time.perf_counter() - t0:.1f} s)")
    run, cpu, wall = timed_forecast(hist, args.workers)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"auto, default backtest, {args.workers} workers: {cpu:.1f} CPU s, {wall:.1f} s wall "
          f"(target < 180 s); peak RSS parent {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")
    if base is not None:
        print(f"baseline {args.baseline}: {base['cpu_s']:.1f} CPU s, {base['wall_s']:.1f} s wall;"
              f" this code / baseline: {cpu / base['cpu_s']:.2f}x CPU (target <= 1.5x), "
              f"{wall / base['wall_s']:.2f}x wall")
    secs = pd.DataFrame([info.seconds for info in run.series.values()])
    print("\nseconds per series per model (fit + predict, all folds + final):")
    print(secs.describe().loc[["mean", "50%", "max"]].round(3).to_string())
    chosen = pd.Series([i.model for i in run.series.values()]).value_counts()
    print("\nmodels chosen:\n" + chosen.to_string())
    t0 = time.perf_counter()
    kw = {"calendar": calendar(), "interval_minutes": 15, "horizon_days": HORIZON_DAYS}
    naive = forecast_intervals(hist, model="seasonal_naive", backtest_cutoffs=1,
                               executor=LocalProcessExecutor(args.workers), **kw)
    print(f"\n(seasonal naive run: {time.perf_counter() - t0:.1f} s)")
    a, n = bands(run.forecast, truth, future), bands(naive.forecast, truth, future)
    print("\nwMAPE vs actual | auto | true rate (noise floor) | auto/floor | seasonal naive "
          "| auto vs naive")
    for band, (auto, floor) in a.items():
        print(f"{band:>10} | {auto:.4f} | {floor:.4f} | {auto / floor:.3f} | {n[band][0]:.4f} "
              f"| {1 - auto / n[band][0]:+.1%} lower")
    sample_check()


def sample_check() -> None:
    """Accuracy on the full 2-year sample (seed 7) against its true rates."""
    iv0, tr0, cal = sample_frames(2.0)
    end = iv0["interval_start"].max().tz_convert(TZ).normalize().tz_localize(None) + \
        pd.Timedelta(days=1)
    print("\nfull sample (2 years, 4 queues): wMAPE ratios, auto / noise floor and "
          "auto / seasonal naive")
    for minutes in (15, 30):
        iv, tr = iv0, tr0
        if minutes == 30:
            iv = _coarsen(iv0, ["offered", "handled", "handle_s"])
            tr = _coarsen(tr0, ["true_offered"])
        for band, starts, score in (
                ("day-ahead", [end - pd.Timedelta(days=7 + k) for k in range(10)], 1),
                ("week-ahead", [end - pd.Timedelta(days=7 * k) for k in range(1, 4)], 7)):
            err = _errors(iv, tr, cal, minutes, starts, 7, score)
            cells = [f"{ch} {err[(ch, 'auto')] / err[(ch, 'truth')]:.3f} / "
                     f"{err[(ch, 'auto')] / err[(ch, 'seasonal_naive')]:.3f}"
                     for ch in ("voice", "chat", "email")]
            print(f"  {minutes} min {band:>10}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
