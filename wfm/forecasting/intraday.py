"""Intraday re-forecast: the rest of today from today's actuals so far.

A day's volume runs above or below its day-ahead forecast as a whole (the day's "busyness":
weather, a mailing, an outage elsewhere), and the first hours already show by how much.
Two updates of the day-ahead forecast for the rest of the day:

* ``ratio`` (run rate): scale the rest of the day by actual / forecast so far. Unbiased but
  noisy early in the day and at low volume, where a few contacts swing the ratio.
* ``bayes``: a linear-Gaussian model of the day: a_j / f_j - 1 = w + eta_j + noise_j, with
  w the day's level (variance ``day_cv2``: how much days vary around their day-ahead
  forecast), eta an AR(1) deviation within the day (variance ``intraday_cv2``, correlation
  ``intraday_corr`` between neighbouring intervals) and Poisson noise 1 / f_j; all three
  learnt from the backtest by maximum likelihood (``fit_dispersion``). The best linear
  predictor (kriging) of w + eta_t for every later interval t from the intervals seen so
  far updates the level and carries the latest deviation forward, fading with the
  correlation. With no intraday deviation it is the
  gamma-Poisson posterior mean of the level, (a + A) / (a + F) with a = 1 / day_cv2,
  A the actual and F the forecast volume so far.

References
----------
Avramidis, Deslauriers & L'Ecuyer (2004), Modeling daily arrivals to a telephone call center,
Management Science 50(7). Shen & Huang (2008), Interday forecasting and intraday updating of
call center arrivals, Manufacturing & Service Operations Management 10(3) (penalised least
squares updating; the gamma-Poisson update is its one-factor Bayesian counterpart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from wfm.errors import ForecastError
from wfm.forecasting.grid import FloatArray
from wfm.forecasting.intervals import LEVELS, nb_bounds

METHODS: tuple[str, ...] = ("bayes", "ratio")


@dataclass(frozen=True)
class Dispersion:
    """How actual volume varies around a day-ahead forecast (squared CVs beyond Poisson).

    ``day_cv2``: of the day's level; ``intraday_cv2`` and ``intraday_corr``: of the
    deviations of single intervals from the day's level, an AR(1) with this correlation
    between neighbouring intervals. Defaults: days vary by 10 %, no intraday deviation.
    """

    day_cv2: float = 0.01
    intraday_cv2: float = 0.0
    intraday_corr: float = 0.0


def estimate_dispersion(actual: FloatArray, forecast: FloatArray, day: npt.NDArray[np.int64]
                        ) -> Dispersion:
    """Method-of-moments estimate from backtest points (open intervals in time order;
    ``day`` labels the day of each point, consecutive points of a day are neighbours).

    Daily totals: E[(A - F)^2] = F + (day_cv2 + v intraday_cv2) F^2, where v is the variance
    factor of a day's f-weighted mean of the AR(1) deviations. Within a day, around the day's
    realised level W = A / F: the residuals a - W f have variance intraday_cv2 (1 - v) and
    lag-1 covariance intraday_cv2 (corr - v) relative to (W f)^2 beyond Poisson (removing the
    day's level takes its mean deviation out), and lag-2 covariance intraday_cv2 (corr^2 - v):
    corr = (cov_1 - cov_2) / (var - cov_1) whatever v, then intraday_cv2, then day_cv2.
    """
    days, inv = np.unique(day, return_inverse=True)
    if len(days) < 5:
        return Dispersion()
    tot_a = np.bincount(inv, actual)
    tot_f = np.bincount(inv, forecast)
    ok = tot_f > 0
    day_obs = max(float(np.sum(((tot_a - tot_f) ** 2 - tot_f)[ok]) / np.sum(tot_f[ok] ** 2)),
                  0.0)
    level = np.where(ok, tot_a / np.where(ok, tot_f, 1.0), 1.0)[inv]
    mu = level * forecast
    r = actual - mu
    intra_obs = float(np.sum(r**2 - mu) / max(float(np.sum(mu**2)), 1e-9))
    cov = [_lag_cov(r, mu, inv, lag) for lag in (1, 2)]
    if intra_obs <= 0 or intra_obs - cov[0] <= 0:
        return Dispersion(day_obs, 0.0, 0.0)
    # cov_k = s2 (corr^k - v): the differences cancel v, so corr does not depend on it.
    corr = float(np.clip((cov[0] - cov[1]) / (intra_obs - cov[0]), 0.0, 0.95))
    groups = [forecast[inv == k] for k in range(len(days))]
    weights = tot_f**2 / max(float(np.sum(tot_f**2)), 1e-300)
    v = float(sum(w * _ar_weights(g, corr) for w, g in zip(weights, groups, strict=True)))
    sigma2 = intra_obs / max(1.0 - v, 0.05)
    return Dispersion(max(day_obs - v * sigma2, 0.0), sigma2, corr)


def fit_dispersion(actual: FloatArray, forecast: FloatArray, day: npt.NDArray[np.int64]
                   ) -> Dispersion:
    """Maximum-likelihood estimate of the update's own model from backtest points (same
    arguments as :func:`estimate_dispersion`).

    Each day's relative errors y_j = a_j / f_j - 1 are taken as Gaussian with covariance
    day_cv2 + intraday_cv2 corr^|i - k| + 1 / f_j on the diagonal (the model the update
    krigs with), independent from day to day; the likelihood is maximised from the
    moment estimate with its gradient (L-BFGS-B). The moments confound the AR(1) deviation
    with the day's level on a few weeks of points (they often return no deviation, or a
    correlation of 0 or 0.95); the likelihood weighs every pair of intervals as the model
    says. Falls back to the moments when there are too few days or the fit fails.
    """
    moments = estimate_dispersion(actual, forecast, day)
    days, inv = np.unique(day, return_inverse=True)
    keep = forecast > 0
    if len(days) < 5 or keep.sum() < 3 * len(days):
        return moments
    groups = _day_blocks(actual[keep], forecast[keep], inv[keep])
    x0 = np.array([np.log(max(moments.day_cv2, 1e-3)), np.log(max(moments.intraday_cv2, 1e-3)),
                   float(np.clip(moments.intraday_corr, 0.3, 0.95))])
    try:
        res = minimize(_neg_loglik, x0, args=(groups,), jac=True, method="L-BFGS-B",
                       bounds=[(np.log(1e-8), 0.0), (np.log(1e-8), 0.0), (0.0, 0.99)],
                       options={"maxiter": 60})
    except (np.linalg.LinAlgError, ValueError):
        return moments
    if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun):
        return moments
    return Dispersion(float(np.exp(res.x[0])), float(np.exp(res.x[1])), float(res.x[2]))


def _day_blocks(actual: FloatArray, forecast: FloatArray, inv: npt.NDArray[np.int64]
                ) -> list[tuple[FloatArray, FloatArray, FloatArray]]:
    """Days stacked by their number of points: (y, 1 / f, |i - k|) per length."""
    counts = np.bincount(inv)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    order = np.argsort(inv, kind="stable")
    y, p = (actual / forecast - 1.0)[order], (1.0 / forecast)[order]
    out = []
    for n in np.unique(counts[counts > 0]):
        rows = starts[counts == n][:, None] + np.arange(n)
        lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).astype(float)
        out.append((y[rows], p[rows], lag))
    return out


def _neg_loglik(x: FloatArray, groups: list[tuple[FloatArray, FloatArray, FloatArray]]
                ) -> tuple[float, FloatArray]:
    """Negative Gaussian log-likelihood (constant left out) and its gradient in
    (log day_cv2, log intraday_cv2, corr): d/dtheta = tr((K^-1 - alpha alpha^T) dK) / 2,
    where dK is the same for every day of a block, so only sum_d (K_d^-1 - alpha alpha^T)
    is needed."""
    c2, s2, rho = float(np.exp(x[0])), float(np.exp(x[1])), float(x[2])
    nll, grad = 0.0, np.zeros(3)
    for y, p, lag in groups:
        n = len(lag)
        r = rho**lag
        k = np.repeat((c2 + s2 * r)[None], len(y), axis=0)
        k[:, np.arange(n), np.arange(n)] += p
        k_inv = np.linalg.inv(k)
        alpha = np.einsum("dij,dj->di", k_inv, y)
        chol = np.linalg.cholesky(k)
        logdet = 2.0 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
        nll += 0.5 * (logdet + float(np.einsum("di,di->", y, alpha)))
        g = k_inv.sum(0) - alpha.T @ alpha
        d_rho = s2 * lag * rho ** np.maximum(lag - 1.0, 0.0)
        grad += 0.5 * np.array([c2 * g.sum(), s2 * float(np.sum(g * r)),
                                float(np.sum(g * d_rho))])
    return nll, grad


def _lag_cov(r: FloatArray, mu: FloatArray, inv: npt.NDArray[np.int64], lag: int) -> float:
    """Lag-``lag`` covariance of the residuals within days, relative to mu_i mu_j."""
    same = inv[lag:] == inv[:-lag]
    scale = float(np.sum((mu[lag:] * mu[:-lag])[same]))
    return float(np.sum((r[lag:] * r[:-lag])[same])) / scale if scale > 0 else 0.0


@dataclass(frozen=True)
class DayLevel:
    """The day's level relative to its day-ahead forecast after seeing part of the day."""

    ratio: float  # updated level / day-ahead level
    cv2: float  # its remaining uncertainty (squared coefficient of variation)
    actual_so_far: float
    forecast_so_far: float


