"""Deferred work (email, webform, social, letter, back office): backlog staffing.

Items arrive around the clock and wait in a first-in-first-out backlog, across intervals
and overnight, until agents work them in opening hours. Given a response-time target
("a share ``p`` of items answered within ``D``", ``D`` on the calendar clock or in
working hours) the plan is the **taut string** between two cumulative curves of work
[agent-seconds]:

- upper ``U``: work that has arrived (an item is workable from the interval after the
  one it arrives in, so it can never be planned before it exists);
- lower ``L``: work that the deadlines force to be finished (FIFO: an item is done only
  when everything before it is done).

Closed intervals are removed from the time axis (no work is done there), and the
cumulative work done ``X`` is the shortest path from 0 to ``L`` at the horizon's end
inside the tube ``L <= X <= U``. The taut string minimises ``sum f(rate)`` for every
convex ``f`` at once (Barlow et al. 1972; Davies & Kovac 2001), so it is both the
**lowest-peak** and the **smoothest** staffing meeting the deadlines; its total
agent-hours equal the work it processes (a fluid backlog never forces idle time).

Deadlines are conservative on the interval grid: an item arriving in interval ``k`` is
treated as due ``D`` after the interval's *start* and is worked from the *next*
interval, so any arrival time inside the interval meets the target.

With a target share ``p < 1`` some items may be late: at most ``floor((1 - p) x judged
items)``, counting whole items. Items that no staffing can answer in time (arriving when
no opening hour remains before their deadline, e.g. Saturday evening with a 24 h target
and Sunday closed) use the allowance first; if they exceed it, the target is
infeasible (StaffingError). The rest of the allowance buys the **lowest peak**: working
the backlog as early as possible at a peak of M agents finishes every item at the
earliest time any FIFO plan with that peak can, so the smallest M whose early plan stays
within the allowance is the lowest possible peak (found by bisection, each step a closed
form). The final plan is the taut string under the deadlines that early plan meets, so it
is no later and no peakier, and smoothest. Judged items are those whose deadline falls
inside the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.errors import StaffingError
from wfm.staffing.erlang_c import FloatArray

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
RESPONSE_CLOCKS: tuple[str, ...] = ("calendar", "working")


@dataclass(frozen=True)
class DeferredPlan:
    """Per-interval staffing and backlog of one deferred queue.

    Attributes
    ----------
    agents_productive : agents working the backlog in each interval (fractional)
    backlog : open items at the end of each interval [items]
    oldest_age_s : age of the oldest open item at the end of each interval [s]
    share_within_target : share of the interval's arrivals answered within the
        response time under the plan; NaN where nothing arrived or the deadline falls
        after the horizon
    on_time_share : share of all judged items answered in time [0-1]
    work_s : work content that arrived [agent-seconds]
    processed_s : work done in the horizon [agent-seconds] (= agent-hours * 3600)
    forced_s : work the deadlines force to be done inside the horizon [agent-seconds]
    """

    agents_productive: FloatArray
    backlog: FloatArray
    oldest_age_s: FloatArray
    share_within_target: FloatArray
    on_time_share: float
    work_s: float
    processed_s: float
    forced_s: float


def _validate(arrivals: FloatArray, aht_s: FloatArray, open_mask: BoolArray, *,
              response_target: float, response_time_s: float, clock: str) -> None:
    if arrivals.ndim != 1 or open_mask.shape != arrivals.shape or aht_s.shape != arrivals.shape:
        raise StaffingError("arrivals, aht_s and open_mask must be 1-D and of equal length "
                            f"(got {arrivals.shape}, {aht_s.shape}, {open_mask.shape})")
    bad = ~np.isfinite(arrivals) | (arrivals < 0)
    if bad.any():
        raise StaffingError(f"volume {arrivals[bad][0].item()!r} is not valid; accepted: a "
                            "number of items >= 0")
    bad = ~np.isfinite(aht_s) | (aht_s <= 0)
    if bad.any():
        raise StaffingError(f"AHT {aht_s[bad][0].item()!r} s is not valid; accepted: a number "
                            "of seconds > 0")
    if not 0.0 < response_target <= 1.0:
        raise StaffingError(f"response target {response_target!r} is not valid; accepted: a "
                            "fraction in (0, 1], e.g. 0.9 for 90%")
    if not (np.isfinite(response_time_s) and response_time_s >= 0):
        raise StaffingError(f"response time {response_time_s!r} s is not valid; accepted: a "
                            "number of seconds >= 0")
    if clock not in RESPONSE_CLOCKS:
        raise StaffingError(f"response clock {clock!r} is not valid; accepted: "
                            f"{', '.join(RESPONSE_CLOCKS)}")


def due_intervals(open_mask: BoolArray, interval_s: float, response_time_s: float,
                  clock: str) -> IntArray:
    """Index of the last interval in which an item arriving in interval k may be worked.

    The deadline runs from the start of interval ``k``: ``response_time_s`` of elapsed
    time (``clock="calendar"``) or of opening time (``"working"``), rounded down to whole
    intervals. ``len(open_mask)`` or more means "after the horizon".

    On the working clock a deadline is inside the horizon as soon as the horizon holds
    its ``m`` open intervals from ``k`` on: when the m-th is the horizon's last opening
    (e.g. Saturday's close, Sunday closed) the item is due by the end of the horizon,
    although no (m+1)-th opening follows inside it.
    """
    n = open_mask.size
    m = int(np.floor(response_time_s / interval_s + 1e-9))
    k = np.arange(n)
    if clock == "calendar":
        return (k + m - 1).astype(np.int64)
    opened = np.concatenate(([0], np.cumsum(open_mask)))  # open intervals before index i
    # Last j with (open intervals in k..j) <= m: the (m+1)-th opening after k, minus one.
    first_over = np.searchsorted(opened, opened[k] + m + 1, side="left") - 1
    # No (m+1)-th opening in the horizon: the deadline is still inside it when the
    # remaining openings number exactly m (the m-th is the last one; closed time after
    # it does not move a working-hours deadline).
    reached = opened[n] - opened[k] >= m
    return np.where(first_over < n, first_over - 1,
                    np.where(reached, n - 1, n + m)).astype(np.int64)


def _taut_string(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Shortest path from (0, 0) through points i = 1..n with lower <= x_i <= upper.

    The end point is ``lower[-1]`` (``upper[-1]`` is ignored). Runs in O(n * bends),
    each restart scanning a doubling window ahead of the current anchor.
    """
    n = lower.size
    lo = lower.copy()
    hi = upper.copy()
    hi[-1] = lo[-1]
    x = np.empty(n)
    a, xa = -1, 0.0  # anchor index (-1 is the origin) and height
    scale = max(float(np.max(np.abs(hi))), 1.0)
    tol = 1e-12 * scale
    while a < n - 1:
        width = min(n - 1 - a, 256)
        while True:
            t = np.arange(1, width + 1, dtype=np.float64)
            sl = (lo[a + 1:a + 1 + width] - xa) / t
            su = (hi[a + 1:a + 1 + width] - xa) / t
            maxl = np.maximum.accumulate(sl)
            minu = np.minimum.accumulate(su)
            bad = maxl > minu + tol / t
            if bad.any() or a + width >= n - 1:
                break
            width = min(2 * width, n - 1 - a)
        if not bad.any():
            x[a + 1:] = xa + (lo[-1] - xa) / t[-1] * t  # the end point has lo == hi
            break
        i = int(np.argmax(bad))
        if i == 0:
            raise StaffingError("internal: deferred-work tube is empty (lower above upper)")
        if sl[i] > minu[i - 1]:  # a lower point needs more than the upper points allow
            seg = su[:i]
            j = i - 1 - int(np.argmin(seg[::-1]))
            slope, new_x = float(seg[j]), float(hi[a + 1 + j])
        else:  # an upper point allows less than the lower points need
            seg = sl[:i]
            j = i - 1 - int(np.argmax(seg[::-1]))
            slope, new_x = float(seg[j]), float(lo[a + 1 + j])
        x[a + 1:a + 2 + j] = xa + slope * t[:j + 1]
        x[a + 1 + j] = new_x
        a, xa = a + 1 + j, new_x
    return x


def _lower_curve(required: FloatArray, due: IntArray, open_idx: IntArray) -> FloatArray:
    """Work that must be done by the end of each open interval (FIFO deadlines).

    ``required[k]``: cumulative work to be done by the end of interval ``due[k]`` (NaN:
    no deadline). X is constant through closed intervals, so the need up to the next
    opening applies at the last open interval before it."""
    need = np.zeros(required.size)
    has = ~np.isnan(required)
    np.maximum.at(need, due[has], required[has])
    need = np.maximum.accumulate(need)
    lower: FloatArray = np.maximum.reduceat(need, open_idx)
    return lower


def _asap(peak_work: float, avail_open: FloatArray) -> FloatArray:
    """Cumulative work done working the backlog as early as possible at ``peak_work`` per
    open interval: ``X_i = min(X_{i-1} + peak, U_i)``, in closed form
    ``X_i = i peak + min(peak, min_{j<=i} (U_j - j peak))``."""
    steps = np.arange(avail_open.size, dtype=np.float64) * peak_work
    out = steps + np.minimum(peak_work, np.minimum.accumulate(avail_open - steps))
    return np.asarray(out, dtype=np.float64)


def _late_items(done: FloatArray, judged: BoolArray, due: IntArray, cum_work: FloatArray,
                aht: FloatArray) -> float:
    """Items not done by their deadline; a partly late item counts as late (whole
    items, or the interval's fractional count if smaller)."""
    k = np.flatnonzero(judged)
    late = np.clip(cum_work[k + 1] - done[due[k]], 0.0, cum_work[k + 1] - cum_work[k])
    items = (cum_work[k + 1] - cum_work[k]) / aht[k]
    return float(np.minimum(np.ceil(late / aht[k] - 1e-9), items).sum())


def _lowest_peak_requirements(*, judged: BoolArray, due: IntArray, cum_work: FloatArray,
                              aht: FloatArray, open_idx: IntArray, allowed_late: float,
                              peak_hi: float) -> FloatArray:
    """Deadlines (cumulative work by ``due``) that the lowest-peak plan keeps.

    Working the backlog as early as possible at a peak of M agents finishes every item
    at the earliest time any FIFO plan with that peak can, so it has the fewest late
    items; the lowest peak is the smallest M whose early plan has at most
    ``allowed_late`` late items (bisection). Each interval then keeps the deadline that
    early plan meets (all of it, part of it, or none), so the final plan - the taut
    string under those deadlines - has no more late items and no higher peak.
    """
    n = cum_work.size - 1
    avail = cum_work[:-1][open_idx]

    def early(peak: float) -> FloatArray:
        done = np.zeros(n)
        done[open_idx] = _asap(peak, avail)
        return np.maximum.accumulate(done)

    lo, hi = 0.0, peak_hi
    while hi - lo > 1e-7 * max(hi, 1e-9):
        mid = (lo + hi) / 2
        if _late_items(early(mid), judged, due, cum_work, aht) <= allowed_late + 1e-9:
            hi = mid
        else:
            lo = mid
    done = early(hi)
    required = np.full(n, np.nan)
    k = np.flatnonzero(judged)
    by_due = done[due[k]]
    keep = by_due > cum_work[k] + 1e-9 * max(float(cum_work[-1]), 1.0)
    required[k[keep]] = np.minimum(cum_work[k + 1], by_due)[keep]
    return required


def plan_deferred(arrivals: npt.ArrayLike, aht_s: npt.ArrayLike, open_mask: npt.ArrayLike,
                  interval_s: float, *, response_target: float, response_time_s: float,
                  clock: str = "calendar", initial_backlog: float = 0.0,
                  labels: Sequence[str] | None = None) -> DeferredPlan:
    """Lowest-peak, smoothest staffing of a deferred-work backlog meeting a response target.

    Parameters
    ----------
    arrivals : items arriving in each interval (around the clock) [items]
    aht_s : handle time per item [s], scalar or per interval
    open_mask : True where the queue is staffed (opening hours); no work elsewhere
    interval_s : interval length [s]
    response_target : share of items to answer within ``response_time_s`` (0, 1]
    response_time_s : response time [s], on the calendar or the working clock
    clock : ``"calendar"`` (elapsed time) or ``"working"`` (opening time only)
    initial_backlog : items open at the start, treated as arrived in the interval before
        the horizon with the first interval's handle time
    labels : names of the intervals for error messages (e.g. local start times)

    Raises
    ------
    StaffingError
        on bad input, or when more than ``1 - response_target`` of the items arrive with
        no opening hour between their arrival and their deadline.

    Examples
    --------
    >>> p = plan_deferred([4, 0, 0, 0], 900.0, [False, True, True, True], 900.0,
    ...                   response_target=1.0, response_time_s=3600.0)
    >>> [round(float(a), 3) for a in p.agents_productive]
    [0.0, 1.333, 1.333, 1.333]
    """
    arr = np.asarray(arrivals, dtype=np.float64).ravel()
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), arr.shape).copy()
    opened = np.asarray(open_mask, dtype=bool).ravel()
    _validate(arr, aht, opened, response_target=response_target,
              response_time_s=response_time_s, clock=clock)
    if not interval_s > 0:
        raise StaffingError(f"interval length {interval_s!r} s is not valid; accepted: > 0")
    if not (np.isfinite(initial_backlog) and initial_backlog >= 0):
        raise StaffingError(f"initial backlog {initial_backlog!r} is not valid; accepted: "
                            "a number of items >= 0")
    # A virtual closed interval in front holds the initial backlog.
    arr = np.concatenate(([initial_backlog], arr))
    aht = np.concatenate(([aht[0] if aht.size else 1.0], aht))
    opened = np.concatenate(([False], opened))
    n = arr.size
    work = arr * aht
    cum_work = np.concatenate(([0.0], np.cumsum(work)))  # before interval i
    cum_items = np.concatenate(([0.0], np.cumsum(arr)))
    due = due_intervals(opened, interval_s, response_time_s, clock)
    opens_before = np.concatenate(([0], np.cumsum(opened)))
    judged = (due < n) & (arr > 0)
    # Workable in k+1..due[k]: is there any opening hour in that window?
    feasible = np.zeros(n, dtype=bool)
    jd = np.clip(due, -1, n - 1)
    feasible[judged] = (opens_before[jd[judged] + 1] - opens_before[
        np.minimum(np.arange(n)[judged] + 1, n)]) > 0
    judged_items = float(arr[judged].sum())
    late_items = float(arr[judged & ~feasible].sum())
    if judged_items > 0 and late_items > (1.0 - response_target) * judged_items + 1e-9:
        first = int(np.flatnonzero(judged & ~feasible)[0])
        where = (labels[first - 1] if labels is not None and first >= 1
                 else "before the horizon" if first == 0 else f"interval {first - 1}")
        best = 1.0 - late_items / judged_items
        raise StaffingError(
            f"response target {response_target:.0%} within {response_time_s / 3600:g} h "
            f"({clock} clock) cannot be met: at most {best:.1%} of items can be answered in "
            f"time, because items arriving e.g. {where} have no opening hour between the "
            f"interval after their arrival and their deadline (items are worked from the "
            f"interval after they arrive; lengthen the response time or the opening hours)")
    # Lower curve: work that must be done by the end of each interval (FIFO).
    on_time = judged & feasible
    avail = cum_work[:-1]  # work arrived before interval i
    open_idx = np.flatnonzero(opened)
    forced = 0.0
    if open_idx.size == 0:
        done = np.zeros(n)
    else:
        required = np.where(on_time, cum_work[1:], np.nan)
        lower = _lower_curve(required, due, open_idx)
        x_open = _taut_string(lower, avail[open_idx])
        allowed_late = np.floor((1.0 - response_target) * judged_items + 1e-9)
        if allowed_late > late_items:
            peak = float(np.max(np.diff(np.concatenate(([0.0], x_open)))))
            required = _lowest_peak_requirements(
                judged=judged, due=np.clip(due, 0, n - 1), cum_work=cum_work, aht=aht,
                open_idx=open_idx, allowed_late=allowed_late, peak_hi=peak)
            lower = _lower_curve(required, due, open_idx)
            x_open = _taut_string(lower, avail[open_idx])
        forced = float(lower[-1])
        done = np.zeros(n)
        done[open_idx] = x_open
        done = np.maximum.accumulate(done)
    return _plan_from_done(done, opened=opened, arr=arr, work=work, cum_work=cum_work,
                           cum_items=cum_items, due=due, judged=judged,
                           interval_s=interval_s, forced=forced)


