"""Service measures from the simulated counts, with 95 % confidence intervals.

Each replication is one independent realisation of the horizon. A measure over a period
(an interval, a day, the week) is computed per replication from the period's summed counts
(e.g. service level = answered within the threshold / offered in that replication and
period), then averaged over the replications that define it (a replication with no
contact in the period has no service level there) with a Student-t interval
``mean +- t(0.975, n - 1) sd / sqrt(n)``. The probability that a period meets its target
is the share of replications in which it does, with a Wilson score interval.

Comparisons of two rosters pair the replications (both met the same contacts: common
random numbers) and give the interval of the mean paired difference, which is far
tighter than the difference of two independent intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from wfm.simulation.centre import FloatArray, IntArray, SimQueue, SimulationError

COUNT_NAMES: tuple[str, ...] = ("offered", "answered", "within_sl", "abandoned", "wait_s",
                                "judged", "on_time", "busy_s", "present_s", "backlog")
"""Counts kept per replication, queue and interval (``backlog``: open deferred items at
the interval's end; ``busy_s``/``present_s``: agent-seconds busy / logged in of the agents
holding the queue's skill)."""
MEASURE_NAMES: tuple[str, ...] = ("service_level", "asa_s", "abandon_rate", "occupancy",
                                  "backlog", "share_within_target")
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Measures:
    """Per replication, queue and period (R, Q, P): each measure, NaN where undefined;
    ``met`` 1/0 where the queue has a target and the period had contacts, else NaN."""

    offered: FloatArray
    values: dict[str, FloatArray]
    met: FloatArray


def t_interval(samples: npt.ArrayLike, axis: int = 0) -> tuple[FloatArray, FloatArray,
                                                                  FloatArray]:
    """Mean and 95 % Student-t interval (lo, hi) along ``axis``, ignoring NaN.

    Examples
    --------
    >>> m, lo, hi = t_interval([1.0, 2.0, 3.0])
    >>> float(m), round(float(hi - m), 4)
    (2.0, 2.4841)
    """
    x = np.asarray(samples, dtype=np.float64)
    ok = ~np.isnan(x)
    n = ok.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(x, axis=axis) / np.maximum(n, 1), np.nan)
        dev = np.where(ok, x - np.expand_dims(mean, axis), 0.0)
        sd = np.sqrt((dev ** 2).sum(axis=axis) / np.maximum(n - 1, 1))
        half = np.where(n > 1, special.stdtrit(np.maximum(n - 1, 1), 0.975) * sd
                        / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half


def wilson_interval(hits: npt.ArrayLike, n: npt.ArrayLike) -> tuple[FloatArray, FloatArray,
                                                                     FloatArray]:
    """Share ``hits / n`` and its 95 % Wilson score interval (NaN where n = 0).

    Examples
    --------
    >>> p, lo, hi = wilson_interval(24, 30)
    >>> round(float(p), 3), round(float(lo), 3), round(float(hi), 3)
    (0.8, 0.627, 0.905)
    """
    k, m = (np.asarray(v, dtype=np.float64) for v in (hits, n))
    z2 = Z_95 ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(m > 0, k / m, np.nan)
        centre = (p + z2 / (2 * m)) / (1 + z2 / m)
        half = Z_95 * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m)) / (1 + z2 / m)
    return p, centre - half, centre + half


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


