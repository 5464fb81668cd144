"""Single-skill validation of the centre simulator against exact queueing formulas.

Steady state: a constant staffing and arrival rate over many hours; the first hour is a
warm-up (the centre starts empty) and is left out. The exact values come from
wfm.staffing (Erlang C, Erlang A in incomplete-gamma form) and must lie inside the
simulation's 95 % confidence interval. The deferred check compares with the backlog plan
of wfm.staffing.deferred when the forecast comes true.
"""

from __future__ import annotations

import numpy as np
import pytest

from wfm.simulation.centre import Demand, SimOptions, SimQueue
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import SimulationResult, t_interval
from wfm.staffing.deferred import plan_deferred
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, occupancy, service_level

HOURS = 60
HOUR_S = 3600.0


def steady(queue: SimQueue, agents: int, load: float, aht_s: float, *,
           reps: int = 20, seed: int = 3) -> SimulationResult:
    lam = load / aht_s
    demand = Demand(HOUR_S, np.full((1, HOURS), lam * HOUR_S), np.full((1, HOURS), aht_s),
                    np.zeros(HOURS, np.int64))
    staffing = staffing_from_counts(np.full((1, HOURS), agents), HOUR_S)
    return simulate_centre([queue], demand, staffing,
                           SimOptions(replications=reps, seed=seed, workers=2))


def after_warm_up(result: SimulationResult, name: str) -> tuple[float, float, float]:
    """Mean and 95 % interval of a measure over hours 1.. (hour 0 is the warm-up)."""
    period = np.r_[0, np.ones(HOURS - 1, np.int64)]
    values = result.measures(period).values[name][:, 0, 1]
    mean, lo, hi = t_interval(values)
    return float(mean), float(lo), float(hi)


def assert_inside(result: SimulationResult, name: str, exact: float) -> None:
    mean, lo, hi = after_warm_up(result, name)
    assert lo <= exact <= hi, f"{name}: exact {exact:.5f} outside [{lo:.5f}, {hi:.5f}] " \
                              f"(simulated {mean:.5f})"


@pytest.mark.parametrize(("agents", "load", "aht_s", "threshold_s"), [
    (14, 10.0, 180.0, 20.0),    # the textbook case: SL 0.888, ASA 7.8 s
    (55, 50.0, 300.0, 20.0),    # a large queue close to full load
    (3, 1.6, 240.0, 30.0),      # a small queue
])
def test_erlang_c_queue_reproduces_the_exact_formulas(agents: int, load: float,
                                                      aht_s: float,
                                                      threshold_s: float) -> None:
    queue = SimQueue("voice", sl_threshold_s=threshold_s, sl_target=0.8)
    result = steady(queue, agents, load, aht_s)
    assert_inside(result, "service_level",
                  float(service_level(agents, load, aht_s, threshold_s)))
    assert_inside(result, "asa_s", float(asa(agents, load, aht_s)))
    assert_inside(result, "occupancy", float(occupancy(agents, load)))
    assert after_warm_up(result, "abandon_rate") == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(("agents", "load", "aht_s", "patience_s"), [
    (14, 12.0, 180.0, 120.0),   # busy queue, patience shorter than the AHT
    (20, 24.0, 240.0, 300.0),   # overloaded: only abandonment keeps it stable
])
def test_erlang_a_queue_reproduces_the_exact_formulas(agents: int, load: float, aht_s: float,
                                                      patience_s: float) -> None:
    queue = SimQueue("voice", patience_s=patience_s, sl_threshold_s=20.0, sl_target=0.8)
    result = steady(queue, agents, load, aht_s)
    exact = erlang_a(agents, load, aht_s, patience_s, 20.0)
    assert_inside(result, "service_level", float(exact["sl_offered"]))
    assert_inside(result, "abandon_rate", float(exact["p_abandon"]))
    assert_inside(result, "asa_s", float(asa_answered(agents, load, aht_s, patience_s)))


def test_answered_definition_divides_by_answered_contacts() -> None:
    queue = SimQueue("voice", patience_s=120.0, sl_threshold_s=20.0,
                     sl_definition="answered")
    result = steady(queue, 14, 12.0, 180.0)
    exact = erlang_a(14, 12.0, 180.0, 120.0, 20.0)
    assert_inside(result, "service_level", float(exact["sl_answered"]))