def _plan_from_done(done: FloatArray, *, opened: BoolArray, arr: FloatArray,
                    work: FloatArray, cum_work: FloatArray, cum_items: FloatArray,
                    due: IntArray, judged: BoolArray, interval_s: float,
                    forced: float) -> DeferredPlan:
    """Agents, backlog, oldest age and shares of a cumulative work-done curve (with the
    virtual interval in front, which is dropped)."""
    n = arr.size
    processed = np.diff(np.concatenate(([0.0], done)))
    agents = np.where(opened, processed / interval_s, 0.0)
    agents = np.maximum(agents, 0.0)
    # Items done: invert the cumulative work curve (handle time is constant in an interval).
    items_done = np.interp(done, cum_work, cum_items)
    backlog = np.maximum(cum_items[1:] - items_done, 0.0)
    # Oldest open item: the one at work position `done`, arrived uniformly in its interval.
    pos = np.clip(np.searchsorted(cum_work, done, side="right") - 1, 0, n - 1)
    frac = np.where(work[pos] > 0, (done - cum_work[pos]) / np.where(work[pos] > 0,
                                                                    work[pos], 1.0), 0.0)
    arrived_at = (pos + np.clip(frac, 0.0, 1.0)) * interval_s
    age = np.where(backlog > 1e-9, (np.arange(n) + 1) * interval_s - arrived_at, 0.0)
    # Share of each interval's arrivals done by its deadline under the plan.
    share = np.full(n, np.nan)
    if judged.any():
        done_by_due = done[np.clip(due[judged], 0, n - 1)]
        share[judged] = np.clip((done_by_due - cum_work[:-1][judged]) / work[judged], 0.0, 1.0)
    judged_items = float(arr[judged].sum())
    on_time_items = float(np.nansum(share[judged] * arr[judged]))
    total_share = on_time_items / judged_items if judged_items > 0 else 1.0
    return DeferredPlan(agents[1:], backlog[1:], np.maximum(age[1:], 0.0), share[1:],
                        total_share, float(work.sum()), float(done[-1]),
                        forced)


