"""The intraday profile of the top-down models: share of a day's volume per local slot.

Estimated from counts, so its noise matters as much as the daily level at low volume: an
email queue with a few contacts per interval and a weekday-specific profile from ten days
carries about 12 % noise per slot. The estimator therefore

* smooths over neighbouring *open* slots only (a closed neighbour is not a zero share),
* pools the weekdays that open at the same slots (Monday to Friday of a call centre, every
  day of a round-the-clock channel), and
* keeps a weekday's own deviation from its pool only as far as it stands out of the
  Poisson noise (positive-part James-Stein shrinkage, per weekday).
"""

from __future__ import annotations

import numpy as np

from wfm.forecasting.grid import FloatArray

BANDWIDTHS = (0.0, 0.7, 1.5, 3.0, 5.0)  # Gaussian kernel sd [slots] tried by cross-validation


def kernel(sd: float) -> FloatArray:
    half = int(np.ceil(3 * sd))
    x = np.arange(-half, half + 1, dtype=float)
    return np.exp(-0.5 * (x / sd) ** 2) if sd > 0 else np.ones(1)


def smooth_open(counts: FloatArray, opened: np.ndarray, kern: FloatArray
                ) -> tuple[FloatArray, FloatArray]:
    """Local-linear kernel smoothing of ``counts`` (..., slots) over open slots only.

    Returns the smoothed counts and their Poisson variance (the counts taken as their own
    variance). Local-linear rather than a plain weighted mean: at the first and last open
    slot of a day the volume is often rising or falling steeply, and a one-sided mean
    would bias it. Closed slots get the value their open neighbours give (NaN if none).
    """
    half = len(kern) // 2
    pad = [(0, 0)] * (counts.ndim - 1) + [(half, half)]
    c = np.pad(np.where(opened, counts, 0.0), pad)
    o = np.pad(opened.astype(float), pad)
    n = counts.shape[-1]
    offsets = np.arange(-half, half + 1, dtype=float)
    s0 = sum(k * o[..., i:i + n] for i, k in enumerate(kern))
    s1 = sum(k * x * o[..., i:i + n] for i, (k, x) in enumerate(zip(kern, offsets, strict=True)))
    s2 = sum(k * x * x * o[..., i:i + n]
             for i, (k, x) in enumerate(zip(kern, offsets, strict=True)))
    det = s0 * s2 - s1 * s1
    linear = det > 1e-9 * np.maximum(s0 * s2, 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.zeros((*c.shape[:-1], n))
        var = np.zeros_like(num)
        for i, (k, x) in enumerate(zip(kern, offsets, strict=True)):
            # Equivalent kernel weight of offset x: local linear where the design allows it,
            # else the local mean.
            lw = np.where(linear, k * o[..., i:i + n] * (s2 - s1 * x) / np.where(linear, det, 1),
                          k * o[..., i:i + n] / s0)
            num += lw * c[..., i:i + n]
            var += lw * lw * c[..., i:i + n]
    return num, var


def shrunk_profile(num: FloatArray, n_open: FloatArray, den: FloatArray,
                   kern: FloatArray) -> FloatArray:
    """Profile (7, slots) from per-weekday slot counts ``num``, open observed intervals
    ``n_open`` and day totals ``den`` (7,), summed over the same days.

    Weekdays without data take their pool's shape, or the all-day shape if the pool has
    none either.
    """
    opened = n_open > 0
    sm, var = smooth_open(num, opened, kern)
    all_open = np.asarray(opened.any(axis=0))
    all_sm, _ = smooth_open(num.sum(axis=0), all_open, kern)
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
        k = kernel(sd)
        loss = 0.0
        for a in (0, 1):
            b = 1 - a
            prof = shrunk_profile(num[a], n_open[a], den[a], k)
            mu = prof * den[b][:, None]
            ok = n_open[b] > 0
            loss += float(np.sum((num[b][ok] - mu[ok]) ** 2 / np.sqrt(np.maximum(mu[ok], 0.5))))
        if loss < best_loss:
            best, best_loss = sd, loss
    return shrunk_profile(num.sum(0), n_open.sum(0), den.sum(0), kernel(best))