@pytest.mark.parametrize(("slots", "agents", "load"), [(2, 8, 14.0), (3, 5, 13.0)])
def test_chat_queue_with_k_slots_matches_erlang_c_on_k_times_n_servers(
        slots: int, agents: int, load: float) -> None:
    aht_s = 600.0  # handle time of one chat while the agent shares itself
    queue = SimQueue("chat", channel="chat", concurrency=slots, sl_threshold_s=60.0)
    result = steady(queue, agents, load, aht_s)
    servers = slots * agents
    assert_inside(result, "service_level", float(service_level(servers, load, aht_s, 60.0)))
    assert_inside(result, "asa_s", float(asa(servers, load, aht_s)))
    assert_inside(result, "occupancy", float(occupancy(servers, load)))


def _email_weeks() -> tuple[np.ndarray, np.ndarray]:
    """Two weeks of 15-min intervals: items around the clock, open Mon-Fri 08-18 and
    Sat 09-13 (Sunday closed)."""
    rng = np.random.default_rng(5)
    n = 14 * 96
    hour = (np.arange(n) % 96) / 4
    day = np.arange(n) // 96
    wave = 2.0 + 6.0 * np.exp(-0.5 * ((hour - 11) / 3) ** 2)
    arrivals = rng.poisson(wave).astype(float)
    weekday = day % 7
    open_mask = ((weekday < 5) & (hour >= 8) & (hour < 18)) | \
        ((weekday == 5) & (hour >= 9) & (hour < 13))
    return arrivals, open_mask


@pytest.mark.parametrize(("clock", "target", "response_h"), [
    ("calendar", 0.9, 24.0), ("working", 1.0, 4.0)])
def test_email_backlog_with_the_forecast_coming_true_reproduces_the_plan(
        clock: str, target: float, response_h: float) -> None:
    arrivals, open_mask = _email_weeks()
    interval_s, aht_s = 900.0, 480.0
    plan = plan_deferred(arrivals, aht_s, open_mask, interval_s, response_target=target,
                         response_time_s=response_h * 3600.0, clock=clock)
    n = arrivals.size
    queue = SimQueue("email", channel="email", deferred=True, response_target=target,
                     response_time_s=response_h * 3600.0, response_clock=clock,
                     open_mask=open_mask)
    demand = Demand(interval_s, arrivals[None, :], np.full((1, n), aht_s),
                    np.arange(n, dtype=np.int64) // 96, mode="replay")
    # The plan's fractional agents, to the minute.
    staffing = staffing_from_counts(plan.agents_productive[None, :], interval_s, 60.0)
    result = simulate_centre([queue], demand, staffing,
                             SimOptions(replications=5, seed=1, handle_time="deterministic"))
    # Compare on the intervals whose items both judge (deadline inside the horizon): the
    # plan counts deadlines from the interval's start on its grid, the simulation from
    # each item's arrival, which differ at the horizon's end only.
    sim_judged = result.count("judged")[:, 0]
    both = ~np.isnan(plan.share_within_target) & np.all(sim_judged == arrivals, axis=0)
    assert arrivals[both].sum() >= 0.95 * arrivals[~np.isnan(plan.share_within_target)].sum()
    plan_share = float((plan.share_within_target * arrivals)[both].sum()
                       / arrivals[both].sum())
    on_time = result.count("on_time")[:, 0][:, both].sum(axis=1)
    items = sim_judged[:, both].sum(axis=1)
    share = on_time / items
    # Work-conserving agents at the plan's capacity answer at least what the plan does
    # (the plan works an item only from the interval after it arrives), and not much more.
    assert np.all(share >= plan_share - 0.005), (share, plan_share)
    assert np.all(share <= plan_share + 0.03), (share, plan_share)
    assert share.min() >= target - 0.005
    # Items are worked as soon as they arrive: the backlog is on average below the plan's.
    backlog = result.count("backlog")[:, 0]
    assert np.all(backlog.mean(axis=1) < plan.backlog.mean())
