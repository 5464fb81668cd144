"""Discrete-event simulation of the FIFO M/M/N and M/M/N+M queues (a test reference)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SimResult:
    """Estimates with 99% confidence half-widths from batch means."""

    p_wait: tuple[float, float]
    p_abandon: tuple[float, float]
    sl_offered: tuple[float, float]


def simulate_queue(agents: int, load: float, aht_s: float, patience_s: float | None,
                   sl_threshold_s: float, *, customers: int = 200_000, batches: int = 20,
                   seed: int = 0) -> SimResult:
    """FCFS: each arrival takes the earliest free agent unless its patience runs out first.

    Offered wait = max(0, earliest free time - arrival); a contact is served iff its
    patience exceeds that wait (exponential patience; ``None`` = infinite).
    """
    rng = np.random.default_rng(seed)
    lam = load / aht_s
    arrivals = np.cumsum(rng.exponential(1 / lam, customers))
    service = rng.exponential(aht_s, customers)
    patience = (np.full(customers, np.inf) if patience_s is None
                else rng.exponential(patience_s, customers))
    free = [0.0] * agents
    heapq.heapify(free)
    waited = np.zeros(customers, bool)
    abandoned = np.zeros(customers, bool)
    within = np.zeros(customers, bool)
    for i in range(customers):
        arr = arrivals[i]
        wait = max(0.0, free[0] - arr)
        if wait > patience[i]:
            abandoned[i] = True
            waited[i] = True
            continue
        waited[i] = wait > 0
        within[i] = wait <= sl_threshold_s
        heapq.heapreplace(free, arr + wait + service[i])
    warm = customers // (batches + 1)

    def est(flags: np.ndarray) -> tuple[float, float]:
        means = np.array([b.mean() for b in np.array_split(flags[warm:], batches)])
        return float(means.mean()), float(2.86 * means.std(ddof=1) / np.sqrt(batches))

    return SimResult(est(waited), est(abandoned), est(within))
