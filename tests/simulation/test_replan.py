"""The re-plan loop: simulate, raise the requirement where short, schedule again."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.errors import InfeasibleScheduleError
from wfm.scheduling.agents import Agent
from wfm.scheduling.roster import schedule_week
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.solver_params import SolverParams
from wfm.simulation.centre import Demand, FloatArray, SimOptions, SimQueue, Staffing
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.inputs import (
    make_horizon,
    requirement_frame,
    staffing_from_intervals,
)
from wfm.simulation.replan import reachable_share, replan, unreachable_days
from wfm.staffing.erlang_c import offered_load
from wfm.staffing.required_agents import required_agents

TZ = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 16)
VOICE = SimQueue("voice", sl_threshold_s=20.0, sl_target=0.8)


def _day_demand(days: int = 2) -> Demand:
    """Voice 08:00-12:00 each day, 50 calls of 300 s per 15 min (16.7 Erlangs)."""
    n = days * 96
    hour = (np.arange(n) % 96) / 4
    volume = np.where((hour >= 8) & (hour < 12), 50.0, 0.0)[None, :]
    return Demand(900.0, volume, np.full((1, n), 300.0), np.arange(n, dtype=np.int64) // 96)


def _under_requirement(demand: Demand) -> FloatArray:
    """Erlang C's requirement for an AHT 20 % below the real one: too few agents."""
    load = offered_load(demand.volume[0], 240.0, demand.interval_s)
    return required_agents(load, 240.0, sl_target=0.8, sl_threshold_s=20.0)[None, :]


def test_the_loop_raises_the_requirement_until_every_day_meets_its_target() -> None:
    demand = _day_demand()
    required = _under_requirement(demand)
    lines: list[str] = []
    out = replan(required, lambda req: staffing_from_counts(np.ceil(req), 900.0), [VOICE],
                 demand, SimOptions(replications=12, seed=1), max_rounds=6,
                 progress=lines.append)
    assert out.met and out.unmet == ()
    first, last = out.rounds[0], out.rounds[-1]
    assert first.missing.all() and not last.missing.any()
    assert len(out.rounds) >= 2
    hours = [r.agent_hours for r in out.rounds]
    assert hours == sorted(hours) and hours[-1] > hours[0]
    assert np.all(out.required >= required) and out.required.sum() > required.sum()
    # Raised only where contacts arrive.
    assert np.all(out.required[demand.volume == 0] == 0)
    # Round lines name the service and the agent-hours before and after.
    # 17 agents (Erlang C at 240 s) for 4 h on 2 days; at the real 300 s AHT the queue
    # is nearly unstable.
    assert lines[0].startswith("round 0: requirement 136.0 agent-h, roster 136.0 agent-h "
                               "logged in; simulated voice 0.")
    assert "voice 0." in lines[0] and "2 day(s) short" in lines[0]
    assert "0 day(s) short" in lines[-1]
    days = last.days
    assert (days["service_level"] >= 0.8).all()


def test_a_roster_that_cannot_grow_is_reported_with_its_reason() -> None:
    demand = _day_demand(days=1)
    required = _under_requirement(demand)

    def capped(req: FloatArray) -> Staffing:  # no more than 15 agents can come
        return staffing_from_counts(np.minimum(np.ceil(req), 15), 900.0)

    out = replan(required, capped, [VOICE], demand, SimOptions(replications=8, seed=2),
                 max_rounds=3, day_labels=["Mon 16 Nov"])
    assert not out.met
    assert len(out.rounds) >= 2
    assert out.unmet[0].startswith("voice on Mon 16 Nov: the roster did not add hours")


