"""What any intraday update could reach on the over-dispersed generator: oracles that know
the day's hidden state, and the Bayes-optimal update that knows the generator's parameters.

Used by ``bench_forecast_overdispersed.py`` (``--intraday-only`` too). Every function takes
one day's open intervals in time order and returns the forecast of every interval (the
seen ones keep the day-ahead value); ``seen`` marks the intervals before the update time.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

CORR_15MIN = 0.9  # forecast_overdispersed.Dispersion.intraday_corr_15min


def oracle_level(base: np.ndarray, seen: np.ndarray, busyness: float) -> np.ndarray:
    """Knows the day's busyness W (not the intraday deviations): base x W."""
    return np.where(seen, base, base * busyness)


def oracle_state(base: np.ndarray, expected: np.ndarray, rate: np.ndarray, seen: np.ndarray,
                 busyness: float, sd: float) -> np.ndarray:
    """Knows W and the realised deviation of the last seen interval (eta, shock included):
    the best forecast of the rest given the whole hidden state at the update time,
    E[W exp(eta_t - sd^2 / 2) | W, eta_last] with eta an AR(1)."""
    last = int(np.flatnonzero(seen)[-1])
    dev = float(np.log(rate[last] / (expected[last] * busyness))) + sd**2 / 2
    k = np.maximum(np.arange(len(base)) - last, 0)
    fade = CORR_15MIN**k
    pred = base * busyness * np.exp(fade * dev + sd**2 * (1 - fade**2) / 2 - sd**2 / 2)
    return np.where(seen, base, pred)


def bayes_optimal(base: np.ndarray, actual: np.ndarray, seen: np.ndarray, cv: float,
                  sd: float, *, particles: int = 20_000, seed: int = 0) -> np.ndarray:
    """Posterior mean of the rest given the morning's counts under the generator's own
    model and parameters (gamma W, AR(1) log-deviation, Poisson counts; shocks left out):
    a bootstrap particle filter over (W, eta). No update from the counts can do better on
    average, whatever its form."""
    rng = np.random.default_rng(seed)
    w = rng.gamma(1 / cv**2, cv**2, particles) if cv > 0 else np.ones(particles)
    eta = rng.normal(0.0, sd, particles)
    logw = np.zeros(particles)
    last = int(np.flatnonzero(seen)[-1])
    innov = sd * np.sqrt(1 - CORR_15MIN**2)
    for j in range(last + 1):
        if j > 0:
            eta = CORR_15MIN * eta + rng.normal(0.0, innov, particles)
        lam = max(float(base[j]), 1e-9) * w * np.exp(eta - sd**2 / 2)
        logw += actual[j] * np.log(lam) - lam - gammaln(actual[j] + 1)
        p = np.exp(logw - logw.max())
        p /= p.sum()
        if 1.0 / float(np.sum(p**2)) < particles / 2:
            pick = rng.choice(particles, particles, p=p)
            w, eta, logw = w[pick], eta[pick], np.zeros(particles)
    p = np.exp(logw - logw.max())
    p /= p.sum()
    out = base.astype(float).copy()
    for t in range(last + 1, len(base)):
        fade = CORR_15MIN ** (t - last)
        mult = np.exp(fade * eta + sd**2 * (1 - fade**2) / 2 - sd**2 / 2)
        out[t] = base[t] * float(np.sum(p * w * mult))
    return out
