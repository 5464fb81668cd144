"""Exact steady-state metrics of the M/M/N+M (Erlang A) queue, vectorised over intervals.

The sample-data generator uses these to turn a staffing level into consistent abandonment,
service-level and waiting-time figures. Everything is computed from the stationary
distribution of the birth-death chain of the number of contacts in the system

* birth rate ``lambda`` in every state,
* death rate ``min(n, N) * mu + max(n - N, 0) * theta`` in state ``n``,

with ``mu = 1 / aht_s`` and ``theta = 1 / patience_s`` (``theta = 0`` is Erlang C), evaluated in
log space so large loads neither overflow nor underflow. By PASTA an arrival sees the
stationary distribution. An arrival finding ``j >= 0`` contacts waiting ahead of it (state
``N + j``) reaches a server after ``j + 1`` phases whose rates are ``N mu + k theta``
(``k = j, ..., 0``) while its own exponential patience runs out at rate ``theta``; hence

* ``P(served | j) = alpha / (alpha + j + 1)`` with ``alpha = N mu / theta``,
* ``P(served, wait <= t | j) = P(served | j) * (1 - I_x(alpha + 1, j + 1))``, ``x = exp(-theta t)``,
  where ``I`` is the regularised incomplete beta function (a negative-binomial tail),
* ``E[wait | served, j] = sum_{k=0..j} 1 / (N mu + (k + 1) theta)``.

For ``theta = 0`` the phases all have rate ``N mu``: the wait is Gamma(j + 1, N mu).

References
----------
.. [1] Garnett, O., Mandelbaum, A., Reiman, M. (2002). Designing a call center with impatient
   customers. Manufacturing & Service Operations Management 4(3), 208-227.
.. [2] Riordan, J. (1962). Stochastic Service Systems. Wiley (waiting times with reneging).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import StaffingError

FloatArray = NDArray[np.float64]

_CHUNK_CELLS = 2_000_000  # rows x states per block: bounds memory for long histories
_MAX_STATES = 1_000_000


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state metrics of an M/M/N+M queue, one value per interval.

    Attributes
    ----------
    p_wait : fraction of arrivals that find every server busy (0-1)
    p_abandon : fraction of arrivals that abandon before service (0-1)
    p_served_waited : fraction of arrivals served after waiting (0-1)
    p_served_within : fraction of arrivals served within the threshold (0-1)
    mean_wait_served_s : mean wait of served contacts [s]
    mean_queue : mean number of contacts waiting [contacts]
    """

    p_wait: FloatArray
    p_abandon: FloatArray
    p_served_waited: FloatArray
    p_served_within: FloatArray
    mean_wait_served_s: FloatArray
    mean_queue: FloatArray

    @property
    def p_served(self) -> FloatArray:
        """Fraction of arrivals that are served (0-1)."""
        return 1.0 - self.p_abandon

    @property
    def service_level_answered(self) -> FloatArray:
        """Fraction of *served* contacts answered within the threshold (0-1)."""
        served = self.p_served
        return np.divide(self.p_served_within, served, out=np.ones_like(served),
                         where=served > 0)


def _states_needed(lam: FloatArray, mu: FloatArray, servers: FloatArray, theta: FloatArray,
                   tol: float) -> FloatArray:
    """Number of queue states beyond ``servers`` holding all but ``tol`` of the mass."""
    log_tol = np.log(tol)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = lam / (servers * mu)
        geometric = np.where(rho < 1, log_tol / np.log(np.minimum(rho, 1 - 1e-16)), np.inf)
        # With reneging the queue tail is lighter than Poisson(lambda / theta).
        load = np.where(theta > 0, lam / theta, np.inf)
        poisson = load + 12.0 * np.sqrt(load + 1.0) + 30.0
    need = np.minimum(geometric, poisson)
    return np.where(lam > 0, np.ceil(need), 0.0)


