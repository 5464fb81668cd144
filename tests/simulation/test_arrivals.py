"""Contacts of a replication: Poisson counts, forecast uncertainty, common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from wfm.simulation.arrivals import draw_contacts, rate_sd_from_interval
from wfm.simulation.centre import Demand, SimOptions, SimQueue, SimulationError
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import compare_results

QUEUES = [SimQueue("voice", patience_s=200.0), SimQueue("chat", concurrency=2)]


def demand(days: int = 2, per_interval: float = 20.0, **kw: object) -> Demand:
    n = days * 8
    return Demand(1800.0, np.full((2, n), per_interval), np.full((2, n), 240.0),
                  np.arange(n, dtype=np.int64) // 8, **kw)  # type: ignore[arg-type]


def test_counts_are_poisson_and_times_fall_inside_their_interval() -> None:
    d = demand(days=50, per_interval=12.0)
    c = draw_contacts(QUEUES, d, SimOptions(seed=4), 0)
    counts = np.bincount(c.queue * d.n_intervals + c.interval, minlength=2 * d.n_intervals)
    assert abs(counts.mean() - 12.0) < 0.3
    assert abs(counts.var() / counts.mean() - 1.0) < 0.12     # Poisson: variance = mean
    assert np.all(c.arrival_s >= c.interval * 1800.0)
    assert np.all(c.arrival_s < (c.interval + 1) * 1800.0)
    assert np.all(np.diff(c.arrival_s) >= 0)
    # Handle times exponential with the interval's AHT: KS test against Exp(240).
    assert stats.kstest(c.hold_s, "expon", args=(0, 240.0)).pvalue > 0.01
    # The queue lists are each queue's contacts in arrival order.
    for q in range(2):
        members = c.members[c.offsets[q]:c.offsets[q + 1]]
        assert np.all(c.queue[members] == q)
        assert np.all(np.diff(members) > 0)


def test_day_level_forecast_uncertainty_adds_its_variance_to_the_day_totals() -> None:
    # 8 intervals of 20 contacts a day; rate sd 6 per interval, shared by the day: the
    # day's total has variance 160 (Poisson) + (8 x 6)^2 = 2464, not 160.
    d = demand(days=400, rate_sd=np.full((2, 3200), 6.0))
    c = draw_contacts(QUEUES, d, SimOptions(seed=9), 0)
    day = d.day_index[c.interval]
    totals = np.bincount(c.queue * 400 + day, minlength=800)
    assert abs(totals.mean() - 160.0) < 6.0
    assert 2464 * 0.8 < totals.var() < 2464 * 1.2
    per_interval = demand(days=400, rate_sd=np.full((2, 3200), 6.0),
                          uncertainty_scope="interval")
    c = draw_contacts(QUEUES, per_interval, SimOptions(seed=9), 0)
    totals = np.bincount(c.queue * 400 + per_interval.day_index[c.interval], minlength=800)
    assert 448 * 0.8 < totals.var() < 448 * 1.2  # 160 + 8 x 36


def test_intraday_deviations_follow_the_ar1_of_the_forecast_manifest() -> None:
    """Rate x exp(s eta - s^2 / 2), eta a stationary AR(1) with correlation rho: two
    intervals k apart have rate covariance mean^2 (exp(s^2 rho^k) - 1) (lognormal), so
    the day's total of 8 intervals of 20 has variance 160 + 400 sum_ij (exp(s^2 rho^|i-j|)
    - 1), and neighbouring intervals' counts are correlated."""
    cv2, rho = 0.09, 0.6
    d = demand(days=3000, intraday_cv2=np.array([cv2, cv2]),
               intraday_corr=np.array([rho, rho]))
    c = draw_contacts(QUEUES, d, SimOptions(seed=5), 0)
    counts = np.bincount(c.queue * d.n_intervals + c.interval,
                         minlength=2 * d.n_intervals).reshape(2, 3000, 8)
    s2 = np.log1p(cv2)
    lag = np.abs(np.subtract.outer(np.arange(8), np.arange(8)))
    expected = 160.0 + 400.0 * float(np.sum(np.exp(s2 * rho ** lag) - 1.0))
    totals = counts.sum(axis=2).ravel()
    assert abs(totals.mean() - 160.0) < 1.0
    assert expected * 0.9 < totals.var() < expected * 1.1, (totals.var(), expected)
    # Neighbouring intervals: covariance 400 (exp(s^2 rho) - 1) over variance
    # 20 + 400 cv2.
    a, b = counts[:, :, 3].ravel(), counts[:, :, 4].ravel()
    corr = np.corrcoef(a, b)[0, 1]
    assert abs(corr - 400 * (np.exp(s2 * rho) - 1) / (20 + 400 * cv2)) < 0.04
    with pytest.raises(SimulationError, match="intraday_cv2 needs"):
        demand(intraday_cv2=np.array([0.1, 0.1]),
               intraday_corr=np.array([1.0, 0.0])).check(QUEUES)


