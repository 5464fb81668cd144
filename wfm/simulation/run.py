"""Simulate R replications of the centre and count what happened per queue and interval.

The entry point of the simulator: :func:`simulate_centre`. Each replication draws its
contacts (:mod:`wfm.simulation.arrivals`), routes them through the roster in the compiled
event loop (:mod:`wfm.simulation.engine`) and is reduced at once to counts per queue and
interval, so memory stays at one replication's contacts per worker thread plus the counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import reduce

import numpy as np

from wfm.executors import Executor
from wfm.simulation.arrivals import Contacts, draw_contacts
from wfm.simulation.centre import (
    Demand,
    FloatArray,
    IntArray,
    SimOptions,
    SimQueue,
    SimulationError,
    Staffing,
)
from wfm.simulation.engine import ABANDONED, ANSWERED, run_replication
from wfm.simulation.stats import COUNT_NAMES, SimulationResult


@dataclass(frozen=True)
class _Prepared:
    """The roster and queues as arrays for the compiled core (the same for every rep)."""

    units: IntArray
    cap: int
    deferred: IntArray
    open_iq: IntArray
    skills: IntArray
    skill_members: IntArray
    skill_offsets: IntArray
    holders: FloatArray
    change_t: FloatArray
    change_a: IntArray
    change_on: IntArray
    threshold_s: FloatArray
    on: np.ndarray
    slot_s: float
    slot_day: IntArray


def _prepare(queues: Sequence[SimQueue], demand: Demand, staffing: Staffing) -> _Prepared:
    n_q, n_i = len(queues), demand.n_intervals
    cap = reduce(math.lcm, (q.concurrency for q in queues), 1)
    units = np.array([cap // q.concurrency for q in queues], dtype=np.int64)
    deferred = np.array([int(q.deferred) for q in queues], dtype=np.int64)
    open_iq = np.ones((n_q, n_i), dtype=np.int64)
    for k, q in enumerate(queues):
        if q.open_mask is not None:
            open_iq[k] = np.asarray(q.open_mask, dtype=bool)
    skills = np.ascontiguousarray(staffing.skills, dtype=np.int64)
    holders = np.zeros((n_q, staffing.n_agents))
    for k in range(n_q):
        holders[k] = (skills == k).any(axis=1)
    member_lists = [np.flatnonzero(holders[k]) for k in range(n_q)]
    skill_members = np.concatenate([*member_lists, np.zeros(0, np.int64)]).astype(np.int64)
    skill_offsets = np.concatenate(([0], np.cumsum([m.size for m in member_lists]))).astype(
        np.int64)
    slots = min(staffing.on_shift.shape[1], math.ceil(demand.horizon_s / staffing.slot_s))
    on = np.ascontiguousarray(staffing.on_shift[:, :slots], dtype=bool)
    slot_interval = np.minimum((np.arange(slots) * staffing.slot_s // demand.interval_s)
                               .astype(np.int64), n_i - 1)
    change_t, change_a, change_on = _changes(on, staffing.slot_s, demand.horizon_s)
    threshold = np.array([q.sl_threshold_s for q in queues], dtype=np.float64)
    return _Prepared(units, cap, deferred, open_iq, skills, skill_members, skill_offsets,
                     holders, change_t, change_a, change_on, threshold, on, staffing.slot_s,
                     demand.day_index[slot_interval] if slots else np.zeros(0, np.int64))


def _changes(on: np.ndarray, slot_s: float,
             horizon_s: float) -> tuple[FloatArray, IntArray, IntArray]:
    """Log-ins (1) and log-outs (0) at slot boundaries inside the horizon, by time."""
    as_int = on.astype(np.int8)
    pad = np.zeros((on.shape[0], 1), np.int8)
    step = np.diff(np.concatenate([pad, as_int, pad], axis=1), axis=1)
    agent, slot = np.nonzero(step)
    times = slot * slot_s
    keep = times < horizon_s
    agent, times, kind = agent[keep], times[keep], step[agent[keep], slot[keep]]
    order = np.argsort(times, kind="stable")
    return (times[order].astype(np.float64), agent[order].astype(np.int64),
            (kind[order] > 0).astype(np.int64))


def _working_clock(open_mask: np.ndarray, interval_s: float, t: FloatArray) -> FloatArray:
    """Open time elapsed from 0 to ``t`` [s]; past the horizon time counts as open."""
    grid = np.arange(open_mask.size + 1) * interval_s
    worked = np.concatenate(([0.0], np.cumsum(open_mask) * interval_s))
    out: FloatArray = np.interp(t, grid, worked) + np.maximum(t - grid[-1], 0.0)
    return out


def _reduce(queues: Sequence[SimQueue], demand: Demand, prep: _Prepared, contacts: Contacts,
            *, start: FloatArray, end: FloatArray, outcome: IntArray, busy: FloatArray,
            present: FloatArray, backlog: FloatArray) -> FloatArray:
    """Counts per queue and interval of one replication, stacked in COUNT_NAMES order."""
    n_q, n_i = len(queues), demand.n_intervals
    key = contacts.queue * n_i + contacts.interval
    size = n_q * n_i

    def count(weights: FloatArray | None = None) -> FloatArray:
        out: FloatArray = np.bincount(key, weights, minlength=size).reshape(n_q, n_i).astype(
            np.float64)
        return out

    answered = outcome == ANSWERED
    wait = np.where(answered, start - contacts.arrival_s, 0.0)
    within = answered & (wait <= prep.threshold_s[contacts.queue] + 1e-9)
    judged = np.zeros(contacts.size, dtype=bool)
    on_time = np.zeros(contacts.size, dtype=bool)
    for k, q in enumerate(queues):
        if not q.deferred:
            continue
        lo, hi = contacts.offsets[k], contacts.offsets[k + 1]
        idx = contacts.members[lo:hi]
        limit = float(q.response_time_s or 0.0)
        arr, done = contacts.arrival_s[idx], end[idx]
        if q.response_clock == "working":
            mask = prep.open_iq[k].astype(bool)
            arr = _working_clock(mask, demand.interval_s, arr)
            done = _working_clock(mask, demand.interval_s, np.nan_to_num(done, nan=np.inf))
            horizon = float(_working_clock(mask, demand.interval_s,
                                           np.array([demand.horizon_s]))[0])
        else:
            horizon = demand.horizon_s
        ok = arr + limit <= horizon + 1e-9
        judged[idx] = ok
        on_time[idx] = ok & answered[idx] & (done <= arr + limit + 1e-9)
    busy_q = prep.holders @ busy
    present_q = prep.holders @ present
    rows = {
        "offered": count(), "answered": count(answered.astype(np.float64)),
        "within_sl": count(within.astype(np.float64)),
        "abandoned": count((outcome == ABANDONED).astype(np.float64)),
        "wait_s": count(wait), "judged": count(judged.astype(np.float64)),
        "on_time": count(on_time.astype(np.float64)), "busy_s": busy_q,
        "present_s": present_q, "backlog": backlog,
    }
    return np.stack([rows[name] for name in COUNT_NAMES])


def _one(queues: Sequence[SimQueue], demand: Demand, prep: _Prepared, options: SimOptions,
         replication: int) -> tuple[FloatArray, int]:
    contacts = draw_contacts(queues, demand, options, replication)
    n, n_a, n_q, n_i = contacts.size, prep.skills.shape[0], len(queues), demand.n_intervals
    start, end = np.empty(n), np.empty(n)
    agent_of, outcome = np.empty(n, np.int64), np.empty(n, np.int64)
    busy, present = np.zeros((n_a, n_i)), np.zeros((n_a, n_i))
    backlog = np.full((n_q, n_i), np.nan)
    change_t, change_a, change_on = prep.change_t, prep.change_a, prep.change_on
    if options.absence > 0:
        # Unplanned absence: whole agent-days drawn from their own stream (common random
        # numbers: rosters of the same agents lose the same agent-days).
        rng = np.random.default_rng(np.random.SeedSequence([options.seed, replication, 1]))
        absent = rng.random((n_a, max(demand.n_days, 1))) < options.absence
        change_t, change_a, change_on = _changes(prep.on & ~absent[:, prep.slot_day],
                                                 prep.slot_s, demand.horizon_s)
    events = run_replication(
        contacts.arrival_s, contacts.hold_s, contacts.deadline_s, contacts.queue,
        contacts.members, contacts.offsets, prep.units, prep.deferred, prep.open_iq,
        float(demand.interval_s), prep.skills, prep.skill_members, prep.skill_offsets,
        change_t, change_a, change_on, prep.cap,
        start, end, agent_of, outcome, busy, present, backlog)
    counts = _reduce(queues, demand, prep, contacts, start=start, end=end, outcome=outcome,
                     busy=busy, present=present, backlog=backlog)
    return counts, int(events) + n


#: Replications per task when they run on an executor (a task carries the demand and the
#: roster once, so a few replications per task keep the shipping cost small).
BATCH_REPLICATIONS = 4


@dataclass(frozen=True)
class ReplicationBatch:
    """Replications ``first`` .. ``first + count - 1``: a task of the executor seam. Each
    replication draws from streams of (seed, replication) only, so where it runs does not
    change what it draws."""

    queues: tuple[SimQueue, ...]
    demand: Demand
    staffing: Staffing
    options: SimOptions
    first: int
    count: int

    def label(self) -> str:
        return f"replications {self.first + 1}-{self.first + self.count}"


def run_batch(batch: ReplicationBatch) -> tuple[int, FloatArray, int]:
    """The first replication's number, the counts (measure, replication, queue, interval)
    and the events of a batch (runs where the executor says)."""
    prep = _prepare(batch.queues, batch.demand, batch.staffing)
    parts = [_one(batch.queues, batch.demand, prep, batch.options, r)
             for r in range(batch.first, batch.first + batch.count)]
    return batch.first, np.stack([p[0] for p in parts], axis=1), sum(p[1] for p in parts)


def _on_executor(queues: Sequence[SimQueue], demand: Demand, staffing: Staffing,
                 options: SimOptions, executor: Executor) -> tuple[FloatArray, int]:
    n = options.replications
    batches = [ReplicationBatch(tuple(queues), demand, staffing, options, first,
                                min(BATCH_REPLICATIONS, n - first))
               for first in range(0, n, BATCH_REPLICATIONS)]
    done = sorted(executor.map(run_batch, batches, label=ReplicationBatch.label),
                  key=lambda part: part[0])
    return np.concatenate([d[1] for d in done], axis=1), sum(d[2] for d in done)


def simulate_centre(queues: Sequence[SimQueue], demand: Demand, staffing: Staffing,
                    options: SimOptions | None = None, *,
                    executor: Executor | None = None) -> SimulationResult:
    """Simulate the roster ``staffing`` against ``demand`` ``options.replications`` times.

    Parameters
    ----------
    queues : the queues, in the order of ``demand``'s rows and of the skill indices
    demand : contacts per queue and interval (expected or replayed)
    staffing : who is logged in when, and their skills by priority
    options : replications, seed, handle-time model, worker threads
    executor : run the replications as tasks of this executor (batches of
        :data:`BATCH_REPLICATIONS`) instead of ``options.workers`` threads here; the
        counts are the same

    Returns
    -------
    SimulationResult
        counts per replication, queue and interval, with the service measures and their
        95 % confidence intervals per interval, per day or over any set of intervals.

    Raises
    ------
    SimulationError
        on inconsistent or out-of-range inputs (naming the queue, interval or agent).
    """
    options = options or SimOptions()
    options.check()
    if not queues:
        raise SimulationError("no queue to simulate")
    for q in queues:
        q.check(demand.n_intervals)
    demand.check(queues)
    staffing.check(len(queues))
    if executor is not None:
        counts, events = _on_executor(queues, demand, staffing, options, executor)
        return SimulationResult(tuple(queues), demand.interval_s, demand.day_index, counts,
                                events=events, agent_hours=staffing.agent_hours())
    prep = _prepare(queues, demand, staffing)
    reps = range(options.replications)
    if options.workers > 1 and options.replications > 1:
        with ThreadPoolExecutor(max_workers=options.workers) as pool:
            parts = list(pool.map(lambda r: _one(queues, demand, prep, options, r), reps))
    else:
        parts = [_one(queues, demand, prep, options, r) for r in reps]
    counts = np.stack([p[0] for p in parts], axis=1)
    return SimulationResult(tuple(queues), demand.interval_s, demand.day_index, counts,
                            events=sum(p[1] for p in parts),
                            agent_hours=staffing.agent_hours())
