"""Erlang A (M/M/N+M: exponential patience), vectorised, in log space.

Notation: load A = lambda * AHT [Erlangs], theta = 1 / patience, x = A * patience / AHT
(= lambda / theta), y = N * patience / AHT (= N mu / theta). With
``S(a, b) = sum_k a^k / ((b+1)...(b+k)) = Gamma(b+1) e^a a^-b P(b, a)`` (P the regularised
lower incomplete gamma), the probability of N busy agents and an empty queue is
``pi_N = 1 / (1/B(N, A) - 1 + J)`` with ``J = S(x, y)``, and

- P(wait) = pi_N J;
- P(abandon) = pi_N (J - (J - 1) / rho), rho = A / N;
- answered within t, **denominator offered** (abandons count as failures):
  ``1 - P(wait) + pi_N (y/x) [(J - 1) - G(t)]`` with
  ``G(t) = e^{x(1-u)} u^{y+1} (x/(y+1)) S(xu, y+1)``, ``u = exp(-t / patience)``;
- answered within t, **denominator answered**: the above divided by 1 - P(abandon).

References
----------
A. Mandelbaum and S. Zeltyn, "The M/M/n+G queue: summary of performance measures" (2007);
derivation of the terms above from the offered-wait density
``v(s) = N mu pi_N exp(lambda H(s) - N mu s)``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from wfm.errors import StaffingError
from wfm.staffing.erlang_c import ArrayLike, FloatArray, _as_float, erlang_b

_TINY = 1e-250


def _log_s(a: FloatArray, b: FloatArray) -> FloatArray:
    """log S(a, b); the direct series where P(b, a) would underflow (there a << b)."""
    p = special.gammainc(b, a)
    out = np.empty(a.shape)
    ok = p > _TINY
    with np.errstate(divide="ignore"):
        out[ok] = special.gammaln(b[ok] + 1) + a[ok] - b[ok] * np.log(a[ok]) + np.log(p[ok])
    if (~ok).any():
        aa, bb = a[~ok], b[~ok]
        total, term = np.ones(aa.shape), np.ones(aa.shape)
        for k in range(1, 100000):
            term = term * aa / (bb + k)
            total += term
            if np.all(term < 1e-18 * total):
                break
        out[~ok] = np.log(total)
    return out


def erlang_a(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, patience_s: ArrayLike,
             sl_threshold_s: ArrayLike) -> dict[str, FloatArray]:
    """Erlang A measures: ``p_wait``, ``p_abandon``, ``sl_offered``, ``sl_answered``.

    Parameters
    ----------
    agents : whole agents >= 0
    load : offered load [Erlangs]
    aht_s : average handle time [s] > 0
    patience_s : mean time to abandon [s] > 0
    sl_threshold_s : service-level threshold [s] >= 0

    Examples
    --------
    >>> m = erlang_a(14, 10.0, 180.0, 120.0, 20.0)
    >>> bool(m["p_abandon"] < m["p_wait"] < 0.18)
    True
    """
    n, a, h, pat, t = (x.astype(np.float64).copy() for x in np.broadcast_arrays(
        _as_float(agents), _as_float(load), _as_float(aht_s), _as_float(patience_s),
        _as_float(sl_threshold_s)))
    if np.any(~(pat > 0)):
        raise StaffingError("patience must be > 0 seconds (mean time to abandon)")
    if np.any(~(h > 0)):
        raise StaffingError("AHT must be > 0 seconds")
    if np.any(t < 0):
        raise StaffingError("service-level threshold must be >= 0 seconds")
    shape = n.shape
    n, a, h, pat, t = (v.ravel() for v in (n, a, h, pat, t))
    p_wait, p_ab = np.zeros(n.shape), np.zeros(n.shape)
    sl_off = np.ones(n.shape)
    none = (n == 0) & (a > 0)
    p_wait[none], p_ab[none], sl_off[none] = 1.0, 1.0, 0.0
    m = (n > 0) & (a > 0)
    if m.any():
        nn, aa = n[m], a[m]
        x, y = aa * pat[m] / h[m], nn * pat[m] / h[m]
        u = np.exp(-t[m] / pat[m])
        b = erlang_b(nn, aa)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_inv_b_minus_1 = np.log1p(-b) - np.log(b)
            log_j = _log_s(x, y)
            log_pi = -np.logaddexp(log_inv_b_minus_1, log_j)
            log_j1 = np.log(x) - np.log(y + 1) + _log_s(x, y + 1)
            xu = np.maximum(x * u, 1e-300)
            log_g = (x * (1 - u) + (y + 1) * np.log(u) + np.log(x) - np.log(y + 1)
                     + _log_s(xu, y + 1))
            pw = np.exp(log_pi + log_j)
            served_waiting = np.exp(log_pi + np.log(y) - np.log(x) + log_j1)
            pab = pw - served_waiting
            within = served_waiting * -np.expm1(np.minimum(log_g - log_j1, 0.0))
        p_wait[m] = np.clip(pw, 0, 1)
        p_ab[m] = np.clip(pab, 0, 1)
        sl_off[m] = np.clip(1 - pw + np.nan_to_num(within), 0, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sl_ans = np.where(p_ab < 1, sl_off / (1 - p_ab), 0.0)
    return {k: v.reshape(shape) for k, v in (("p_wait", p_wait), ("p_abandon", p_ab),
                                              ("sl_offered", sl_off),
                                              ("sl_answered", np.minimum(sl_ans, 1.0)))}


def _log_pi_n(n: FloatArray, a: FloatArray, x: FloatArray, y: FloatArray) -> FloatArray:
    """log of pi_N, the probability of N busy agents and nobody waiting."""
    b = erlang_b(n, a)
    with np.errstate(divide="ignore"):
        log_inv_b_minus_1 = np.log1p(-b) - np.log(b)
    out: FloatArray = -np.logaddexp(log_inv_b_minus_1, _log_s(x, y))
    return out


def _log_harmonic_weighted(x: FloatArray, y: FloatArray) -> FloatArray:
    """log of sum_k c_k H_k / sum_k c_k with c_k = x^k / ((y+1)...(y+k+1)) and
    H_k = sum_{j=1}^{k+1} 1/(y+j): the derivative ``-I'(y) / I(y)`` of
    ``I(y) = int_0^1 exp(x(1-u)) u^y du``. Rescaled as it goes, so it never overflows."""
    c = 1.0 / (y + 1.0)
    h = c.copy()
    den, num = c.copy(), c * h
    k = 0
    peak = float(np.max(x - y, initial=0.0))
    while True:
        k += 1
        c = c * x / (y + k + 1.0)
        h = h + 1.0 / (y + k + 1.0)
        den += c
        num += c * h
        big = den > 1e250
        if big.any():
            c, den, num = (np.where(big, v * 1e-250, v) for v in (c, den, num))
        if k > peak and np.all(c * h <= 1e-17 * num):
            break
    out: FloatArray = np.log(num) - np.log(den)
    return out


def asa_answered(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike,
                 patience_s: ArrayLike) -> FloatArray:
    """Average speed of answer of **answered** contacts under Erlang A [s].

    ``E[W; served] / P(served)`` with ``E[W; served] = E[V exp(-V / patience)]`` for the
    offered wait V; in the variables of this module
    ``E[W; served] = patience * y * pi_N * (-I'(y))`` with
    ``I(y) = S(x, y + 1) / (y + 1)``. 0 when the load is 0; NaN with no agents and some
    load (nobody is answered).

    Examples
    --------
    >>> from wfm.staffing.erlang_c import asa
    >>> bool(abs(asa_answered(14, 10.0, 180.0, 1e9) - asa(14, 10.0, 180.0)) < 1e-3)
    True
    """
    n, a, h, pat = (v.astype(np.float64).ravel() for v in np.broadcast_arrays(
        _as_float(agents), _as_float(load), _as_float(aht_s), _as_float(patience_s)))
    shape = np.broadcast_shapes(*(np.shape(v) for v in (agents, load, aht_s, patience_s)))
    if np.any(~(pat > 0)) or np.any(~(h > 0)):
        raise StaffingError("AHT and patience must be > 0 seconds")
    out = np.where(a > 0, np.nan, 0.0)
    m = (n > 0) & (a > 0)
    if m.any():
        nn, aa, pp = n[m], a[m], pat[m]
        x, y = aa * pp / h[m], nn * pp / h[m]
        log_pi = _log_pi_n(nn, aa, x, y)
        log_i = _log_s(x, y + 1.0) - np.log(y + 1.0)
        served_wait = pp * y * np.exp(log_pi + log_i + _log_harmonic_weighted(x, y))
        p_ab = erlang_a(nn, aa, h[m], pp, 0.0)["p_abandon"]
        out[m] = served_wait / np.maximum(1.0 - p_ab, 1e-300)
    result: FloatArray = out.reshape(shape)
    return result
