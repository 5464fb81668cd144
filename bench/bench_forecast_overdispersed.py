"""Benchmark: forecasts on over-dispersed (doubly stochastic) arrivals, rolling origins,
wfm against statsforecast and simple peers side by side, and the intraday update.

Run:  nice -n 10 .venv/bin/python bench/bench_forecast_overdispersed.py
          [--series 6] [--origins 16] [--workers 2] [--no-statsforecast]
          [--intraday-only [--seed-sets 0-11] [--particles 20000] [--save rows.csv]]
          [--pool rows.csv ...]

Series: ``tests/forecasting/forecast_overdispersed.py`` (gamma day busyness with CV 5-15 %,
AR(1) intraday deviations, shocks, holidays with catch-up and a quieter eve), 2 years of
15-minute history before the first origin; origins 8 days apart (the weekday rotates, the
scored weeks do not overlap). At each origin every method forecasts 7 days (wfm auto also
42 days); scored on open intervals against the actual counts:

* day-ahead: the first open day; week: the 7 days; wMAPE pooled over series, MASE (mean
  absolute error over the in-sample weekly-naive error, mean over series and origins);
* interval coverage of wfm's 80 % / 95 % intervals over the week;
* CPU seconds per series and origin (process time, fit + predict, in the worker);
* the noise floor: a forecast equal to the expected rate (the best possible day ahead);
* paired bootstrap over origins (2,000 resamples) of auto's wMAPE minus each method's: a
  95 % interval that holds 0 is a tie;
* intraday: the rest of the day-ahead day after 10:00, 12:00 and 14:00, the day-ahead
  forecast against the run-rate and the Bayesian updates, and what any update could reach
  (``intraday_oracles.py``): the same update with the generator's parameters, the
  Bayes-optimal update (particle filter with the generator's model), oracles knowing the
  day's busyness W or the whole hidden state at the update time, the true rate (Poisson
  floor); a paired bootstrap over days of each one's gain on the day-ahead forecast.
  ``--seed-set K`` draws other series (seeds 100 + i + 1000 K; 0 is the default draw).

``--intraday-only`` runs just auto (7 days) and the intraday part, by default on all 8
series of ``SPECS`` and seed sets 0-11 (1,536 days: the number of days that narrows the
95 % interval of the gain after 12:00 to about +-3 points, see docs/forecasting.md),
reported pooled, per draw and per series (``intraday_report.py``). ``--save rows.csv``
appends each seed set's rows as it finishes, ``--pool a.csv b.csv`` reports saved chunks
together without running anything.

statsforecast runs in its own venv (``bench/.venv-statsforecast``, created on first use).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import time as clock
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "forecasting"))
sys.path.insert(0, str(HERE))
from forecast_overdispersed import Dispersion, make_overdispersed  # noqa: E402
from forecast_synthetic import TZ, calendar  # noqa: E402
from intraday_oracles import bayes_optimal, oracle_level, oracle_state  # noqa: E402
from intraday_report import COLUMNS, report_intraday  # noqa: E402
from statsforecast_env import statsforecast_python  # noqa: E402

from wfm.forecasting import LocalProcessExecutor, forecast_intervals  # noqa: E402
from wfm.forecasting.intraday import Dispersion as Prior  # noqa: E402
from wfm.forecasting.intraday import rest_of_day  # noqa: E402
from wfm.forecasting.intraday_run import series_dispersion  # noqa: E402

START = "2023-09-04"
HISTORY_DAYS = 730
STEP_DAYS = 8
WEEK = 7
LONG = 42
INTERVAL = 15
# (contacts per weekday, busyness CV, intraday sd): several volumes and dispersions.
SPECS = [(400, 0.10, 0.10), (1000, 0.05, 0.08), (1000, 0.15, 0.12), (2500, 0.08, 0.10),
         (2500, 0.12, 0.06), (5000, 0.10, 0.08), (800, 0.07, 0.10), (6000, 0.15, 0.10)]
SINGLES = ("seasonal_naive", "weekly_mean", "weekly_median", "topdown_ets", "dhr")
COMBOS = {"mean(dhr+topdown_ets)": ("dhr", "topdown_ets"),
          "mean(dhr+topdown_ets+weekly_median)": ("dhr", "topdown_ets", "weekly_median"),
          "median(all five)": SINGLES}
UPDATE_TIMES = (clock(10), clock(12), clock(14))


def series_data(i: int, n_days: int, seed_set: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    level, cv, sd = SPECS[i % len(SPECS)]
    return make_overdispersed(START, n_days, daily_level=level, interval_minutes=INTERVAL,
                              seed=100 + i + 1000 * seed_set, queue=f"s{i}",
                              dispersion=Dispersion(cv, sd))


def origins(n: int) -> list[pd.Timestamp]:
    return [pd.Timestamp(START) + pd.Timedelta(days=HISTORY_DAYS + STEP_DAYS * k)
            for k in range(n)]


def eight_week_mean(hist: pd.DataFrame, truth: pd.DataFrame, future_idx: pd.Index) -> np.ndarray:
    """Mean of the same local weekday and slot over the last 8 open same weekdays."""
    loc = hist["interval_start"].dt.tz_convert(TZ)
    h = pd.DataFrame({"day": loc.dt.tz_localize(None).dt.normalize(),
                      "slot": loc.dt.hour * 4 + loc.dt.minute // 15, "y": hist["offered"],
                      "open": truth.loc[hist.index, "open"].to_numpy()})
    open_days = h[h["open"]]["day"].drop_duplicates()
    fut = future_idx.tz_convert(TZ)
    fday = fut.tz_localize(None).normalize()
    out = np.zeros(len(fut))
    for w in range(7):
        days = open_days[open_days.dt.day_of_week == w].iloc[-8:]
        if days.empty:
            continue
        prof = h[h["day"].isin(days)].groupby("slot")["y"].sum() / len(days)
        sel = fday.day_of_week == w
        slots = (fut.hour * 4 + fut.minute // 15)[sel]
        out[sel] = prof.reindex(slots, fill_value=0.0).to_numpy()
    return out


def run_series(args: tuple[int, int, int, int, bool, int]) -> dict[str, Any]:
    """Every wfm method at every origin for one series (in a worker)."""
    i, n_origins, n_days, seed_set, intraday_only, particles = args
    iv, tr = series_data(i, n_days, seed_set)
    cal = calendar()
    key = ["interval_start", "queue", "channel"]
    rows, cpu, cover, intraday = [], [], [], []
    lag = WEEK * 96
    for o in origins(n_origins):
        o_utc = o.tz_localize(TZ)
        hist = iv[iv["interval_start"] < o_utc]
        hy, hop = hist["offered"].to_numpy(float), tr.loc[hist.index, "open"].to_numpy()
        last = slice(len(hy) - 365 * 96, None)
        d = np.abs(hy[last][lag:] - hy[last][:-lag])[hop[last][lag:]]
        scale = float(d.mean())
        fut = tr[(tr["interval_start"] >= o_utc)
                 & (tr["interval_start"] < (o + pd.Timedelta(days=WEEK)).tz_localize(TZ))]
        frame = fut[[*key, "expected", "rate", "busyness", "open"]].merge(
            iv[[*key, "offered"]].rename(columns={"offered": "actual"}), on=key)
        kw: dict[str, Any] = {"calendar": cal, "interval_minutes": INTERVAL, "start": o}
        t0 = time.process_time()
        auto = forecast_intervals(iv, horizon_days=WEEK, **kw)
        cpu.append(("auto", time.process_time() - t0))
        fc = auto.forecast.set_index("interval_start")
        frame["auto"] = fc["offered"].reindex(frame["interval_start"]).to_numpy()
        frame["origin"] = str(o.date())
        if intraday_only:
            intraday += _intraday(frame, auto.series[f"s{i}/voice"], SPECS[i % len(SPECS)],
                              (seed_set, i, particles))
            continue
        for lv in (80, 95):
            lo = fc[f"offered_lo_{lv}"].reindex(frame["interval_start"]).to_numpy()
            hi = fc[f"offered_hi_{lv}"].reindex(frame["interval_start"]).to_numpy()
            inside = (frame["actual"] >= lo) & (frame["actual"] <= hi)
            cover.append((lv, float(inside[frame["open"]].sum()), int(frame["open"].sum())))
        t0 = time.process_time()
        six = forecast_intervals(iv, horizon_days=LONG, **kw)
        cpu.append(("auto 6-week run", time.process_time() - t0))
        frame["auto 6-week run"] = six.forecast.set_index("interval_start")["offered"].reindex(
            frame["interval_start"]).to_numpy()
        for name in SINGLES:
            t0 = time.process_time()
            run = forecast_intervals(iv, horizon_days=WEEK, model=name, backtest_cutoffs=1, **kw)
            cpu.append((name, time.process_time() - t0))
            frame[name] = run.forecast.set_index("interval_start")["offered"].reindex(
                frame["interval_start"]).to_numpy()
        for name, parts in COMBOS.items():
            stack = np.vstack([frame[p].to_numpy() for p in parts])
            frame[name] = np.median(stack, 0) if name.startswith("median") else stack.mean(0)
            cpu.append((name, sum(c for n, c in cpu[-len(SINGLES):] if n in parts)))
        t0 = time.process_time()
        frame["8-week weekday mean"] = eight_week_mean(hist, tr, pd.DatetimeIndex(
            frame["interval_start"]))
        cpu.append(("8-week weekday mean", time.process_time() - t0))
        frame["noise floor"] = frame["expected"]
        frame["origin"] = str(o.date())
        frame["scale"] = scale
        rows.append(frame)
        intraday += _intraday(frame, auto.series[f"s{i}/voice"], SPECS[i % len(SPECS)],
                              (seed_set, i, particles))
    return {"rows": pd.concat(rows, ignore_index=True) if rows else None, "cpu": cpu,
            "cover": cover, "intraday": intraday, "series": i}


def _intraday(frame: pd.DataFrame, info: Any, spec: tuple[int, float, float],
              draw: tuple[int, int, int]) -> list[tuple]:
    """Rest-of-day absolute errors on the first open day: the day-ahead forecast, the
    updates and what any update could reach (``intraday_oracles``)."""
    local = frame["interval_start"].dt.tz_convert(TZ)
    day = local.dt.date
    first = day[frame["open"] & (frame["actual"] >= 0)].iloc[0]
    f = frame[((day == first) & frame["open"]).to_numpy()]
    clk = (local[f.index].dt.hour * 60 + local[f.index].dt.minute).to_numpy()
    kap = info.interval_kappa or {}
    kappa = {float(k): (v[0][0], v[0][1]) for k, v in kap.items()}
    a, p = f["actual"].to_numpy(float), f["auto"].to_numpy(float)
    e, lam = f["expected"].to_numpy(float), f["rate"].to_numpy(float)
    busy = float(f["busyness"].iloc[0])
    _, cv, sd = spec
    true = Prior(cv**2, float(np.expm1(sd**2)), 0.9)
    out = []
    for t in UPDATE_TIMES:
        seen = clk < t.hour * 60
        res = {"day-ahead": p}
        for method in ("ratio", "bayes"):
            res[method] = rest_of_day(p, a, seen, dispersion=series_dispersion(info),
                                      kappa=kappa, method=method)[0]
        res["bayes, generator's parameters"] = rest_of_day(p, a, seen, dispersion=true)[0]
        res["Bayes-optimal (particle filter)"] = bayes_optimal(p, a, seen, cv, sd,
                                                               particles=draw[2])
        res["oracle: day-ahead x true W"] = oracle_level(p, seen, busy)
        res["oracle: true W and state at t"] = oracle_state(p, e, lam, seen, busy, sd)
        res["true rate (Poisson floor)"] = lam
        res["noise floor"] = e
        for name, q in res.items():
            out.append((f"{t:%H:%M}", name, draw[0], draw[1], frame["origin"].iloc[0],
                        float(np.abs(a - q)[~seen].sum()), float(a[~seen].sum())))
    return out


def start_statsforecast(n_series: int, n_origins: int, n_days: int, procs: int, tmp: Path,
                        seed_set: int = 0) -> list[tuple[subprocess.Popen[bytes], Path, Path]]:
    """Start statsforecast's side in ``procs`` child processes of its own venv (series split
    between them); it runs while wfm's side runs."""
    py = statsforecast_python()
    if py is None:
        raise SystemExit("statsforecast venv could not be created")
    spec = tmp / "spec.json"
    spec.write_text(json.dumps({
        "origins": [str(o.date()) for o in origins(n_origins)], "horizon_days": WEEK,
        "interval_minutes": INTERVAL}), encoding="utf-8")
    children = []
    for p in range(procs):
        frames = []
        for i in range(p, n_series, procs):
            iv, tr = series_data(i, n_days, seed_set)
            frames.append(pd.DataFrame({
                "unique_id": f"s{i}",
                "ds": iv["interval_start"].dt.tz_convert(TZ).dt.tz_localize(None),
                "y": iv["offered"].astype(float), "open": tr["open"]}))
        if not frames:
            continue
        hist, fc, cpu = (tmp / f"{name}{p}.parquet" for name in ("hist", "fc", "cpu"))
        pd.concat(frames, ignore_index=True).to_parquet(hist)
        child = subprocess.Popen([str(py), str(HERE / "statsforecast_peers.py"), str(hist),
                                  str(spec), str(fc), str(cpu)])
        children.append((child, fc, cpu))
    return children