def update_day_level(actual_so_far: float, forecast_so_far: float, *, day_cv2: float,
                     intraday_var: float = 0.0, method: str = "bayes") -> DayLevel:
    """Linear Bayes (``bayes``) or run-rate (``ratio``) level of the day.

    Parameters
    ----------
    actual_so_far, forecast_so_far
        Contacts offered so far today and the day-ahead forecast of the same intervals.
    day_cv2
        Squared coefficient of variation of a day's level around its day-ahead forecast,
        beyond Poisson (0.01 = days vary by 10 %).
    intraday_var
        Variance of the run rate from correlated intraday deviations (beyond Poisson).
    method
        ``bayes`` or ``ratio``.

    Examples
    --------
    Without intraday deviations, the gamma-Poisson posterior mean (a + A) / (a + F):

    >>> round(update_day_level(600.0, 500.0, day_cv2=0.01).ratio, 6)  # (100 + 600) / 600
    1.166667
    >>> update_day_level(600.0, 500.0, day_cv2=0.01, method="ratio").ratio
    1.2
    """
    if method not in METHODS:
        raise ForecastError(f"intraday method {method!r} is not known; accepted: "
                            f"{', '.join(METHODS)}")
    a_so, f_so = max(float(actual_so_far), 0.0), max(float(forecast_so_far), 0.0)
    if method == "ratio":
        ratio = a_so / f_so if f_so > 0 else 1.0
        return DayLevel(ratio, 1.0 / max(a_so, 1.0), a_so, f_so)
    if f_so <= 0:
        return DayLevel(1.0, day_cv2, a_so, f_so)
    prior = max(day_cv2, 1e-9)
    gain = prior / (prior + 1.0 / f_so + max(intraday_var, 0.0))
    ratio = max(1.0 + gain * (a_so / f_so - 1.0), 1e-9)
    # Posterior variance prior (1 - gain) x ratio: exactly the gamma-Poisson one,
    # (a + A) / (a + F)^2, without intraday deviations; stored relative (squared CV).
    return DayLevel(ratio, prior * (1.0 - gain) / ratio, a_so, f_so)


