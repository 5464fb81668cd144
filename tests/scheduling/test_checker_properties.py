"""Properties: any shift built to the rules passes; moving one break out of its window is
reported as exactly that break's window violation (including across DST changes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.scheduling.agents import Agent
from wfm.scheduling.checker import check_roster
from wfm.scheduling.rules import ShiftRules

TZ = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
RULES = ShiftRules(allow_overnight=True)
AGENT = Agent("A1", "Ann", "T", {"voice_fr": 1})


def _row(day: date, start_min: int, length_h: float, offsets: list[int]) -> dict[str, str]:
    start = datetime.combine(day, (datetime.min + timedelta(minutes=start_min)).time(), TZ)
    start = start.astimezone(UTC).astimezone(TZ)
    end = (start.astimezone(UTC) + timedelta(hours=length_h)).astimezone(TZ)
    acts = []
    for rule, off in zip(RULES.breaks_for(length_h), offsets, strict=False):
        a = (start.astimezone(UTC) + timedelta(minutes=off)).astimezone(TZ)
        b = (a.astimezone(UTC) + timedelta(minutes=rule.duration_min)).astimezone(TZ)
        acts.append(f"{rule.kind} {a:%H:%M}-{b:%H:%M}")
    return {"agent_id": "A1", "date": day.isoformat(), "status": "work",
            "shift_start": start.isoformat(), "shift_end": end.isoformat(),
            "activities": "; ".join(acts)}


@st.composite
def shifts(draw: st.DrawFn) -> tuple[date, int, float, list[int]]:
    day = draw(st.sampled_from([date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24),
                                date(2026, 10, 25), date(2026, 11, 30)]))
    start_min = draw(st.integers(0, 95).map(lambda q: q * 15))
    length_h = draw(st.sampled_from(RULES.shift_lengths_h))
    offsets = []
    for rule in RULES.breaks_for(length_h):
        lo, hi = rule.earliest_latest_min(round(length_h * 60))
        offsets.append(draw(st.integers(lo // 15, hi // 15)) * 15)
    return day, start_min, length_h, offsets


@settings(max_examples=60, deadline=None)
@given(shifts())
def test_rule_built_shift_passes(shift: tuple[date, int, float, list[int]]) -> None:
    day, start_min, length_h, offsets = shift
    row = _row(day, start_min, length_h, offsets)
    if pd.Timestamp(row["shift_start"]).minute % 15:
        return  # the start fell into the missing spring hour
    assert check_roster(pd.DataFrame([row]), [AGENT], RULES, TZ) == []


@settings(max_examples=60, deadline=None)
@given(shifts(), st.data())
def test_break_moved_out_of_its_window_is_reported(
        shift: tuple[date, int, float, list[int]], data: st.DataObject) -> None:
    day, start_min, length_h, offsets = shift
    rules = RULES.breaks_for(length_h)
    i = data.draw(st.integers(0, len(rules) - 1))
    lo, hi = rules[i].earliest_latest_min(round(length_h * 60))
    # Move it just outside its window, on the side where it stays between its neighbours.
    before = offsets[i - 1] + rules[i - 1].duration_min if i else 0
    moved = lo - 15 if lo - 15 >= before else hi + 15
    after = offsets[i + 1] if i + 1 < len(offsets) else round(length_h * 60)
    if moved < before or moved + rules[i].duration_min > after:
        return
    offsets = [*offsets[:i], moved, *offsets[i + 1:]]
    row = _row(day, start_min, length_h, offsets)
    if pd.Timestamp(row["shift_start"]).minute % 15:
        return
    start = pd.Timestamp(row["shift_start"]).to_pydatetime()
    moved_at = (start.astimezone(UTC) + timedelta(minutes=moved)).astimezone(TZ)
    if _ambiguous(moved_at):
        return  # its clock text also names an instant an hour later, which may be valid
    found = check_roster(pd.DataFrame([row]), [AGENT], RULES, TZ)
    assert [v.rule for v in found] == [f"{rules[i].kind}_window"]


def _ambiguous(t: datetime) -> bool:
    naive = t.replace(tzinfo=None)
    return (naive.replace(tzinfo=TZ, fold=0).utcoffset()
            != naive.replace(tzinfo=TZ, fold=1).utcoffset())


def test_ambiguous_clock_text_gets_the_reading_that_fits() -> None:
    # 01:15 CEST + 105 min = 02:00 CET, written "02:00" like 02:00 CEST (45 min in).
    row = _row(date(2026, 10, 25), 75, 4.0, [105])
    assert row["activities"] == "break 02:00-02:15"
    assert check_roster(pd.DataFrame([row]), [AGENT], RULES, TZ) == []
