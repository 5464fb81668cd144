"""statsforecast's side of the over-dispersed benchmark (runs in bench/.venv-statsforecast).

Input: a parquet file of interval histories (``unique_id, ds`` (local, naive), ``y, open``)
and a JSON list of origins (local dates), the horizon in days and the interval in minutes.
Output: a parquet file of forecasts ``unique_id, origin, ds, model, yhat`` and one of CPU
seconds per (unique_id, origin, model).

The methods, used as a new user of statsforecast would on contact-centre data:

* ``AutoARIMA`` and ``AutoETS`` on the daily totals (season 7) of the last 26 weeks, closed
  holidays of normally open weekdays filled with the same weekday a week earlier, each day
  split into intervals by the mean intraday shares of the last 8 open same weekdays;
* ``MSTL`` (daily and weekly seasons, AutoETS on the trend) on the interval series of the
  last 8 weeks.

Every forecast is clipped at 0 and set to 0 on closed intervals (the calendar is known).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pandas as pd
from statsforecast.models import MSTL, AutoARIMA, AutoETS


def daily_topdown(hist: pd.DataFrame, future: pd.DataFrame, spd: int) -> dict[str, np.ndarray]:
    """AutoARIMA and AutoETS on daily totals, split by the 8-week weekday profile."""
    h = hist.assign(day=hist["ds"].dt.normalize())
    days = h.groupby("day").agg(y=("y", "sum"), open=("open", "any"))
    days = days.iloc[-26 * 7:]
    wd = days.index.day_of_week
    normally_open = pd.Series(days["open"].to_numpy(), index=days.index).groupby(wd).transform(
        "mean").to_numpy() > 0.5
    y = days["y"].to_numpy(dtype=float).copy()
    for i in np.flatnonzero(normally_open & ~days["open"].to_numpy()):
        y[i] = y[i - 7] if i >= 7 else y[i]
    fdays = future["ds"].dt.normalize().drop_duplicates()
    n = len(fdays)
    out: dict[str, np.ndarray] = {}
    cpu: dict[str, float] = {}
    for name, model in (("AutoARIMA", AutoARIMA(season_length=7)),
                        ("AutoETS", AutoETS(season_length=7))):
        t0 = time.process_time()
        fc = model.forecast(y=y, h=n)["mean"]
        cpu[name] = time.process_time() - t0
        out[name] = np.maximum(np.asarray(fc), 0.0)
    # Intraday shares: last 8 open same weekdays.
    h["slot"] = (h["ds"].dt.hour * 60 + h["ds"].dt.minute) // (1440 // spd)
    opened_days = h[h["open"]].groupby("day")["y"].sum()
    opened_days = opened_days[opened_days > 0]
    shares = {}
    for w in range(7):
        sel = opened_days.index[opened_days.index.day_of_week == w][-8:]
        if len(sel) == 0:
            continue
        part = h[h["day"].isin(sel)]
        tot = part.groupby("slot")["y"].sum()
        shares[w] = (tot / tot.sum()).reindex(range(spd), fill_value=0.0).to_numpy()
    f = future.assign(day=future["ds"].dt.normalize(),
                      slot=(future["ds"].dt.hour * 60 + future["ds"].dt.minute) // (1440 // spd))
    dpos = {d: i for i, d in enumerate(fdays)}
    res = {}
    for name, daily in out.items():
        vals = np.array([daily[dpos[d]] * shares.get(d.day_of_week, np.zeros(spd))[s]
                         for d, s in zip(f["day"], f["slot"], strict=True)])
        res[name] = np.where(f["open"].to_numpy(), vals, 0.0)
    res["_cpu"] = np.array([cpu["AutoARIMA"], cpu["AutoETS"]])
    return res


def mstl(hist: pd.DataFrame, future: pd.DataFrame, spd: int) -> np.ndarray:
    y = hist["y"].to_numpy(dtype=float)[-8 * 7 * spd:]
    model = MSTL(season_length=[spd, 7 * spd], trend_forecaster=AutoETS(model="ZZN"))
    fc = np.asarray(model.forecast(y=y, h=len(future))["mean"])
    return np.where(future["open"].to_numpy(), np.maximum(fc, 0.0), 0.0)


def main() -> None:
    hist_path, spec_path, out_path, cpu_path = sys.argv[1:5]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    data = pd.read_parquet(hist_path)
    spd = 1440 // int(spec["interval_minutes"])
    rows, cpu_rows = [], []
    for uid, group in data.groupby("unique_id", sort=True):
        ser = group.sort_values("ds").reset_index(drop=True)
        for origin in spec["origins"]:
            o = pd.Timestamp(origin)
            end = o + pd.Timedelta(days=spec["horizon_days"])
            hist = ser[ser["ds"] < o]
            future = ser[(ser["ds"] >= o) & (ser["ds"] < end)]
            td = daily_topdown(hist, future, spd)
            t0 = time.process_time()
            m = mstl(hist, future, spd)
            cpu_m = time.process_time() - t0
            for name, vals in (("AutoARIMA", td["AutoARIMA"]), ("AutoETS", td["AutoETS"]),
                               ("MSTL", m)):
                rows.append(pd.DataFrame({"unique_id": uid, "origin": origin,
                                          "ds": future["ds"].to_numpy(), "model": name,
                                          "yhat": vals}))
            for name, sec in (("AutoARIMA", td["_cpu"][0]), ("AutoETS", td["_cpu"][1]),
                              ("MSTL", cpu_m)):
                cpu_rows.append({"unique_id": uid, "origin": origin, "model": name,
                                 "cpu_s": float(sec)})
    pd.concat(rows, ignore_index=True).to_parquet(out_path)
    pd.DataFrame(cpu_rows).to_parquet(cpu_path)


if __name__ == "__main__":
    main()