def collect_statsforecast(children: list[tuple[subprocess.Popen[bytes], Path, Path]]
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    fcs, cpus = [], []
    for child, fc, cpu in children:
        if child.wait() != 0:
            raise SystemExit(f"statsforecast side failed (exit {child.returncode})")
        fcs.append(pd.read_parquet(fc))
        cpus.append(pd.read_parquet(cpu))
    return pd.concat(fcs, ignore_index=True), pd.concat(cpus, ignore_index=True)


def bootstrap(diff_num: np.ndarray, den: np.ndarray, rng: np.random.Generator
              ) -> tuple[float, float]:
    """95 % interval of the pooled wMAPE difference, resampling origins."""
    k = len(den)
    idx = rng.integers(0, k, (2000, k))
    stats = diff_num[idx].sum(1) / den[idx].sum(1)
    return float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))


def _seed_sets(text: str) -> list[int]:
    """``0-11`` or ``0,2,5`` or ``3``."""
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


LABELS = {i: f" ({v:,}/day, CV {cv:.0%}, sd {sd:.0%})" for i, (v, cv, sd) in enumerate(SPECS)}


def intraday_rows(results: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([c for r in results for c in r["intraday"]], columns=COLUMNS)


def run_intraday(args: argparse.Namespace, n_days: int) -> None:
    """The intraday protocol: every seed set in turn, its rows saved as it finishes."""
    frames = []
    for k in _seed_sets(args.seed_sets):
        t0 = time.perf_counter()
        results = list(LocalProcessExecutor(args.workers).map(
            run_series, [(i, args.origins, n_days, k, True, args.particles)
                         for i in range(args.series)]))
        rows = intraday_rows(results)
        print(f"seed set {k}: {time.perf_counter() - t0:.0f} s wall", flush=True)
        if args.save:
            rows.to_csv(args.save, mode="a", header=not Path(args.save).exists(), index=False)
        frames.append(rows)
    report_intraday(pd.concat(frames, ignore_index=True), series_labels=LABELS)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=None,
                    help="default 6, with --intraday-only all 8 of SPECS")
    ap.add_argument("--origins", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-statsforecast", action="store_true")
    ap.add_argument("--intraday-only", action="store_true")
    ap.add_argument("--seed-set", type=int, default=0)
    ap.add_argument("--seed-sets", default="0-11", help="with --intraday-only: 0-11, 0,3,5")
    ap.add_argument("--particles", type=int, default=20_000)
    ap.add_argument("--save", help="with --intraday-only: append the rows to this CSV")
    ap.add_argument("--pool", nargs="+", help="report saved intraday CSVs together")
    args = ap.parse_args()
    if args.pool:
        report_intraday(pd.concat([pd.read_csv(f, dtype={"after": str}) for f in args.pool],
                                  ignore_index=True).drop_duplicates(
                                      ["after", "method", "seed_set", "series", "day"]),
                        series_labels=LABELS)
        return
    if args.series is None:
        args.series = len(SPECS) if args.intraday_only else 6
    n_days = HISTORY_DAYS + STEP_DAYS * (args.origins - 1) + LONG + 1
    print(f"over-dispersed benchmark: {args.series} series x {args.origins} origins, "
          f"{INTERVAL}-minute intervals, {HISTORY_DAYS} days of history before the first "
          f"origin, origins {STEP_DAYS} days apart", flush=True)
    if args.intraday_only:
        run_intraday(args, n_days)
        return
    with tempfile.TemporaryDirectory() as tmp:
        children = [] if args.no_statsforecast else start_statsforecast(
            args.series, args.origins, n_days, args.workers, Path(tmp), args.seed_set)
        t0 = time.perf_counter()
        results = list(LocalProcessExecutor(args.workers).map(
            run_series, [(i, args.origins, n_days, args.seed_set, False, args.particles)
                         for i in range(args.series)]))
        print(f"wfm side: {time.perf_counter() - t0:.0f} s wall", flush=True)
        rows = pd.concat([r["rows"] for r in results], ignore_index=True)
        cpu = pd.DataFrame([c for r in results for c in r["cpu"]], columns=["method", "cpu_s"])
        if children:
            sf, sf_cpu = collect_statsforecast(children)
            print(f"statsforecast side: {time.perf_counter() - t0:.0f} s wall", flush=True)
            sf["interval_start"] = pd.DatetimeIndex(sf["ds"]).tz_localize(
                TZ, ambiguous="NaT", nonexistent="NaT").tz_convert("UTC")
            sf = sf.dropna(subset=["interval_start"]).drop_duplicates(
                ["unique_id", "origin", "interval_start", "model"])
            wide = sf.pivot_table(index=["unique_id", "interval_start"], columns="model",
                                  values="yhat").reset_index().rename(
                                      columns={"unique_id": "queue"})
            rows = rows.merge(wide, on=["queue", "interval_start"], how="left")
            cpu = pd.concat([cpu, sf_cpu.rename(columns={"model": "method"})[
                ["method", "cpu_s"]]])
    methods = [m for m in ["auto", "auto 6-week run", *SINGLES, *COMBOS, "8-week weekday mean",
                           "AutoARIMA", "AutoETS", "MSTL", "noise floor"] if m in rows.columns]
    rows = rows[rows["open"]].copy()
    local = rows["interval_start"].dt.tz_convert(TZ)
    rows["day"] = local.dt.date
    first_day = rows.groupby(["queue", "origin"])["day"].transform("min")
    rows["day_ahead"] = rows["day"] == first_day
    report(rows, methods, cpu, results)


def _verdict(ci: tuple[float, float]) -> str:
    lo, hi = ci
    word = "tie" if lo <= 0 <= hi else ("auto better" if hi < 0 else "AUTO WORSE")
    return f"[{lo:+.4f}, {hi:+.4f}] {word}"


def report(rows: pd.DataFrame, methods: list[str], cpu: pd.DataFrame,
           results: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(0)
    cpu_mean = cpu.groupby("method")["cpu_s"].mean()
    print("\nmethod | day-ahead wMAPE | week wMAPE | week MASE | CPU s per series-origin | "
          "vs auto day-ahead (95 % CI of auto - method) | vs auto week")
    table: dict[str, dict[str, float]] = {}
    for band, sel in (("day", rows["day_ahead"]), ("week", rows["day_ahead"] | True)):
        x = rows[sel]
        den = x.groupby("origin")["actual"].sum()
        for m in methods:
            err = (x[m] - x["actual"]).abs()
            num = err.groupby(x["origin"]).sum()
            table.setdefault(m, {})[band] = float(num.sum() / den.sum())
            d_auto = (x["auto"] - x["actual"]).abs().groupby(x["origin"]).sum()
            table[m][f"ci_{band}"] = bootstrap((d_auto - num).to_numpy(), den.to_numpy(), rng)
            if band == "week":
                mase = (err / x["scale"]).groupby([x["queue"], x["origin"]]).mean()
                table[m]["mase"] = float(mase.mean())
    for m in methods:
        t = table[m]
        c = cpu_mean.get(m, float("nan"))
        day, week = ("-", "-") if m == "auto" else (_verdict(t["ci_day"]), _verdict(t["ci_week"]))
        print(f"{m} | {t['day']:.4f} | {t['week']:.4f} | {t['mase']:.3f} | {c:.2f} | "
              f"{day} | {week}")
    cov = pd.DataFrame([c for r in results for c in r["cover"]], columns=["level", "in", "n"])
    cv = cov.groupby("level")[["in", "n"]].sum()
    print("\nwfm auto interval coverage over the week (out of sample): "
          + ", ".join(f"{lv} %: {row['in'] / row['n']:.3f}" for lv, row in cv.iterrows()))
    print("\n(one draw: the 15 % line is decided by --intraday-only, 8 series x 12 draws)")
    report_intraday(intraday_rows(results), series_labels=LABELS)


if __name__ == "__main__":
    main()
