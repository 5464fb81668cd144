"""Benchmark: time and size of the default sample history (2 years, 4 queues, 15 min).

Run with ``nice -n 10 .venv/bin/python bench/bench_sample_data.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from wfm.simulation.sample_data import generate_sample, write_sample


def main() -> None:
    start = time.perf_counter()
    sample = generate_sample(seed=7)
    generated = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths = write_sample(Path(folder), seed=7)
        written = time.perf_counter() - start
        sizes = {p.name: p.stat().st_size / 1e6 for p in paths}
    rows = len(sample.intervals)
    print(f"sample rows (interval x queue): {rows:,}")
    print(f"generate_sample: {generated:.2f} s ({rows / generated:,.0f} rows/s)")
    print(f"write_sample (generate + CSV): {written:.2f} s")
    for name, size in sizes.items():
        print(f"{name}: {size:.1f} MB")


if __name__ == "__main__":
    main()
