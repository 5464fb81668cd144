"""Compiled Erlang C staffing search for long arrays of intervals (numba).

``required_agents`` on a forecast of thousands of intervals is the hot loop of capacity
planning; numpy's per-call overhead and the scalar incomplete gamma at the start of the
vectorised search dominate there (about 0.3 microseconds per interval). This kernel does
the same exact search in compiled code, vectorised across intervals:

1. intervals are counting-sorted by their first stable staffing ``k0 = floor(A) + 1`` so
   that a block of 128 lanes runs nearly the same number of steps;
2. ``1/B(k, A)`` is built by the Erlang-B recursion ``1/B(k) = 1 + (k/A) / B(k-1)`` from
   ``k = 0`` to ``k0``, a branch-free loop over the lanes that LLVM turns into SIMD code
   (every term is positive, so the recursion is stable: relative error about k x 1e-16);
3. from ``k0`` every lane walks up one agent at a time until all targets hold, with the
   targets rewritten without divisions. With ``D = (k - A)/B + A``, Erlang C is ``k / D``,
   so ``SL >= s`` is ``k exp(-(k - A) t/AHT) <= (1 - s) D``, ``ASA <= w`` is
   ``k AHT <= w (k - A) D`` and occupancy ``A/k <= o`` is ``A <= o' k`` with the
   caller's ``o' = occupancy_limit(o)`` (the one tie rule of
   :data:`wfm.staffing.search_bounds.OCCUPANCY_RTOL`, same arithmetic as the vectorised search).

numba is imported only here (and only when a long array is staffed), so the CLI's start
and short calculator calls do not pay for it. The first call compiles (about 1.5 s) and
caches the machine code on disk (numba's cache: next to this file, or the user's cache
folder when that is read-only); later processes load it in milliseconds. With no writable
cache folder at all, each process compiles once (see :func:`compiled`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from wfm.staffing.erlang_c import FloatArray
from wfm.staffing.search_bounds import (
    CAP_AGENTS_PER_ERLANG,
    CAP_EXTRA_AGENTS,
    occupancy_limit,
)


def compiled(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(cache=True, **options)``, or without the disk cache where numba finds no
    writable cache folder (a read-only install and home): it then compiles in each process
    (about 1.5 s) instead of failing the run."""

    def decorate(fn: Callable[..., Any]) -> Any:
        try:
            return njit(cache=True, **options)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return njit(cache=False, **options)(fn)

    return decorate


BLOCK = 128
"""Lanes per block: enough for SIMD and to amortise the block's loop, small enough that
the counting sort leaves little spread of step counts inside a block."""


