"""M/M/N+M metrics against independent references.

References: the Erlang C closed form evaluated in high precision (mpmath), a brute-force
stationary distribution from the truncated generator matrix (linear solve), and the waiting
time of a tagged arrival from the matrix exponential of its absorbing Markov chain.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from wfm.errors import StaffingError
from wfm.simulation.queueing import mmn_plus_m


def erlang_c_reference(lam: float, aht_s: float, n: int, t_s: float) -> dict[str, float]:
    """Textbook Erlang C: P(wait), SL = 1 - C e^{-(N mu - lam) t}, ASA = C / (N mu - lam)."""
    mpmath.mp.dps = 40
    a = mpmath.mpf(lam) * aht_s
    top = a**n / mpmath.factorial(n) * n / (n - a)
    bottom = sum(a**k / mpmath.factorial(k) for k in range(n)) + top
    c = top / bottom
    mu = 1 / mpmath.mpf(aht_s)
    gap = n * mu - lam
    return {
        "p_wait": float(c),
        "sl": float(1 - c * mpmath.exp(-gap * t_s)),
        "asa": float(c / gap),
        "lq": float(c * lam / gap),
    }


@pytest.mark.parametrize(("lam", "aht", "n", "t"), [
    (0.5 / 300, 300.0, 1, 20.0),
    (10 / 180, 180.0, 13, 20.0),
    (20 / 300, 300.0, 22, 30.0),
    (95 / 240, 240.0, 100, 15.0),
    (3 / 600, 600.0, 4, 0.0),
])
def test_erlang_c_limit(lam: float, aht: float, n: int, t: float) -> None:
    ref = erlang_c_reference(lam, aht, n, t)
    for patience in (np.inf, 1e13):  # exactly no reneging, and the theta -> 0 limit
        m = mmn_plus_m(lam, aht, n, patience, t)
        assert m.p_wait[0] == pytest.approx(ref["p_wait"], rel=1e-7)
        assert m.p_served_within[0] == pytest.approx(ref["sl"], rel=1e-7, abs=1e-12)
        assert m.mean_wait_served_s[0] == pytest.approx(ref["asa"], rel=1e-6)
        assert m.mean_queue[0] == pytest.approx(ref["lq"], rel=1e-6)
        assert m.p_abandon[0] == pytest.approx(0.0, abs=1e-8)


def brute_force(lam: float, aht: float, n: int, patience: float, t: float,
                states: int = 400) -> dict[str, float]:
    """Stationary law by solving pi Q = 0; wait law of a tagged arrival by expm."""
    mu, theta = 1 / aht, 1 / patience
    q = np.zeros((states, states))
    for s in range(states - 1):
        q[s, s + 1] = lam
        q[s + 1, s] = min(s + 1, n) * mu + max(s + 1 - n, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(states)])
    b = np.zeros(states + 1)
    b[-1] = 1
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    p_wait = pi[n:].sum()
    lq = float((np.maximum(np.arange(states) - n, 0) * pi).sum())

    # Tagged arrival with j ahead: transient states "k ahead" (k = j..0), then absorbing
    # "served" and "abandoned". P(served by t) from the matrix exponential.
    jmax = 120
    size = jmax + 3
    served, abandoned = jmax + 1, jmax + 2
    g = np.zeros((size, size))
    for k in range(jmax + 1):
        advance = n * mu + k * theta
        g[k, k - 1 if k > 0 else served] += advance
        g[k, abandoned] += theta
    np.fill_diagonal(g, -g.sum(axis=1))
    p_t = expm(g * t)
    p_inf = expm(g * 1e6)
    within = sum(pi[n + j] * p_t[j, served] for j in range(jmax + 1))
    served_after_wait = sum(pi[n + j] * p_inf[j, served] for j in range(jmax + 1))
    return {"p_wait": p_wait, "lq": lq, "p_abandon": theta * lq / lam,
            "p_served_within": pi[:n].sum() + within,
            "p_served_waited": served_after_wait}


@pytest.mark.parametrize(("lam", "aht", "n", "patience", "t"), [
    (0.05, 300.0, 18, 120.0, 20.0),     # near critical load, moderate abandonment
    (0.08, 300.0, 15, 120.0, 20.0),     # heavily overloaded (outage-like)
    (0.02, 600.0, 6, 240.0, 60.0),      # chat-like with long handle time
    (0.004, 360.0, 1, 180.0, 30.0),     # one agent
    (0.05, 300.0, 0, 120.0, 20.0),      # no server: everybody abandons
])
def test_erlang_a_matches_brute_force(lam: float, aht: float, n: int, patience: float,
                                      t: float) -> None:
    ref = brute_force(lam, aht, n, patience, t)
    m = mmn_plus_m(lam, aht, n, patience, t)
    assert m.p_wait[0] == pytest.approx(ref["p_wait"], rel=1e-8, abs=1e-12)
    assert m.mean_queue[0] == pytest.approx(ref["lq"], rel=1e-8)
    assert m.p_abandon[0] == pytest.approx(ref["p_abandon"], rel=1e-8)
    assert m.p_served_waited[0] == pytest.approx(ref["p_served_waited"], rel=1e-7, abs=1e-12)
    assert m.p_served_within[0] == pytest.approx(ref["p_served_within"], rel=1e-7, abs=1e-12)


def test_abandoners_wait_less_than_their_patience() -> None:
    """Little's law splits Lq / lambda into the served and the abandoning contacts' waits."""
    lam, aht, n, patience = 0.05, 300.0, 17, 120.0
    m = mmn_plus_m(lam, aht, n, patience, 20.0)
    total_wait = m.mean_queue[0] / lam
    served_part = m.p_served[0] * m.mean_wait_served_s[0]
    assert 0 < served_part < total_wait
    abandon_wait = (total_wait - served_part) / m.p_abandon[0]
    assert 0 < abandon_wait < patience


def test_simulation_agrees_with_exact_metrics() -> None:
    """A seeded discrete-event simulation of M/M/N+M (FCFS) matches within noise."""
    rng = np.random.default_rng(3)
    lam, aht, n, patience, t = 0.04, 300.0, 12, 120.0, 20.0
    count = 60_000
    arrivals = np.cumsum(rng.exponential(1 / lam, count))
    services = rng.exponential(aht, count)
    patiences = rng.exponential(patience, count)
    free = np.zeros(n)  # time each server becomes free
    waits = np.full(count, np.nan)
    abandoned = np.zeros(count, dtype=bool)
    # FCFS with reneging: a contact takes the earliest free server if that comes before its
    # patience expires; otherwise it abandons and does not occupy a server.
    for i in range(count):
        s = int(np.argmin(free))
        start = max(free[s], arrivals[i])
        if start - arrivals[i] > patiences[i]:
            abandoned[i] = True
            continue
        waits[i] = start - arrivals[i]
        free[s] = start + services[i]
    warm = 2000
    m = mmn_plus_m(lam, aht, n, patience, t)
    # Tolerances allow for the autocorrelation of a queue's sample path (batch-means check).
    assert abandoned[warm:].mean() == pytest.approx(m.p_abandon[0], abs=0.01)
    served_waits = waits[warm:][~abandoned[warm:]]
    assert served_waits.mean() == pytest.approx(m.mean_wait_served_s[0], rel=0.1)
    within = np.nan_to_num(waits[warm:], nan=np.inf) <= t
    assert within.mean() == pytest.approx(m.p_served_within[0], abs=0.02)


@settings(max_examples=40, deadline=None)
@given(lam=st.floats(0.001, 0.2), aht=st.floats(60, 900), n=st.integers(0, 60),
       patience=st.floats(10, 1000), t=st.floats(0, 120))
def test_more_servers_never_hurt(lam: float, aht: float, n: int, patience: float,
                                 t: float) -> None:
    m = mmn_plus_m(lam, aht, [n, n + 1], patience, t)
    assert m.p_abandon[1] <= m.p_abandon[0] + 1e-12
    assert m.p_served_within[1] >= m.p_served_within[0] - 1e-12
    for field in (m.p_wait, m.p_abandon, m.p_served_within, m.p_served_waited):
        assert np.all((field >= 0) & (field <= 1 + 1e-12))
    assert np.all(m.p_served_within <= m.p_served + 1e-12)
    # Abandonment rate identity (theta * Lq = lambda * P(abandon)) holds for every input.
    assert m.p_abandon == pytest.approx(m.mean_queue / patience / lam, rel=1e-7, abs=1e-13)


def test_vectorised_equals_one_by_one() -> None:
    lam = np.array([0.0, 0.01, 0.05, 0.09, 0.03])
    n = np.array([3, 2, 18, 10, 0])
    together = mmn_plus_m(lam, 300.0, n, 150.0, 20.0)
    for i in range(lam.size):
        alone = mmn_plus_m(lam[i], 300.0, n[i], 150.0, 20.0)
        assert together.p_served_within[i] == pytest.approx(alone.p_served_within[0], rel=1e-12)
        assert together.mean_wait_served_s[i] == pytest.approx(alone.mean_wait_served_s[0],
                                                               rel=1e-12)
    assert together.p_wait[0] == 0 and together.p_served_within[0] == 1


def test_unstable_erlang_c_is_an_error() -> None:
    with pytest.raises(StaffingError, match=r"offered load 20 erlang >= 15 servers"):
        mmn_plus_m(20 / 300, 300.0, 15, np.inf, 20.0)


def test_bad_parameters_are_an_error() -> None:
    with pytest.raises(StaffingError, match="aht_s > 0"):
        mmn_plus_m(0.1, 0.0, 3, 100.0, 20.0)
    with pytest.raises(StaffingError, match="integer servers"):
        mmn_plus_m(0.1, 100.0, 2.5, 100.0, 20.0)
