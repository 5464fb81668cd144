"""Benchmark: many queues through the executor seam, local pool vs a Dask LocalCluster;
many sites in one run.

Run:  nice -n 10 .venv/bin/python bench/bench_scale.py [--queues 40] [--days 365]
          [--horizon 14d] [--sites 20] [--skip-sites]

Part 1 (issue 19): ``--queues`` queues x ``--days`` days of 15-minute history, the 4 queues
of ``wfm sample`` copied with their volumes scaled (each copy is a queue of its own in the
store and in wfm.toml), then ``forecast`` + ``staff`` (the pipeline API, as ``wfm run``
calls them) with the local process pool and with a LocalCluster of 2 single-threaded
worker processes, one after the other in this run on the same data. Prints wall time per
job and in total, the Dask overhead ((dask - local) / local, with and without the cluster's
start-up), series per core-second, the peak memory (VmHWM) of every worker process against
an idle worker and one queue's history, and checks both forecasts are byte-identical.

Part 2: ``--sites`` tiny sites (4 queues, 13 weeks of history, 3 agents; forecast, staff,
schedule) run once with the sites one after another (one worker) and once side by side
in the local pool (2 workers), from the run log: wall time, the sum of the sites' own
durations, and how many sites were running at once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "pipeline"))
from pipeline_project import STARTER, fast_config, make_project

from wfm.io.store import write_intervals
from wfm.pipeline import ForecastRequest, forecast, open_project, staff
from wfm.pipeline.execution import ExecutorChoice, open_execution
from wfm.pipeline.runlog import parse_line
from wfm.pipeline.sites import SitesRequest, run_sites
from wfm.simulation.sample_data import generate_sample

WORKERS = 2
END = date(2026, 11, 30)


def centre(root: Path, n_queues: int, days: int, horizon: str) -> int:
    """A project of ``n_queues`` queues (the sample's 4 copied); returns the rows stored."""
    sample = generate_sample(years=days / 365.25, end=END)
    base = sample.intervals
    text = STARTER.read_text(encoding="utf-8")
    blocks = re.findall(r"(?ms)^\[\[queues\]\]\n.*?(?=^\[|\Z)", text)
    frames, extra = [], []
    for k in range(n_queues // 4 + 1):
        copy = base.copy()
        if k:
            scale = 0.5 + (k % 7) * 0.25
            for col in ("offered", "handled", "abandoned"):
                if col in copy:
                    copy[col] = (copy[col] * scale).round()
            copy["queue"] = copy["queue"] + f"_{k}"
            for b in blocks:
                name = b.split('"')[1]
                extra.append(b.replace(f'name = "{name}"', f'name = "{name}_{k}"', 1))
        frames.append(copy)
    frame = pd.concat(frames, ignore_index=True)
    names = sorted(frame["queue"].unique())[:n_queues]
    keep = set(names)
    frame = frame[frame["queue"].isin(keep)]
    extra = [b for b in extra if b.split('"')[1] in keep]
    text = text.replace("workers = 0 ", f"workers = {WORKERS} ", 1)
    text = re.sub(r'(?m)^horizon = "6w"', f'horizon = "{horizon}"', text)
    text = re.sub(r"(?m)^backtest_cutoffs = \d+", "backtest_cutoffs = 4", text)
    text = text.replace("\n[staffing]", "\n" + "".join(extra) + "\n[staffing]", 1)
    root.mkdir(parents=True)
    (root / "wfm.toml").write_text(text, encoding="utf-8")
    write_intervals(root / "data", frame)
    return len(frame)


class PeakMemory:
    """Peak resident memory (VmHWM) of every descendant process, sampled twice a second."""

    def __init__(self) -> None:
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.5):
            parent: dict[int, int] = {}
            for d in Path("/proc").iterdir():
                if d.name.isdigit():
                    try:
                        parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1]
                                                  .split()[1])
                    except (OSError, IndexError, ValueError):
                        continue
            for pid in parent:
                p, hops = pid, 0
                while p in parent and p != me and hops < 6:
                    p, hops = parent[p], hops + 1
                if p != me or pid == me:
                    continue
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                m = re.search(r"VmHWM:\s+(\d+)", status)
                if m:
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(m.group(1)))


def _peak_kb() -> int:
    """This process's peak resident memory [kB] (VmHWM: since its exec; ru_maxrss would
    carry the pre-exec peak of the process it was forked from)."""
    m = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(m.group(1)) if m else 0


def _dask_peaks(client: object) -> list[int]:
    peak = _peak_kb

    return sorted(client.run(peak).values())  # type: ignore[attr-defined]


