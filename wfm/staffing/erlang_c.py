"""Erlang B and Erlang C (M/M/N): blocking, waiting probability, service level, ASA, occupancy.

All functions are vectorised over numpy arrays (scalars work too) and computed in log
space: factorials and powers are never formed in floating point, so loads from 0.001 to
100,000 Erlangs and thousands of agents give neither overflow nor NaN.

References
----------
A. K. Erlang (1917); G. Koole, *Call Center Optimization* (2013), ch. 5.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from wfm.errors import StaffingError

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

# Below this, scipy's regularised upper incomplete gamma is near underflow; there the
# Erlang-B series converges geometrically and is summed directly.
_TINY = 1e-250


def _as_float(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _check(agents: FloatArray, load: FloatArray) -> None:
    if np.any(~np.isfinite(load)) or np.any(load < 0):
        bad = load[~(np.isfinite(load) & (load >= 0))].flat[0].item()
        raise StaffingError(f"offered load {bad!r} Erlangs is not valid; accepted: a number >= 0")
    if np.any(agents < 0) or np.any(agents != np.floor(agents)):
        bad = agents[(agents < 0) | (agents != np.floor(agents))].flat[0].item()
        raise StaffingError(f"agents {bad!r} is not valid; accepted: a whole number >= 0")


def _inv_erlang_b_series(n: FloatArray, a: FloatArray) -> FloatArray:
    """1/B(n, a) = sum_j prod_{i<j} (n - i)/a, used only where n is well below a."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    ratio_max = float(np.max(n / a)) if n.size else 0.0
    steps = int(np.ceil(np.log(1e-18) / np.log(max(ratio_max, 1e-300)))) + 2
    steps = min(steps, int(np.max(n, initial=0.0)) + 1)
    for j in range(steps):
        term = term * np.maximum(n - j, 0.0) / a
        total += term
    return total


def erlang_b(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Blocking probability of M/M/N/N (Erlang B).

    Parameters
    ----------
    agents : whole numbers >= 0
    load : offered load [Erlangs] >= 0

    Examples
    --------
    >>> round(float(erlang_b(10, 5.0)), 6)
    0.018385
    """
    n, a = np.broadcast_arrays(_as_float(agents), _as_float(load))
    _check(n, a)
    out = np.zeros(n.shape)
    pos = a > 0
    n_p, a_p = n[pos], a[pos]
    q = special.gammaincc(n_p + 1.0, a_p)  # Poisson cdf P(X <= n)
    log_pmf = n_p * np.log(a_p) - a_p - special.gammaln(n_p + 1.0)
    res = np.empty(n_p.shape)
    ok = q > _TINY
    res[ok] = np.exp(log_pmf[ok] - np.log(q[ok]))
    res[~ok] = 1.0 / _inv_erlang_b_series(n_p[~ok], a_p[~ok])
    out[pos] = np.minimum(res, 1.0)
    return out


def erlang_c(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a contact waits (Erlang C); 1 where ``agents <= load`` (unstable).

    Examples
    --------
    >>> round(float(erlang_c(14, 10.0)), 7)
    0.1741319
    """
    n, a = np.broadcast_arrays(_as_float(agents), _as_float(load))
    b = erlang_b(n, a)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    return np.where(stable, np.clip(c, 0.0, 1.0), 1.0)


def service_level(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike,
                  sl_threshold_s: ArrayLike) -> FloatArray:
    """Fraction of contacts answered within ``sl_threshold_s`` [s] (Erlang C); 0 if unstable.

    ``1 - C(N, A) * exp(-(N - A) * t / AHT)``; 1 when the load is 0.

    Examples
    --------
    >>> round(float(service_level(14, 10.0, 180.0, 20.0)), 5)
    0.88835
    """
    n, a, h, t = np.broadcast_arrays(_as_float(agents), _as_float(load), _as_float(aht_s),
                                     _as_float(sl_threshold_s))
    c = erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / h)
    return np.where(n > a, np.clip(sl, 0.0, 1.0), np.where(a == 0, 1.0, 0.0))


def asa(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Average speed of answer [s] (Erlang C): ``C * AHT / (N - A)``; inf if unstable.

    Examples
    --------
    >>> round(float(asa(14, 10.0, 180.0)), 3)
    7.836
    """
    n, a, h = np.broadcast_arrays(_as_float(agents), _as_float(load), _as_float(aht_s))
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = c * h / (n - a)
    return np.where(n > a, w, np.where(a == 0, 0.0, np.inf))


def occupancy(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Share of agents' time busy [0-1]: ``A / N``, capped at 1; 0 with no agents and no load."""
    n, a = np.broadcast_arrays(_as_float(agents), _as_float(load))
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, a / n, np.where(a > 0, 1.0, 0.0))
    return np.minimum(occ, 1.0)


def offered_load(volume: ArrayLike, aht_s: ArrayLike, interval_s: ArrayLike) -> FloatArray:
    """Offered load [Erlangs] = volume * AHT / interval length; validates the inputs."""
    v, h, i = np.broadcast_arrays(_as_float(volume), _as_float(aht_s), _as_float(interval_s))
    if np.any(~np.isfinite(v) | (v < 0)):
        raise StaffingError(f"volume {v[~np.isfinite(v) | (v < 0)].flat[0].item()!r} is not valid; "
                            "accepted: a number of contacts >= 0")
    if np.any(~np.isfinite(h) | (h <= 0)):
        raise StaffingError(f"AHT {h[~np.isfinite(h) | (h <= 0)].flat[0].item()!r} s is not valid; "
                            "accepted: a number of seconds > 0")
    if np.any(~np.isfinite(i) | (i <= 0)):
        raise StaffingError("interval length must be > 0 seconds")
    out: FloatArray = v * h / i
    return out


def service_level_fractional(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike,
                             sl_threshold_s: ArrayLike) -> FloatArray:
    """Service level at fractional agents (capacity plans): linear between whole agents.

    Examples
    --------
    >>> lo, hi = service_level(13, 10.0, 180.0, 20.0), service_level(14, 10.0, 180.0, 20.0)
    >>> bool(abs(service_level_fractional(13.5, 10.0, 180.0, 20.0) - (lo + hi) / 2) < 1e-12)
    True
    """
    n = _as_float(agents)
    if np.any(~np.isfinite(n) | (n < 0)):
        raise StaffingError("agents must be a number >= 0")
    lo = np.floor(n)
    w = n - lo
    sl_lo = service_level(lo, load, aht_s, sl_threshold_s)
    sl_hi = service_level(lo + 1, load, aht_s, sl_threshold_s)
    out: FloatArray = sl_lo + w * (sl_hi - sl_lo)
    return out