@dataclass(frozen=True)
class SimulationResult:
    """What R replications of the centre did, per replication, queue and interval.

    Attributes
    ----------
    queues : the simulated queues (targets and definitions)
    interval_s : interval length [s]
    day_index : (intervals,) local day of each interval
    counts : (len(COUNT_NAMES), R, Q, I) summed counts, see :data:`COUNT_NAMES`
    events : events processed (arrivals, ends, roster changes, ...), all replications
    agent_hours : hours agents were logged in to take contacts in the roster
    """

    queues: tuple[SimQueue, ...]
    interval_s: float
    day_index: IntArray
    counts: FloatArray
    events: int = 0
    agent_hours: float = 0.0

    @property
    def replications(self) -> int:
        return int(self.counts.shape[1])

    def count(self, name: str) -> FloatArray:
        """Counts ``name`` (R, Q, I)."""
        out: FloatArray = self.counts[COUNT_NAMES.index(name)]
        return out

    def measures(self, period: npt.ArrayLike) -> Measures:
        """Measures per replication, queue and period; ``period[i]`` is interval i's
        period number (0..P-1, non-decreasing), e.g. ``day_index`` or ``arange(I)``."""
        group = np.asarray(period, dtype=np.int64)
        n_p = int(group.max()) + 1 if group.size else 0
        starts = np.flatnonzero(np.r_[True, np.diff(group) != 0])
        if not (group.size == self.counts.shape[-1] and np.all(np.diff(group) >= 0)
                and starts.size == n_p):
            raise SimulationError("periods must number the intervals 0, 1, ... in order")
        last = np.r_[starts[1:], group.size] - 1
        s = {name: np.add.reduceat(self.count(name), starts, axis=-1) for name in COUNT_NAMES
             if name != "backlog"}
        backlog = self.count("backlog")[..., last]
        values: dict[str, FloatArray] = {}
        hot = np.array([not q.deferred for q in self.queues])[None, :, None]
        by_answered = np.array([q.sl_definition == "answered"
                                for q in self.queues])[None, :, None]
        sl = _ratio(s["within_sl"], np.where(by_answered, s["answered"], s["offered"]))
        values["service_level"] = np.where(hot, sl, np.nan)
        values["asa_s"] = np.where(hot, _ratio(s["wait_s"], s["answered"]), np.nan)
        values["abandon_rate"] = np.where(hot, _ratio(s["abandoned"], s["offered"]), np.nan)
        values["occupancy"] = np.minimum(_ratio(s["busy_s"], s["present_s"]), 1.0)
        values["backlog"] = np.where(hot, np.nan, backlog)
        values["share_within_target"] = np.where(hot, np.nan, _ratio(s["on_time"],
                                                                    s["judged"]))
        met = np.full(sl.shape, np.nan)
        for k, q in enumerate(self.queues):
            met[:, k] = meets_target(q, {m: v[:, k] for m, v in values.items()},
                                     s["offered"][:, k], s["judged"][:, k])
        return Measures(s["offered"], values, met)

    def table(self, period: npt.ArrayLike, label: str = "period") -> pd.DataFrame:
        """One row per queue and period: mean offered, each measure with ``_lo``/``_hi``
        (95 %), the target and ``p_target_met`` with its Wilson interval."""
        m = self.measures(period)
        n_q, n_p = m.offered.shape[1:]
        cols: dict[str, object] = {
            "queue": np.repeat([q.name for q in self.queues], n_p),
            label: np.tile(np.arange(n_p), n_q),
            "offered": t_interval(m.offered)[0].ravel(),
        }
        for name in MEASURE_NAMES:
            mean, lo, hi = t_interval(m.values[name])
            # The t-interval of a skewed measure near its bound can cross it (an ASA of
            # 0.04 s with a -0.02 s lower end): clip to the measure's range.
            top = np.inf if name in ("asa_s", "backlog") else 1.0
            cols[name], cols[f"{name}_lo"], cols[f"{name}_hi"] = mean.ravel(), \
                np.clip(lo, 0.0, top).ravel(), np.clip(hi, 0.0, top).ravel()
        cols["target"] = np.repeat([_target(q) for q in self.queues], n_p)
        defined = ~np.isnan(m.met)
        p, lo, hi = wilson_interval(np.where(defined, m.met, 0.0).sum(axis=0),
                                    defined.sum(axis=0))
        cols["p_target_met"], cols["p_target_met_lo"], cols["p_target_met_hi"] = \
            p.ravel(), lo.ravel(), hi.ravel()
        return pd.DataFrame(cols)

    def interval_table(self) -> pd.DataFrame:
        """Per queue and interval (column ``interval``)."""
        return self.table(np.arange(self.counts.shape[-1]), "interval")

    def day_table(self) -> pd.DataFrame:
        """Per queue and day (column ``day``)."""
        return self.table(self.day_index, "day")

    def total_table(self) -> pd.DataFrame:
        """Per queue over the whole horizon."""
        return self.table(np.zeros(self.counts.shape[-1], np.int64), "period").drop(
            columns="period")


