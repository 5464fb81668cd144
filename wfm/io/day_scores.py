"""How unusual a day's volume is: a robust z-score against the same weekday nearby."""

from __future__ import annotations

import numpy as np
import pandas as pd

_MIN_WEEKS = 4
_HALF_WINDOW = 4  # weeks either side for the local weekday median


def robust_z(daily: pd.Series, usable: np.ndarray) -> np.ndarray:
    """Robust z-score of each day's volume against nearby days of the same weekday.

    The residual is ``log((x + 1) / (m + 1))`` with ``m`` the median of the same weekday in
    the ``_HALF_WINDOW`` weeks either side, the day itself left out (trend and yearly
    seasonality cancel out; leaving the day out keeps the residuals from collapsing to 0);
    z = 0.6745 residual / MAD of that weekday's residuals (Iglewicz and Hoaglin, 1993).
    """
    z = np.full(len(daily), np.nan)
    weekday = np.array([d.weekday() for d in daily.index])
    vol = daily.to_numpy(dtype=np.float64)
    for wd in range(7):
        idx = np.flatnonzero((weekday == wd) & usable)
        if len(idx) < _MIN_WEEKS:
            continue
        same = vol[idx]
        med = neighbour_median(same)
        resid = np.log((same + 1.0) / (med + 1.0))
        if np.isnan(resid).all():  # a short history: no day has enough neighbours yet
            continue
        mad = np.nanmedian(np.abs(resid - np.nanmedian(resid)))
        if not mad > 0:
            continue
        z[idx] = 0.6745 * (resid - np.nanmedian(resid)) / mad
        # Unusable days (closed, zero) of this weekday: scored against the nearest usable
        # week's median, so a holiday still shows how far it fell.
        rest = np.flatnonzero((weekday == wd) & ~usable)
        if len(rest):
            pos = np.clip(np.searchsorted(idx, rest), 0, len(idx) - 1)
            m = med[pos]
            z[rest] = 0.6745 * (np.log((vol[rest] + 1.0) / (m + 1.0))
                                - np.nanmedian(resid)) / mad
    return z


def neighbour_median(values: np.ndarray) -> np.ndarray:
    """Median of the ``_HALF_WINDOW`` values either side of each value, itself excluded."""
    h = _HALF_WINDOW
    padded = np.concatenate([np.full(h, np.nan), values, np.full(h, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * h + 1).copy()
    windows[:, h] = np.nan
    enough = np.sum(~np.isnan(windows), axis=1) >= _MIN_WEEKS
    out = np.full(len(values), np.nan)
    out[enough] = np.nanmedian(windows[enough], axis=1)
    return out
