"""Ingest throughput and peak memory: canonical CSV exports of 1 M and 5 M rows.

100 queues of 15-minute intervals (5 M rows = 100 queues x 50,000 intervals, about 17
months each) in Europe/Paris with ISO 8601 offsets. Each CSV is written once to a temporary
folder; the ingest runs in a child process so its peak resident memory (ru_maxrss) is its
own. Peak memory that stays flat from 1 M to 5 M rows shows the chunked reader bounds it;
the baseline column is a plain ``pd.read_csv`` of the whole file, for scale.

Run:  nice -n 10 .venv/bin/python bench/bench_ingest.py [--rows 1000000 5000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

QUEUES = 100
TZ = "Europe/Paris"


def write_csv(path: Path, rows: int, seed: int = 3) -> None:
    per_queue = rows // QUEUES
    ts = pd.date_range(pd.Timestamp("2024-01-01", tz=TZ), periods=per_queue, freq="15min")
    stamps = pd.Series(ts.strftime("%Y-%m-%dT%H:%M:%S%z"))
    stamps = stamps.str.slice(0, 22) + ":" + stamps.str.slice(22)  # +0100 -> +01:00
    hour = ts.hour.to_numpy()
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("interval_start,queue,channel,offered,handled,abandoned,handle_s\n")
        for q in range(QUEUES):
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
    from wfm.io.ingest import ingest_files

    t0, cpu0 = time.perf_counter(), _cpu_s()
    result = ingest_files([Path(csv_path)], data_dir=Path(data_dir), tz=TZ)
    seconds = time.perf_counter() - t0
    print(f"{result.rows_written} {seconds:.2f} {_cpu_s() - cpu0:.2f} {_peak_mb():.0f}")


def child_baseline(csv_path: str) -> None:
    t0, cpu0 = time.perf_counter(), _cpu_s()
    frame = pd.read_csv(csv_path)
    frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True, format="ISO8601")
    seconds = time.perf_counter() - t0
    print(f"{len(frame)} {seconds:.2f} {_cpu_s() - cpu0:.2f} {_peak_mb():.0f}")


def _cpu_s() -> float:
    """CPU time of this process [s]: on a shared machine wall time also counts waiting."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(*args: str) -> tuple[int, float, float, float]:
    """Rows, wall seconds, CPU seconds and peak RSS [MB] reported by a child run."""
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), float(out[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    args = parser.parse_args()
    print(f"{'rows':>10} {'csv MB':>7} {'ingest s':>9} {'cpu s':>7} {'rows/s':>9} "
          f"{'rows/cpu-s':>10} {'peak MB':>8} {'read_csv s':>11} {'cpu s':>7} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="wfm-bench-ingest-") as tmp:
        for rows in args.rows:
            csv_path = Path(tmp) / f"intervals_{rows}.csv"
            write_csv(csv_path, rows)
            size_mb = csv_path.stat().st_size / 2**20
            n, secs, cpu, peak = run_child("--child-ingest", str(csv_path),
                                           str(Path(tmp) / f"d{rows}"))
            _, base_secs, base_cpu, base_peak = run_child("--child-baseline", str(csv_path))
            print(f"{n:>10} {size_mb:>7.0f} {secs:>9.1f} {cpu:>7.1f} {n / secs:>9.0f} "
                  f"{n / cpu:>10.0f} {peak:>8.0f} {base_secs:>11.1f} {base_cpu:>7.1f} "
                  f"{base_peak:>8.0f}", flush=True)
            csv_path.unlink()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-ingest":
        child_ingest(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-baseline":
        child_baseline(sys.argv[2])
    else:
        main()
