"""Handle time: a robust intraday x weekday AHT profile times a level that follows the trend."""

from __future__ import annotations

import numpy as np

from wfm.forecasting.grid import FloatArray, Grid


def forecast_aht(grid: Grid, handle_s: FloatArray, handled: FloatArray, *, cut: int,
                 horizon: int, default_aht_s: float, weeks: int = 8) -> FloatArray:
    """AHT [s] per future interval.

    Level: handled-weighted AHT of each of the last ``weeks`` weeks, a weighted linear
    trend damped over the horizon (phi = 0.9 per week). Shape: ratio of slot x weekday
    AHT to the level, shrunk to 1 by the number of contacts behind it (a cell with few
    contacts stays near the level). ``default_aht_s`` where there is no handle time at all.
    """
    start = max(0, cut - weeks * 7 * grid.slots_per_day)
    pos = np.arange(start, cut)
    hs, hd = handle_s[pos], handled[pos]
    ok = np.isfinite(hs) & np.isfinite(hd) & (hd > 0)
    if hd[ok].sum() < 1:
        return np.full(horizon, float(default_aht_s))
    week = (pos[ok] - start) // (7 * grid.slots_per_day)
    ws = np.bincount(week, hs[ok], minlength=weeks)
    wn = np.bincount(week, hd[ok], minlength=weeks)
    have = wn > 0
    wk = np.flatnonzero(have).astype(float)
    aht_w = ws[have] / wn[have]
    level = float(hs[ok].sum() / hd[ok].sum())
    slope = 0.0
    if len(wk) >= 3:
        wts = wn[have]
        slope, intercept = np.polyfit(wk, aht_w, 1, w=np.sqrt(wts))
        level = float(intercept + slope * wk[-1])
    wd = grid.days.weekday[grid.day[pos[ok]]]
    key = wd * grid.slots_per_day + grid.slot[pos[ok]]
    cs = np.bincount(key, hs[ok], minlength=7 * grid.slots_per_day)
    cn = np.bincount(key, hd[ok], minlength=7 * grid.slots_per_day)
    mean_all = hs[ok].sum() / hd[ok].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(cn > 0, cs / cn / mean_all, 1.0)
    weight = cn / (cn + 30.0)
    shape = weight * ratio + (1 - weight)
    fpos = np.arange(cut, cut + horizon)
    fwd = grid.days.weekday[grid.day[fpos]]
    lead_w = (fpos - cut) / (7 * grid.slots_per_day) + 0.5
    damp = 0.9 * (1 - 0.9**lead_w) / 0.1
    lvl = np.maximum(level + slope * damp, 0.3 * level)
    return np.asarray(lvl * shape[fwd * grid.slots_per_day + grid.slot[fpos]])
