"""Why a queue-day stays short: what the agents holding its skill could still give.

A hand-made roster of the week of Monday 16 November 2026 where the reason of every agent
is known by construction; then the whole loop through `wfm schedule --replan` on a week
whose only agents all work the short day already (nobody could work more).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from click.testing import CliRunner
from roster_helpers import MONDAY
from scheduling_frames import requirements_frame

from wfm.cli.main import cli
from wfm.pipeline.replan_diagnosis import skill_day
from wfm.scheduling.agents import Agent
from wfm.scheduling.rules import ShiftRules

TZ = ZoneInfo("Europe/Paris")
WED = date(2026, 11, 18)
RULES = ShiftRules(shift_lengths_h=(4.0, 6.0, 8.0))   # 2 days off, 11 h rest, max 6 in a row


def _agent(agent_id: str, skills: dict[str, int], **contract: object) -> Agent:
    return Agent(agent_id, agent_id, "T", skills, **contract)  # type: ignore[arg-type]


#: (agent, day of November, local start hour, hours, planned queue, break slots)
SHIFTS = [
    *[("A", d, 9, 8, "voice", 0) for d in (16, 17, 19, 20, 21)],  # 5 days: at their most
    ("B", 16, 9, 8, "voice", 0), ("B", 17, 9, 8, "voice", 0),     # 15 of 16 paid hours
    ("D", 16, 9, 8, "voice", 0), ("D", 17, 9, 8, "voice", 0),     # free on Wednesday
    ("E", 17, 15, 8, "voice", 0), ("E", 19, 4, 8, "voice", 0),    # Tue 23:00 .. Thu 04:00
    ("F", 18, 9, 4, "chat", 0),                                   # could work 8 h
    ("G", 18, 9, 8, "voice", 1),                                  # 8 h only: cannot
    ("H", 18, 9, 8, "chat", 0),                                   # no voice skill
]


def _agents(*, f_max_hours: float = 40.0) -> list[Agent]:
    return [
        _agent("A", {"voice": 1}, max_days_week=5),
        _agent("B", {"voice": 1}, max_hours_week=16.0),
        _agent("C", {"voice": 1}, time_off=frozenset({WED})),
        _agent("D", {"voice": 1}),
        _agent("E", {"voice": 1}, shift_lengths_h=(8.0,)),
        _agent("F", {"chat": 1, "voice": 2}, max_hours_week=f_max_hours),
        _agent("G", {"voice": 1}, shift_lengths_h=(8.0,)),
        _agent("H", {"chat": 1}),
    ]


def _frames(shifts: list[tuple[str, int, int, int, str, int]]
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    roster, slots = [], []
    for agent, day, hour, length, queue, breaks in shifts:
        start = pd.Timestamp(2026, 11, day, hour, tz=TZ)
        end = start + pd.Timedelta(hours=length)
        roster.append({"agent_id": agent, "date": f"2026-11-{day}", "status": "work",
                       "shift_start": start.isoformat(), "shift_end": end.isoformat(),
                       "paid_hours": RULES.paid_hours(length)})
        for k in range(4 * length):
            t = start + pd.Timedelta(minutes=15 * k)
            on_break = k < breaks
            slots.append({"agent_id": agent, "interval_start": t.isoformat(),
                          "activity": "break" if on_break else "work",
                          "queue": "" if on_break else queue})
    return pd.DataFrame(roster), pd.DataFrame(slots)


def test_each_agent_off_is_counted_under_the_rule_that_keeps_them_off() -> None:
    roster, slots = _frames(SHIFTS)
    day = skill_day("voice", WED, roster, slots, _agents(), rules=RULES, tz=TZ)
    assert day.holders == 7 and day.working == 2          # H has no voice skill
    assert dict(day.off) == {"unavailable": 1, "max_days": 1, "max_hours": 1,
                             "rest_rules": 1, "free": 1}  # C, A, B, E, D
    assert day.longer == 1                                 # F (4 h of 40): G only works 8 h
    assert day.could_work_more == 2
    # G's 8 h less a 15-minute break on voice, F's 4 h on chat.
    assert dict(day.planned_h) == {"voice": 7.75, "chat": 4.0}
    assert day.logged_in_h == 11.75 and day.first_skill_h == 7.75
    text = day.text(["chat"])
    assert "7 agent(s) hold the skill; 2 work that day (11.8 h logged in: 7.8 h planned " \
           "on voice, 4.0 h on chat)" in text
    assert "of the 5 off, 1 on leave or unavailable, 1 at their most days a week, 1 at " \
           "their most hours a week, 1 held by the rest or consecutive-day rules, 1 free" in text
    assert text.endswith("so the roster could give voice more hours that day (2 agent(s) "
                         "could work more); the scheduler did not (allow more rounds, a "
                         "larger step or a longer time limit)")


def test_a_rest_window_wide_enough_frees_the_agent() -> None:
    """E's Thursday shift two hours later leaves 8 h between the rests: E is free."""
    shifts = [s if not (s[0] == "E" and s[1] == 19) else ("E", 19, 6, 8, "voice", 0)
              for s in SHIFTS]
    roster, slots = _frames(shifts)
    day = skill_day("voice", WED, roster, slots, _agents(), rules=RULES, tz=TZ)
    assert day.off["rest_rules"] == 0 and day.off["free"] == 2


