"""Erlang A against the discrete-event simulation and its Erlang C limit."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.errors import StaffingError
from wfm.simulation.queue_sim import simulate_queue
from wfm.staffing.erlang_a import erlang_a
from wfm.staffing.erlang_c import erlang_c, service_level


@pytest.mark.parametrize(("n", "a", "aht", "pat"), [
    (14, 10.0, 180.0, 120.0),   # comfortable
    (8, 10.0, 180.0, 120.0),    # fewer agents than the load: stable only through abandons
    (50, 48.0, 300.0, 60.0),    # heavy load, impatient callers
])
def test_erlang_a_within_simulation_confidence_interval(n, a, aht, pat) -> None:
    m = erlang_a(n, a, aht, pat, 20.0)
    sim = simulate_queue(n, a, aht, pat, 20.0, customers=60_000, seed=3)
    for key, (mean, half) in (("p_wait", sim.p_wait), ("p_abandon", sim.p_abandon),
                              ("sl_offered", sim.sl_offered)):
        assert abs(float(m[key]) - mean) <= half + 1e-3, (key, float(m[key]), mean, half)


def test_infinite_patience_limit_is_erlang_c() -> None:
    m = erlang_a(14, 10.0, 180.0, 1e9, 20.0)
    assert float(m["p_wait"]) == pytest.approx(float(erlang_c(14, 10.0)), rel=1e-5)
    assert float(m["sl_offered"]) == pytest.approx(float(service_level(14, 10.0, 180.0, 20.0)),
                                                   rel=1e-5)
    assert float(m["p_abandon"]) < 1e-6


def test_large_loads_finite_and_ordered() -> None:
    n = np.array([1.0, 90000.0, 100000.0, 101000.0, 200000.0])
    m = erlang_a(n, 100000.0, 300.0, 120.0, 20.0)
    for v in m.values():
        assert np.all(np.isfinite(v)) and np.all((v >= 0) & (v <= 1))
    assert np.all(np.diff(m["sl_offered"]) >= -1e-12)
    assert np.all(np.diff(m["p_abandon"]) <= 1e-12)
    assert np.all(m["sl_answered"] >= m["sl_offered"] - 1e-12)


def test_bad_patience() -> None:
    with pytest.raises(StaffingError, match="patience must be > 0"):
        erlang_a(10, 5.0, 180.0, 0.0, 20.0)


@pytest.mark.parametrize(("a", "pat", "kw"), [
    (10.0, 120.0, {"sl_target": 0.8, "sl_threshold_s": 20.0}),
    (10.0, 5.0, {"max_abandon_rate": 0.5}),
    (250.0, 90.0, {"sl_target": 0.9, "sl_threshold_s": 10.0, "max_abandon_rate": 0.02}),
])
def test_required_agents_erlang_a_minimal(a, pat, kw) -> None:
    from wfm.staffing.required_agents import required_agents_erlang_a

    n = float(required_agents_erlang_a(a, 180.0, pat, **kw))

    def ok(k: float) -> bool:
        m = erlang_a(k, a, 180.0, pat, kw.get("sl_threshold_s", 0.0))
        return (float(m["sl_offered"]) >= kw.get("sl_target", 0.0)
                and float(m["p_abandon"]) <= kw.get("max_abandon_rate", 1.0))

    assert ok(n) and not ok(n - 1)


def test_erlang_a_answer_can_be_below_the_load() -> None:
    from wfm.staffing.required_agents import required_agents_erlang_a

    assert float(required_agents_erlang_a(10.0, 180.0, 5.0, max_abandon_rate=0.5)) < 10.0
