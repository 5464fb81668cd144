"""Staffing to a confidence level: whole agents so that a queue's day (or week) meets its
target with probability ``p``, given Poisson arrivals and the forecast's uncertainty.

Plain staffing assumes the forecast comes true and meets the target interval by interval
on average; with Poisson volumes and forecast error a day then misses its target far more
often than planners expect (issue 16: email plans met their target on 7-53 % of simulated
days). Here the staffing rule stays the queue's own (Erlang C/A per interval, the deferred
backlog plan, ... passed in as ``staff``: the simulation layer does not import the
staffing layer), applied to the forecast scaled by a load factor per period (day or
week); the factor of each period is found by bisection so that the share of simulated
replications in which the period meets its target reaches ``confidence``. The simulation
draws arrivals from the demand, including its forecast uncertainty (``Demand.rate_sd``
and the intraday terms), so both sources of variability are in the answer; common
random numbers make the share a step function of the factor that the bisection can
follow. Check the result with an independent seed (the
tests do): the sizing run's own estimate is optimistic by its noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from wfm.executors import Executor
from wfm.simulation.centre import (
    Demand,
    FloatArray,
    IntArray,
    SimOptions,
    SimQueue,
    SimulationError,
)
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre

Staff = Callable[[FloatArray], FloatArray]
"""Load factor per interval (intervals,) -> whole agents per interval (intervals,): the
queue's own staffing rule applied to the forecast times the factor."""


@dataclass(frozen=True)
class ConfidenceStaffing:
    """Whole agents per interval meeting the target with the asked probability per period.

    Attributes
    ----------
    agents : (intervals,) agents at the confidence level
    plain_agents : (intervals,) agents of the plain rule (factor 1)
    period : (intervals,) the period (day, week, ...) each interval is judged in
    factor : (periods,) load factor each period is staffed for
    p_met : (periods,) share of the sizing run's replications meeting each period's target
        (NaN: nothing judged there)
    p_met_plain : (periods,) the same with the plain agents
    agent_hours, plain_agent_hours : totals over the horizon [agent-hours]
    """

    agents: FloatArray
    plain_agents: FloatArray
    period: IntArray
    factor: FloatArray
    p_met: FloatArray
    p_met_plain: FloatArray
    agent_hours: float
    plain_agent_hours: float

    @property
    def extra_agent_hours(self) -> float:
        """What the confidence costs over the plain staffing [agent-hours]."""
        return self.agent_hours - self.plain_agent_hours