def _ar_weights(f: FloatArray, corr: float) -> float:
    """f^T C f / (sum f)^2 for C_ik = corr^|i - k|: the variance factor of a f-weighted mean
    of AR(1) deviations with unit variance."""
    n = len(f)
    if n == 0:
        return 0.0
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return float(f @ (corr**lag) @ f) / float(f.sum()) ** 2


def rest_of_day(day_ahead: FloatArray, actual: FloatArray, seen: npt.NDArray[np.bool_], *,
                dispersion: Dispersion, kappa: Mapping[float, tuple[float, float]] | None = None,
                method: str = "bayes") -> tuple[FloatArray, dict[float, tuple[FloatArray,
                                                                           FloatArray]],
                                                DayLevel]:
    """Updated forecast of the unseen intervals of one day and their intervals.

    ``day_ahead``, ``actual`` and ``seen`` run over the day's open intervals in time order
    (``actual`` is read where ``seen``); ``kappa`` holds the day-ahead over-dispersion
    (lower, upper bound) per level (``wfm.forecasting.intervals``), of which the share the
    update can learn (day level and intraday deviation) is replaced by what remains
    uncertain after it. Returns the mean of every interval (seen ones keep the day-ahead
    value), the (lower, upper) bounds per level and the day level.
    """
    d = dispersion
    f = np.maximum(np.asarray(day_ahead, dtype=float), 0.0)
    a_so, f_so = float(actual[seen].sum()), float(f[seen].sum())
    if method == "ratio" or not seen.any():
        level = update_day_level(a_so, f_so, day_cv2=d.day_cv2, method=method)
        mean = np.where(seen, f, f * level.ratio)
        remaining = np.full(len(f), level.cv2 + d.intraday_cv2)
    else:
        mean, remaining, level = _krige(f, actual, seen, d)
    learnable = d.day_cv2 + d.intraday_cv2
    bounds: dict[float, tuple[FloatArray, FloatArray]] = {}
    for lv in LEVELS:
        k_lo, k_hi = (kappa or {}).get(lv, (learnable, learnable))
        lo, hi = nb_bounds(mean, max(k_lo - learnable, 0.0) + remaining,
                           max(k_hi - learnable, 0.0) + remaining, lv)
        bounds[lv] = (np.minimum(lo, mean), np.maximum(hi, mean))
    return mean, bounds, level