def meets_target(q: SimQueue, v: dict[str, FloatArray], offered: FloatArray,
                 judged: FloatArray) -> FloatArray:
    """1 where the measures ``v`` meet the queue's targets, 0 where not, NaN where the queue
    has no target or the period no contact (deferred: no judged item)."""
    if q.deferred:
        ok = v["share_within_target"] >= float(q.response_target or 0.0) - 1e-12
        out: FloatArray = np.where(judged > 0, ok.astype(np.float64), np.nan)
        return out
    checks = []
    if q.sl_target is not None:
        checks.append(v["service_level"] >= q.sl_target - 1e-12)
    if q.max_asa_s is not None:
        checks.append(v["asa_s"] <= q.max_asa_s + 1e-9)
    if q.max_abandon_rate is not None:
        checks.append(v["abandon_rate"] <= q.max_abandon_rate + 1e-12)
    if not checks:
        return np.full(offered.shape, np.nan)
    ok = np.logical_and.reduce(checks)
    return np.asarray(np.where(offered > 0, ok.astype(np.float64), np.nan), dtype=np.float64)


def _target(q: SimQueue) -> str:
    if q.deferred:
        hours = (q.response_time_s or 0.0) / 3600.0
        return f"{q.response_target or 0:.0%} within {hours:g} h ({q.response_clock})"
    parts = []
    if q.sl_target is not None:
        parts.append(f"{q.sl_target:.0%} within {q.sl_threshold_s:g} s")
    if q.max_asa_s is not None:
        parts.append(f"ASA <= {q.max_asa_s:g} s")
    if q.max_abandon_rate is not None:
        parts.append(f"abandon <= {q.max_abandon_rate:.0%}")
    return ", ".join(parts)


def compare_results(a: SimulationResult, b: SimulationResult, period: npt.ArrayLike,
                    label: str = "period") -> pd.DataFrame:
    """Paired difference ``a - b`` of every measure (and of ``p_target_met``) per queue
    and period, with its 95 % interval. Both runs need the same queues, intervals, seed
    and replications (common random numbers); otherwise the pairing means nothing."""
    if a.counts.shape != b.counts.shape or [q.name for q in a.queues] != \
            [q.name for q in b.queues]:
        raise SimulationError("the two simulations differ in queues, intervals or "
                              "replications; compare runs of the same demand and options")
    ma, mb = a.measures(period), b.measures(period)
    n_q, n_p = ma.offered.shape[1:]
    cols: dict[str, object] = {"queue": np.repeat([q.name for q in a.queues], n_p),
                               label: np.tile(np.arange(n_p), n_q)}
    for name in (*MEASURE_NAMES, "p_target_met"):
        da = ma.met if name == "p_target_met" else ma.values[name]
        db = mb.met if name == "p_target_met" else mb.values[name]
        mean, lo, hi = t_interval(da - db)
        cols[f"{name}_diff"], cols[f"{name}_diff_lo"], cols[f"{name}_diff_hi"] = \
            mean.ravel(), lo.ravel(), hi.ravel()
    return pd.DataFrame(cols)


def periods_of(values: Sequence[int]) -> IntArray:
    """``[0, 0, 1, 1, ...]`` period numbers from any non-decreasing labels."""
    arr = np.asarray(values)
    out: IntArray = np.r_[0, np.cumsum(arr[1:] != arr[:-1])].astype(np.int64)
    return out
