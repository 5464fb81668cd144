"""Benchmark: many queues through the executor seam, local pool vs a Dask LocalCluster;
statsforecast beside wfm on the same series; many sites in one run.

Run:  .venv/bin/python bench/bench_scale.py [--queues 40] [--days 365] [--horizon 14d]
          [--rounds 2] [--peer-queues 20] [--sites 20] [--skip-queues]
          [--skip-statsforecast] [--skip-sites]

Part 1 (issue 19): ``--queues`` queues x ``--days`` days of 15-minute history, the 4 queues
of ``wfm sample`` copied with their volumes scaled (each copy is a queue of its own in the
store and in wfm.toml), then ``forecast`` + ``staff`` (the pipeline API, as ``wfm run``
calls them) with the local process pool and with a LocalCluster of 2 single-threaded
worker processes. Each measurement runs in a fresh interpreter (it pays the imports, the
fork server or the cluster's start-up as a command would), ``--rounds`` times per executor,
the order alternating (local, dask, dask, local, ...) so that a change in the machine's
load hits both. Prints wall time per job, the Dask overhead ((dask - local) / local, with
and without the cluster's start-up), the CPU time of every process involved (this one,
which holds the LocalCluster's scheduler, and the workers), every task timed inside its
worker (its own wall and CPU time, the wait before the first task, the workers' idle time
between tasks: bench/task_timing.py), series per core-second, the peak memory (VmHWM) of
every worker process against an idle worker and the import floor, and checks that every
run's forecast.csv and requirements.csv are byte-identical.

Part 1b: statsforecast (its own venv, bench/statsforecast_env.py) on the first
``--peer-queues`` series of the same store (AutoARIMA and AutoETS on daily totals split by
the intraday profile, MSTL on the 15-minute series; bench/statsforecast_peers.py): series
per CPU-second of each model's fit beside wfm's.

Part 2: ``--sites`` tiny sites (4 queues, 13 weeks of history, 3 agents; forecast, staff,
schedule) run once with the sites one after another (one worker) and once side by side
in the local pool (2 workers), from the run log: wall time, the sum of the sites' own
durations, and how many sites were running at once.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "pipeline"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_project import STARTER, fast_config, make_project
from statsforecast_env import statsforecast_python
from task_timing import Breakdown, TimedExecution, breakdown

from wfm.io.store import read_intervals, stored_series, write_intervals
from wfm.pipeline import ForecastRequest, forecast, open_project, staff
from wfm.pipeline.execution import ExecutorChoice, open_execution
from wfm.pipeline.runlog import parse_line
from wfm.pipeline.sites import SitesRequest, run_sites
from wfm.simulation.sample_data import generate_sample

HERE = Path(__file__).resolve().parent
#: Peak resident memory [MB] of an interpreter holding what a Dask worker imports.
IMPORT_FLOOR = ("import re, distributed, wfm.pipeline.forecast_tasks, wfm.pipeline.staff_job, "
                "wfm.forecasting.models, statsmodels.tsa.holtwinters, numba; "
                "from pathlib import Path; print(int(re.search("
                "r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1)) / 1024)")
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
    """Peak resident memory (VmHWM) of every descendant process and the CPU time [s] of
    this process and its descendants, sampled twice a second (a process that ended keeps
    its last sample)."""

    def __init__(self) -> None:
        self.peak_kb: dict[int, int] = {}
        self._cpu: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_s(self) -> dict[int, float]:
        """CPU time [s] per process so far (this process and every descendant seen)."""
        self._sample()
        with self._lock:
            return dict(self._cpu)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def _sample(self) -> None:
        me = os.getpid()
        parent: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                    parent[int(d.name)] = int(fields[1])
                    cpu[int(d.name)] = (int(fields[11]) + int(fields[12])) / self._tick
                except (OSError, IndexError, ValueError):
                    continue
        for pid in parent:
            p, hops = pid, 0
            while p in parent and p != me and hops < 6:
                p, hops = parent[p], hops + 1
            if p != me:
                continue
            with self._lock:
                self._cpu[pid] = max(self._cpu.get(pid, 0.0), cpu[pid])
            if pid == me:
                continue
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+)", status)
            if m:
                with self._lock:
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(m.group(1)))


def _peak_kb() -> int:
    """This process's peak resident memory [kB] (VmHWM: since its exec; ru_maxrss would
    carry the pre-exec peak of the process it was forked from)."""
    m = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(m.group(1)) if m else 0


def _dask_peaks(client: object) -> list[int]:
    peak = _peak_kb

    return sorted(client.run(peak).values())  # type: ignore[attr-defined]


def measure(kind: str, root: Path) -> dict[str, Any]:
    """One forecast + staff of the project at ``root`` on ``kind`` (this process is fresh:
    it pays the imports, the fork server or the cluster's start-up as `wfm run` would)."""
    project = open_project(root / "wfm.toml")
    load0 = os.getloadavg()[0]
    mem = PeakMemory()
    with mem, open_execution(project.config, ExecutorChoice(kind)) as opened:
        ex = TimedExecution(opened)
        t_start = time.perf_counter()
        idle: list[int] = []
        if opened.dask is not None:
            idle = _dask_peaks(opened.dask.client)
        started = time.perf_counter() - t_start
        cpu0 = mem.cpu_s()
        t1 = time.perf_counter()
        fc = forecast(project, ForecastRequest(), execution=ex)
        t2 = time.perf_counter()
        cpu1 = mem.cpu_s()
        st = staff(project, execution=ex)
        t3 = time.perf_counter()
        cpu2 = mem.cpu_s()
        peaks = _dask_peaks(opened.dask.client) if opened.dask is not None else []
    if kind == "local":
        peaks = sorted(mem.peak_kb.values())
    me = os.getpid()

    def split(a: dict[int, float], b: dict[int, float]) -> tuple[float, float]:
        driver = b.get(me, 0.0) - a.get(me, 0.0)
        others = sum(v - a.get(pid, 0.0) for pid, v in b.items() if pid != me)
        return driver, others

    n_series = int(fc.forecast.forecast[["queue", "channel"]].drop_duplicates().shape[0])
    fb, sb = breakdown(ex.series()), breakdown(ex.tasks())
    return {
        "kind": kind, "start_s": started, "forecast_s": t2 - t1, "staff_s": t3 - t2,
        "series": n_series, "load_before": load0, "load_after": os.getloadavg()[0],
        "forecast_cpu": split(cpu0, cpu1), "staff_cpu": split(cpu1, cpu2),
        "forecast_tasks": None if fb is None else dataclasses.asdict(fb),
        "staff_tasks": None if sb is None else dataclasses.asdict(sb),
        "peak_mb": [p / 1024 for p in peaks], "idle_mb": [p / 1024 for p in idle],
        "forecast_sha": hashlib.sha256((fc.folder / "forecast.csv").read_bytes()).hexdigest(),
        "requirements_sha": hashlib.sha256(
            (st.folder / "requirements.csv").read_bytes()).hexdigest(),
    }


def _run_one(kind: str, root: Path) -> dict[str, Any]:
    """``measure`` in a fresh interpreter (bench/ on PYTHONPATH so workers find the task
    timer); its JSON line is the last line of its output."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]))
    # Started with -c, not as a script: Dask's spawned workers import the parent's main
    # script, which would import wfm for them before their first task (`wfm` itself is a
    # small entry point).
    code = "import sys, bench_scale; sys.exit(bench_scale.one())"
    out = subprocess.run([sys.executable, "-c", code, "--one", kind, "--root", str(root)],
                         env=env, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _show(r: dict[str, Any]) -> None:
    total = r["forecast_s"] + r["staff_s"]
    print(f"{r['kind']:6} start {r['start_s']:5.1f} s | forecast {r['forecast_s']:7.1f} s | "
          f"staff {r['staff_s']:6.1f} s | forecast + staff {total:7.1f} s | "
          f"{r['series'] / (r['forecast_s'] * WORKERS):.2f} series per core-second | "
          f"load {r['load_before']:.1f} -> {r['load_after']:.1f}")
    for job in ("forecast", "staff"):
        d, o = r[f"{job}_cpu"]
        tasks = r[f"{job}_tasks"]
        line = Breakdown(**tasks).line() if tasks else "in this process"
        print(f"       {job}: CPU driver {d:.1f} s, other processes {o:.1f} s; {line}")
    print("       peak memory per process [MB]: "
          + ", ".join(f"{p:.0f}" for p in r["peak_mb"])
          + (f" (idle workers before the jobs: {', '.join(f'{p:.0f}' for p in r['idle_mb'])})"
             if r["idle_mb"] else " (resource tracker, fork server, the pool's workers)"))


def part_queues(args: argparse.Namespace, work: Path) -> None:
    root = work / "centre"
    t0 = time.perf_counter()
    rows = centre(root, args.queues, args.days, args.horizon)
    print(f"# {args.queues} queues x {args.days} days x 15 min: {rows:,} rows in the store "
          f"(built in {time.perf_counter() - t0:.0f} s); {args.rounds} rounds, each a fresh "
          "process per executor, the order alternating", flush=True)
    history_mb = (rows / args.queues) * 8 * 8 / 1e6  # ~8 numeric columns of 8 bytes
    runs: list[dict[str, Any]] = []
    for r in range(args.rounds):
        for kind in (("local", "dask") if r % 2 == 0 else ("dask", "local")):
            res = _run_one(kind, root)
            _show(res)
            runs.append(res)
            sys.stdout.flush()
    jobs = {k: [x["forecast_s"] + x["staff_s"] for x in runs if x["kind"] == k]
            for k in ("local", "dask")}
    starts = [x["start_s"] for x in runs if x["kind"] == "dask"]
    loc = statistics.mean(jobs["local"])
    dsk = statistics.mean(jobs["dask"])
    pairs = [(d - x) / x for x, d in zip(jobs["local"], jobs["dask"], strict=True)]
    print(f"forecast + staff: local {', '.join(f'{x:.1f}' for x in jobs['local'])} s, "
          f"dask {', '.join(f'{x:.1f}' for x in jobs['dask'])} s")
    print(f"Dask overhead on forecast + staff: {(dsk - loc) / loc:+.1%} of the means "
          f"(per round: {', '.join(f'{p:+.1%}' for p in pairs)}); with the LocalCluster's "
          f"start-up ({', '.join(f'{s:.1f}' for s in starts)} s): "
          f"{(dsk + statistics.mean(starts) - loc) / loc:+.1%}; one queue's history "
          f"~{history_mb:.1f} MB")
    floor = subprocess.run([sys.executable, "-c", IMPORT_FLOOR], check=True,
                           capture_output=True, text=True).stdout.strip()
    print(f"a fresh interpreter with distributed and wfm's forecasting and staffing modules "
          f"imported (the floor of a worker's peak): {float(floor):.0f} MB")
    cpu = {k: [sum(x["forecast_cpu"]) + sum(x["staff_cpu"]) for x in runs if x["kind"] == k]
           for k in ("local", "dask")}
    print(f"CPU of every process (this one, the pool's or the cluster's) on forecast + staff: "
          f"local {', '.join(f'{x:.1f}' for x in cpu['local'])} s, dask "
          f"{', '.join(f'{x:.1f}' for x in cpu['dask'])} s: Dask's extra CPU "
          f"{statistics.mean(cpu['dask']) / statistics.mean(cpu['local']) - 1:+.1%} (on a "
          "machine whose cores are all busy, the share of the cores each side gets decides "
          "the wall time as much as the CPU it needs)")
    shas = {(x["forecast_sha"], x["requirements_sha"]) for x in runs}
    print(f"forecast.csv and requirements.csv identical in every run, local and dask: "
          f"{len(shas) == 1}", flush=True)
    if not args.skip_statsforecast:
        part_statsforecast(args, root, runs)


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


def part_statsforecast(args: argparse.Namespace, root: Path,
                       runs: list[dict[str, Any]]) -> None:
    """statsforecast (its own venv) on the first ``--peer-queues`` queues of the same store:
    AutoARIMA and AutoETS on daily totals split by the intraday profile, MSTL on the
    15-minute series, from one origin 14 days before the end; series per CPU-second of
    each model's fit beside wfm's (the local pool's task CPU of the runs above)."""
    py = statsforecast_python()
    if py is None:
        print("statsforecast venv could not be created: no comparison")
        return
    names = sorted(stored_series(root / "data")["queue"].astype(str).unique())
    names = names[:args.peer_queues]
    hist = read_intervals(root / "data", queues=names)
    tz = open_project(root / "wfm.toml").config.site.timezone
    frame = pd.DataFrame({
        "unique_id": hist["queue"].astype(str) + "/" + hist["channel"].astype(str),
        "ds": hist["interval_start"].dt.tz_convert(tz).dt.tz_localize(None),
        "y": hist["offered"].astype(float), "open": hist["offered"].to_numpy() > 0})
    # Local clock time repeats one hour at the autumn DST change: keep the first.
    frame = frame.drop_duplicates(["unique_id", "ds"])
    last = frame["ds"].max().normalize()
    work = root.parent / "statsforecast"
    work.mkdir()
    paths = {k: work / f"{k}.parquet" for k in ("hist", "fc", "cpu")}
    frame.to_parquet(paths["hist"])
    spec = work / "spec.json"
    spec.write_text(json.dumps({"origins": [str((last - pd.Timedelta(days=14)).date())],
                                "horizon_days": 14, "interval_minutes": 15}),
                    encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(py), str(HERE / "statsforecast_peers.py"), str(paths["hist"]),
                    str(spec), str(paths["fc"]), str(paths["cpu"])], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    cpu = pd.read_parquet(paths["cpu"])
    n = cpu["unique_id"].nunique()
    first = cpu["unique_id"].min()
    print(f"# statsforecast 2.1.1 on {n} series of the same store (1 process, "
          f"{wall:.0f} s wall, {child_cpu:.0f} s CPU with reading and splitting)")
    for model, grp in cpu.groupby("model"):
        rest = grp[grp["unique_id"] != first]
        print(f"statsforecast {model:9}: {n / grp['cpu_s'].sum():7.2f} series per CPU-second "
              f"of its fit ({len(rest) / rest['cpu_s'].sum():.2f} without the first series, "
              "which compiles numba code)")
    loc = [r for r in runs if r["kind"] == "local" and r["forecast_tasks"]]
    if loc:
        series = loc[0]["series"]
        cpu_s = statistics.mean(r["forecast_tasks"]["task_process_cpu_s"] for r in loc)
        wall_s = statistics.mean(r["forecast_s"] for r in loc)
        print(f"wfm auto ({series} series, the local pool's runs above): "
              f"{series / cpu_s:.2f} series per CPU-second of the tasks (their processes' "
              "CPU, reading the history included), "
              f"{series / (wall_s * WORKERS):.2f} per core-second of wall time (each series: "
              "backtests at 4 origins of 5 candidates, the choice, the final fits and "
              "prediction intervals, offered volume and AHT)")


def one() -> None:
    """The child of :func:`_run_one`: one measurement as a JSON line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", choices=("local", "dask"), required=True)
    ap.add_argument("--root", type=Path, required=True)
    args = ap.parse_args()
    print(json.dumps(measure(args.one, args.root)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queues", type=int, default=40)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--horizon", default="14d")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--peer-queues", type=int, default=20)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--skip-queues", action="store_true")
    ap.add_argument("--skip-sites", action="store_true")
    ap.add_argument("--skip-statsforecast", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, check=False,
                          capture_output=True, text=True).stdout.strip() or os.environ.get(
                              "BENCH_COMMIT", "unknown")
    print(f"# {date.today()}, commit {head}, {os.cpu_count()} cores, load {load[0]:.1f} "
          f"{load[1]:.1f} {load[2]:.1f}; {json.dumps({k: str(v) for k, v in vars(args).items()})}")
    with tempfile.TemporaryDirectory(prefix="wfm-bench-scale-") as tmp:
        if not args.skip_queues:
            part_queues(args, Path(tmp))
        if not args.skip_sites:
            part_sites(args, Path(tmp))
    print(f"# load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