def _krige(f: FloatArray, actual: FloatArray, seen: npt.NDArray[np.bool_], d: Dispersion
           ) -> tuple[FloatArray, FloatArray, DayLevel]:
    """Best linear predictor of w + eta_t (see the module docstring) for every interval."""
    obs = np.flatnonzero(seen & (f > 0))
    pos = np.arange(len(f))
    c2, s2, rho = max(d.day_cv2, 1e-9), max(d.intraday_cv2, 0.0), d.intraday_corr
    y = actual[obs] / f[obs] - 1.0
    gram = c2 + s2 * rho ** np.abs(np.subtract.outer(obs, obs)) + np.diag(1.0 / f[obs])
    cross = c2 + s2 * rho ** np.abs(np.subtract.outer(pos, obs))  # (all, seen)
    solved = np.linalg.solve(gram, np.column_stack([y, cross.T]))
    alpha, k_inv = solved[:, 0], solved[:, 1:]
    pred = 1.0 + cross @ alpha
    post = np.maximum(c2 + s2 - np.einsum("ij,ji->i", cross, k_inv), 0.0)
    mean = np.where(seen, f, f * np.maximum(pred, 0.0))
    w = max(1.0 + c2 * float(alpha.sum()), 1e-9)
    w_var = max(c2 - c2 * c2 * float(np.linalg.solve(gram, np.ones(len(obs))).sum()), 0.0)
    level = DayLevel(w, w_var / w, float(actual[seen].sum()), float(f[seen].sum()))
    return mean, post, level
