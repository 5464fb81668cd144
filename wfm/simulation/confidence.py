"""Staffing to a confidence level: whole agents so that a queue's day meets its target
with probability ``p``, given Poisson arrivals and the forecast's uncertainty.

Plain staffing assumes the forecast comes true and meets the target interval by interval
on average; with Poisson volumes and forecast error a day then misses its target far more
often than planners expect (issue 16: email plans met their target on 7-53 % of simulated
days). Here the staffing rule stays the queue's own (Erlang C/A per interval, the deferred
backlog plan, ... passed in as ``staff``: the simulation layer does not import the
staffing layer), applied to the forecast scaled by a load factor per day; the factor of
each day is found by bisection so that the share of simulated replications in which the
day meets its target reaches ``confidence``. The simulation draws arrivals from the
demand, including its forecast uncertainty (``Demand.rate_sd``), so both sources of
variability are in the answer; common random numbers make the share a step function of
the factor that the bisection can follow. Check the result with an independent seed (the
tests do): the sizing run's own estimate is optimistic by its noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wfm.simulation.centre import Demand, FloatArray, SimOptions, SimQueue, SimulationError
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre

Staff = Callable[[FloatArray], FloatArray]
"""Load factor per interval (intervals,) -> whole agents per interval (intervals,): the
queue's own staffing rule applied to the forecast times the factor."""


@dataclass(frozen=True)
class ConfidenceStaffing:
    """Whole agents per interval meeting the target with the asked probability per day.

    Attributes
    ----------
    agents : (intervals,) agents at the confidence level
    plain_agents : (intervals,) agents of the plain rule (factor 1)
    factor : (days,) load factor each day is staffed for
    p_met : (days,) share of the sizing run's replications meeting each day's target
    p_met_plain : (days,) the same with the plain agents
    agent_hours, plain_agent_hours : totals over the horizon [agent-hours]
    """

    agents: FloatArray
    plain_agents: FloatArray
    factor: FloatArray
    p_met: FloatArray
    p_met_plain: FloatArray
    agent_hours: float
    plain_agent_hours: float

    @property
    def extra_agent_hours(self) -> float:
        """What the confidence costs over the plain staffing [agent-hours]."""
        return self.agent_hours - self.plain_agent_hours


def _p_met(queue: SimQueue, demand: Demand, agents: FloatArray,
           options: SimOptions) -> FloatArray:
    """Share of replications in which each day meets the target (NaN: nothing judged)."""
    staffing = staffing_from_counts(agents[None, :], demand.interval_s)
    met = simulate_centre([queue], demand, staffing, options).measures(demand.day_index).met
    defined = ~np.isnan(met[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(defined.any(axis=0), np.where(defined, met[:, 0], 0.0).sum(
            axis=0) / defined.sum(axis=0), np.nan)
    return out


def staff_to_confidence(queue: SimQueue, demand: Demand, staff: Staff, confidence: float,
                        options: SimOptions, *, max_factor: float = 4.0,
                        steps: int = 10) -> ConfidenceStaffing:
    """Whole agents per interval so each day meets ``queue``'s target with probability
    ``confidence`` (estimated over ``options.replications`` simulated days).

    Parameters
    ----------
    queue : the queue and its target (one queue: ``demand`` has one row)
    demand : its forecast, with ``rate_sd`` for the forecast's uncertainty
    staff : the queue's staffing rule (see :data:`Staff`)
    confidence : probability in (0, 1) that a day meets its target
    options : replications (>= 50 for a useful estimate), seed, handle-time model
    max_factor : largest load factor tried; a day that misses even there is an error
    steps : bisection steps on the factor (resolution ``max_factor / 2**steps``)

    Raises
    ------
    SimulationError
        confidence outside (0, 1), several queues, or a day that no factor up to
        ``max_factor`` brings to the confidence level.
    """
    if not 0.0 < confidence < 1.0:
        raise SimulationError(f"confidence {confidence!r} is not valid; accepted: a "
                              "probability in (0, 1), e.g. 0.8")
    if demand.volume.shape[0] != 1:
        raise SimulationError("staff_to_confidence sizes one queue; give a one-row demand")
    n_days = demand.n_days
    day = demand.day_index

    def agents_for(factor_by_day: FloatArray) -> FloatArray:
        return np.maximum(np.ceil(np.asarray(staff(factor_by_day[day]), dtype=np.float64)
                                  - 1e-9), 0.0)

    plain = agents_for(np.ones(n_days))
    p_plain = _p_met(queue, demand, plain, options)
    judged = ~np.isnan(p_plain)
    lo = np.zeros(n_days)
    hi = np.full(n_days, max_factor)
    p_hi = _p_met(queue, demand, agents_for(hi), options)
    short = judged & (p_hi < confidence)
    if short.any():
        d = int(np.flatnonzero(short)[0])
        raise SimulationError(
            f"queue {queue.name!r}, day {d}: even {max_factor:g} x the forecast meets the "
            f"target on only {p_hi[d]:.0%} of the simulated days (confidence "
            f"{confidence:.0%})", hint="check the target, or raise max_factor")
    for _ in range(steps):
        mid = np.where(judged, (lo + hi) / 2.0, 1.0)
        p = _p_met(queue, demand, agents_for(mid), options)
        ok = judged & (p >= confidence)
        hi = np.where(ok, mid, hi)
        lo = np.where(judged & ~ok, mid, lo)
    factor = np.where(judged, hi, 1.0)
    agents = agents_for(factor)
    hours = demand.interval_s / 3600.0
    return ConfidenceStaffing(agents, plain, factor, _p_met(queue, demand, agents, options),
                              p_plain, float(agents.sum() * hours),
                              float(plain.sum() * hours))