def evaluate_deferred(arrivals: npt.ArrayLike, aht_s: npt.ArrayLike, open_mask: npt.ArrayLike,
                      interval_s: float, agents: npt.ArrayLike, *, response_time_s: float,
                      clock: str = "calendar", initial_backlog: float = 0.0) -> DeferredPlan:
    """What a given staffing does to a deferred-work backlog when the forecast comes true.

    The backlog is worked first in, first out, as early as ``agents`` allow: in each open
    interval they do ``agents x interval_s`` of work, but never more than has arrived
    before the interval (items are worked from the interval after they arrive, as in
    :func:`plan_deferred`). Returns the same measures as :func:`plan_deferred`, with
    ``agents_productive`` the work actually done (at most the agents given) and
    ``forced_s`` 0.

    Examples
    --------
    >>> e = evaluate_deferred([4, 0, 0, 0], 900.0, [False, True, True, True], 900.0,
    ...                       [0, 1, 1, 1], response_time_s=2700.0)
    >>> [round(float(b), 2) for b in e.backlog], round(e.on_time_share, 2)
    ([4.0, 3.0, 2.0, 1.0], 0.5)
    """
    arr = np.asarray(arrivals, dtype=np.float64).ravel()
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), arr.shape).copy()
    opened = np.asarray(open_mask, dtype=bool).ravel()
    given = np.broadcast_to(np.asarray(agents, dtype=np.float64), arr.shape)
    _validate(arr, aht, opened, response_target=1.0, response_time_s=response_time_s,
              clock=clock)
    if np.any(~np.isfinite(given) | (given < 0)):
        raise StaffingError("given agents must be numbers >= 0, one per interval")
    if not interval_s > 0:
        raise StaffingError(f"interval length {interval_s!r} s is not valid; accepted: > 0")
    arr = np.concatenate(([initial_backlog], arr))
    aht = np.concatenate(([aht[0] if aht.size else 1.0], aht))
    opened = np.concatenate(([False], opened))
    capacity = np.concatenate(([0.0], np.where(opened[1:], given, 0.0) * interval_s))
    work = arr * aht
    cum_work = np.concatenate(([0.0], np.cumsum(work)))
    cum_items = np.concatenate(([0.0], np.cumsum(arr)))
    # X_i = min(X_(i-1) + c_i, U_i): C_i + min(0, min_(j<=i) (U_j - C_j)), C = cumsum(c).
    cum_cap = np.cumsum(capacity)
    done = cum_cap + np.minimum(0.0, np.minimum.accumulate(cum_work[:-1] - cum_cap))
    due = due_intervals(opened, interval_s, response_time_s, clock)
    judged = (due < arr.size) & (arr > 0)
    return _plan_from_done(done, opened=opened, arr=arr, work=work, cum_work=cum_work,
                           cum_items=cum_items, due=due, judged=judged,
                           interval_s=interval_s, forced=0.0)