def test_rate_sd_from_a_prediction_interval() -> None:
    z80 = stats.norm.ppf(0.9)
    # Count sd 20 around 100: the rate's variance is 400 - 100.
    assert float(rate_sd_from_interval(100.0, 100 - z80 * 20, 100 + z80 * 20, 0.8)) == \
        pytest.approx(np.sqrt(300.0))
    # An interval no wider than Poisson noise: no extra uncertainty.
    assert float(rate_sd_from_interval(100.0, 90.0, 110.0, 0.95)) == 0.0
    with pytest.raises(SimulationError, match="upper bound below"):
        rate_sd_from_interval(10.0, 12.0, 8.0, 0.8)
    with pytest.raises(SimulationError, match="level 80"):
        rate_sd_from_interval(10.0, 8.0, 12.0, 80)


def test_two_rosters_meet_the_same_contacts_and_compare_tightly() -> None:
    d = demand(days=3, per_interval=60.0)
    opts = SimOptions(replications=12, seed=2)
    small = staffing_from_counts(np.full((2, d.n_intervals), 6), 1800.0)
    large = staffing_from_counts(np.full((2, d.n_intervals), 7), 1800.0)
    a = simulate_centre(QUEUES, d, large, opts)
    b = simulate_centre(QUEUES, d, small, opts)
    assert np.array_equal(a.count("offered"), b.count("offered"))
    diff = compare_results(a, b, np.zeros(d.n_intervals, np.int64))
    voice = diff[diff["queue"] == "voice"].iloc[0]
    assert voice["service_level_diff_lo"] > 0          # one more agent: better service
    paired = voice["service_level_diff_hi"] - voice["service_level_diff_lo"]
    # Independent runs (another seed for b) give a much wider interval for the difference.
    c = simulate_centre(QUEUES, d, small, SimOptions(replications=12, seed=77))
    sa = a.measures(np.zeros(d.n_intervals, np.int64)).values["service_level"][:, 0, 0]
    sc = c.measures(np.zeros(d.n_intervals, np.int64)).values["service_level"][:, 0, 0]
    unpaired = 2 * 2.2 * np.sqrt(sa.var(ddof=1) / 12 + sc.var(ddof=1) / 12)
    assert paired < unpaired / 2


def test_same_seed_same_result_and_workers_do_not_change_it() -> None:
    d = demand()
    staffing = staffing_from_counts(np.full((2, d.n_intervals), 4), 1800.0)
    one = simulate_centre(QUEUES, d, staffing, SimOptions(replications=4, seed=5))
    two = simulate_centre(QUEUES, d, staffing, SimOptions(replications=4, seed=5, workers=2))
    assert np.array_equal(one.counts, two.counts, equal_nan=True)
    other = simulate_centre(QUEUES, d, staffing, SimOptions(replications=4, seed=6))
    assert not np.array_equal(one.count("offered"), other.count("offered"))


def test_replayed_history_keeps_the_counts() -> None:
    d = Demand(900.0, np.array([[3.0, 0.0, 5.0]]), np.full((1, 3), 100.0),
               np.zeros(3, np.int64), mode="replay")
    c = draw_contacts([SimQueue("v")], d, SimOptions(seed=1), 0)
    assert np.bincount(c.interval, minlength=3).tolist() == [3, 0, 5]


def test_initial_backlog_arrives_at_the_start() -> None:
    q = SimQueue("email", deferred=True, response_target=0.9, response_time_s=3600.0)
    d = Demand(900.0, np.zeros((1, 4)), np.full((1, 4), 300.0), np.zeros(4, np.int64),
               initial_backlog=np.array([7.0]))
    c = draw_contacts([q], d, SimOptions(seed=1), 0)
    assert c.size == 7
    assert np.all(c.arrival_s == 0.0)


def test_absence_takes_whole_agent_days_out_the_same_for_both_rosters() -> None:
    d = demand(days=20, per_interval=30.0)
    staffing = staffing_from_counts(np.full((2, d.n_intervals), 10), 1800.0)
    full = simulate_centre(QUEUES, d, staffing, SimOptions(replications=6, seed=3))
    half = simulate_centre(QUEUES, d, staffing, SimOptions(replications=6, seed=3,
                                                           absence=0.3))
    logged = full.count("present_s").sum(axis=(1, 2))
    kept = half.count("present_s").sum(axis=(1, 2)) / logged
    assert np.all(np.abs(kept - 0.7) < 0.05)
    assert np.array_equal(full.count("offered"), half.count("offered"))  # same contacts
    sl = half.measures(np.zeros(d.n_intervals, np.int64)).values["service_level"][:, 0, 0]
    sl_full = full.measures(np.zeros(d.n_intervals, np.int64)).values["service_level"]
    assert np.all(sl < sl_full[:, 0, 0])
    again = simulate_centre(QUEUES, d, staffing, SimOptions(replications=6, seed=3,
                                                            absence=0.3))
    assert np.array_equal(again.counts, half.counts, equal_nan=True)
