"""Overnight shifts, daylight-saving weeks, rest across the week boundary, multi-skill agents."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from roster_helpers import LUNCH_1H, MONDAY, agent, hourly_rules, solve
from scheduling_frames import requirements_frame

from wfm.errors import InfeasibleScheduleError
from wfm.scheduling.agents import END_OF_DAY


def test_overnight_shift_runs_past_midnight() -> None:
    rules = hourly_rules(shift_lengths_h=(8.0,), allow_overnight=True)
    req = requirements_frame(MONDAY, "Europe/Paris", per_day={
        ("voice_fr", 0): [("22:00", "23:59", 1)], ("voice_fr", 1): [("00:00", "06:00", 1)]},
        minutes=60)
    res = solve(req, [agent("N1", max_days_week=1, latest_end=END_OF_DAY)], rules,
                tz="Europe/Paris")
    work = res.roster[res.roster["status"] == "work"]
    assert work[["date", "shift_start", "shift_end"]].values.tolist() == [
        ["2026-11-16", "2026-11-16T22:00:00+01:00", "2026-11-17T06:00:00+01:00"]]
    assert res.summary.under_agent_hours == 0 and res.summary.over_agent_hours == 0


def test_no_overnight_when_rules_forbid_it() -> None:
    rules = hourly_rules(shift_lengths_h=(8.0,))
    req = requirements_frame(MONDAY, "UTC", per_day={
        ("voice_fr", 0): [("22:00", "23:59", 1)], ("voice_fr", 1): [("00:00", "06:00", 1)]},
        minutes=60)
    res = solve(req, [agent("N1", max_days_week=1)], rules, allow_understaffing=True)
    for start, end in res.roster.loc[res.roster["status"] == "work",
                                     ["shift_start", "shift_end"]].values:
        assert pd.Timestamp(end).date() == pd.Timestamp(start).date() or end.endswith(
            "T00:00:00+00:00")


@pytest.mark.parametrize(("week", "day_hours"), [(date(2026, 3, 23), 23),
                                                 (date(2026, 10, 19), 25)])
def test_dst_sunday_shift_is_eight_real_hours(week: date, day_hours: int) -> None:
    # Sunday of these weeks has 23 / 25 hours in Paris: an 8 h shift from 00:00 ends at
    # 09:00 (spring) or 07:00 (autumn) on the wall clock.
    rules = hourly_rules(shift_lengths_h=(8.0,))
    end_clock = "09:00" if day_hours == 23 else "07:00"
    req = requirements_frame(week, "Europe/Paris", per_day={
        ("voice_fr", 6): [("00:00", end_clock, 1)]}, minutes=60)
    day_slots = req[pd.to_datetime(req["interval_start"]).dt.tz_convert("Europe/Paris")
                    .dt.date == date.fromordinal(week.toordinal() + 6)]
    assert len(day_slots) == day_hours
    res = solve(req, [agent("D1", max_days_week=1)], rules, week=week, tz="Europe/Paris")
    work = res.roster[res.roster["status"] == "work"]
    assert len(work) == 1
    start, end = pd.Timestamp(work["shift_start"].iloc[0]), pd.Timestamp(work["shift_end"].iloc[0])
    assert (end - start) == pd.Timedelta(hours=8)
    assert work["shift_start"].iloc[0].endswith("T00:00:00+01:00" if day_hours == 23
                                                else "T00:00:00+02:00")
    assert end.strftime("%H:%M") == end_clock
    assert res.summary.under_agent_hours == 0 and res.summary.over_agent_hours == 0
    assert len(res.agent_intervals) == 8


def test_rest_after_last_weeks_late_shift_is_kept() -> None:
    # Last Sunday's shift ended 23:00; with 11 h rest the earliest Monday start is 10:00.
    previous = pd.DataFrame({"agent_id": ["R1"], "date": ["2026-11-15"], "status": ["work"],
                             "shift_start": ["2026-11-15T15:00:00+00:00"],
                             "shift_end": ["2026-11-15T23:00:00+00:00"]})
    req = requirements_frame(MONDAY, "UTC", per_day={("voice_fr", 0): [("06:00", "14:00", 1)]},
                             minutes=60)
    res = solve(req, [agent("R1", max_days_week=1)], hourly_rules(), allow_understaffing=True,
                previous_roster=previous)
    start = res.roster.loc[res.roster["status"] == "work", "shift_start"].iloc[0]
    assert start == "2026-11-16T10:00:00+00:00"
    free = solve(req, [agent("R1", max_days_week=1)], hourly_rules(), allow_understaffing=True)
    assert free.summary.under_agent_hours == 4  # without history: any 4 h block, 4 h short
    assert res.summary.under_agent_hours == 4


def test_multi_skill_agent_is_counted_once_per_interval() -> None:
    two = {"voice_fr": 1, "chat_fr": 2}
    req = requirements_frame(MONDAY, "UTC", per_day={
        ("voice_fr", 0): [("08:00", "12:00", 1)], ("chat_fr", 0): [("08:00", "12:00", 1)]},
        minutes=60)
    res = solve(req, [agent("M1", skills=two, max_days_week=1)],
                hourly_rules(breaks=(LUNCH_1H,)), allow_understaffing=True)
    cov = res.coverage.assign(t=pd.to_datetime(res.coverage["interval_start"]))
    per_interval = cov.groupby("t")["scheduled"].sum()
    assert per_interval.max() == 1  # never on both queues at once
    iv = res.agent_intervals
    assert not iv.duplicated(["agent_id", "interval_start"]).any()
    assert set(iv.loc[iv["activity"] == "work", "queue"]) <= {"voice_fr", "chat_fr"}
    # 8 agent-hours required, 3 worked (4 h less the lunch): 5 short whatever the split.
    assert res.summary.under_agent_hours == pytest.approx(5.0)
    assert res.summary.by_queue["voice_fr"].scheduled_agent_hours + res.summary.by_queue[
        "chat_fr"].scheduled_agent_hours == pytest.approx(3.0)
    with pytest.raises(InfeasibleScheduleError, match="2 agents required on chat_fr and "
                                                      "voice_fr together, only 1 available"):
        solve(req, [agent("M1", skills=two, max_days_week=1)], hourly_rules(breaks=(LUNCH_1H,)))


def test_shortfall_the_precheck_cannot_see_is_refused_without_the_flag() -> None:
    # One agent, one 4-hour need: available every hour, but the lunch leaves one hour short.
    req = requirements_frame(MONDAY, "UTC", per_day={("voice_fr", 0): [("08:00", "12:00", 1)]},
                             minutes=60)
    with pytest.raises(InfeasibleScheduleError,
                       match=r"the best roster found leaves 1 agent-hours uncovered; worst: "
                             r"Monday 16 Nov (09|10):00-(10|11):00: 1 agents required on "
                             r"voice_fr, 0 scheduled"):
        solve(req, [agent("L1", max_days_week=1)], hourly_rules(breaks=(LUNCH_1H,)))


def test_primary_skill_is_preferred_when_both_are_short() -> None:
    req = requirements_frame(MONDAY, "UTC", per_day={
        ("voice_fr", 0): [("08:00", "12:00", 1)], ("chat_fr", 0): [("08:00", "12:00", 1)]},
        minutes=60)
    res = solve(req, [agent("M1", skills={"chat_fr": 1, "voice_fr": 2}, max_days_week=1)],
                hourly_rules(), allow_understaffing=True)
    assert set(res.agent_intervals["queue"]) == {"chat_fr"}


@pytest.mark.parametrize("week", [date(2026, 3, 23), date(2026, 10, 19)])
def test_dst_sunday_with_breaks_and_lunch_passes_the_checker(week: date) -> None:
    # Starter rules (15-min grid, breaks and lunch) across the change: activity clock times
    # near the missing or repeated hour must still read back as valid.
    from wfm.scheduling.rules import ShiftRules

    req = requirements_frame(week, "Europe/Paris", per_day={
        ("voice_fr", 6): [("00:00", "04:00", 2), ("04:00", "08:00", 1)]})
    agents = [agent(f"D{k}", max_days_week=1) for k in range(3)]
    res = solve(req, agents, ShiftRules(days_off_per_week=0), week=week, tz="Europe/Paris",
                allow_understaffing=True)
    work = res.roster[res.roster["status"] == "work"]
    assert len(work) >= 2
    for start, end in work[["shift_start", "shift_end"]].values:
        hours = (pd.Timestamp(end) - pd.Timestamp(start)) / pd.Timedelta(hours=1)
        assert hours in (4.0, 6.0, 8.0)
    assert work["activities"].str.contains("break").all()
