"""The independent roster checker: each planted violation is reported, and only it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.scheduling.agents import Agent
from wfm.scheduling.checker import check_roster, read_roster
from wfm.scheduling.rules import ShiftRules

TZ = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 30)
RULES = ShiftRules()  # 4/6/8 h, 15-min grid, 11 h rest, break + unpaid lunch + break on 8 h
AGENT = Agent("A1", "Ann", "T1", {"voice_fr": 1, "chat_fr": 2}, min_hours_week=30,
              max_hours_week=40, min_days_week=4, max_days_week=5)
CLEAN_ACTS = "break 10:30-10:45; lunch 12:30-13:00; break 15:30-15:45"


def shift(day: date, start: str, hours: float = 8.0, acts: str | None = None,
          shift_by_h: float = 0.0, paid: float | None = None) -> dict[str, object]:
    """A working row; ``shift_by_h`` moves the clean 09:00 activities along."""
    begin = datetime.combine(day, time.fromisoformat(start), TZ)
    end = (begin.astimezone(ZoneInfo("UTC")) + timedelta(hours=hours)).astimezone(TZ)
    if acts is None:
        acts = "; ".join(
            f"{k} {_move(a, shift_by_h)}-{_move(b, shift_by_h)}"
            for k, a, b in (p.replace("-", " ").split() for p in CLEAN_ACTS.split("; "))
        )
    return {"agent_id": "A1", "name": "Ann", "team": "T1", "date": day.isoformat(),
            "status": "work", "shift_start": begin.isoformat(), "shift_end": end.isoformat(),
            "paid_hours": 7.5 if paid is None else paid, "activities": acts}


def _move(clock: str, hours: float) -> str:
    t = datetime.combine(MONDAY, time.fromisoformat(clock)) + timedelta(hours=hours)
    return t.strftime("%H:%M")


def off(day: date, status: str = "off") -> dict[str, object]:
    return {"agent_id": "A1", "name": "Ann", "team": "T1", "date": day.isoformat(),
            "status": status, "shift_start": "", "shift_end": "", "paid_hours": 0,
            "activities": ""}


def week(**changes: dict[str, object]) -> pd.DataFrame:
    """Mon-Fri 09:00-17:00 with clean breaks, weekend off; ``d0=row`` replaces Monday."""
    rows = [shift(MONDAY + timedelta(days=i), "09:00") for i in range(5)]
    rows += [off(MONDAY + timedelta(days=5)), off(MONDAY + timedelta(days=6))]
    for key, row in changes.items():
        rows[int(key[1:])] = row
    return pd.DataFrame(rows)


def rules_of(roster: pd.DataFrame, agent: Agent = AGENT, rules: ShiftRules = RULES,
             **kw: object) -> list[str]:
    return [v.rule for v in check_roster(roster, [agent], rules, TZ, **kw)]  # type: ignore[arg-type]


def test_clean_roster_has_no_violation() -> None:
    assert check_roster(week(), [AGENT], RULES, TZ) == []


TUE = MONDAY + timedelta(days=1)
FRI = MONDAY + timedelta(days=4)


@pytest.mark.parametrize(
    ("changes", "agent", "expected"),
    [
        ({}, replace(AGENT, time_off=frozenset({MONDAY})), ["time_off"]),
        ({"d0": shift(MONDAY, "09:00", hours=8.25, paid=7.75)}, AGENT, ["shift_length"]),
        ({"d0": shift(MONDAY, "09:05", shift_by_h=5 / 60)}, AGENT, ["start_grid"]),
        ({"d0": shift(MONDAY, "08:00", shift_by_h=-1)},
         replace(AGENT, availability={d: (time(9), time(17)) for d in range(5)}),
         ["availability"]),
        ({"d0": shift(MONDAY, "09:00")}, replace(AGENT, availability={1: (time(9), time(17))},
                                                 min_days_week=0, min_hours_week=0),
         # Mon is unavailable, and so are Wed-Fri.
         ["availability"] * 4),
        ({}, replace(AGENT, earliest_start=time(10)), ["availability"] * 5),
        ({"d4": shift(FRI, "20:00", shift_by_h=11)}, AGENT, ["overnight"]),
        ({"d0": shift(MONDAY, "13:00", shift_by_h=4), "d1": shift(TUE, "07:00", shift_by_h=-2)},
         AGENT, ["min_rest"]),
        ({"d5": shift(MONDAY + timedelta(days=5), "09:00")},
         replace(AGENT, max_days_week=7, max_hours_week=48), ["days_off"]),
        ({"d4": off(FRI)}, replace(AGENT, min_days_week=5), ["days_per_week"]),
        ({}, replace(AGENT, max_hours_week=36), ["hours_per_week"]),
        ({"d0": shift(MONDAY, "09:00", acts="break 10:30-10:45; lunch 12:30-13:00")}, AGENT,
         ["break_count"]),
        ({"d0": shift(MONDAY, "09:00", acts="break 10:30-10:45; lunch 12:30-13:30; "
                      "break 15:30-15:45", paid=7.0)}, AGENT, ["lunch_length"]),
        ({"d0": shift(MONDAY, "09:00", acts="break 10:30-10:45; lunch 11:00-11:30; "
                      "break 15:30-15:45")}, AGENT, ["lunch_window"]),
        ({"d0": shift(MONDAY, "09:00", acts="break 10:30-10:45; lunch 12:30-13:00; "
                      "break 15:30-15:50")}, AGENT, ["break_length"]),
        ({"d0": shift(MONDAY, "09:00", acts=CLEAN_ACTS + "; training 17:00-17:30")}, AGENT,
         ["activity_outside_shift"]),
        ({"d0": shift(MONDAY, "09:00", acts=CLEAN_ACTS + "; meeting 10:40-11:00")}, AGENT,
         ["activity_overlap"]),
        ({"d0": shift(MONDAY, "09:00", paid=8)}, AGENT, ["paid_hours"]),
        ({"d0": {**shift(MONDAY, "09:00"), "shift_start": ""}}, AGENT, ["shift_times"]),
        ({"d5": {**off(MONDAY + timedelta(days=5)), "shift_start": "2026-12-05T09:00+01:00"}},
         AGENT, ["status"]),
        ({"d0": shift(TUE, "09:00")}, AGENT,
         ["duplicate_day"]),
        ({"d0": {**shift(MONDAY, "09:00"), "agent_id": "ZZ"}},
         replace(AGENT, min_days_week=0, min_hours_week=0), ["unknown_agent"]),
    ],
)
def test_each_planted_violation_is_reported_exactly(
        changes: dict[str, dict[str, object]], agent: Agent, expected: list[str]) -> None:
    assert rules_of(week(**changes), agent) == expected


def test_max_consecutive_days_flags_the_first_day_beyond_the_limit() -> None:
    found = check_roster(week(), [AGENT], replace(RULES, max_consecutive_days=3), TZ)
    assert [(v.rule, v.date, v.found, v.allowed) for v in found] == [
        ("max_consecutive_days", "2026-12-03", "4 days in a row from 2026-11-30", "at most 3")]


def test_violation_names_what_was_found_and_what_is_allowed() -> None:
    roster = week(d0=shift(MONDAY, "13:00", shift_by_h=4), d1=shift(TUE, "07:00", shift_by_h=-2))
    [v] = check_roster(roster, [AGENT], RULES, TZ)
    assert (v.agent_id, v.date, v.rule) == ("A1", "2026-12-01", "min_rest")
    assert v.found == "10 h rest after the shift ending 2026-11-30 21:00"
    assert v.allowed == "at least 11 h"
    roster = week(d0=shift(MONDAY, "09:00", acts="break 10:30-10:45; lunch 11:00-11:30; "
                           "break 15:30-15:45"))
    [v] = check_roster(roster, [AGENT], RULES, TZ)
    assert v.found == "lunch 11:00-11:30 starts 2 h into the shift"
    assert v.allowed == "a start 3 h-5 h into the shift (12:00-14:00)"


def test_time_off_lowers_the_weekly_minimum() -> None:
    agent = replace(AGENT, min_days_week=5, min_hours_week=37.5, time_off=frozenset({FRI}))
    assert rules_of(week(d4=off(FRI, "leave")), agent) == []
    assert rules_of(week(d3=off(FRI - timedelta(days=1)), d4=off(FRI, "leave")), agent) == [
        "days_per_week", "hours_per_week"]


def test_partial_week_skips_weekly_rules() -> None:
    roster = week().iloc[:3]
    assert rules_of(roster, replace(AGENT, min_days_week=5)) == []


# -- overnight and daylight saving ---------------------------------------------------------
NIGHT = ShiftRules(shift_lengths_h=(8.0,), breaks=(), allow_overnight=True)


def _night(day: date, start: str, end_local: str) -> dict[str, object]:
    return {"agent_id": "A1", "date": day.isoformat(), "status": "work",
            "shift_start": f"{day}T{start}", "shift_end": end_local, "activities": ""}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 25-hour day: 22:00 CEST to 05:00 CET is 8 hours elapsed.
        ("22:00+02:00", "2026-10-25T05:00+01:00", []),
        ("22:00+02:00", "2026-10-25T06:00+01:00", ["shift_length"]),
    ],
)
def test_overnight_shift_across_the_autumn_change(start: str, end: str,
                                                  expected: list[str]) -> None:
    roster = pd.DataFrame([_night(date(2026, 10, 24), start, end)])
    assert rules_of(roster, rules=NIGHT) == expected


def test_overnight_shift_across_the_spring_change_and_rest() -> None:
    # 23-hour day: 22:00 CET to 07:00 CEST is 8 hours elapsed; next shift 17:00 leaves 10 h.
    roster = pd.DataFrame([
        _night(date(2026, 3, 28), "22:00+01:00", "2026-03-29T07:00+02:00"),
        _night(date(2026, 3, 29), "17:00+02:00", "2026-03-30T01:00+02:00"),
    ])
    found = check_roster(roster, [AGENT], NIGHT, TZ)
    assert [(v.rule, v.date, v.found) for v in found] == [
        ("min_rest", "2026-03-29", "10 h rest after the shift ending 2026-03-29 07:00")]
    assert rules_of(roster, rules=replace(NIGHT, allow_overnight=False)) == [
        "overnight", "min_rest", "overnight"]


def test_overnight_breaks_after_midnight_are_placed_on_the_next_day() -> None:
    row = shift(FRI, "20:00", shift_by_h=11)
    assert row["activities"] == "break 21:30-21:45; lunch 23:30-00:00; break 02:30-02:45"
    rules = replace(RULES, allow_overnight=True)
    assert rules_of(week(d4=row), rules=rules) == []


def test_dst_week_day_shift_on_the_25_hour_sunday() -> None:
    sunday = date(2026, 10, 25)
    roster = pd.DataFrame([{**shift(sunday, "09:00"), "activities": CLEAN_ACTS}])
    assert roster["shift_end"].iloc[0] == "2026-10-25T17:00:00+01:00"
    assert rules_of(roster) == []


# -- requirements and the interval view -----------------------------------------------------
def test_shift_outside_the_requirements_week() -> None:
    req = pd.DataFrame({"interval_start": pd.date_range("2026-11-30", "2026-12-03 23:45",
                                                        freq="15min", tz=TZ)})
    found = check_roster(week(), [AGENT], RULES, TZ, requirements=req)
    assert [(v.rule, v.date) for v in found] == [("outside_requirements", "2026-12-04")]


def test_interval_view_skills_and_double_counting() -> None:
    t = pd.Timestamp("2026-11-30 09:00", tz=TZ)
    iv = pd.DataFrame({"agent_id": ["A1", "A1", "A1"],
                       "interval_start": [t, t + pd.Timedelta("15min"), t],
                       "activity": ["work", "work", "work"],
                       "queue": ["voice_fr", "email_fr", "chat_fr"]})
    found = check_roster(week(), [AGENT], RULES, TZ, intervals=iv)
    assert [(v.rule, v.found) for v in found] == [
        ("counted_twice", "two rows at 09:00"), ("skill", "works email_fr at 09:15")]


# -- hand-edited files ------------------------------------------------------------------------
def test_hand_edited_roster_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "agent_id,name,date,status,shift_start,shift_end,activities\n"
        "A1,Ann,2026-11-30,work,2026-11-30 09:00,2026-11-30 17:00,"
        "break 10:30-10:45; lunch 12:30-13:00; break 15:30-15:45\n"
        "A1,Ann,2026-12-01,work,2026-12-01T08:00:00+01:00,2026-12-01T16:30:00+01:00,"
        "break 09:30-09:45;lunch 11:30-12:00;break 14:30-14:45\n",
        encoding="utf-8")
    found = check_roster(read_roster(path), [AGENT], RULES, TZ, source=str(path))
    assert [(v.date, v.rule, v.found) for v in found] == [
        ("2026-12-01", "shift_length", "8.5 h (08:00-16:30, elapsed)")]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("shift_start=2026-11-3x 09:00",
         "line 2, column shift_start: cannot read timestamp '2026-11-3x 09:00'"),
        ("activities=break at ten", "line 2, column activities: cannot read activity "
         "'break at ten'; accepted: 'KIND HH:MM-HH:MM'"),
        ("status=sick", "line 2, column status: 'sick' is not valid; accepted: work, off, leave"),
        ("shift_start=2026-03-29 02:30", "is ambiguous or does not exist in Europe/Paris"),
        ("shift_start=2026-10-25 02:30", "local time '2026-10-25 02:30' is ambiguous"),
    ],
)
def test_unreadable_cells_are_input_errors(cell: str, message: str) -> None:
    col, value = cell.split("=", 1)
    row = {**shift(MONDAY, "09:00"), col: value}
    with pytest.raises(InputDataError) as exc:
        check_roster(pd.DataFrame([row]), [AGENT], RULES, TZ, source="r.csv")
    assert message in exc.value.message
    assert exc.value.message.startswith("r.csv: ")


def test_missing_roster_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("agent_id,date\nA1,2026-11-30\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"missing roster column\(s\) status, shift_start"):
        read_roster(path)


def test_weeks_start_on_the_rosters_first_date() -> None:
    wed = MONDAY + timedelta(days=2)
    days = [wed + timedelta(days=i) for i in range(7)]
    rows = [shift(d, "09:00") for d in days[:6]] + [off(days[6])]
    agent = replace(AGENT, max_days_week=7, max_hours_week=48)
    found = check_roster(pd.DataFrame(rows), [agent], RULES, TZ)
    assert [(v.rule, v.date, v.found) for v in found] == [
        ("days_off", "2026-12-02", "1 day(s) off in the week of 2026-12-02")]


def test_unreadable_interval_view_is_an_input_error() -> None:
    iv = pd.DataFrame({"agent_id": ["A1"], "interval_start": ["yesterday"],
                       "activity": ["work"], "queue": ["voice_fr"]})
    with pytest.raises(InputDataError, match="agent intervals: line 2, column interval_start: "
                                             "cannot read timestamp 'yesterday'"):
        check_roster(week(), [AGENT], RULES, TZ, intervals=iv)
