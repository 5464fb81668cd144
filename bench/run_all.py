"""Run every benchmark under bench/ one after the other and print a summary.

Run:  make bench                      (all of them, niced)
      make bench ONLY=staffing,ingest (those whose file name contains a word)

Each bench_*.py prints its own figures (with ratios against its baseline where it has
one); this runner streams them, then lists each script's wall time and exit status so a
failing or vanished benchmark is visible at a glance. Benchmarks are never part of
`make test`: timings on a shared 2-core machine are not assertions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=os.environ.get("ONLY", ""),
                    help="comma-separated words; run the scripts whose name contains one")
    args = ap.parse_args()
    words = [w.strip() for w in args.only.split(",") if w.strip()]
    scripts = sorted(p for p in BENCH.glob("bench_*.py")
                     if not words or any(w in p.stem for w in words))
    if not scripts:
        print(f"no benchmark matches {args.only!r}; have: "
              f"{', '.join(p.stem for p in sorted(BENCH.glob('bench_*.py')))}", file=sys.stderr)
        return 2
    results: list[tuple[str, float, int]] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=BENCH.parent)
        results.append((script.name, time.perf_counter() - t0, rc))
    print("\n=== summary ===")
    for name, seconds, rc in results:
        print(f"{name:32s} {seconds:8.1f} s   {'ok' if rc == 0 else f'FAILED (exit {rc})'}")
    return 0 if all(rc == 0 for _, _, rc in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
