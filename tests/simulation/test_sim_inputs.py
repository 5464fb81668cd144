"""Frames to simulator inputs, measures and their intervals, bad input."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wfm.errors import InputDataError
from wfm.simulation.centre import Demand, SimOptions, SimQueue, SimulationError, Staffing
from wfm.simulation.head_counts import staffing_from_counts, whole_agents_cumulative
from wfm.simulation.inputs import (
    demand_from_frame,
    make_horizon,
    requirement_frame,
    requirement_grid,
    staffing_from_intervals,
)
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import t_interval, wilson_interval

TZ = ZoneInfo("Europe/Paris")


def test_horizon_follows_local_days_across_a_daylight_saving_change() -> None:
    h = make_horizon(date(2026, 10, 24), 3, 15, TZ)  # Sunday 25 Oct has 25 hours
    assert np.bincount(h.day_index).tolist() == [96, 100, 96]
    assert h.days == ("2026-10-24", "2026-10-25", "2026-10-26")
    assert h.starts[0] == pd.Timestamp("2026-10-23 22:00", tz="UTC")


def _intervals() -> pd.DataFrame:
    t0 = pd.Timestamp("2026-11-16 08:00", tz=TZ).tz_convert("UTC")
    rows = [("A", t0 + pd.Timedelta(minutes=15 * k), "work" if k != 2 else "break",
             "voice" if k != 2 else "") for k in range(4)]
    rows += [("B", t0 + pd.Timedelta(minutes=15 * k), "work", "chat") for k in range(2)]
    return pd.DataFrame(rows, columns=["agent_id", "interval_start", "activity", "queue"])


def test_staffing_from_agent_intervals() -> None:
    h = make_horizon(date(2026, 11, 16), 1, 30, TZ)  # 30-min intervals, 15-min slots
    st = staffing_from_intervals(_intervals(), {"A": {"voice": 1, "chat": 2},
                                                "B": {"chat": 1, "email": 1}},
                                 ["chat", "voice"], h)
    assert st.slot_s == 900.0 and st.agent_ids == ("A", "B")
    first = 4 * 8
    assert st.on_shift[0, first:first + 4].tolist() == [True, True, False, True]
    assert st.on_shift[1, first:first + 3].tolist() == [True, True, False]
    assert st.on_shift.sum() == 5
    assert st.skills.tolist() == [[1, 0], [0, -1]]  # by priority; email not simulated
    assert st.planned_queue is not None and st.planned_queue[0, first] == 1
    assert st.agent_hours() == 1.25


def test_staffing_errors_name_the_agent_and_the_slot() -> None:
    h = make_horizon(date(2026, 11, 16), 1, 15, TZ)
    with pytest.raises(InputDataError, match="agent 'B' is in the roster but not in the "
                                             "agents file"):
        staffing_from_intervals(_intervals(), {"A": {"voice": 1}}, ["voice"], h)
    odd = _intervals()
    odd.loc[1, "interval_start"] += pd.Timedelta(minutes=5)
    with pytest.raises(InputDataError, match="line 3: interval_start 2026-11-16 07:20:00"
                                             r"\+00:00 is not on the 15-minute grid"):
        staffing_from_intervals(odd, {"A": {"voice": 1}, "B": {"chat": 1}}, ["voice"], h,
                                slot_s=900.0)


def test_demand_from_a_forecast_frame() -> None:
    h = make_horizon(date(2026, 11, 16), 1, 15, TZ)
    frame = pd.DataFrame({"queue": ["voice", "voice", "chat", "other"],
                          "interval_start": [h.starts[40], h.starts[41], h.starts[40],
                                             h.starts[40]],
                          "offered": [10.0, 12.0, 4.0, 99.0], "aht_s": [200.0, 220.0, 500.0, 1.0],
                          "offered_lo_80": [5.0, 6.0, 2.0, 1.0],
                          "offered_hi_80": [15.0, 18.0, 6.0, 1.0]})
    d = demand_from_frame(frame, ["voice", "chat"], h, uncertainty_level=0.8)
    assert d.volume.sum() == 26.0 and d.volume[0, 41] == 12.0
    assert d.aht_s[0, 0] == 210.0  # empty interval: the queue's mean AHT
    assert d.rate_sd is not None and d.rate_sd[0, 40] > 0
    with pytest.raises(InputDataError, match="no rows for queue 'email'"):
        demand_from_frame(frame, ["email"], h)
    with pytest.raises(InputDataError, match="no offered_lo_95/offered_hi_95 columns"):
        demand_from_frame(frame, ["voice"], h, uncertainty_level=0.95)
    bad = frame.assign(offered=[10.0, -1.0, 4.0, 1.0])
    with pytest.raises(InputDataError, match="offered -1 is negative"):
        demand_from_frame(bad, ["voice"], h)
    with pytest.raises(InputDataError, match="missing column"):
        demand_from_frame(frame.drop(columns="aht_s"), ["voice"], h)


def test_requirement_frame_round_trips() -> None:
    h = make_horizon(date(2026, 11, 16), 1, 15, TZ)
    req = np.zeros((2, 96))
    req[1, 40:44] = [3, 4, 5, 2]
    frame = requirement_frame(req, ["voice", "chat"], ["voice", "chat"], h)
    assert np.array_equal(requirement_grid(frame, ["voice", "chat"], h), req)


def test_t_interval_and_wilson_match_scipy() -> None:
    x = np.array([0.81, 0.79, 0.86, np.nan, 0.75, 0.9])
    mean, lo, hi = t_interval(x)
    ref = stats.t.interval(0.95, 4, loc=np.nanmean(x), scale=stats.sem(x[~np.isnan(x)]))
    assert float(mean) == pytest.approx(np.nanmean(x))
    assert (float(lo), float(hi)) == pytest.approx(ref)
    ci = stats.binomtest(17, 30).proportion_ci(0.95, method="wilson")
    p, lo, hi = wilson_interval(17, 30)
    assert float(p) == pytest.approx(17 / 30)
    assert (float(lo), float(hi)) == pytest.approx((ci.low, ci.high))


def test_whole_agents_never_fall_behind_the_plan() -> None:
    plan = np.random.default_rng(1).uniform(0, 3, 200)
    whole = whole_agents_cumulative(plan)
    assert np.all(whole == np.round(whole)) and np.all(whole >= 0)
    assert np.all(np.cumsum(whole) >= np.cumsum(plan) - 1e-9)
    assert whole.sum() == np.ceil(plan.sum())


def test_bad_inputs_are_named() -> None:
    q = SimQueue("voice")
    d = Demand(900.0, np.ones((1, 4)), np.full((1, 4), 100.0), np.zeros(4, np.int64))
    st = staffing_from_counts(np.ones((1, 4)), 900.0)
    with pytest.raises(SimulationError, match=r"queue 'voice', interval 2: aht_s 0\.0"):
        simulate_centre([q], Demand(900.0, np.ones((1, 4)), np.array([[1.0, 1, 0, 1]]),
                                    np.zeros(4, np.int64)), st)
    with pytest.raises(SimulationError, match="concurrency 0"):
        simulate_centre([SimQueue("chat", concurrency=0)], d, st)
    with pytest.raises(SimulationError, match="needs response_target and response_time_s"):
        simulate_centre([SimQueue("email", deferred=True)], d, st)
    with pytest.raises(SimulationError, match="handle-time model 'gamma'"):
        simulate_centre([q], d, st, SimOptions(handle_time="gamma"))
    with pytest.raises(SimulationError, match="skill index 3 is not a queue"):
        simulate_centre([q], d, Staffing(900.0, np.ones((1, 4), bool), np.array([[3]]),
                                         ("A7",)))
    with pytest.raises(SimulationError, match="demand volume has shape"):
        simulate_centre([q, SimQueue("chat")], d, st)
