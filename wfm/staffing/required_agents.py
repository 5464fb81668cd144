"""Required agents for any combination of targets (M/M/N), vectorised over intervals.

The search never starts at the offered load: it brackets the answer around a
square-root-staffing guess (growing the bracket both ways) and then bisects the whole
array at once, so each step costs one vectorised evaluation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from wfm.errors import StaffingError
from wfm.staffing.erlang_c import (
    ArrayLike,
    FloatArray,
    _as_float,
    asa,
    erlang_b,
    service_level,
)
from wfm.staffing.search_bounds import occupancy_limit, search_cap

IntArray = np.ndarray
BoolArray = npt.NDArray[np.bool_]
Predicate = Callable[[FloatArray, IntArray], FloatArray]
"""``meets(agents, idx)``: does ``agents`` meet the target for the intervals ``idx``?"""
_BETA = 1.0  # square-root staffing guess A + beta sqrt(A); see bench/bench_staffing.py
COMPILED_MIN_INTERVALS = 2_000
"""From this many intervals ``required_agents`` uses the compiled kernel
(wfm.staffing.erlang_c_kernel): below it, importing numba (~0.3 s) costs more than it saves."""
COMPILED_MAX_LOAD = 5_000.0
"""Loads above this keep the vectorised path (one exact incomplete-gamma start, a few
recursion steps): the kernel's recursion from 0 would take ``A`` steps per interval."""
def _check_targets(sl_target: float | None, sl_threshold_s: float | None,
                   max_asa_s: float | None, max_occupancy: float | None) -> None:
    if sl_target is not None and not 0.0 < sl_target < 1.0:
        raise StaffingError(f"service-level target {sl_target!r} is not valid; accepted: a "
                            "fraction in (0, 1), e.g. 0.8 for 80%")
    if sl_target is not None and (sl_threshold_s is None or sl_threshold_s < 0):
        raise StaffingError(f"service-level threshold {sl_threshold_s!r} s is not valid; "
                            "accepted: a number of seconds >= 0")
    if max_asa_s is not None and not max_asa_s > 0:
        raise StaffingError(f"maximum ASA {max_asa_s!r} s is not valid; accepted: seconds > 0")
    if max_occupancy is not None and not 0.0 < max_occupancy <= 1.0:
        raise StaffingError(f"maximum occupancy {max_occupancy!r} is not valid; accepted: a "
                            "fraction in (0, 1]")
    if sl_target is None and max_asa_s is None and max_occupancy is None:
        raise StaffingError("no staffing target given; give a service level, a maximum ASA "
                            "or a maximum occupancy")


def search_agents(meets: Predicate, load: FloatArray, guess: FloatArray,
                  max_agents: FloatArray) -> FloatArray:
    """Smallest whole ``n`` in [0, max_agents] with ``meets(n, load)`` (monotone in n)."""
    guess = np.clip(np.round(guess), 0.0, max_agents)
    ok = meets(guess, np.arange(guess.size)).astype(bool)
    hi = np.where(ok, guess, np.nan)
    lo = np.where(ok, np.nan, guess)  # lo: largest known failing value
    step = np.maximum(1.0, np.ceil(np.sqrt(np.maximum(load, 1.0)) / 4.0))
    # Bracket: walk down from successes, up from failures, doubling the step.
    for _ in range(80):
        need_lo = np.isnan(lo)
        need_hi = np.isnan(hi)
        if not (need_lo.any() or need_hi.any()):
            break
        if need_lo.any():
            idx = np.flatnonzero(need_lo)
            cand = hi[idx] - step[idx]
            at_floor = cand < 0
            lo[idx[at_floor]] = -1.0
            idx, cand = idx[~at_floor], cand[~at_floor]
            if idx.size:
                res = meets(cand, idx).astype(bool)
                hi[idx[res]] = cand[res]
                lo[idx[~res]] = cand[~res]
        if need_hi.any():
            idx = np.flatnonzero(need_hi)
            cand = np.minimum(lo[idx] + step[idx], max_agents[idx])
            res = meets(cand, idx).astype(bool)
            stuck = ~res & (cand >= max_agents[idx])
            if stuck.any():
                raise StaffingError(
                    f"no staffing up to {int(max_agents[idx][stuck][0])} agents meets the "
                    f"target at an offered load of {load[idx][stuck][0]:g} Erlangs; the "
                    "target cannot be met (relax it)")
            hi[idx[res]] = cand[res]
            lo[idx[~res]] = cand[~res]
        step *= 2.0
    # Bisect all intervals together.
    while True:
        gap = hi - lo > 1
        if not gap.any():
            return hi
        idx = np.flatnonzero(gap)
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        res = meets(mid, idx).astype(bool)
        hi[idx[res]] = mid[res]
        lo[idx[~res]] = mid[~res]