def p_target_met(queue: SimQueue, demand: Demand, agents: FloatArray, options: SimOptions,
                 period: IntArray | None = None, *,
                 executor: Executor | None = None) -> FloatArray:
    """Share of the simulated replications in which each period (default: each day) meets
    ``queue``'s target with ``agents[i]`` single-skill agents in interval ``i`` (NaN:
    nothing judged in the period).

    ``period[i]`` numbers the period of interval ``i`` (0, 1, ... non-decreasing), e.g.
    ``demand.day_index`` or ``demand.day_index // 7``. ``executor``: where the
    replications run (:func:`simulate_centre`; the result does not depend on it).
    """
    staffing = staffing_from_counts(np.asarray(agents, dtype=np.float64)[None, :],
                                    demand.interval_s)
    group = demand.day_index if period is None else period
    met = simulate_centre([queue], demand, staffing, options,
                          executor=executor).measures(group).met
    defined = ~np.isnan(met[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(defined.any(axis=0), np.where(defined, met[:, 0], 0.0).sum(
            axis=0) / defined.sum(axis=0), np.nan)
    return out


def staff_to_confidence(queue: SimQueue, demand: Demand, staff: Staff, confidence: float,
                        options: SimOptions, *, period: IntArray | None = None,
                        probe: float = 0.5, max_factor: float = 4.0, steps: int = 8,
                        labels: Sequence[str] | None = None,
                        executor: Executor | None = None) -> ConfidenceStaffing:
    """Whole agents per interval so each period (default: each day) meets ``queue``'s
    target with probability ``confidence`` (estimated over ``options.replications``
    simulated periods).

    Each period's load factor is searched at once for all periods (one simulation per
    step, common random numbers): the plain rule (factor 1) first, then ``1 + probe``
    where it falls short of the confidence (``max_factor`` where even that does) or
    ``1 - probe`` where it exceeds it (a period still above the confidence there keeps
    that factor), then ``steps`` bisections of the bracket found.

    Parameters
    ----------
    queue : the queue and its target (one queue: ``demand`` has one row)
    demand : its forecast, with ``rate_sd`` (and the intraday terms) for the forecast's
        uncertainty
    staff : the queue's staffing rule (see :data:`Staff`)
    confidence : probability in (0, 1) that a period meets its target
    options : replications (>= 50 for a useful estimate), seed, handle-time model
    period : (intervals,) period number of each interval (default ``demand.day_index``);
        deferred work whose target cannot be met day by day (a closed Sunday after a
        24-hour target) is judged by the week, ``demand.day_index // 7``
    probe, max_factor : the first step from the plain rule and the largest factor tried
    steps : bisections of the bracket (resolution ``probe / 2**steps``)
    labels : names of the periods for messages (default: "period 0", ...)
    executor : where each step's replications run (default: ``options.workers``
        threads here); every replication draws from its own seeded streams, so the
        agents found do not depend on it

    Raises
    ------
    SimulationError
        confidence outside (0, 1), several queues, or a period that no factor up to
        ``max_factor`` brings to the confidence level.
    """
    if not 0.0 < confidence < 1.0:
        raise SimulationError(f"confidence {confidence!r} is not valid; accepted: a "
                              "probability in (0, 1), e.g. 0.8")
    if demand.volume.shape[0] != 1:
        raise SimulationError("staff_to_confidence sizes one queue; give a one-row demand")
    if not 0.0 < probe < 1.0 or not 1.0 + probe <= max_factor:
        raise SimulationError(f"probe {probe!r} and max_factor {max_factor!r} are not valid; "
                              "accepted: 0 < probe < 1 and max_factor >= 1 + probe")
    group = demand.day_index if period is None else np.asarray(period, dtype=np.int64)
    if group.shape != demand.day_index.shape or (group.size and (
            group.min() < 0 or np.any(np.diff(group) < 0))):
        raise SimulationError("period needs one non-decreasing period number >= 0 per "
                              "interval")
    n_periods = int(group.max()) + 1 if group.size else 0
    seen: dict[bytes, FloatArray] = {}

    def agents_for(factor_by_period: FloatArray) -> FloatArray:
        return np.maximum(np.ceil(np.asarray(staff(factor_by_period[group]),
                                             dtype=np.float64) - 1e-9), 0.0)

    def p_met(agents: FloatArray) -> FloatArray:
        key = agents.tobytes()
        if key not in seen:  # the same agents meet the same contacts: simulate once
            seen[key] = p_target_met(queue, demand, agents, options, group,
                                     executor=executor)
        return seen[key]

    plain = agents_for(np.ones(n_periods))
    p_plain = p_met(plain)
    judged = ~np.isnan(p_plain)
    above = judged & (p_plain >= confidence)
    # Brackets [lo, hi] with p(lo) < confidence <= p(hi), found from the plain rule.
    lo = np.where(above, 1.0 - probe, 1.0)
    hi = np.where(above, 1.0, 1.0 + probe)
    p_probe = p_met(agents_for(np.where(above, lo, hi)))
    floor = above & (p_probe >= confidence)      # meets it even at 1 - probe: keep that
    hi = np.where(floor, lo, hi)
    short = judged & ~above & (p_probe < confidence)   # misses it even at 1 + probe
    if short.any():
        p_max = p_met(agents_for(np.where(short, max_factor, 1.0)))
        beyond = short & (p_max < confidence)
        if beyond.any():
            d = int(np.flatnonzero(beyond)[0])
            where = labels[d] if labels is not None and d < len(labels) else f"period {d}"
            raise SimulationError(
                f"queue {queue.name!r}, {where}: even {max_factor:g} x the forecast "
                f"meets the target on only {p_max[d]:.0%} of the simulated periods "
                f"(confidence {confidence:.0%})",
                hint="check the target, or raise max_factor")
        lo = np.where(short, 1.0 + probe, lo)
        hi = np.where(short, max_factor, hi)
    search = judged & ~floor
    for _ in range(steps):
        mid = np.where(search, (lo + hi) / 2.0, np.where(judged, hi, 1.0))
        p = p_met(agents_for(mid))
        ok = search & (p >= confidence)
        hi = np.where(ok, mid, hi)
        lo = np.where(search & ~ok, mid, lo)
    factor = np.where(judged, hi, 1.0)
    agents = agents_for(factor)
    hours = demand.interval_s / 3600.0
    return ConfidenceStaffing(agents, plain, group, factor, p_met(agents), p_plain,
                              float(agents.sum() * hours), float(plain.sum() * hours))