def mmn_plus_m(arrival_rate_per_s: ArrayLike, aht_s: ArrayLike, servers: ArrayLike,
               patience_s: ArrayLike, threshold_s: ArrayLike, *,
               tol: float = 1e-14) -> QueueMetrics:
    """Exact steady-state metrics of the M/M/N+M (Erlang A) queue.

    All arguments broadcast against each other (scalars or 1-d arrays, one entry per interval).

    Parameters
    ----------
    arrival_rate_per_s : arrival rate lambda [contacts/s], >= 0
    aht_s : mean handle (service) time 1/mu [s], > 0
    servers : number of servers N (agents x concurrency) [servers], integer >= 0
    patience_s : mean patience 1/theta [s], > 0; ``np.inf`` gives Erlang C (no abandonment)
    threshold_s : service-level threshold [s], >= 0
    tol : probability mass allowed beyond the truncated state space

    Returns
    -------
    QueueMetrics
        One value per interval for each metric.

    Raises
    ------
    StaffingError
        Erlang C (infinite patience) with offered load >= servers: no steady state exists.

    Examples
    --------
    Erlang C with 1 server at load 0.5 erlang: half the arrivals wait.

    >>> m = mmn_plus_m(0.5 / 300, 300.0, 1, np.inf, 20.0)
    >>> round(float(m.p_wait[0]), 6), round(float(m.mean_wait_served_s[0]), 3)
    (0.5, 300.0)
    """
    lam, aht, n_srv, patience, thr = (
        np.atleast_1d(np.asarray(a, dtype=np.float64))
        for a in np.broadcast_arrays(arrival_rate_per_s, aht_s, servers, patience_s, threshold_s)
    )
    if np.any(lam < 0) or np.any(aht <= 0) or np.any(n_srv < 0) or np.any(patience <= 0) \
            or np.any(thr < 0) or np.any(n_srv != np.round(n_srv)):
        raise StaffingError(
            "queue parameters out of range: need arrival_rate_per_s >= 0, aht_s > 0, "
            "integer servers >= 0, patience_s > 0 and threshold_s >= 0"
        )
    mu = 1.0 / aht
    theta = np.where(np.isinf(patience), 0.0, 1.0 / patience)
    unstable = (theta == 0) & (lam > 0) & (lam >= n_srv * mu)
    if np.any(unstable):
        i = int(np.argmax(unstable))
        raise StaffingError(
            f"no steady state without abandonment: offered load {lam[i] / mu[i]:.3g} erlang "
            f">= {int(n_srv[i])} servers (interval {i})",
            hint="add servers or give a finite patience_s (Erlang A)",
        )
    extra = _states_needed(lam, mu, n_srv, theta, tol)
    size = n_srv + extra + 1
    if float(size.max(initial=1.0)) > _MAX_STATES:
        raise StaffingError(f"queue state space too large ({int(size.max())} states); "
                            "load is too close to the number of servers")
    order = np.argsort(size, kind="stable")
    out = np.empty((6, lam.size))
    start = 0
    while start < lam.size:
        stop = start + 1
        # Rows sorted by state count: grow the block while it fits the cell budget.
        while stop < lam.size and (stop - start + 1) * int(size[order[stop]]) <= _CHUNK_CELLS:
            stop += 1
        width = int(size[order[stop - 1]])
        rows = order[start:stop]
        out[:, rows] = _block(lam[rows], mu[rows], n_srv[rows], theta[rows], thr[rows], width=width)
        start = stop
    return QueueMetrics(*out)


def _block(lam: FloatArray, mu: FloatArray, n_srv: FloatArray, theta: FloatArray,
           thr: FloatArray, *, width: int) -> NDArray[np.float64]:
    """Metrics for one block of intervals on a common truncated state space 0..width-1."""
    lam, mu, n_srv, theta, thr = (a[:, None] for a in (lam, mu, n_srv, theta, thr))
    n = np.arange(width, dtype=np.float64)[None, :]
    k = n[:, 1:]
    death = np.minimum(k, n_srv) * mu + np.maximum(k - n_srv, 0.0) * theta
    with np.errstate(divide="ignore", invalid="ignore"):
        log_step = np.where(lam > 0, np.log(lam) - np.log(death), -np.inf)
    log_pi = np.concatenate([np.zeros_like(lam), np.cumsum(log_step, axis=1)], axis=1)
    log_pi -= log_pi.max(axis=1, keepdims=True)
    pi = np.exp(log_pi)
    pi /= pi.sum(axis=1, keepdims=True)

    waiting = n >= n_srv
    j = np.maximum(n - n_srv, 0.0)  # contacts ahead of an arrival in state n
    reneging = theta > 0
    safe_theta = np.where(reneging, theta, 1.0)
    alpha = n_srv * mu / safe_theta
    p_served_j = np.where(reneging, alpha / (alpha + j + 1.0), 1.0)

    # Mean wait of a served arrival with j ahead: sum over its j + 1 phases.
    phase = np.where(waiting, 1.0 / (n_srv * mu + (j + 1.0) * theta), 0.0)
    mean_wait_j = np.cumsum(phase, axis=1)

    # P(wait <= t | served, j ahead) = 1 - CDF(j) of a negative-binomial (reneging) or
    # Poisson (Erlang C) count, i.e. 1 - I_x(alpha + 1, j + 1); the CDF is summed term by
    # term along the queue, which also avoids one incomplete-beta call per state.
    # Consecutive terms differ by c_j / j with c_j = (alpha + j)(1 - x) (negative binomial,
    # r = alpha + 1) or N mu t (Poisson): a running sum of logs stays exact as theta -> 0,
    # where gammaln(alpha + j) - gammaln(alpha) would cancel catastrophically.
    rate_t = n_srv * mu * thr
    with np.errstate(divide="ignore", invalid="ignore"):
        log_c = np.where(reneging, np.log(alpha + j) + np.log(-np.expm1(-theta * thr)),
                         np.log(rate_t))
        step = np.where(waiting & (j > 0), log_c - np.log(np.maximum(j, 1.0)), 0.0)
    log_first = -(n_srv * mu + theta) * thr
    log_term = log_first + np.cumsum(step, axis=1)
    cdf_j = np.cumsum(np.where(waiting, np.exp(log_term), 0.0), axis=1)
    within_j = np.clip(1.0 - cdf_j, 0.0, 1.0)

    pw = np.where(waiting, pi, 0.0)
    served_waited = (pw * p_served_j).sum(axis=1)
    p_wait = pw.sum(axis=1)
    p_abandon = np.clip(p_wait - served_waited, 0.0, 1.0)
    served_within = (1.0 - p_wait) + (pw * p_served_j * within_j).sum(axis=1)
    served = 1.0 - p_abandon
    wait_sum = (pw * p_served_j * mean_wait_j).sum(axis=1)
    mean_wait = np.divide(wait_sum, served, out=np.zeros_like(served), where=served > 0)
    mean_queue = (pi * j).sum(axis=1)
    stacked = np.stack([p_wait, p_abandon, served_waited, served_within, mean_wait, mean_queue])
    stacked[:4] = np.clip(stacked[:4], 0.0, 1.0)  # rounding can step just outside [0, 1]
    return stacked