def required_agents(load: ArrayLike, aht_s: ArrayLike, *, sl_target: float | None = None,
                    sl_threshold_s: float | None = None, max_asa_s: float | None = None,
                    max_occupancy: float | None = None) -> FloatArray:
    """Fewest agents meeting every given target under Erlang C (M/M/N).

    Parameters
    ----------
    load : offered load [Erlangs] per interval
    aht_s : average handle time [s]
    sl_target : fraction (0, 1) to answer within ``sl_threshold_s`` [s]
    max_asa_s : maximum average speed of answer [s]
    max_occupancy : maximum occupancy (0, 1]

    Returns whole agents; 0 where the load is 0.

    Examples
    --------
    >>> int(required_agents(10.0, 180.0, sl_target=0.8, sl_threshold_s=20.0))
    14
    """
    _check_targets(sl_target, sl_threshold_s, max_asa_s, max_occupancy)
    a, h = np.broadcast_arrays(_as_float(load), _as_float(aht_s))
    a, h = a.astype(np.float64, copy=False).ravel(), h.astype(np.float64, copy=False).ravel()
    shape = np.broadcast_shapes(np.shape(load), np.shape(aht_s))
    targets = _ErlangCTargets(sl_target, sl_threshold_s, max_asa_s, max_occupancy)
    compiled = None
    rest: BoolArray | None
    if a.size >= COMPILED_MIN_INTERVALS:
        from wfm.staffing.erlang_c_kernel import required_agents_compiled

        compiled = required_agents_compiled(
            a, h, sl_target=sl_target, sl_threshold_s=sl_threshold_s, max_asa_s=max_asa_s,
            max_occupancy=max_occupancy, max_load=COMPILED_MAX_LOAD)
    if compiled is None:  # a short array, or an invalid input to name
        _check_load_and_aht(a, h)
        out, rest = np.zeros(a.shape), a > 0
    else:
        # Left to the vectorised search: large loads, and targets not met within the cap
        # (the search then raises the error naming them).
        out, unresolved = compiled
        rest = out < 0 if unresolved else None
    if rest is not None and rest.any():
        out[rest] = _walk_erlang_c(a[rest], h[rest], targets)
    return out.reshape(shape)


def _check_load_and_aht(a: FloatArray, h: FloatArray) -> None:
    # min() is NaN when any value is NaN, so these catch NaN, inf and out-of-range alike.
    if a.size and not 0.0 <= a.min() <= a.max() < np.inf:
        raise StaffingError("offered load must be a number >= 0 Erlangs")
    if h.size and not 0.0 < h.min() <= h.max() < np.inf:
        bad = float(h[~np.isfinite(h) | (h <= 0)][0])
        raise StaffingError(f"AHT {bad!r} s is not valid; accepted: a number of seconds > 0")


