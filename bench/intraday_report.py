"""Report of the intraday part of ``bench_forecast_overdispersed.py``: rest-of-day wMAPE
and each update's gain on the day-ahead forecast, pooled over every day run (series x
origins x seed sets), per draw (seed set) and per series, with 95 % paired-bootstrap
intervals over days.

The rows are one per (update time, method, day): ``after``, ``method``, ``seed_set``,
``series``, ``day`` (a label unique within a seed set), ``abs_err`` (sum of |actual -
forecast| over the rest of the day after the update time) and ``actual`` (the rest of the
day's contacts). ``--save`` of the benchmark writes them to a CSV, ``--pool`` reads such
CSVs back, so a long protocol can run in chunks of seed sets and be pooled afterwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["after", "method", "seed_set", "series", "day", "abs_err", "actual"]
WFM = "bayes"
CEILING = "Bayes-optimal (particle filter)"
# The columns of the per-draw and per-series lines (the full table has every method).
SHORT = {"ratio": "run rate", WFM: "wfm", CEILING: "Bayes-opt",
         "oracle: day-ahead x true W": "oracle W"}
RESAMPLES = 2000


def _gain_ci(base: np.ndarray, err: np.ndarray, idx: np.ndarray) -> tuple[float, float, float]:
    """Gain 1 - sum(err) / sum(base) and its 95 % interval over the resampled days."""
    gain = 1 - err[idx].sum(1) / base[idx].sum(1)
    return (1 - err.sum() / base.sum(), float(np.quantile(gain, 0.025)),
            float(np.quantile(gain, 0.975)))


def _wide(x: pd.DataFrame) -> pd.DataFrame:
    return x.pivot_table(index=["seed_set", "series", "day"], columns="method",
                         values="abs_err", aggfunc="sum")


def report_intraday(intr: pd.DataFrame, *, seed: int = 0,
                    series_labels: dict[int, str] | None = None) -> None:
    """Print the pooled table (every method), the per-draw and per-series lines and wfm's
    update minus the Bayes-optimal one, for every update time; ``series_labels`` describe
    the series in their lines."""
    rng = np.random.default_rng(seed)
    draws = sorted(intr["seed_set"].unique())
    n_series = intr["series"].nunique()
    print(f"\nintraday: rest-of-day wMAPE on the day-ahead day, pooled over {n_series} series "
          f"x seed sets {', '.join(map(str, draws))}; gain = 1 - wMAPE / day-ahead wMAPE, "
          f"95 % paired bootstrap over days ({RESAMPLES} resamples)")
    for after, x in intr.groupby("after", sort=True):
        err = _wide(x)
        den = float(x[x["method"] == "day-ahead"]["actual"].sum())
        base = err["day-ahead"].to_numpy()
        idx = rng.integers(0, len(err), (RESAMPLES, len(err)))
        print(f"  after {after} ({len(err)} days, day-ahead wMAPE {base.sum() / den:.4f}):")
        for m in x["method"].unique():
            e = err[m].to_numpy()
            g, lo, hi = _gain_ci(base, e, idx)
            print(f"    {m:34s} {e.sum() / den:.4f}  gain {g:+.1%}  [{lo:+.1%}, {hi:+.1%}]  "
                  f"(half-width {(hi - lo) / 2:.1%})")
        if CEILING in err:
            d = 1 - err[WFM].to_numpy()[idx].sum(1) / base[idx].sum(1) - (
                1 - err[CEILING].to_numpy()[idx].sum(1) / base[idx].sum(1))
            point = (err[CEILING].sum() - err[WFM].sum()) / base.sum()
            print(f"    wfm's update - Bayes-optimal: {point:+.2%} (points of gain) "
                  f"[{np.quantile(d, 0.025):+.2%}, {np.quantile(d, 0.975):+.2%}]")
        for label, key in (("per draw (seed set)", "seed_set"), ("per series", "series")):
            print(f"    {label}: day-ahead wMAPE | gains " + " | ".join(
                n for m, n in SHORT.items() if m in err) + " (wfm's 95 % interval)")
            gains = []
            for k, sub in err.groupby(level=key):
                b = sub["day-ahead"].to_numpy()
                a = x[(x[key] == k) & (x["method"] == "day-ahead")]["actual"].sum()
                sidx = rng.integers(0, len(sub), (RESAMPLES, len(sub)))
                g, lo, hi = _gain_ci(b, sub[WFM].to_numpy(), sidx)
                gains.append([1 - sub[m].sum() / b.sum() for m in SHORT if m in sub])
                cells = " | ".join(f"{v:+.1%}" for v in gains[-1])
                tag = (series_labels or {}).get(int(k), "") if key == "series" else ""
                print(f"      {key} {k}{tag} ({len(sub)} days, {b.sum() / base.sum():.0%} of "
                      f"the day-ahead error): {b.sum() / a:.4f} | {cells} "
                      f"([{lo:+.1%}, {hi:+.1%}])")
            if key == "series":
                # The pooled wMAPE weighs a series by its errors (its volume): the mean of
                # the per-series gains weighs every series alike.
                print("      mean of the per-series gains (every series alike): " + " | ".join(
                    f"{v:+.1%}" for v in np.mean(gains, axis=0)))
