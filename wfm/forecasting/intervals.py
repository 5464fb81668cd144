"""Prediction intervals that mean what they say: negative-binomial quantiles whose
over-dispersion is calibrated on the backtest, per tail and per band of lead time in open days.

Call arrivals are over-dispersed: the day's busyness, correlated deviations within the day
and the forecast's own error all add variance beyond Poisson. The interval of an interval's
count is taken from a negative binomial with the forecast as mean and variance
``mean + kappa * mean**2``; ``kappa`` is chosen, separately for the lower and the upper bound
of each level and each lead band, as the smallest value under which the wanted share of the
backtest actuals falls on the right side of that bound (split-conformal calibration with the
negative binomial as the shape of the interval). At ``kappa = 0`` it is the Poisson
interval: a band that Poisson already covers stays Poisson (discrete counts: at a few
contacts per interval the coverage can only be at or above nominal).

``offered_hi_95`` is thus the 97.5 % quantile of the interval's count and ``offered_lo_95``
the 2.5 % one, as far as the backtest folds represent the future.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from wfm.forecasting.grid import FloatArray, IntArray

LEVELS: tuple[float, ...] = (0.8, 0.95)
# Calibration bands of lead time in open days: the forecast error grows with the lead.
CAL_BANDS: tuple[tuple[int, int], ...] = ((1, 1), (2, 7), (8, 21), (22, 10_000))
MIN_BAND_POINTS = 1000  # fewer points in a band: add its neighbours' (tail quantiles are noisy)
KAPPA_MAX = 4.0  # coefficient of variation 200 %: far beyond any contact-centre series
_BISECTIONS = 24


def cal_band(lead_open: IntArray) -> IntArray:
    """Index into ``CAL_BANDS`` of each lead (in open days, 1 = first open day)."""
    out = np.zeros(len(lead_open), dtype=np.int64)
    for b, (lo, hi) in enumerate(CAL_BANDS):
        out[(lead_open >= lo) & (lead_open <= hi)] = b
    return out


def nb_cdf(k: FloatArray, mean: FloatArray, kappa: FloatArray | float) -> FloatArray:
    """P(X <= k) for a negative binomial with ``mean`` and variance mean + kappa mean^2.

    ``kappa`` -> 0 is Poisson. ``k < 0`` gives 0.
    """
    k = np.asarray(k, dtype=float)
    mu = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    kap = np.broadcast_to(np.asarray(kappa, dtype=float), mu.shape)
    out = np.zeros(np.broadcast(k, mu).shape)
    kk = np.broadcast_to(k, out.shape)
    ok = kk >= 0
    pois = ok & (kap < 1e-9)
    out[pois] = special.pdtr(np.floor(kk[pois]), mu[pois])
    nb = ok & ~pois
    r = 1.0 / kap[nb]
    out[nb] = special.betainc(r, np.floor(kk[nb]) + 1.0, r / (r + mu[nb]))
    return out


def nb_quantile(q: float, mean: FloatArray, kappa: FloatArray | float) -> FloatArray:
    """Smallest integer k with P(X <= k) >= q (vectorised search over k)."""
    mu = np.maximum(np.asarray(mean, dtype=float), 0.0)
    kap = np.broadcast_to(np.asarray(kappa, dtype=float), mu.shape)
    sd = np.sqrt(mu + kap * mu**2)
    lo = np.zeros(mu.shape)  # P(X <= lo - 1) < q holds for lo = 0
    hi = np.ceil(mu + 12 * sd + 10)  # P(X <= hi) >= q for any q used here
    while True:
        open_ = hi - lo > 0
        if not open_.any():
            return np.asarray(hi, dtype=float)
        mid = np.floor((lo + hi) / 2)
        below = nb_cdf(mid, mu, kap) < q
        lo = np.where(open_ & below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)


def _needed_kappa(actual: FloatArray, mean: FloatArray, tail_prob: float,
                  upper: bool) -> FloatArray:
    """Per point, the smallest kappa under which it is on the right side of the bound.

    Upper bound ``nb_quantile(1 - tail_prob)``: the point is below it iff
    ``cdf(actual - 1) < 1 - tail_prob``. Lower bound ``nb_quantile(tail_prob)``: the point is
    above it iff ``cdf(actual) >= tail_prob``. Both become true as kappa grows (the mass
    spreads away from the mean); points already inside at kappa = 0 need 0, points never
    inside within ``KAPPA_MAX`` get ``inf``.
    """

    def inside(kap: FloatArray, idx: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        if upper:
            return np.asarray(nb_cdf(actual[idx] - 1, mean[idx], kap) < 1 - tail_prob)
        return np.asarray(nb_cdf(actual[idx], mean[idx], kap) >= tail_prob)

    out = np.zeros(len(actual))
    idx = np.flatnonzero(~inside(np.zeros(len(actual)), np.arange(len(actual))))
    if not len(idx):
        return out
    far = ~inside(np.full(len(idx), KAPPA_MAX), idx)
    out[idx[far]] = np.inf
    idx = idx[~far]
    lo = np.full(len(idx), np.log(1e-5))
    hi = np.full(len(idx), np.log(KAPPA_MAX))
    for _ in range(_BISECTIONS):  # on log kappa: 1e-5 .. 4 to within 0.05 %
        mid = (lo + hi) / 2
        ok = inside(np.exp(mid), idx)
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    out[idx] = np.exp(hi)
    return out


@dataclass(frozen=True)
class IntervalRule:
    """Over-dispersion per level, bound and calibration band.

    ``kappa[level]`` has shape (len(CAL_BANDS), 2): column 0 for the lower bound, 1 for the
    upper. ``method`` is ``"poisson"`` (no backtest: kappa 0) or ``"negative binomial"``.
    """

    method: str
    kappa: dict[float, FloatArray]


POISSON_RULE = IntervalRule("poisson", {lv: np.zeros((len(CAL_BANDS), 2)) for lv in LEVELS})


def _kappa_from_needs(need: FloatArray, band: IntArray, coverage: float) -> FloatArray:
    """Per band, the ``coverage`` quantile of the points' needed kappa (pooled when thin)."""
    out = np.zeros(len(CAL_BANDS))
    for b in range(len(CAL_BANDS)):
        # A thin band borrows the points of its neighbours, nearest first: the first day
        # borrows from the rest of the first week, whatever the run's horizon.
        for width in range(len(CAL_BANDS)):
            sel = need[np.abs(band - b) <= width]
            if len(sel) >= MIN_BAND_POINTS or width == len(CAL_BANDS) - 1:
                break
        out[b] = _conformal_quantile(sel, coverage)
    return out


