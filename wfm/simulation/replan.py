"""Closing the multi-skill loop: simulate the roster, raise the requirement where the
simulated service falls short, schedule again.

Requirements are computed per queue with one skill in mind; a roster of multi-skill
agents routed by priority can still miss a queue's target. :func:`replan` takes the
scheduler as a callable (``schedule(required) -> Staffing``: the simulation layer does
not import the scheduling layer), simulates each roster it returns and, for every
queue-day that misses its target (the probability of meeting it below
``min_probability``), raises the requirement in that day's intervals that miss the
target (all of the day's staffed intervals when none does on its own, e.g. deferred
work) by ``step_fraction`` of it (at least one agent), until every queue-day meets its
target or ``max_rounds`` re-plans were made. Each round is kept: its requirement and
roster agent-hours and the simulated service per queue and day, before and after. The
raise starts from what the roster already planned on the queue when that is more than
the requirement (see :func:`raise_requirement`).

A deferred queue's day that no staffing can bring to its target — items arriving with
no opening hour before their deadline, e.g. a Saturday evening before a closed Sunday
with a 24-hour calendar target — is not raised (raising it buys nothing) and is reported
as unreachable; a round that cannot be scheduled (an error of a type in ``stop_on``)
ends the loop with the rounds made so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.executors import Executor
from wfm.simulation.centre import (
    BoolArray,
    Demand,
    FloatArray,
    SimOptions,
    SimQueue,
    SimulationError,
    Staffing,
)
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import SimulationResult, meets_target

Schedule = Callable[[FloatArray], Staffing]
"""Requirement (queues, intervals) [agents] -> the roster made for it."""
Explain = Callable[[int, int, BoolArray], str]
"""(queue, day, the last round's short queue-days) -> what the roster could still give."""


@dataclass(frozen=True)
class ReplanRound:
    """One roster of the loop (round 0: the roster for the original requirement).

    Attributes
    ----------
    number : 0, 1, ...
    required_agent_hours : the requirement it was made for [agent-hours]
    agent_hours : hours its agents are logged in to take contacts [agent-hours]
    days : the simulated service per queue and day (``SimulationResult.day_table``)
    missing : (queues, days) True where the day misses its target
    """

    number: int
    required_agent_hours: float
    agent_hours: float
    days: pd.DataFrame
    missing: BoolArray


@dataclass(frozen=True)
class ReplanResult:
    """Every round, the last requirement, roster and simulation, and for each queue-day
    still missing its target the reason. ``unreachable`` (queues, days): the queue-days
    no staffing can bring to their target; ``failure``: why the loop stopped early (a
    round that could not be scheduled), else ""."""

    rounds: tuple[ReplanRound, ...]
    required: FloatArray
    staffing: Staffing
    result: SimulationResult
    unmet: tuple[str, ...]
    unreachable: BoolArray | None = None
    failure: str = ""

    @property
    def met(self) -> bool:
        return not self.unmet


def missing_days(result: SimulationResult, min_probability: float) -> BoolArray:
    """(queues, days) True where the share of replications meeting the day's target is
    below ``min_probability`` (queue-days without a target or contacts never miss)."""
    met = result.measures(result.day_index).met
    defined = ~np.isnan(met)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(defined.any(axis=0),
                         np.where(defined, met, 0.0).sum(axis=0) / defined.sum(axis=0), 1.0)
    out: BoolArray = share < min_probability - 1e-12
    return out


def reachable_share(queue: SimQueue, demand: Demand, k: int = 0) -> FloatArray:
    """Per day, the largest share of the judged items of deferred queue ``queue`` (row
    ``k`` of ``demand``) that any staffing could answer within the response time.

    An item arriving at ``t`` can be on time only if the queue opens somewhere in
    ``[t, t + response_time]`` (calendar clock; arrivals uniform in their interval); it
    is judged when its deadline falls inside the horizon. On the working clock every
    judged item has open time before its deadline, so the share is 1. NaN: no judged
    item that day.
    """
    n, step = demand.n_intervals, demand.interval_s
    volume = demand.volume[k]
    limit = float(queue.response_time_s or 0.0)
    start = np.arange(n) * step
    last = demand.horizon_s - limit          # latest judged arrival
    judged = np.clip((np.minimum(start + step, last) - start) / step, 0.0, 1.0)
    if queue.open_mask is None or queue.response_clock == "working":
        reach = judged
    else:
        opened = np.asarray(queue.open_mask, dtype=bool)
        # Start of the first open interval at or after each interval (inf: none).
        nxt = np.full(n + 1, np.inf)
        for i in range(n - 1, -1, -1):
            nxt[i] = start[i] if opened[i] else nxt[i + 1]
        earliest = np.where(opened, start, np.maximum(start, nxt[:n] - limit))
        reach = np.clip((np.minimum(start + step, last) - earliest) / step, 0.0, 1.0)
    days = demand.day_index
    den = np.bincount(days, volume * judged, minlength=demand.n_days)
    num = np.bincount(days, volume * reach, minlength=demand.n_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


def unreachable_days(queues: Sequence[SimQueue], demand: Demand) -> BoolArray:
    """(queues, days) True where a deferred queue's day cannot reach its target share
    under any staffing (see :func:`reachable_share`)."""
    out = np.zeros((len(queues), demand.n_days), dtype=bool)
    for k, q in enumerate(queues):
        if q.deferred and q.response_target is not None:
            best = reachable_share(q, demand, k)
            out[k] = np.nan_to_num(best, nan=1.0) < q.response_target - 1e-9
    return out


def _mean_over_replications(values: FloatArray) -> FloatArray:
    """Mean over axis 0 ignoring NaN (NaN where no replication defines it)."""
    ok = ~np.isnan(values)
    n = ok.sum(axis=0)
    out: FloatArray = np.where(n > 0, np.where(ok, values, 0.0).sum(axis=0) / np.maximum(n, 1),
                               np.nan)
    return out


def raise_requirement(required: FloatArray, result: SimulationResult, missing: BoolArray, *,
                      step_fraction: float, planned: FloatArray | None = None) -> FloatArray:
    """The requirement raised in the intervals of each missing queue-day that miss the
    target on average (all staffed intervals of the day if none does).

    The raise starts from the larger of the requirement and the agents the roster already
    planned on the queue there (``planned``, (queues, intervals)): a roster that covers
    more than the requirement (contract minimum hours, whole shifts) and still falls
    short in the simulation would otherwise be asked for less than it already gives, and
    the next round would change nothing.
    """
    per_interval = result.measures(np.arange(required.shape[1]))
    out = required.copy()
    for k, q in enumerate(result.queues):
        values = {m: _mean_over_replications(v[:, k]) for m, v in per_interval.values.items()}
        offered = per_interval.offered[:, k].mean(axis=0)
        ok = meets_target(q, values, offered, offered)
        for d in np.flatnonzero(missing[k]):
            day = result.day_index == d
            short = day & (ok == 0)
            if not short.any():
                short = day & ((required[k] > 0) | (offered > 0))
            base = required[k, short] if planned is None else np.maximum(
                required[k, short], planned[k, short])
            out[k, short] = base + np.maximum(1.0, np.ceil(step_fraction * base))
    return out


def planned_agents(staffing: Staffing, demand: Demand, n_queues: int) -> FloatArray:
    """(queues, intervals) agents the roster planned on each queue, averaged over the
    interval's slots (its planned queue per slot; zeros without one)."""
    out = np.zeros((n_queues, demand.n_intervals))
    if staffing.planned_queue is None:
        return out
    slots = min(staffing.on_shift.shape[1],
                int(np.ceil(demand.horizon_s / staffing.slot_s - 1e-9)))
    interval = np.minimum((np.arange(slots) * staffing.slot_s // demand.interval_s).astype(
        np.int64), demand.n_intervals - 1)
    planned = np.where(staffing.on_shift[:, :slots], staffing.planned_queue[:, :slots], -1)
    for k in range(n_queues):
        np.add.at(out[k], interval, (planned == k).sum(axis=0) * staffing.slot_s)
    out /= demand.interval_s
    return out


def _planned_hours(staffing: Staffing, demand: Demand, n_queues: int) -> FloatArray:
    """Agent-hours the roster plans per queue and day (its planned queue per slot)."""
    per = planned_agents(staffing, demand, n_queues) * demand.interval_s / 3600.0
    out: FloatArray = np.stack([np.bincount(demand.day_index, per[k],
                                            minlength=demand.n_days)
                                for k in range(n_queues)]) if n_queues else np.zeros(
        (0, demand.n_days))
    return out


def _describe(r: ReplanRound, result: SimulationResult, unreachable: BoolArray) -> str:
    week = result.total_table()
    parts = []
    for k, q in enumerate(result.queues):
        row = week.iloc[k]
        value = row["share_within_target"] if q.deferred else row["service_level"]
        lost = int((r.missing[k] & unreachable[k]).sum())
        note = f", {lost} unreachable" if lost else ""
        parts.append(f"{q.name} {value:.3f} ({int(r.missing[k].sum())} day(s) short{note})")
    return (f"round {r.number}: requirement {r.required_agent_hours:,.1f} agent-h, roster "
            f"{r.agent_hours:,.1f} agent-h logged in; simulated " + ", ".join(parts))


def replan(required: FloatArray, schedule: Schedule, queues: Sequence[SimQueue],
           demand: Demand, options: SimOptions, *, max_rounds: int = 3,
           min_probability: float = 0.5, step_fraction: float = 0.05,
           day_labels: Sequence[str] | None = None,
           progress: Callable[[str], None] | None = None,
           stop_on: tuple[type[BaseException], ...] = (),
           executor: Executor | None = None,
           explain: Explain | None = None) -> ReplanResult:
    """Schedule, simulate, raise where short, re-plan: at most ``max_rounds`` re-plans.

    Parameters
    ----------
    required : (queues, intervals) agents required, on the demand's intervals
    schedule : makes the roster for a requirement (e.g. wfm.scheduling's schedule_week
        and :func:`wfm.simulation.inputs.staffing_from_intervals` composed by the caller)
    queues, demand, options : what the simulation of each roster uses (same seed every
        round: common random numbers, so rounds differ by their rosters only)
    min_probability : a queue-day meets its target when at least this share of the
        replications does (0.5: the median day)
    step_fraction : raise of a short interval's requirement per round (at least 1 agent)
    day_labels : names of the days for the reasons (default: day numbers)
    progress : called with one line per round (service and agent-hours)
    stop_on : errors of ``schedule`` in a re-plan round that end the loop (the rounds
        so far are kept; the error is the result's ``failure``); round 0's propagate
    executor : where each round's replications run (default: ``options.workers``
        threads here; the figures do not depend on it)
    explain : for a queue-day still short after re-plans, what the last roster's agents
        with the skill could still give (``explain(queue, day, missing)``, ``missing``
        the last round's short queue-days); its text follows the reason
    """
    if required.shape != demand.volume.shape:
        raise SimulationError(f"requirement has shape {required.shape}; accepted: (queues, "
                              f"intervals) = {demand.volume.shape}")
    if max_rounds < 0 or not 0.0 < min_probability <= 1.0 or not step_fraction > 0:
        raise SimulationError("max_rounds must be >= 0, min_probability in (0, 1] and "
                              "step_fraction > 0")
    hours_per_interval = demand.interval_s / 3600.0
    rounds: list[ReplanRound] = []
    planned: list[FloatArray] = []
    current = np.asarray(required, dtype=np.float64).copy()
    unreachable = unreachable_days(queues, demand)
    failure = ""
    staffing = schedule(current)
    while True:
        result = simulate_centre(queues, demand, staffing, options, executor=executor)
        miss = missing_days(result, min_probability)
        r = ReplanRound(len(rounds), float(current.sum() * hours_per_interval),
                        staffing.agent_hours(), result.day_table(), miss)
        rounds.append(r)
        planned.append(_planned_hours(staffing, demand, len(queues)))
        if progress is not None:
            progress(_describe(r, result, unreachable))
        if not (miss & ~unreachable).any() or len(rounds) > max_rounds:
            break
        raised = raise_requirement(current, result, miss & ~unreachable,
                                   step_fraction=step_fraction,
                                   planned=planned_agents(staffing, demand, len(queues)))
        try:
            next_staffing = schedule(raised)
        except stop_on as exc:
            failure = f"re-plan round {len(rounds)} could not be scheduled: {exc}"
            if progress is not None:
                progress(failure)
            break
        staffing, current = next_staffing, raised
    labels = list(day_labels) if day_labels is not None else [str(d) for d in
                                                               range(demand.n_days)]
    unmet = []
    for k, d in zip(*np.nonzero(rounds[-1].missing), strict=True):
        name = f"{queues[k].name} on {labels[d]}"
        if unreachable[k, d]:
            best = reachable_share(queues[k], demand, k)[d]
            unmet.append(f"{name}: no staffing can meet it: at most {best:.1%} of its items "
                         "can be answered in time (the others have no opening hour "
                         "between their arrival and their deadline)")
        elif failure:
            unmet.append(f"{name}: still short; the loop stopped: {failure}")
        elif len(rounds) == 1:
            unmet.append(f"{name}: short; no re-plan round was allowed")
        else:
            day_req = float(current[k, demand.day_index == d].sum() * hours_per_interval)
            if len(planned) >= 2 and planned[-1][k, d] <= planned[-2][k, d] + 1e-9:
                why = (f"{name}: the roster did not add hours planned on it although the "
                       f"requirement was raised (required {day_req:,.1f} agent-h that day, "
                       f"planned {planned[-1][k, d]:,.1f})")
            else:
                why = (f"{name}: still short after {len(rounds) - 1} re-plan(s) (required "
                       f"{day_req:,.1f} agent-h that day, planned {planned[-1][k, d]:,.1f})")
            unmet.append(f"{why}; {explain(int(k), int(d), rounds[-1].missing)}"
                         if explain is not None else
                         f"{why} (allow more rounds or a larger step)")
    return ReplanResult(tuple(rounds), current, staffing, result, tuple(unmet), unreachable,
                        failure)