def part_queues(args: argparse.Namespace, work: Path) -> None:
    root = work / "centre"
    t0 = time.perf_counter()
    rows = centre(root, args.queues, args.days, args.horizon)
    print(f"# {args.queues} queues x {args.days} days x 15 min: {rows:,} rows in the store "
          f"(built in {time.perf_counter() - t0:.0f} s)")
    project = open_project(root / "wfm.toml")
    history_mb = (rows / args.queues) * 8 * 8 / 1e6  # ~8 numeric columns of 8 bytes
    out: dict[str, dict[str, float]] = {}
    outputs: dict[str, bytes] = {}
    for kind in ("local", "dask"):
        mem = PeakMemory()
        with mem, open_execution(project.config, ExecutorChoice(kind)) as ex:
            t_start = time.perf_counter()
            idle: list[int] = []
            if ex.dask is not None:
                idle = _dask_peaks(ex.dask.client)
            started = time.perf_counter() - t_start
            t1 = time.perf_counter()
            fc = forecast(project, ForecastRequest(), execution=ex)
            t2 = time.perf_counter()
            staff(project, execution=ex)
            t3 = time.perf_counter()
            peaks = _dask_peaks(ex.dask.client) if ex.dask is not None else []
        if kind == "local":
            peaks = sorted(v for v in mem.peak_kb.values())
        outputs[kind] = (fc.folder / "forecast.csv").read_bytes()
        n_series = int(fc.forecast.forecast[["queue", "channel"]].drop_duplicates().shape[0])
        out[kind] = {"start_s": started, "forecast_s": t2 - t1, "staff_s": t3 - t2,
                     "series": n_series}
        print(f"{kind:6} cluster start {started:6.1f} s | forecast {t2 - t1:7.1f} s | staff "
              f"{t3 - t2:6.1f} s | total {started + t3 - t1:7.1f} s | "
              f"{n_series / ((t2 - t1) * WORKERS):.2f} series per core-second")
        print(f"       peak memory per process [MB]: "
              f"{', '.join(f'{p / 1024:.0f}' for p in peaks)}"
              + (f" (idle worker before the jobs: {', '.join(f'{p / 1024:.0f}' for p in idle)})"
                 if idle else " (resource tracker, fork server with the task's module "
                               "preloaded, then the pool's workers)"))
    loc, dsk = out["local"], out["dask"]
    jobs_l = loc["forecast_s"] + loc["staff_s"]
    jobs_d = dsk["forecast_s"] + dsk["staff_s"]
    print(f"Dask overhead on forecast + staff: {(jobs_d - jobs_l) / jobs_l:+.1%} "
          f"(with the LocalCluster's start-up: "
          f"{(jobs_d + dsk['start_s'] - jobs_l) / jobs_l:+.1%}); one queue's history "
          f"~{history_mb:.1f} MB")
    print(f"forecast.csv identical local vs dask: {outputs['local'] == outputs['dask']}")


def _sites(root: Path, n: int) -> None:
    agents = ("agent_id,name,team,site,skills,min_hours_week,max_hours_week,min_days_week,"
              "max_days_week,shift_lengths_h,earliest_start,latest_end,time_off,"
              "availability,preferred_start,preferred_days_off\n" + "".join(
                  f"A{k},Agent {k},T,S,voice_en:1,35,37.5,5,5,8,08:00,20:00,,,,\n"
                  for k in range(3)))
    first = root / "s00"
    make_project(first, store=True, steps=["forecast", "staff", "schedule"])
    (first / "sample" / "agents.csv").write_text(agents, encoding="utf-8")
    text = fast_config(["forecast", "staff", "schedule"]).replace(
        "time_limit_s = 30", "time_limit_s = 10")
    (first / "wfm.toml").write_text(text, encoding="utf-8")
    for k in range(1, n):
        shutil.copytree(first, root / f"s{k:02d}", symlinks=True)


def part_sites(args: argparse.Namespace, work: Path) -> None:
    root = work / "sites"
    _sites(root, args.sites)
    print(f"# {args.sites} sites (4 queues, 13 weeks, 3 agents each; forecast, staff, "
          "schedule)")
    for workers in (1, WORKERS):
        log = work / f"sites-{workers}.log"
        parent = work / f"parent-{workers}" / "wfm.toml"
        parent.parent.mkdir()
        parent.write_text(f"[forecasting]\nworkers = {workers}\n", encoding="utf-8")
        t0 = time.perf_counter()
        summary = run_sites(SitesRequest(f"{root}/*/wfm.toml", work, log_file=log),
                            open_project(parent).config, ExecutorChoice("local"))
        wall = time.perf_counter() - t0
        events = [parse_line(x) for x in log.read_text().splitlines()]
        spans = {}
        for e in events:
            if "step" in e or e.get("event") not in ("start", "end"):
                continue
            t = pd.Timestamp(e["time"]).timestamp()
            spans.setdefault(e["site"], [t, t])[0 if e["event"] == "start" else 1] = t
        own = sum(b - a for a, b in spans.values())
        edges = sorted([(a, 1) for a, _ in spans.values()] + [(b, -1) for _, b in spans.values()])
        running = most = 0
        for _, d in edges:
            running += d
            most = max(most, running)
        ok = len(summary.sites) - len(summary.failed)
        print(f"{workers} worker(s): {ok}/{len(summary.sites)} sites ok, wall {wall:6.1f} s, "
              f"sum of the sites' own durations {own:6.1f} s, at most {most} sites at once")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queues", type=int, default=40)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--horizon", default="14d")
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--skip-queues", action="store_true")
    ap.add_argument("--skip-sites", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"# {date.today()}, {os.cpu_count()} cores, load {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; {json.dumps(vars(args))}")
    with tempfile.TemporaryDirectory(prefix="wfm-bench-scale-") as tmp:
        if not args.skip_queues:
            part_queues(args, Path(tmp))
        if not args.skip_sites:
            part_sites(args, Path(tmp))
    print(f"# load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