def test_a_roster_covering_more_than_the_requirement_is_asked_for_more_than_it_gives(
        ) -> None:
    """A roster that plans more agents than the requirement (whole shifts, contract
    hours) and still falls short: the raise starts from what it planned, so every re-plan
    asks for more than the last roster gave and the roster grows each round. (Raised from
    the requirement alone, 17 + 1 agents asks for no more than the 18 planned: the next
    round would bring the same roster.)"""
    demand = _day_demand(days=1)
    required = _under_requirement(demand)
    floor = np.where(required > 0, required + 1, 0.0)   # 18 planned where 17 are required

    def generous(req: FloatArray) -> Staffing:
        return staffing_from_counts(np.maximum(np.ceil(req), floor), 900.0)

    out = replan(required, generous, [VOICE], demand, SimOptions(replications=8, seed=2),
                 max_rounds=2)
    hours = [r.agent_hours for r in out.rounds]
    assert len(hours) >= 2 and all(b > a for a, b in pairwise(hours))
    raised = out.required[0] > required[0]     # the intervals short (not the first, empty)
    assert raised.sum() >= 10
    assert np.all(out.required[0, raised] >= floor[0, raised] + 1)


def test_bad_arguments() -> None:
    demand = _day_demand(days=1)
    from wfm.simulation.centre import SimulationError
    with pytest.raises(SimulationError, match="requirement has shape"):
        replan(np.zeros((2, 3)), lambda r: staffing_from_counts(r, 900.0), [VOICE], demand,
               SimOptions())


@pytest.mark.slow
def test_with_the_scheduler_on_a_small_week() -> None:
    """The real scheduler behind the callable: a week with voice Monday and Tuesday
    08:00-12:00 and eight agents free to work 4 h shifts."""
    horizon = make_horizon(MONDAY, 7, 15, TZ)
    n = horizon.starts.size
    local_hour = horizon.starts.tz_convert(TZ).hour
    busy = (horizon.day_index < 2) & (local_hour >= 8) & (local_hour < 12)
    demand = Demand(900.0, np.where(busy, 25.0, 0.0)[None, :], np.full((1, n), 300.0),
                    horizon.day_index)
    load = offered_load(demand.volume[0], 240.0, 900.0)
    required = required_agents(load, 240.0, sl_target=0.8, sl_threshold_s=20.0)[None, :]
    agents = [Agent(f"A{i}", f"Agent {i}", "T", {"voice": 1}, 0.0, 40.0, 0, 5, (4.0,))
              for i in range(14)]
    rules = ShiftRules(start_grid_minutes=15, shift_lengths_h=(4.0,),
                       understaffing_weight=10.0, overstaffing_weight=1.0,
                       cost_per_paid_hour=0.1)

    def schedule(req: FloatArray) -> Staffing:
        frame = requirement_frame(req, ["voice"], ["voice"], horizon)
        res = schedule_week(frame, agents, rules, week_start=MONDAY, tz=TZ,
                            params=SolverParams(10.0, workers=1, seed=0),
                            allow_understaffing=True)
        intervals = res.agent_intervals.copy()
        intervals["interval_start"] = pd.to_datetime(intervals["interval_start"], utc=True)
        return staffing_from_intervals(intervals, {a.agent_id: a.skills for a in agents},
                                       ["voice"], horizon)

    out = replan(required, schedule, [VOICE], demand, SimOptions(replications=10, seed=3),
                 max_rounds=4, day_labels=list(horizon.days))
    assert out.rounds[0].missing[0, :2].any()
    assert out.met, out.unmet
    # The raised requirement moved the shifts (here at the same 90 paid agent-hours).
    assert out.rounds[-1].required_agent_hours > out.rounds[0].required_agent_hours
    assert out.rounds[-1].agent_hours >= out.rounds[0].agent_hours


