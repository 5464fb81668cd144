"""The contacts of one replication: arrival times, handle times and patience.

Contacts never depend on the roster, so they are drawn before any routing: two rosters
simulated with the same demand, options and replication number meet exactly the same
contacts (common random numbers). Each random component has its own stream derived from
``(seed, replication)``, so changing e.g. the handle-time model leaves the arrivals
untouched.

Arrivals are a non-homogeneous Poisson process with a constant rate inside each interval
(``mode="poisson"``: a Poisson count, then uniform times), or replayed counts at uniform
times (``mode="replay"``). With a forecast uncertainty (``rate_sd``) the rate itself is
random (a doubly stochastic, Cox process): ``rate = mean * exp(sigma Z - sigma^2 / 2)``
with ``sigma^2 = log(1 + rate_sd^2 / mean^2)`` (lognormal, mean preserved) and one
standard normal ``Z`` per queue and day (the forecast's error moves a whole day; the
default) or per interval; optionally times a lognormal deviation within the day that
follows a stationary AR(1) over the intervals (``Demand.intraday_cv2`` and
``intraday_corr``, the forecast's dispersion facts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal, special

from wfm.simulation.centre import (
    Demand,
    FloatArray,
    IntArray,
    SimOptions,
    SimQueue,
    SimulationError,
)


@dataclass(frozen=True)
class Contacts:
    """One replication's contacts, sorted by arrival time.

    Attributes
    ----------
    arrival_s, hold_s, deadline_s : arrival time, handle time and arrival + patience
        (inf: never abandons) [s]
    queue, interval : queue index and arrival interval of each contact
    members, offsets : contact indices of queue q in arrival order are
        ``members[offsets[q]:offsets[q + 1]]``
    """

    arrival_s: FloatArray
    hold_s: FloatArray
    deadline_s: FloatArray
    queue: IntArray
    interval: IntArray
    members: IntArray
    offsets: IntArray

    @property
    def size(self) -> int:
        return int(self.arrival_s.size)


def rate_sd_from_interval(mean: npt.ArrayLike, lo: npt.ArrayLike, hi: npt.ArrayLike,
                          level: float) -> FloatArray:
    """Standard deviation of the arrival *rate* implied by a forecast's prediction interval.

    A forecast's interval ``[lo, hi]`` at ``level`` (e.g. 0.8 for ``offered_lo_80`` /
    ``offered_hi_80``) describes the count, whose variance is the rate's variance plus the
    Poisson variance ``mean``. With a normal reading of the interval, the count's standard
    deviation is ``(hi - lo) / (2 z)``, ``z`` the ``(1 + level) / 2`` normal quantile, and
    the rate's is ``sqrt(max(sd_count^2 - mean, 0))``: an interval no wider than Poisson
    noise adds no uncertainty.

    Examples
    --------
    >>> float(rate_sd_from_interval(100.0, 100 - 1.2816 * 20, 100 + 1.2816 * 20, 0.8)[()])
    ... # doctest: +ELLIPSIS
    17.32...
    """
    if not 0.0 < level < 1.0:
        raise SimulationError(f"prediction-interval level {level!r} is not valid; accepted: "
                              "a fraction in (0, 1), e.g. 0.8")
    m, low, high = (np.asarray(v, dtype=np.float64) for v in np.broadcast_arrays(mean, lo, hi))
    if np.any(high < low):
        raise SimulationError("a prediction interval has its upper bound below its lower "
                              "bound; accepted: lo <= hi")
    z = float(special.ndtri((1.0 + level) / 2.0))
    sd_count = (high - low) / (2.0 * z)
    out: FloatArray = np.sqrt(np.maximum(sd_count ** 2 - np.maximum(m, 0.0), 0.0))
    return out


def _streams(seed: int, replication: int) -> list[np.random.Generator]:
    seq = np.random.SeedSequence([seed, replication])
    return [np.random.default_rng(s) for s in seq.spawn(5)]


def expected_counts(demand: Demand, rng: np.random.Generator) -> FloatArray:
    """The replication's expected contacts per queue and interval (random with rate_sd
    and the intraday terms)."""
    mean = demand.volume
    z_day = rng.standard_normal((mean.shape[0], max(demand.n_days, 1)))
    z_int = rng.standard_normal(mean.shape)
    out: FloatArray = mean
    if demand.rate_sd is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            var_log = np.where(mean > 0, np.log1p((demand.rate_sd / mean) ** 2), 0.0)
        sigma = np.sqrt(var_log)
        z = z_day[:, demand.day_index] if demand.uncertainty_scope == "day" else z_int
        out = mean * np.exp(sigma * z - var_log / 2.0)
    if demand.intraday_cv2 is not None and demand.intraday_corr is not None:
        # Drawn after the other terms, so adding it leaves their draws unchanged.
        eta = _ar1(rng.standard_normal(mean.shape), demand.intraday_corr)
        var_log_i = np.log1p(demand.intraday_cv2)[:, None]
        out = out * np.exp(np.sqrt(var_log_i) * eta - var_log_i / 2.0)
    return out


def _ar1(z: FloatArray, corr: FloatArray) -> FloatArray:
    """Stationary AR(1) paths with unit variance along axis 1, one correlation per row:
    ``eta_0 = z_0``, ``eta_t = corr eta_(t-1) + sqrt(1 - corr^2) z_t``."""
    out = np.empty_like(z)
    for k, rho in enumerate(np.asarray(corr, dtype=np.float64)):
        if z.shape[1] == 0:
            break
        out[k, 0] = z[k, 0]
        out[k, 1:] = signal.lfilter([np.sqrt(1.0 - rho * rho)], [1.0, -rho], z[k, 1:],
                                    zi=[rho * z[k, 0]])[0]
    return out


def draw_contacts(queues: Sequence[SimQueue], demand: Demand, options: SimOptions,
                  replication: int) -> Contacts:
    """The contacts of replication ``replication`` (a pure function of its arguments)."""
    g_rate, g_count, g_time, g_hold, g_patience = _streams(options.seed, replication)
    n_q, n_i = demand.volume.shape
    if demand.mode == "replay":
        counts = demand.volume.astype(np.int64)
    else:
        counts = g_count.poisson(expected_counts(demand, g_rate)).astype(np.int64)
    if demand.initial_backlog is not None:
        counts = counts.copy()
        counts[:, 0] += np.round(demand.initial_backlog).astype(np.int64)
    cells = np.repeat(np.arange(n_q * n_i, dtype=np.int64), counts.ravel())
    queue = cells // n_i
    interval = cells % n_i
    n = cells.size
    arrival = (interval + g_time.random(n)) * demand.interval_s
    if demand.initial_backlog is not None:
        # Items open at the start are there at t = 0: the first of each cell of interval 0.
        first = np.concatenate(([0], np.cumsum(counts.ravel())))[np.arange(n_q) * n_i]
        for q in range(n_q):
            k = round(float(demand.initial_backlog[q]))
            arrival[first[q]:first[q] + k] = 0.0
    aht = demand.aht_s[queue, interval]
    if options.handle_time == "exponential":
        hold = aht * g_hold.standard_exponential(n)
    elif options.handle_time == "lognormal":
        s2 = np.log1p(options.handle_cv ** 2)
        hold = aht * np.exp(np.sqrt(s2) * g_hold.standard_normal(n) - s2 / 2.0)
    else:
        hold = aht.astype(np.float64, copy=True)
    patience = np.array([np.inf if q.patience_s is None else q.patience_s for q in queues])
    deadline = arrival + g_patience.standard_exponential(n) * patience[queue]
    order = np.argsort(arrival, kind="stable")
    arrival, hold, deadline = arrival[order], hold[order], deadline[order]
    queue, interval = queue[order], interval[order]
    members = np.argsort(queue, kind="stable").astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(queue, minlength=n_q)))).astype(
        np.int64)
    return Contacts(arrival, hold, deadline, queue, interval, members, offsets)