class _ErlangCTargets:
    """The targets of one ``required_agents`` call, tested on whole agents."""

    def __init__(self, sl_target: float | None, sl_threshold_s: float | None,
                 max_asa_s: float | None, max_occupancy: float | None) -> None:
        self.sl_target, self.sl_threshold_s = sl_target, sl_threshold_s
        self.max_asa_s, self.max_occupancy = max_asa_s, max_occupancy

    def meets_b(self, n: FloatArray, a_i: FloatArray, h_i: FloatArray,
                b: FloatArray) -> BoolArray:
        """Targets met by ``n`` agents, from a known Erlang-B value ``b`` (walk steps)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c = np.clip(n * b / (n - a_i * (1.0 - b)), 0.0, 1.0)
            ok = n > a_i
            if self.sl_target is not None:
                assert self.sl_threshold_s is not None
                sl = np.clip(1.0 - c * np.exp(-(n - a_i) * self.sl_threshold_s / h_i), 0.0, 1.0)
                ok &= sl >= self.sl_target
            if self.max_asa_s is not None:
                ok &= c * h_i / (n - a_i) <= self.max_asa_s
            if self.max_occupancy is not None:
                ok &= a_i <= occupancy_limit(self.max_occupancy) * n
        return ok

    def meets(self, n: FloatArray, a_i: FloatArray, h_i: FloatArray) -> FloatArray:
        """Targets met by ``n`` agents, each measure computed from scratch (bisection)."""
        ok = n > a_i
        if self.sl_target is not None:
            assert self.sl_threshold_s is not None
            ok &= service_level(n, a_i, h_i, self.sl_threshold_s) >= self.sl_target
        if self.max_asa_s is not None:
            ok &= asa(n, a_i, h_i) <= self.max_asa_s
        if self.max_occupancy is not None:
            ok &= a_i <= occupancy_limit(self.max_occupancy) * n
        return np.asarray(ok, dtype=np.float64)


def _walk_erlang_c(a: FloatArray, h: FloatArray, targets: _ErlangCTargets,
                   steps: int = 24) -> FloatArray:
    """Smallest n meeting the targets, by the Erlang-B recursion from a square-root guess.

    One exact Erlang-B evaluation at the guess ``A + sqrt(A)``, then every interval walks
    one agent at a time, down (``B(n-1) = n B(n) / (A (1 - B(n)))``) from a success or
    up (``B(n+1) = A B(n) / (n + 1 + A B(n))``) from a failure, all intervals at once,
    each stopping as soon as its answer is found. Intervals still walking after
    ``steps`` go to the bracketing search.
    """
    guess = np.maximum(np.floor(a) + 1.0, np.round(a + _BETA * np.sqrt(a)))
    b0 = erlang_b(guess, a)
    ok0 = targets.meets_b(guess, a, h, b0)
    ans = np.full(a.size, np.nan)
    idx, n, b = np.flatnonzero(ok0), guess[ok0], b0[ok0]
    for _ in range(steps):
        if not idx.size:
            break
        a_i = a[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            b_down = n * b / (a_i * (1.0 - b))
        good = targets.meets_b(n - 1.0, a_i, h[idx], b_down)
        ans[idx[~good]] = n[~good]
        idx, n, b = idx[good], n[good] - 1.0, b_down[good]
    rest = [idx]
    idx, n, b = np.flatnonzero(~ok0), guess[~ok0], b0[~ok0]
    for _ in range(steps):
        if not idx.size:
            break
        a_i = a[idx]
        n = n + 1.0
        b = a_i * b / (n + a_i * b)
        good = targets.meets_b(n, a_i, h[idx], b)
        ans[idx[good]] = n[good]
        idx, n, b = idx[~good], n[~good], b[~good]
    rest.append(idx)
    left = np.concatenate(rest)
    if left.size:
        sub_a = a[left]

        def meets_left(k: FloatArray, j: IntArray) -> FloatArray:
            return targets.meets(k, a[left[j]], h[left[j]])

        ans[left] = search_agents(meets_left, sub_a, guess[left], search_cap(sub_a))
    return ans


def required_agents_erlang_a(load: ArrayLike, aht_s: ArrayLike, patience_s: float, *,
                             sl_target: float | None = None,
                             sl_threshold_s: float | None = None,
                             max_asa_s: float | None = None,
                             max_abandon_rate: float | None = None,
                             max_occupancy: float | None = None) -> FloatArray:
    """Fewest agents meeting every target under Erlang A (M/M/N+M).

    The service level is the fraction of **offered** contacts answered within
    ``sl_threshold_s``; ``max_asa_s`` [s] caps the average speed of answer of **answered**
    contacts (:func:`wfm.staffing.erlang_a.asa_answered`); ``max_abandon_rate`` caps the
    share of offered contacts that abandon. The answer may lie below the offered load:
    the bracket walks down from the square-root guess to 0 agents when needed.

    Examples
    --------
    >>> int(required_agents_erlang_a(10.0, 180.0, 120.0, sl_target=0.8, sl_threshold_s=20.0))
    12
    """
    from wfm.staffing.erlang_a import asa_answered, erlang_a

    if max_abandon_rate is not None and not 0.0 < max_abandon_rate < 1.0:
        raise StaffingError(f"maximum abandonment rate {max_abandon_rate!r} is not valid; "
                            "accepted: a fraction in (0, 1)")
    # An abandonment cap alone is a target too (the occupancy stand-in is never tested).
    _check_targets(sl_target, sl_threshold_s, max_asa_s,
                   max_occupancy if max_abandon_rate is None else max_occupancy or 1.0)
    if not patience_s > 0:
        raise StaffingError(f"patience {patience_s!r} s is not valid; accepted: seconds > 0")
    a, h = np.broadcast_arrays(_as_float(load), _as_float(aht_s))
    shape = a.shape
    a, h = a.astype(np.float64).ravel(), h.astype(np.float64).ravel()
    if np.any(~np.isfinite(a) | (a < 0)):
        raise StaffingError("offered load must be a number >= 0 Erlangs")
    if np.any(~np.isfinite(h) | (h <= 0)):
        raise StaffingError(f"AHT {float(h[~(h > 0)][0])!r} s is not valid; accepted: > 0")
    out = np.zeros(a.shape)
    pos = a > 0
    if not pos.any():
        return out.reshape(shape)
    ap, hp = a[pos], h[pos]
    threshold = 0.0 if sl_threshold_s is None else sl_threshold_s

    def meets(n: FloatArray, idx: IntArray) -> FloatArray:
        m = erlang_a(n, ap[idx], hp[idx], patience_s, threshold)
        ok = n >= 0
        if sl_target is not None:
            ok &= m["sl_offered"] >= sl_target
        if max_abandon_rate is not None:
            ok &= m["p_abandon"] <= max_abandon_rate
        if max_asa_s is not None:  # NaN with no agents (nobody answered): not met
            ok &= asa_answered(n, ap[idx], hp[idx], patience_s) <= max_asa_s
        if max_occupancy is not None:
            served_load = ap[idx] * (1.0 - m["p_abandon"])
            # No agents: everyone abandons; that counts as full occupancy, as before.
            ok &= np.where(n > 0, served_load <= occupancy_limit(max_occupancy) * n,
                           max_occupancy >= 1.0)
        return np.asarray(ok, dtype=np.float64)

    guess = ap + np.sqrt(ap)
    out[pos] = search_agents(meets, ap, guess, search_cap(ap))
    return out.reshape(shape)
