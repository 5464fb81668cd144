"""Busy-loop processes that load the machine while a benchmark runs, and the load figures.

The scheduling benchmarks run each week once as is and once beside two of these, to show
that the deterministic budgets give the same roster on a busy machine (only slower).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOG = "while True: pass"


@contextmanager
def cpu_hogs(count: int) -> Iterator[None]:
    """``count`` Python busy loops for the duration of the block (killed afterwards)."""
    procs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, e.g. ``"2.31 1.80 1.20"`` ("n/a" off Linux)."""
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "n/a"