def test_nobody_could_work_more_names_the_hours_spent_on_queues_meeting_their_targets(
        ) -> None:
    shifts = [s for s in SHIFTS if s[0] != "D"]
    roster, slots = _frames(shifts)
    agents = [a for a in _agents(f_max_hours=4.0) if a.agent_id != "D"]
    day = skill_day("voice", WED, roster, slots, agents, rules=RULES, tz=TZ)
    assert day.could_work_more == 0 and day.off["free"] == 0 and day.longer == 0
    assert day.text(["chat"]).endswith(
        "so no agent with the skill could work more that day; 4.0 h of its agents went to "
        "queues meeting their targets (moving them needs other skill priorities or less "
        "requirement there)")
    # When chat misses its target too, its hours are not offered as a way out.
    assert day.text([]).endswith("so no agent with the skill could work more that day")


#: Six voice agents, one 4-hour shift each a week at most: all of them work Monday.
SIX = ("agent_id,name,team,skills,min_hours_week,max_hours_week,min_days_week,"
       "max_days_week,shift_lengths_h\n"
       + "".join(f"A{i:02d},Agent {i},T1,voice_fr,0,40,0,1,4\n" for i in range(6)))


def test_replan_reports_that_no_agent_could_work_more(project: Path) -> None:
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("workers = 2", "workers = 1"),
                    encoding="utf-8")
    # Monday 09:00-13:00: 20 calls of 300 s a quarter-hour need 9 agents; 6 exist.
    req = requirements_frame(MONDAY, "Europe/Paris", per_day={
        ("voice_fr", 0): [("09:00", "13:00", 5)]})
    req["offered"] = (req["agents_required"] > 0) * 20.0
    req["interval_start"] = [t.isoformat() for t in req["interval_start"]]
    req.to_csv(project / "requirements.csv", index=False)
    (project / "agents.csv").write_text(SIX, encoding="utf-8")
    r = CliRunner().invoke(cli, ["schedule", "--requirements", "requirements.csv",
                                 "--agents", "agents.csv", "--week", "2026-11-16",
                                 "--time-limit", "20", "--allow-understaffing",
                                 "--replan", "2", "-R", "10"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((project / "schedules" / "latest" / "manifest.json").read_text(
        encoding="utf-8"))
    unmet = manifest["verification"]["unmet"]
    assert len(unmet) == 1 and unmet[0].startswith("voice_fr on 2026-11-16: ")
    assert "6 agent(s) hold the skill; 6 work that day (" in unmet[0]
    assert "of the 0 off" in unmet[0] and "0 of those working could work a longer" in unmet[0]
    assert unmet[0].endswith("so no agent with the skill could work more that day")
