"""Benchmark: `wfm run` on the full sample, time per step against the 10-minute target.

The project is made by `wfm init` in a temporary folder: 2 years of 15-minute history for
all four queues, the 40 sample agents, the starter wfm.toml as shipped (6-week forecast,
every candidate model backtested, staffing, one week's roster with the default 60 s solver
budget, every report). The run is a real `python -m wfm run --log-file ...` subprocess; the
figures come from its structured log.

Usage:  nice -n 10 .venv/bin/python bench/bench_run.py [--keep-project DIR | --project DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wfm.pipeline.runlog import parse_line

TARGET_S = 600.0
ALL_REPORTS = '["roster_workbook", "coverage", "service_level", "accuracy", "ical"]'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-project", type=Path, default=None,
                        help="Build the project here and keep it (default: a temp folder).")
    parser.add_argument("--project", type=Path, default=None,
                        help="Run on this existing project (made by `wfm init`) instead.")
    args = parser.parse_args()
    root = args.keep_project or Path(tempfile.mkdtemp(prefix="wfm-bench-run-"))
    project = args.project or root / "centre"
    t0 = time.perf_counter()
    if args.project is None:
        subprocess.run([sys.executable, "-m", "wfm", "--quiet", "init", str(project)],
                       check=True)
    init_s = time.perf_counter() - t0
    toml = project / "wfm.toml"
    text = re.sub(r"(?m)^reports = .*$", f"reports = {ALL_REPORTS}", toml.read_text())
    toml.write_text(text)
    log = project / "bench.log"
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wfm", "run", "--log-file", str(log)],
                          cwd=project, capture_output=True, text=True, check=False)
    wall_s = time.perf_counter() - t0
    events = [parse_line(x) for x in log.read_text().splitlines()]
    print(f"wfm run on the full sample ({project}); wfm init took {init_s:.1f}s")
    print(f"{'step':10} {'seconds':>9} {'rows/files':>11} {'warnings':>9} status")
    for e in events:
        if e.get("event") == "end" and "step" in e:
            print(f"{e['step']:10} {float(e['duration_s']):9.1f} {e.get('rows', ''):>11} "
                  f"{e.get('warnings', ''):>9} {e['status']}")
    print(f"{'total':10} {wall_s:9.1f}  (process wall time; target < {TARGET_S:.0f}s, "
          f"ratio {wall_s / TARGET_S:.2f} of the target)")
    print(f"exit code {done.returncode}: {done.stdout.strip() or done.stderr.strip()}")
    if args.keep_project is None:
        shutil.rmtree(root, ignore_errors=True)  # never the --project folder itself
    return 0 if done.returncode == 0 and wall_s < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
