"""The event-driven core: one replication of the centre, compiled with numba.

Events are contact arrivals (pre-drawn, sorted), roster changes (an agent logs in or out
at a slot boundary), the end of a contact (a binary heap keyed by time) and interval
boundaries (backlog snapshots, deferred queues opening). Queues need no data structure:
contacts of one queue are served first-come first-served, so its waiting line is always
the range ``[head, arrived)`` of its contacts in arrival order. Abandonment is lazy and
exact: a contact whose patience ran out before an agent reached it is counted as
abandoned (at its deadline) when the head of the line passes it.

Routing:

* an agent with free capacity takes the waiting contact of its highest-priority skill
  that it has room for (oldest first); deferred work only while its queue is open;
* a new contact goes to the agent with the skill and room for it that is least loaded,
  then idle the longest (then the lowest index). Each queue keeps a binary heap of its
  agents keyed by (load, idle since, index) with lazy deletion: every change of an agent
  bumps its version and pushes fresh entries, stale ones are dropped when they surface,
  so routing an arrival costs O(log agents) instead of a scan of every skilled agent;
* an agent whose shift, break or lunch starts finishes the contacts in hand and takes no
  new one (the break is not moved).

Capacity is counted in units: an agent has ``cap`` units, a contact of a queue with
concurrency k uses ``cap / k`` (``cap`` is the least common multiple of the
concurrencies), so chat and voice mix exactly.

numba is imported only here (pyproject's import contract allows it in wfm.simulation for
this core: a Python event loop is ~50x slower, see bench/bench_simulation.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from wfm.simulation.centre import FloatArray, IntArray

ANSWERED, ABANDONED, WAITING = 0, 1, 2
"""Outcome codes: served (start known), abandoned (at its deadline), still waiting when the
horizon ends."""


def compiled(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(cache=True, **options)``, without the disk cache where numba finds no
    writable cache folder (a read-only install and home): it then compiles per process."""

    def decorate(fn: Callable[..., Any]) -> Any:
        try:
            return njit(cache=True, **options)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return njit(cache=False, **options)(fn)

    return decorate


@compiled(inline="always")
def _heap_push(ht: FloatArray, hc: IntArray, n: int, t: float,
               c: int) -> int:  # pragma: no cover - compiled
    i = n
    while i > 0:
        p = (i - 1) >> 1
        if ht[p] <= t:
            break
        ht[i] = ht[p]
        hc[i] = hc[p]
        i = p
    ht[i] = t
    hc[i] = c
    return n + 1


@compiled(inline="always")
def _heap_pop(ht: FloatArray, hc: IntArray, n: int) -> int:  # pragma: no cover - compiled
    n -= 1
    t = ht[n]
    c = hc[n]
    i = 0
    while True:
        k = 2 * i + 1
        if k >= n:
            break
        if k + 1 < n and ht[k + 1] < ht[k]:
            k += 1
        if ht[k] >= t:
            break
        ht[i] = ht[k]
        hc[i] = hc[k]
        i = k
    if n > 0:
        ht[i] = t
        hc[i] = c
    return n


