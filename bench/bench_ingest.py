"""Ingest throughput and peak memory, Delta store against the previous store format.

Two shapes of canonical CSV export, 15-minute intervals in Europe/Paris with ISO 8601
offsets: 100 queues x 2 years and 200 queues x 1 year (about 7 M rows each). Each CSV is
written once to a temporary folder and ingested into an empty store twice, each run in a
child process (so its peak resident memory, ru_maxrss, is its own): once by this code (the
Delta Lake store, one transaction) and once by the code of ``--baseline`` (default
51a1c02, the plain-Parquet store renamed file by file), extracted with ``git archive``.
Equal peak memory for the two shapes shows memory is flat in the number of queues.
``--repeat N`` runs the pair N times, alternating which goes first, and prints the median
and the range of the CPU and memory ratios (run-to-run noise on a shared machine).

Run:  nice -n 10 .venv/bin/python bench/bench_ingest.py [--shapes 100x730 200x365] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TZ = "Europe/Paris"
REPO = Path(__file__).resolve().parents[1]


def write_csv(path: Path, queues: int, days: int, seed: int = 3) -> None:
    per_queue = days * 96
    ts = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=per_queue, freq="15min")
    stamps = pd.Series(ts.strftime("%Y-%m-%dT%H:%M:%S%z"))
    stamps = stamps.str.slice(0, 22) + ":" + stamps.str.slice(22)  # +0100 -> +01:00
    hour = ts.hour.to_numpy()
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("interval_start,queue,channel,offered,handled,abandoned,handle_s\n")
        for q in range(queues):
            rate = np.where((hour >= 8) & (hour < 20), 10.0 + q % 7, 0.2)
            offered = rng.poisson(rate)
            abandoned = rng.binomial(offered, 0.05)
            handled = offered - abandoned
            frame = pd.DataFrame({"interval_start": stamps, "queue": f"queue_{q:03d}",
                                  "channel": "voice", "offered": offered, "handled": handled,
                                  "abandoned": abandoned,
                                  "handle_s": np.round(handled * rng.gamma(9.0, 35.0, per_queue),
                                                       1)})
            frame.to_csv(fh, header=False, index=False, lineterminator="\n")


def child_ingest(csv_path: str, data_dir: str) -> None:
    from wfm.io import ingest

    t0, cpu0 = time.perf_counter(), _cpu_s()
    if hasattr(ingest, "IngestSettings"):
        from wfm.io.health import HealthSettings

        result = ingest.ingest_files([Path(csv_path)], ingest.IngestSettings(
            data_dir=Path(data_dir), health=HealthSettings(tz=TZ)))
    else:  # the baseline commit: keyword arguments
        result = ingest.ingest_files([Path(csv_path)], data_dir=Path(data_dir), tz=TZ)
    seconds = time.perf_counter() - t0
    print(f"{result.rows_written} {seconds:.2f} {_cpu_s() - cpu0:.2f} {_peak_mb():.0f}")


def _cpu_s() -> float:
    """CPU time of this process [s]: on a shared machine wall time also counts waiting."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(*args: str, pythonpath: str | None = None) -> tuple[int, float, float, float]:
    """Rows, wall seconds, CPU seconds and peak RSS [MB] reported by a child run."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath  # the baseline's wfm package shadows this one
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True, env=env).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), float(out[3])


def extract_baseline(commit: str, folder: Path) -> Path:
    """The wfm package of ``commit`` in ``folder`` (git archive | tar)."""
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "wfm"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["100x730", "200x365"],
                        help="QUEUESxDAYS of 15-minute intervals")
    parser.add_argument("--baseline", default="51a1c02",
                        help="commit whose (previous-format) store to compare with")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each store per shape, interleaved")
    args = parser.parse_args()
    print(f"{'shape':>9} {'rows':>9} {'csv MB':>7} | {'store':>8} {'wall s':>7} "
          f"{'cpu s':>6} {'rows/cpu-s':>10} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="wfm-bench-ingest-") as tmp:
        base = extract_baseline(args.baseline, Path(tmp) / "baseline")
        for shape in args.shapes:
            queues, days = (int(x) for x in shape.split("x"))
            csv_path = Path(tmp) / f"intervals_{shape}.csv"
            write_csv(csv_path, queues, days)
            size_mb = csv_path.stat().st_size / 2**20
            stores = [("delta", None), (f"parquet@{args.baseline}", str(base))]
            cpu_ratios, peak_ratios = [], []
            for rep in range(args.repeat):
                results = {}
                # Alternate the order: a machine that gets busier or quieter during the
                # run favours neither store.
                for name, path in stores if rep % 2 == 0 else stores[::-1]:
                    results[name] = run_child("--child-ingest", str(csv_path),
                                              str(Path(tmp) / f"d-{shape}-{name}-{rep}"),
                                              pythonpath=path)
                    shutil.rmtree(Path(tmp) / f"d-{shape}-{name}-{rep}")
                    n, secs, cpu, peak = results[name]
                    print(f"{shape:>9} {n:>9} {size_mb:>7.0f} | {name[:8]:>8} {secs:>7.1f} "
                          f"{cpu:>6.1f} {n / cpu:>10.0f} {peak:>8.0f}", flush=True)
                (_, _, cpu_new, peak_new), (_, _, cpu_old, peak_old) = (
                    results[name] for name, _ in stores)
                cpu_ratios.append(cpu_new / cpu_old)
                peak_ratios.append(peak_new / peak_old)
                print(f"{shape:>9} delta / previous format: CPU {cpu_new / cpu_old:.2f}x, "
                      f"peak memory {peak_new / peak_old:.2f}x", flush=True)
            if args.repeat > 1:
                print(f"{shape:>9} over {args.repeat} runs: CPU median "
                      f"{statistics.median(cpu_ratios):.2f}x (range {min(cpu_ratios):.2f}-"
                      f"{max(cpu_ratios):.2f}), peak memory median "
                      f"{statistics.median(peak_ratios):.2f}x (range {min(peak_ratios):.2f}-"
                      f"{max(peak_ratios):.2f})", flush=True)
            csv_path.unlink()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-ingest":
        child_ingest(sys.argv[2], sys.argv[3])
    else:
        main()
