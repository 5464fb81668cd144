"""The queue simulator reproduces the exact Erlang C results (no abandonment)."""

from __future__ import annotations

from wfm.simulation.queue_sim import simulate_queue
from wfm.staffing.erlang_c import erlang_c, service_level


def test_simulation_matches_erlang_c_published_case() -> None:
    sim = simulate_queue(14, 10.0, 180.0, None, 20.0, customers=60_000, seed=11)
    assert abs(sim.p_wait[0] - float(erlang_c(14, 10.0))) <= sim.p_wait[1] + 1e-3
    assert abs(sim.sl_offered[0] - float(service_level(14, 10.0, 180.0, 20.0))) \
        <= sim.sl_offered[1] + 1e-3
    assert sim.p_abandon[0] == 0.0
