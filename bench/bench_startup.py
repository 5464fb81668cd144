"""Benchmark: how fast the command line starts (issue 14 item 5: `wfm --version` and
`wfm --help` under 0.3 s, `wfm erlang` under 0.6 s on a quiet machine).

Run:  nice -n 10 .venv/bin/python bench/bench_startup.py [--runs 10] [--baseline c0bf6fd]

Times each command as a user runs it - a fresh process of the console script - and prints
the median wall and CPU (user + system) seconds of ``--runs`` runs, side by side with the
same command of a baseline revision (its ``wfm`` package exported with ``git archive`` and
run by the same interpreter and libraries; c0bf6fd is the last revision whose calculator
imported pandas). Runs are interleaved (new, baseline, new, ...) after one warm-up each, so
a change in the machine's load hits both columns alike; the 1-minute load average is
printed before and after. Then what the heavy imports cost on their own (numpy, scipy.special,
pandas), for the record of where the remaining time goes.

CPU seconds are the figure that depends least on the load of a shared machine; wall seconds
are what the target is about and what a quiet machine shows.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ERLANG = ["erlang", "--volume", "100", "--interval", "30", "--aht", "180", "--target",
          "80/20"]
COMMANDS: list[tuple[str, list[str]]] = [
    ("wfm --version", ["--version"]),
    ("wfm --help", ["--help"]),
    ("wfm erlang (csv, piped)", [*ERLANG, "--format", "csv"]),
    ("wfm erlang -f table", [*ERLANG, "--format", "table"]),
    ("wfm erlang --patience 60 (Erlang A)", [*ERLANG, "--patience", "60", "--format", "csv"]),
]
IMPORTS: list[tuple[str, str]] = [
    ("python (nothing)", "pass"),
    ("import numpy", "import numpy"),
    ("import numpy, scipy.special", "import numpy, scipy.special"),
    ("import pandas (+pyarrow)", "import pandas, pyarrow"),
]


def timed(argv: list[str], env: dict[str, str] | None = None,
          cwd: str | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``argv`` (in ``cwd``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples))


def export_revision(rev: str, into: Path) -> None:
    """The ``wfm`` package of revision ``rev`` under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "wfm"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--baseline", default="c0bf6fd",
                    help="revision to compare with (default: c0bf6fd, before this change)")
    args = ap.parse_args()
    script = Path(sys.executable).parent / "wfm"
    new_cmd = [str(script)]
    with tempfile.TemporaryDirectory(prefix="wfm-startup-") as tmp:
        export_revision(args.baseline, Path(tmp))
        # The baseline's package first on the path (before the editable install of this
        # worktree); the same interpreter and libraries.
        old_env = {**os.environ, "PYTHONPATH": tmp}
        old_cmd = [sys.executable, "-c", "import sys; from wfm.cli.main import main; "
                   "sys.argv[0] = 'wfm'; sys.exit(main())"]
        where = subprocess.run([*old_cmd[:2], "import wfm; print(wfm.__file__)"], env=old_env,
                               cwd=tmp, capture_output=True, text=True,
                               check=True).stdout.strip()
        if not where.startswith(tmp):
            print(f"baseline imports {where}, not the exported revision", file=sys.stderr)
            return 1
        load0 = os.getloadavg()[0]
        print(f"{args.runs} runs each, medians; load average (1 min) {load0:.2f} at start; "
              f"{os.cpu_count()} cores; baseline {args.baseline}")
        print(f"{'command':38s} {'wall s':>7s} {'CPU s':>7s}   {'baseline wall':>13s} "
              f"{'CPU':>6s}   {'wall ratio':>10s}")
        for label, argv in COMMANDS:
            timed(new_cmd + argv)
            timed(old_cmd + argv, old_env, tmp)
            new, old = [], []
            for _ in range(args.runs):
                new.append(timed(new_cmd + argv))
                old.append(timed(old_cmd + argv, old_env, tmp))
            (nw, nc), (ow, oc) = medians(new), medians(old)
            print(f"{label:38s} {nw:7.3f} {nc:7.3f}   {ow:13.3f} {oc:6.3f}   "
                  f"{nw / ow:9.2f}x", flush=True)
    print("\nimports alone (python -c), medians:")
    base: tuple[float, float] | None = None
    for label, stmt in IMPORTS:
        timed([sys.executable, "-c", stmt])
        w, c = medians([timed([sys.executable, "-c", stmt]) for _ in range(args.runs)])
        extra = "" if base is None else f"   (+{w - base[0]:.3f} wall, +{c - base[1]:.3f} CPU)"
        base = base or (w, c)
        print(f"{label:38s} {w:7.3f} {c:7.3f}{extra}", flush=True)
    print(f"\nload average (1 min) {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