@compiled(inline="always")
def _account(a: int, now: float, last: FloatArray, used: IntArray,  # noqa: PLR0917
             on: IntArray, cap: int,
             busy: FloatArray, present: FloatArray, interval_s: float,
             n_int: int) -> None:  # pragma: no cover - compiled
    """Add agent a's busy and present time since its last change, split by interval."""
    t0 = last[a]
    last[a] = now
    if now <= t0 or (used[a] == 0 and on[a] == 0):
        return
    level = used[a] / cap
    i = int(t0 // interval_s)
    while t0 < now and i < n_int:
        end = min(now, (i + 1) * interval_s)
        d = end - t0
        busy[a, i] += level * d
        present[a, i] += d
        t0 = end
        i += 1


@compiled(inline="always")
def _purge(q: int, t: float, head: IntArray, arrived: IntArray,  # noqa: PLR0917
           members: IntArray,
           offsets: IntArray, deadline: FloatArray, outcome: IntArray,
           end: FloatArray) -> None:  # pragma: no cover - compiled
    """Count contacts at the head of queue q whose patience ran out before t."""
    while head[q] < arrived[q]:
        c = members[offsets[q] + head[q]]
        if deadline[c] >= t:
            break
        outcome[c] = ABANDONED
        end[c] = deadline[c]
        head[q] += 1


@compiled(inline="always")
def _before(k1: float, a1: int, k2: float, a2: int) -> bool:  # pragma: no cover - compiled
    return k1 < k2 or (k1 == k2 and a1 < a2)


@compiled()
def _idle_push(q: int, key: float, a: int, stamp: int, hk: FloatArray,  # noqa: PLR0917
               ha: IntArray, hs: IntArray, hn: IntArray) -> None:  # pragma: no cover
    """Push (key, agent, version) on queue q's heap of agents with room."""
    i = hn[q]
    hn[q] += 1
    while i > 0:
        p = (i - 1) >> 1
        if not _before(key, a, hk[q, p], ha[q, p]):
            break
        hk[q, i], ha[q, i], hs[q, i] = hk[q, p], ha[q, p], hs[q, p]
        i = p
    hk[q, i], ha[q, i], hs[q, i] = key, a, stamp


@compiled()
def _idle_pop(q: int, hk: FloatArray, ha: IntArray, hs: IntArray,
              hn: IntArray) -> None:  # pragma: no cover - compiled
    """Drop the top of queue q's heap."""
    hn[q] -= 1
    n = hn[q]
    key, a, stamp = hk[q, n], ha[q, n], hs[q, n]
    i = 0
    while True:
        k = 2 * i + 1
        if k >= n:
            break
        if k + 1 < n and _before(hk[q, k + 1], ha[q, k + 1], hk[q, k], ha[q, k]):
            k += 1
        if not _before(hk[q, k], ha[q, k], key, a):
            break
        hk[q, i], ha[q, i], hs[q, i] = hk[q, k], ha[q, k], hs[q, k]
        i = k
    if n > 0:
        hk[q, i], ha[q, i], hs[q, i] = key, a, stamp


@compiled()
def _offer(a: int, skills: IntArray, units: IntArray, used: IntArray,  # noqa: PLR0917
           on: IntArray, idle_since: FloatArray, version: IntArray, cap: int,
           skill_members: IntArray, skill_offsets: IntArray, hk: FloatArray, ha: IntArray,
           hs: IntArray, hn: IntArray) -> None:  # pragma: no cover - compiled
    """Agent a changed: stale its heap entries and offer it where it has room."""
    version[a] += 1
    if on[a] == 0 or used[a] >= cap:
        return
    key = used[a] * 1e9 + idle_since[a]  # (load, idle since): horizons < 30 years
    for j in range(skills.shape[1]):
        q = skills[a, j]
        if q < 0:
            break
        if used[a] + units[q] > cap:
            continue
        if hn[q] == hk.shape[1]:  # full of stale entries: rebuild from the agents' state
            hn[q] = 0
            for s in range(skill_offsets[q], skill_offsets[q + 1]):
                b = skill_members[s]
                if b != a and on[b] == 1 and used[b] + units[q] <= cap:
                    _idle_push(q, used[b] * 1e9 + idle_since[b], b, version[b], hk, ha,
                               hs, hn)
        _idle_push(q, key, a, version[a], hk, ha, hs, hn)


@compiled()
def _best_idle(q: int, units: IntArray, used: IntArray, on: IntArray,  # noqa: PLR0917
               version: IntArray, cap: int, hk: FloatArray, ha: IntArray, hs: IntArray,
               hn: IntArray) -> int:  # pragma: no cover - compiled
    """The least-loaded, longest-idle agent with room for q, or -1."""
    while hn[q] > 0:
        a = ha[q, 0]
        if hs[q, 0] == version[a] and on[a] == 1 and used[a] + units[q] <= cap:
            return int(a)
        _idle_pop(q, hk, ha, hs, hn)
    return -1


# Positional parameters only: numba's compiled signatures take no keyword-only arguments.
@compiled(nogil=True, error_model="numpy")
def run_replication(  # noqa: PLR0917
        arrival: FloatArray, hold: FloatArray, deadline: FloatArray, cq: IntArray,
        members: IntArray, offsets: IntArray,
        units: IntArray, deferred: IntArray, open_iq: IntArray, interval_s: float,
        skills: IntArray, skill_members: IntArray, skill_offsets: IntArray,
        change_t: FloatArray, change_a: IntArray, change_on: IntArray, cap: int,
        start: FloatArray, end: FloatArray, agent_of: IntArray, outcome: IntArray,
        busy: FloatArray, present: FloatArray, backlog: FloatArray,
) -> int:  # pragma: no cover - compiled; tested through wfm.simulation.run
    """Simulate one replication; fills the output arrays, returns the events processed.

    ``open_iq`` (queues, intervals) 1 where a queue is open; ``skills`` (agents, k) queue
    indices by priority, -1 padded; ``skill_members[skill_offsets[q]:skill_offsets[q+1]]``
    the agents holding skill q; ``change_*`` the roster's log-ins (1) and log-outs (0)
    sorted by time. Outputs: per contact ``start``/``end`` (NaN if never), ``agent_of``,
    ``outcome``; per agent and interval ``busy`` (capacity used) and ``present`` (logged
    in or finishing a contact) agent-seconds; per queue ``backlog`` open at each interval
    end (deferred queues).
    """
    n_q = offsets.size - 1
    n_int = open_iq.shape[1]
    n_a = skills.shape[0]
    n_c = arrival.size
    horizon = n_int * interval_s
    head = np.zeros(n_q, np.int64)
    arrived = np.zeros(n_q, np.int64)
    completed = np.zeros(n_q, np.int64)
    used = np.zeros(n_a, np.int64)
    on = np.zeros(n_a, np.int64)
    version = np.zeros(n_a, np.int64)
    last = np.zeros(n_a)
    idle_since = np.zeros(n_a)
    heap_size = 1 + n_a * cap
    ht = np.empty(heap_size)
    hc = np.empty(heap_size, np.int64)
    width = 64 + 4 * int(np.max(np.diff(skill_offsets))) if n_q > 0 else 64
    hk = np.empty((n_q, width))
    ha = np.empty((n_q, width), np.int64)
    hs = np.empty((n_q, width), np.int64)
    hn = np.zeros(n_q, np.int64)
    nh = 0
    next_c = 0
    next_x = 0
    n_x = change_t.size
    boundary = 1
    events = 0
    for c in range(n_c):
        start[c] = np.nan
        end[c] = np.nan
        agent_of[c] = -1
        outcome[c] = WAITING
    while True:
        t_cmp = ht[0] if nh > 0 else np.inf
        t_x = change_t[next_x] if next_x < n_x else np.inf
        t_b = boundary * interval_s if boundary <= n_int else np.inf
        t_arr = arrival[next_c] if next_c < n_c else np.inf
        t = min(t_cmp, t_x, t_b, t_arr)
        if t > horizon or t == np.inf:
            break
        events += 1
        changed = -1  # agent whose state changed: it looks for work, then is re-offered
        if t_cmp == t:
            c = hc[0]
            nh = _heap_pop(ht, hc, nh)
            a = agent_of[c]
            q = cq[c]
            _account(a, t, last, used, on, cap, busy, present, interval_s, n_int)
            used[a] -= units[q]
            completed[q] += 1
            if used[a] == 0:
                idle_since[a] = t
            changed = a
        elif t_x == t:
            a = change_a[next_x]
            _account(a, t, last, used, on, cap, busy, present, interval_s, n_int)
            if change_on[next_x] == 1 and on[a] == 0:
                on[a] = 1
                if used[a] == 0:
                    idle_since[a] = t
            elif change_on[next_x] == 0:
                on[a] = 0
            changed = a
            next_x += 1
        elif t_b == t:
            i = boundary - 1
            for q in range(n_q):
                if deferred[q] == 1:
                    backlog[q, i] = arrived[q] - completed[q]
            boundary += 1
            if i + 1 < n_int:
                # Deferred queues opening now: their skilled idle agents look for work.
                for q in range(n_q):
                    if deferred[q] == 1 and open_iq[q, i + 1] == 1 and open_iq[q, i] == 0:
                        for s in range(skill_offsets[q], skill_offsets[q + 1]):
                            a = skill_members[s]
                            if on[a] == 1 and used[a] + units[q] <= cap:
                                nh = _pull(a, t, nh, ht, hc, head, arrived, members, offsets,
                                           deadline, outcome, start, end, agent_of, hold,
                                           units, deferred, open_iq, interval_s, skills, used,
                                           on, last, cap, busy, present)
                                _offer(a, skills, units, used, on, idle_since, version, cap,
                                       skill_members, skill_offsets, hk, ha, hs, hn)
        else:
            c = next_c
            next_c += 1
            q = cq[c]
            arrived[q] += 1
            i = min(int(t // interval_s), n_int - 1)
            if deferred[q] == 0 or open_iq[q, i] == 1:
                _purge(q, t, head, arrived, members, offsets, deadline, outcome, end)
                if members[offsets[q] + head[q]] == c:  # nobody waits ahead of it
                    best = _best_idle(q, units, used, on, version, cap, hk, ha, hs, hn)
                    if best >= 0:
                        head[q] += 1
                        nh = _start(best, c, t, nh, ht, hc, start, end, agent_of, outcome,
                                    hold, units, cq, used, on, last, cap, busy, present,
                                    interval_s, n_int)
                        _offer(best, skills, units, used, on, idle_since, version, cap,
                               skill_members, skill_offsets, hk, ha, hs, hn)
        if changed >= 0:
            if on[changed] == 1:
                nh = _pull(changed, t, nh, ht, hc, head, arrived, members, offsets, deadline,
                           outcome, start, end, agent_of, hold, units, deferred, open_iq,
                           interval_s, skills, used, on, last, cap, busy, present)
            _offer(changed, skills, units, used, on, idle_since, version, cap,
                   skill_members, skill_offsets, hk, ha, hs, hn)
    for a in range(n_a):
        _account(a, horizon, last, used, on, cap, busy, present, interval_s, n_int)
    for q in range(n_q):
        for p in range(head[q], arrived[q]):
            c = members[offsets[q] + p]
            if deadline[c] <= horizon:
                outcome[c] = ABANDONED
                end[c] = deadline[c]
    return events


@compiled(inline="always")
def _start(a: int, c: int, t: float, nh: int, ht: FloatArray, hc: IntArray,  # noqa: PLR0917
           start: FloatArray, end: FloatArray, agent_of: IntArray, outcome: IntArray,
           hold: FloatArray, units: IntArray, cq: IntArray, used: IntArray, on: IntArray,
           last: FloatArray, cap: int, busy: FloatArray, present: FloatArray,
           interval_s: float, n_int: int) -> int:  # pragma: no cover - compiled
    _account(a, t, last, used, on, cap, busy, present, interval_s, n_int)
    used[a] += units[cq[c]]
    start[c] = t
    end[c] = t + hold[c]
    agent_of[c] = a
    outcome[c] = ANSWERED
    return int(_heap_push(ht, hc, nh, t + hold[c], c))


@compiled()
def _pull(a: int, t: float, nh: int, ht: FloatArray, hc: IntArray,  # noqa: PLR0917
          head: IntArray, arrived: IntArray, members: IntArray, offsets: IntArray,
          deadline: FloatArray, outcome: IntArray, start: FloatArray, end: FloatArray,
          agent_of: IntArray, hold: FloatArray, units: IntArray, deferred: IntArray,
          open_iq: IntArray, interval_s: float, skills: IntArray, used: IntArray,
          on: IntArray, last: FloatArray, cap: int, busy: FloatArray,
          present: FloatArray) -> int:  # pragma: no cover - compiled
    """Agent a takes waiting work, highest-priority skill first, while it has room."""
    n_int = open_iq.shape[1]
    i = min(int(t // interval_s), n_int - 1)
    took = True
    while took and on[a] == 1:
        took = False
        for j in range(skills.shape[1]):
            q = skills[a, j]
            if q < 0:
                break
            if used[a] + units[q] > cap or (deferred[q] == 1 and open_iq[q, i] == 0):
                continue
            _purge(q, t, head, arrived, members, offsets, deadline, outcome, end)
            if head[q] < arrived[q]:
                c = members[offsets[q] + head[q]]
                head[q] += 1
                _account(a, t, last, used, on, cap, busy, present, interval_s, n_int)
                used[a] += units[q]
                start[c] = t
                end[c] = t + hold[c]
                agent_of[c] = a
                outcome[c] = ANSWERED
                nh = int(_heap_push(ht, hc, nh, t + hold[c], c))
                took = True
                break
    return nh
