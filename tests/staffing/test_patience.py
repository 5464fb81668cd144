"""Patience estimated from waits and abandons of a simulated M/M/N+M queue."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from wfm.errors import StaffingError
from wfm.staffing.patience import estimate_patience


def simulate_waits(agents: int, load: float, aht_s: float, patience_s: float, customers: int,
                   seed: int) -> tuple[int, int, float, float]:
    """FIFO M/M/N+M: abandoned, handled, summed wait of answered and of abandoned [s]."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(aht_s / load, customers))
    service = rng.exponential(aht_s, customers)
    patience = rng.exponential(patience_s, customers)
    free = [0.0] * agents
    ab = hd = 0
    answer_wait = abandon_wait = 0.0
    for t, s, p in zip(arrivals, service, patience, strict=True):
        wait = max(0.0, free[0] - t)
        if wait > p:
            ab += 1
            abandon_wait += p
            continue
        hd += 1
        answer_wait += wait
        heapq.heapreplace(free, t + wait + s)
    return ab, hd, answer_wait, abandon_wait


@pytest.mark.parametrize(("agents", "load", "patience"), [(10, 10.0, 120.0), (20, 19.0, 300.0)])
def test_full_estimator_recovers_patience_and_imputed_one_is_low(agents, load,
                                                                   patience) -> None:
    ab, hd, aw, bw = simulate_waits(agents, load, 180.0, patience, 60_000, seed=4)
    # Split into intervals: the estimator only sees per-interval sums.
    parts = 48
    split = [np.full(parts, v / parts) for v in (ab, hd, aw, bw)]
    full = estimate_patience(split[0], split[1], split[2], split[3])
    assert full.patience_s == pytest.approx(patience, rel=0.06)
    assert not full.imputed
    imputed = estimate_patience(split[0], split[1], split[2])
    assert imputed.imputed and "underestimates patience" in imputed.note
    assert imputed.patience_s is not None and imputed.patience_s < full.patience_s


def test_no_abandons_means_no_estimate() -> None:
    est = estimate_patience([0, 0], [10, 12], [50.0, 60.0])
    assert est.patience_s is None and "Erlang C is used" in est.note


def test_negative_counts_rejected() -> None:
    with pytest.raises(StaffingError, match=r"abandoned -1\.0 is not valid"):
        estimate_patience([-1], [10], [5.0])