def _email_week() -> tuple[SimQueue, Demand]:
    """Email around the clock, 90 % within 24 h (calendar); open Mon-Fri 08-20 and
    Saturday 09-17, Sunday closed."""
    n = 7 * 96
    hour = (np.arange(n) % 96) / 4
    weekday = np.arange(n) // 96
    open_ = ((weekday < 5) & (hour >= 8) & (hour < 20)) | ((weekday == 5) & (hour >= 9)
                                                          & (hour < 17))
    volume = (2.0 + 3.0 * np.exp(-0.5 * ((hour - 13) / 4) ** 2))[None, :]
    q = SimQueue("email", "email", deferred=True, response_target=0.9,
                 response_time_s=24 * 3600.0, open_mask=open_)
    return q, Demand(900.0, volume, np.full((1, n), 400.0), weekday.astype(np.int64))


def test_reachable_share_against_sampled_arrival_times() -> None:
    """Independent check: arrival times drawn uniformly in their intervals, an item is
    judged when its deadline is inside the week and reachable when an open interval
    overlaps [arrival, deadline]."""
    q, demand = _email_week()
    best = reachable_share(q, demand)
    rng = np.random.default_rng(4)
    n, step, limit = demand.n_intervals, 900.0, 24 * 3600.0
    interval = rng.choice(n, size=400_000, p=demand.volume[0] / demand.volume[0].sum())
    t = (interval + rng.random(interval.size)) * step
    judged = t + limit <= n * step
    open_starts = np.flatnonzero(q.open_mask) * step
    nxt = np.searchsorted(open_starts + step, t, side="right")  # first open interval not over
    first_open = np.where(nxt < open_starts.size, np.maximum(open_starts[np.minimum(
        nxt, open_starts.size - 1)], t), np.inf)
    reach = judged & (first_open <= t + limit)
    day = demand.day_index[interval]
    for d in range(6):
        sampled = reach[day == d].sum() / judged[day == d].sum()
        assert abs(best[d] - sampled) < 0.005, (d, best[d], sampled)
    assert np.isnan(best[6])                   # Sunday's deadlines fall after the week
    assert best[5] < 0.9 <= best[:5].min()     # Saturday evening cannot make Sunday
    assert np.array_equal(unreachable_days([q], demand)[0], [False] * 5 + [True, False])


def test_an_unreachable_day_is_not_raised_and_a_failed_round_ends_the_loop() -> None:
    """One agent on weekdays (short, and reachable), eight on Saturday, which is short
    whatever the staffing. The re-plan raises weekdays only, and its scheduling fails:
    the loop ends with round 0 and says why."""
    q, demand = _email_week()
    calls: list[FloatArray] = []
    monday = demand.day_index == 0
    required = np.where(q.open_mask, np.where(demand.day_index < 5, 1.0, 8.0), 0.0)[None, :]

    def schedule(req: FloatArray) -> Staffing:
        calls.append(req.copy())
        if len(calls) > 1:
            raise InfeasibleScheduleError("no solution (UNKNOWN)")
        return staffing_from_counts(req, 900.0)

    out = replan(required, schedule, [q], demand, SimOptions(replications=8, seed=1),
                 max_rounds=2, day_labels=[f"day {d}" for d in range(7)],
                 stop_on=(InfeasibleScheduleError,))
    assert out.unreachable is not None and out.unreachable[0].tolist() == [False] * 5 + [
        True, False]
    assert out.rounds[0].missing[0, 0] and out.rounds[0].missing[0, 5]
    assert len(calls) == 2 and len(out.rounds) == 1
    raised = calls[1][0] > required[0]
    assert raised[monday].any() and not raised[demand.day_index == 5].any()
    assert out.failure.startswith("re-plan round 1 could not be scheduled: no solution")
    reasons = dict(u.split(": ", 1) for u in out.unmet)
    assert reasons["email on day 5"].startswith("no staffing can meet it: at most 7")
    assert reasons["email on day 0"].startswith("still short; the loop stopped: re-plan")
    with pytest.raises(InfeasibleScheduleError):   # not a stop error: it propagates
        calls.clear()
        replan(required, schedule, [q], demand, SimOptions(replications=8, seed=1),
               max_rounds=2)