# Positional parameters: numba's compiled signatures take no keyword-only arguments.
# fastmath "contract" only fuses a * b + c into one FMA (one rounding instead of two: no
# less exact), which the recursion and the target tests are made of; ~8 % faster.
@compiled(nogil=True, error_model="numpy", fastmath={"contract"})
def _kernel(  # noqa: PLR0917
        load: FloatArray, aht_s: FloatArray, first_exp: FloatArray, step_exp: FloatArray,
        sl_slack: float, max_asa_s: float, max_occupancy: float, max_load: float,
        out: FloatArray) -> int:  # pragma: no cover - compiled; tested through the caller
    n = load.size
    unresolved = 0
    inv = np.empty(BLOCK)
    rate = np.empty(BLOCK)
    ew = np.empty(BLOCK)
    k = np.empty(BLOCK)
    done = np.empty(BLOCK)
    a = np.empty(BLOCK)
    h = np.empty(BLOCK)
    r = np.empty(BLOCK)
    cap = np.empty(BLOCK)
    # Counting sort by k0 - 1 = floor(A).
    key = np.empty(n, np.int64)
    top = 0
    for i in range(n):
        key[i] = int(min(load[i], max_load))
        top = max(top, key[i])
    start = np.zeros(top + 2, np.int64)
    for i in range(n):
        start[key[i] + 1] += 1
    for v in range(1, top + 2):
        start[v] += start[v - 1]
    order = np.empty(n, np.int64)
    for i in range(n):
        order[start[key[i]]] = i
        start[key[i]] += 1

    for lo in range(0, n, BLOCK):
        m = min(BLOCK, n - lo)
        for j in range(m):
            i = order[lo + j]
            # Loads above max_load are left to the caller (0 steps here, answer -1).
            a[j] = min(load[i], max_load)
            h[j] = aht_s[i]
            ew[j] = first_exp[i]
            r[j] = step_exp[i]
        k_top = 0.0
        for j in range(m):  # separate loop: the division vectorises here
            # The caller's search gives up there too (search_bounds.search_cap) and names the
            # target; numba reads the two module constants as compile-time values.
            cap[j] = (np.ceil(a[j] * CAP_AGENTS_PER_ERLANG + CAP_EXTRA_AGENTS)
                      if a[j] < max_load else 0.0)
            k[j] = np.floor(a[j]) + 1.0
            rate[j] = 1.0 / max(a[j], 1e-300)
            inv[j] = 1.0
            k_top = max(k_top, k[j])
        step = 1.0
        while step < k_top:
            for j in range(m):
                nxt = 1.0 + inv[j] * (step * rate[j])
                inv[j] = nxt if step < k[j] else inv[j]
            step += 1.0
        left = 0
        for j in range(m):
            inv[j] = 1.0 + inv[j] * (k[j] * rate[j])
            done[j] = 0.0 if a[j] > 0.0 else 1.0
            left += a[j] > 0.0
        while left > 0:
            for _ in range(2):
                for j in range(m):
                    aj = a[j]
                    kj = k[j]
                    d = (kj - aj) * inv[j] + aj
                    ok = ((kj * ew[j] <= sl_slack * d)
                          & (kj * h[j] <= max_asa_s * (kj - aj) * d)
                          & (aj <= max_occupancy * kj)) | (kj >= cap[j])
                    okf = 1.0 if ok else 0.0
                    move = (1.0 - done[j]) * (1.0 - okf)
                    done[j] = max(done[j], okf)
                    inv[j] += move * (inv[j] * ((kj + 1.0) * rate[j]) + 1.0 - inv[j])
                    ew[j] += move * (ew[j] * r[j] - ew[j])
                    k[j] = kj + move
            left = 0
            for j in range(m):
                left += done[j] == 0.0
        for j in range(m):
            i = order[lo + j]
            out[i] = 0.0 if a[j] <= 0.0 else (-1.0 if k[j] >= cap[j] else k[j])
            unresolved += out[i] < 0.0
    return unresolved


@compiled(nogil=True, error_model="numpy")
def _exponents(load: FloatArray, aht_s: FloatArray, threshold_s: float,
               x: FloatArray) -> bool:  # pragma: no cover - compiled; tested through the caller
    """x[:n] = -t/AHT, x[n:] = -(floor(A) + 1 - A) t/AHT; False if any input is invalid."""
    n = load.size
    valid = True
    for i in range(n):
        a = load[i]
        h = aht_s[i]
        valid &= (a >= 0.0) & (a < np.inf) & (h > 0.0) & (h < np.inf)
        tau = threshold_s / h
        x[i] = -tau
        x[n + i] = (a - np.floor(a) - 1.0) * tau
    return valid


def required_agents_compiled(load: FloatArray, aht_s: FloatArray, *, sl_target: float | None,
                             sl_threshold_s: float | None, max_asa_s: float | None,
                             max_occupancy: float | None,
                             max_load: float) -> tuple[FloatArray, int] | None:
    """Fewest agents meeting every given target (Erlang C); 0 where the load is 0.

    Returns the agents and how many intervals are -1 (see below), or None when a load is
    not in [0, inf) or an AHT not in (0, inf).

    -1 where the kernel gives no answer: loads of ``max_load`` Erlangs or more, and targets
    not met by ``search_cap`` agents; the caller's vectorised search settles those (and
    names the target that cannot be met). The targets are validated by the caller
    (``wfm.staffing.required_agents.required_agents``): in range, at least one given.
    """
    a = np.ascontiguousarray(load, dtype=np.float64)
    h = np.ascontiguousarray(aht_s, dtype=np.float64)
    n = a.size
    x = np.empty(2 * n)
    # Validity is checked by the same pass (the caller names the bad value when False).
    if not _exponents(a, h, 0.0 if sl_threshold_s is None else sl_threshold_s, x):
        return None
    if sl_target is None:
        slack = np.inf
        x[:] = 0.0
    else:
        slack = 1.0 - sl_target
        np.exp(x, out=x)  # numpy's exp is SIMD; numba's would be scalar libm calls
    out = np.empty(n)
    unresolved = _kernel(a, h, x[n:], x[:n], slack, np.inf if max_asa_s is None else max_asa_s,
                         1.0 if max_occupancy is None else occupancy_limit(max_occupancy),
                         max_load, out)
    return out, unresolved
