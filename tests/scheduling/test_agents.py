"""The agents file: parsing of every column and precise errors on bad cells."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.scheduling.agents import END_OF_DAY, parse_availability, read_agents
from wfm.scheduling.sample_agents import generate_sample_agents, write_sample_agents

DATA = Path(__file__).resolve().parents[1] / "data"
QUEUES = {"voice_fr": "voice", "voice_en": "voice", "chat_fr": "chat", "email_fr": "email"}
HEADER = "agent_id,name,skills,min_hours_week,max_hours_week,min_days_week,max_days_week"


def test_reads_every_column() -> None:
    a1, a2, a3 = read_agents(DATA / "agents_small.csv", QUEUES)
    assert a1.skills == {"voice_fr": 1, "chat_fr": 2}
    assert (a1.min_hours_week, a1.max_hours_week, a1.min_days_week, a1.max_days_week) == (
        35.0, 37.5, 5, 5)
    assert a1.shift_lengths_h == (8.0,)
    assert (a1.earliest_start, a1.latest_end) == (time(8), time(20))
    assert a1.time_off == {date(2026, 11, 30), date(2026, 12, 24), date(2026, 12, 25),
                           date(2026, 12, 26)}
    assert a1.availability == {**{d: (time(8), time(18)) for d in range(5)},
                               5: (time(9), time(13))}
    assert a1.preferred_start == time(9)
    assert a1.preferred_days_off == {5, 6}
    assert (a1.team, a1.site) == ("Team A", "Lyon")
    # A channel name means every queue of that channel; empty cells take the defaults.
    assert a2.skills == {"voice_fr": 1, "voice_en": 1}
    assert (a2.min_hours_week, a2.max_hours_week, a2.max_days_week) == (0.0, 48.0, 7)
    assert a2.availability is None and a2.shift_lengths_h == ()
    assert a3.shift_lengths_h == (4.0, 6.0)
    assert a3.latest_end == END_OF_DAY
    assert a3.availability == {d: (time(12), END_OF_DAY) for d in range(6)}
    assert a3.window(6) is None
    assert a1.window(0) == (time(8), time(18))


def test_xlsx_reads_like_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "agents_small.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "agents.xlsx"
    frame.to_excel(path, index=False)
    assert read_agents(path, QUEUES) == read_agents(DATA / "agents_small.csv", QUEUES)


def test_xlsx_with_native_time_and_date_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"agent_id": ["A1"], "name": ["Ann"], "skills": ["voice_fr"],
                          "earliest_start": [time(7, 30)], "time_off": [date(2026, 12, 1)]})
    path = tmp_path / "agents.xlsx"
    frame.to_excel(path, index=False)
    [a] = read_agents(path, QUEUES)
    assert a.earliest_start == time(7, 30)
    assert a.time_off == {date(2026, 12, 1)}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A1,Ann,voice_de,35,40,5,5",
         "line 2, column skills: 'voice_de' is not valid; accepted: 'NAME[:PRIORITY]' "
         "separated by ';' where NAME is one of the queues voice_fr, voice_en, chat_fr, "
         "email_fr or channels chat, email, voice"),
        ("A1,Ann,voice_fr:0,35,40,5,5", "column skills: 'voice_fr:0' is not valid"),
        ("A1,Ann,voice_fr,40,35,5,5",
         "line 2, column min_hours_week: 40 is above max_hours_week 35 for agent 'A1'; "
         "accepted: min_hours_week <= max_hours_week"),
        ("A1,Ann,voice_fr,35,40,6,5",
         "line 2, column min_days_week: 6 is above max_days_week 5 for agent 'A1'"),
        ("A1,Ann,voice_fr,35,forty,5,5",
         "line 2, column max_hours_week: 'forty' is not valid; accepted: a number in [0, 168]"),
        ("A1,Ann,voice_fr,35,40,5,8",
         "column max_days_week: '8' is not valid; accepted: a whole number in [0, 7]"),
        ("A1,Ann,voice_fr,35,40,4.5,5", "column min_days_week: '4.5' is not valid"),
        ("A1,Ann,,35,40,5,5", "line 2, column skills: agent 'A1' has no skills"),
        (",Ann,voice_fr,35,40,5,5", "line 2, column agent_id: empty"),
    ],
)
def test_bad_cells_name_line_column_value_and_accepted(tmp_path: Path, row: str,
                                                       message: str) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        read_agents(path, QUEUES)
    assert exc.value.message.startswith(f"{path}: ")
    assert message in exc.value.message


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("earliest_start", "8h", "column earliest_start: '8h' is not valid; accepted: a time "
         "HH:MM (00:00-24:00)"),
        ("latest_end", "25:00", "column latest_end: '25:00' is not valid"),
        ("latest_end", "07:00", "column latest_end: '07:00' is not after earliest_start 08:00"),
        ("time_off", "2026-13-01", "column time_off: '2026-13-01' is not valid; accepted: "
         "dates YYYY-MM-DD or ranges"),
        ("time_off", "2026-12-05..2026-12-01", "accepted: a range FIRST..LAST with FIRST <= LAST"),
        ("availability", "weekdays 8-18", "column availability: 'weekdays 8-18' is not valid; "
         "accepted: 'DAYS HH:MM-HH:MM' or 'DAYS off'"),
        ("availability", "mon 18:00-08:00", "with the end after the start"),
        ("preferred_days_off", "saturday;holiday", "column preferred_days_off: "
         "'saturday;holiday' is not valid; accepted: weekday names"),
        ("shift_lengths_h", "8;30", "column shift_lengths_h: '8;30' is not valid"),
    ],
)
def test_bad_optional_cells(tmp_path: Path, column: str, value: str, message: str) -> None:
    path = tmp_path / "agents.csv"
    frame = pd.DataFrame({"agent_id": ["A1"], "name": ["Ann"], "skills": ["voice_fr"],
                          "earliest_start": ["08:00"], column: [value]})
    frame.to_csv(path, index=False)
    with pytest.raises(InputDataError) as exc:
        read_agents(path, QUEUES)
    assert exc.value.message.startswith(f"{path}: line 2, ")
    assert message in exc.value.message


def test_duplicate_id_missing_column_and_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(f"{HEADER}\nA1,Ann,voice_fr,,,,\nA2,Bob,voice_fr,,,,\nA1,Cy,chat,,,,\n",
                    encoding="utf-8")
    with pytest.raises(InputDataError, match=r"line 4, column agent_id: duplicate agent_id "
                                             r"'A1' \(first on line 2\)"):
        read_agents(path, QUEUES)
    path.write_text("agent_id,name\nA1,Ann\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"missing required column\(s\) skills; columns "
                                             r"found: agent_id, name"):
        read_agents(path, QUEUES)
    with pytest.raises(InputDataError, match="agents file not found"):
        read_agents(tmp_path / "nope.csv", QUEUES)
    bad = tmp_path / "agents.xlsx"
    bad.write_text("not excel", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"not a readable Excel \(.xlsx\) agents file"):
        read_agents(bad, QUEUES)


def test_plain_queue_list_accepts_queue_names_only(tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_text("agent_id,name,skills\nA1,Ann,voice_fr:2; chat_fr\nA2,Bo,voice\n",
                    encoding="utf-8")
    with pytest.raises(InputDataError, match="line 3, column skills: 'voice' is not valid"):
        read_agents(path, list(QUEUES))


def test_availability_off_overrides_a_range() -> None:
    assert sorted(parse_availability("mon-sun 09:00-17:00; wed off")) == [0, 1, 3, 4, 5, 6]
    assert sorted(parse_availability("fri-mon 10:00-14:00")) == [0, 4, 5, 6]


def test_sample_agents_are_valid_and_seeded(tmp_path: Path) -> None:
    queues = list(QUEUES.items())
    path = write_sample_agents(tmp_path / "agents.csv", queues, n_agents=60, seed=3)
    agents = read_agents(path, QUEUES)
    assert len(agents) == 60
    assert generate_sample_agents(queues, 60, 3).equals(generate_sample_agents(queues, 60, 3))
    assert not generate_sample_agents(queues, 60, 3).equals(generate_sample_agents(queues, 60, 4))
    multi = sum(len(a.skills) > 1 for a in agents)
    assert 0.2 * 60 <= multi <= 0.7 * 60
    assert {a.shift_lengths_h for a in agents} == {(8.0,), (6.0,), (4.0,)}
    assert any(a.time_off for a in agents)
    assert {q for a in agents for q in a.skills} == set(QUEUES)
    assert all(a.min_hours_week <= a.max_hours_week for a in agents)


def test_week_conflicts_name_the_agent_and_the_reason() -> None:
    from dataclasses import replace
    from datetime import date, time

    from wfm.scheduling.agents import Agent, week_conflicts
    from wfm.scheduling.rules import ShiftRules

    rules = ShiftRules()
    mon = date(2026, 11, 30)
    base = Agent("A1", "Ann", "T", {"voice_fr": 1}, min_hours_week=35, max_hours_week=37.5,
                 min_days_week=5, max_days_week=5, shift_lengths_h=(8.0,))

    def conflicts(agent: Agent) -> list[str]:
        return week_conflicts([agent], rules.shift_lengths_h, rules.paid_hours, mon,
                              days_off_per_week=2)

    assert conflicts(base) == []
    # Three days of leave lower the minimum to 2 days and 14 h: still feasible.
    assert conflicts(replace(base, time_off=frozenset({mon, date(2026, 12, 1),
                                                       date(2026, 12, 2)}))) == []
    short = replace(base, availability={d: (time(9), time(17)) for d in range(4)})
    assert conflicts(short) == [
        "agent A1 (Ann) needs 5 working day(s) in the week of 2026-11-30 but can work at most "
        "4; unavailable Fri 04 Dec, Sat 05 Dec, Sun 06 Dec"]
    narrow = replace(base, availability={d: (time(9), time(16)) for d in range(5)},
                     shift_lengths_h=(4.0, 6.0, 8.0))
    assert conflicts(narrow) == [
        "agent A1 (Ann) needs 35 paid h in the week of 2026-11-30 but can reach at most "
        "27.5 h (shifts of 4, 6, 8 h); unavailable Sat 05 Dec, Sun 06 Dec"]
    heavy = replace(base, max_hours_week=36, min_hours_week=20, min_days_week=5)
    assert conflicts(replace(heavy, max_hours_week=30)) == [
        "agent A1 (Ann) needs 5 working day(s) but even the shortest shift (8 h) gives more "
        "than max_hours_week 30 h"]


def test_agents_hash_by_id() -> None:
    a1, a2, _ = read_agents(DATA / "agents_small.csv", QUEUES)
    assert len({a1, a2, a1}) == 2