def _conformal_quantile(need: FloatArray, coverage: float) -> float:
    """The ceil((n + 1) coverage)-th smallest need: split-conformal's finite-sample rank."""
    n = len(need)
    if n == 0:
        return 0.0
    k = min(int(np.ceil((n + 1) * coverage)), n)
    v = float(np.partition(need, k - 1)[k - 1])
    return min(v, KAPPA_MAX)


def calibrate_intervals(actual: FloatArray, mean: FloatArray, lead_open: IntArray,
                        fold: IntArray) -> tuple[IntervalRule, dict[str, float]]:
    """Calibrate the rule on backtest points (open, observed intervals of every fold).

    Returns the rule fitted on all folds and the coverage of each level measured
    leave-one-fold-out (each fold's points against the rule calibrated on the others), or
    on all folds with a single fold.
    """
    band = cal_band(lead_open)
    kappa: dict[float, FloatArray] = {}
    cover: dict[str, float] = {}
    folds = np.unique(fold)
    for lv in LEVELS:
        tail = (1 - lv) / 2
        needs = [_needed_kappa(actual, mean, tail, upper) for upper in (False, True)]
        kappa[lv] = np.column_stack([_kappa_from_needs(n, band, 1 - tail) for n in needs])
        if len(actual) == 0:
            cover[f"coverage_{int(lv * 100)}"] = float("nan")
            continue
        hits = np.zeros(len(actual), dtype=bool)
        for f in folds:
            train = fold != f if len(folds) > 1 else np.ones(len(fold), dtype=bool)
            test = fold == f
            k_lo = _kappa_from_needs(needs[0][train], band[train], 1 - tail)
            k_hi = _kappa_from_needs(needs[1][train], band[train], 1 - tail)
            hits[test] = ((needs[0][test] <= k_lo[band[test]])
                          & (needs[1][test] <= k_hi[band[test]]))
        cover[f"coverage_{int(lv * 100)}"] = float(hits.mean())
        lo_p, hi_p = nb_bounds(mean, np.zeros(len(mean)), np.zeros(len(mean)), lv)
        cover[f"poisson_{int(lv * 100)}"] = float(np.mean((actual >= lo_p) & (actual <= hi_p)))
    method = "negative binomial" if any(np.any(k > 0) for k in kappa.values()) else "poisson"
    return IntervalRule(method, kappa), cover


def nb_bounds(mean: FloatArray, kappa_lo: FloatArray, kappa_hi: FloatArray,
              level: float) -> tuple[FloatArray, FloatArray]:
    """(lower, upper) bound of the central ``level`` interval of each count."""
    tail = (1 - level) / 2
    return nb_quantile(tail, mean, kappa_lo), nb_quantile(1 - tail, mean, kappa_hi)


def interval_bounds(rule: IntervalRule, mean: FloatArray, lead_open: IntArray,
                    level: float) -> tuple[FloatArray, FloatArray]:
    """Bounds of the ``level`` interval around ``mean`` at these open-day leads."""
    k = rule.kappa[level][cal_band(lead_open)]
    return nb_bounds(mean, k[:, 0], k[:, 1], level)
