"""The intraday profile of the top-down models: share of a day's volume per local slot.

Estimated from counts, so its noise matters as much as the daily level at low volume: an
email queue with a few contacts per interval and a weekday-specific profile from ten days
carries about 12 % noise per slot. The estimator therefore

* smooths over neighbouring *open* slots only (a closed neighbour is not a zero share),
  local-linear (no one-sided bias on a steep first or last open slot), with a bandwidth
  chosen by cross-validation between alternate weeks (wide at low counts, none at high),
* pools the weekdays that open at the same slots (Monday to Friday of a call centre, every
  day of a round-the-clock channel), and
* keeps a weekday's own deviation from its pool only as far as it stands out of the
  Poisson noise (positive-part James-Stein shrinkage, per weekday).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from wfm.forecasting.grid import FloatArray

BANDWIDTHS = (0.0, 0.7, 1.5, 3.0, 5.0)  # Gaussian kernel sd [slots] tried by cross-validation


@lru_cache(maxsize=64)  # 2 x 96 x 96 floats each: under 10 MB
def _smoother(opened: bytes, n: int, sd: float) -> tuple[FloatArray, FloatArray]:
    """Equivalent-kernel matrix L (slot x slot) of the local-linear smoother over the open
    slots, and L squared (for the variance). Cached: a calendar has few open patterns."""
    o = np.frombuffer(opened, dtype=bool).astype(float)
    x = np.arange(n, dtype=float)
    d = x[None, :] - x[:, None]  # offset of the source slot from the target slot
    if sd > 0:
        k = np.where(np.abs(d) <= np.ceil(3 * sd), np.exp(-0.5 * (d / sd) ** 2), 0.0)
    else:
        k = (d == 0).astype(float)
    w = k * o[None, :]
    s0, s1, s2 = w.sum(1), (w * d).sum(1), (w * d * d).sum(1)
    det = s0 * s2 - s1 * s1
    linear = det > 1e-9 * np.maximum(s0 * s2, 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Local linear where the design allows it, else the local mean (NaN: no open slot
        # within reach).
        lin = w * (s2[:, None] - s1[:, None] * d) / np.where(linear, det, 1.0)[:, None]
        mat = np.where(linear[:, None], lin, w / s0[:, None])
    sq = mat**2
    mat.setflags(write=False)
    sq.setflags(write=False)
    return mat, sq


def smooth_open(counts: FloatArray, opened: np.ndarray, sd: float
                ) -> tuple[FloatArray, FloatArray]:
    """Local-linear Gaussian-kernel smoothing (sd in slots) of ``counts`` over open slots.

    ``counts`` and ``opened`` are (slots,) or (rows, slots). Returns the smoothed counts and
    their Poisson variance (the counts taken as their own variance). Local-linear rather
    than a plain weighted mean: at the first and last open slot of a day the volume is
    often rising or falling steeply, and a one-sided mean would bias it. Closed slots get
    the value their open neighbours give (NaN if none within reach).
    """
    n = counts.shape[-1]
    if opened.ndim == 1:
        mat, sq = _smoother(opened.tobytes(), n, sd)
        return np.asarray(counts @ mat.T), np.asarray(counts @ sq.T)
    out, var = np.empty_like(counts), np.empty_like(counts)
    for i in range(counts.shape[0]):
        mat, sq = _smoother(opened[i].tobytes(), n, sd)
        out[i], var[i] = mat @ counts[i], sq @ counts[i]
    return out, var


def shrunk_profile(num: FloatArray, n_open: FloatArray, den: FloatArray,
                   sd: float) -> FloatArray:
    """Profile (7, slots) from per-weekday slot counts ``num``, open observed intervals
    ``n_open`` and day totals ``den`` (7,), summed over the same days.

    Weekdays without data take their pool's shape, or the all-day shape if the pool has
    none either.
    """
    opened = n_open > 0
    sm, var = smooth_open(num, opened, sd)
    all_open = np.asarray(opened.any(axis=0))
    all_sm, _ = smooth_open(num.sum(axis=0), all_open, sd)
    fallback = np.nan_to_num(all_sm / max(float(den.sum()), 1e-9))
    prof = np.empty_like(num)
    has = den > 0
    pool = fallback
    for pattern in {tuple(r) for r in opened}:
        group = np.flatnonzero((opened == np.array(pattern)).all(axis=1))
        g_den = float(den[group].sum())
        if g_den <= 0:
            prof[group] = fallback
            continue
        mask = opened[group[0]]
        group = group[has[group]]
        own = np.nan_to_num(sm[group] / den[group, None])
        # Noise of each weekday's smoothed share (Poisson), over the open slots.
        noise = np.nansum(var[group][:, mask], axis=1) / den[group] ** 2
        weight = np.ones(len(group))
        keep = np.zeros(len(group))
        for _ in range(3):
            # A weekday that clearly has its own shape leaves the pool of the others.
            if weight @ den[group] <= 0:
                break
            pool = weight @ np.nan_to_num(sm[group]) / (weight @ den[group])
            dev = ((own - pool)[:, mask] ** 2).sum(axis=1)
            share = weight * den[group] / (weight @ den[group])
            with np.errstate(invalid="ignore", divide="ignore"):
                keep = np.where(dev > 0, np.clip(1 - noise * (1 - share) / dev, 0.0, 1.0), 0.0)
            weight = 1 - keep
        members = np.flatnonzero((opened == np.array(pattern)).all(axis=1))
        prof[members] = pool
        prof[group] = pool + keep[:, None] * (own - pool)
    return np.maximum(prof, 0.0)


def cv_profile(num: FloatArray, n_open: FloatArray, den: FloatArray) -> FloatArray:
    """Profile with the smoothing bandwidth that best predicts one half of the weeks from
    the other (two-fold, both ways); arrays carry a leading half axis of length 2."""
    best, best_loss = BANDWIDTHS[0], np.inf
    for sd in BANDWIDTHS:
        loss = 0.0
        for a in (0, 1):
            b = 1 - a
            prof = shrunk_profile(num[a], n_open[a], den[a], sd)
            mu = prof * den[b][:, None]
            ok = n_open[b] > 0
            # Squared error over the count's sd: an error e in an interval's mean adds about
            # e^2 / (2 sd) to the expected absolute error (wMAPE) at that interval.
            loss += float(np.sum((num[b][ok] - mu[ok]) ** 2 / np.sqrt(np.maximum(mu[ok], 0.5))))
        if loss < best_loss:
            best, best_loss = sd, loss
    return shrunk_profile(num.sum(0), n_open.sum(0), den.sum(0), best)

