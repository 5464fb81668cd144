"""The roster diff against plans written by hand: kinds of change, hours, coverage."""

from __future__ import annotations

import copy
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from report_runs import AGENTS, DAYS, SLOTS, write_schedule_run

from wfm.errors import InputDataError
from wfm.pipeline.run_folders.files import read_schedule
from wfm.reports.roster_diff import agent_days, diff_rosters, diff_title
from wfm.reports.schedule_run import ScheduleRun

PARIS = ZoneInfo("Europe/Paris")


def replanned() -> dict:
    """Every kind of change once: A1 moved on Friday, off on Saturday, lunch moved on
    Sunday; A2 on leave on Friday (a shift removed) and working Saturday (added), no longer
    on leave Sunday; A3 on email instead of voice on Saturday."""
    agents = copy.deepcopy(AGENTS)
    a1, a2 = agents["A1"][3], agents["A2"][3]
    a1["2026-03-27"] = ("work", "09:00", "12:00", "lunch 10:30-11:00")
    a1["2026-03-28"] = ("off", "", "", "")
    a1["2026-03-29"] = ("work", "08:00", "12:00", "lunch 11:00-11:30")
    a2["2026-03-27"] = ("leave", "", "", "")
    a2["2026-03-28"] = ("work", "08:00", "12:00", "break 10:00-10:30")
    a2["2026-03-29"] = ("off", "", "", "")
    name, team, _queue, days = agents["A3"]
    agents["A3"] = (name, team, "email_fr", days)
    return agents


def run_of(tmp_path: Path, run_id: str, agents: dict) -> ScheduleRun:
    folder = write_schedule_run(tmp_path / "s", run_id, latest=False, agents=agents)
    return read_schedule(folder, default_tz=ZoneInfo("UTC"))


@pytest.fixture
def diff(tmp_path: Path):
    return diff_rosters(run_of(tmp_path, "20260320T060000Z-a", AGENTS),
                        run_of(tmp_path, "20260321T060000Z-b", replanned()))


def test_each_changed_agent_day_is_listed_with_its_kind(diff) -> None:
    got = {(r.agent_id, r.date): (r.change, r.before, r.after, r.queues)
           for r in diff.changes.itertuples()}
    assert got == {
        ("A1", "2026-03-27"): ("moved", "08:00-12:00, break 09:00-09:30, lunch 10:30-11:00",
                               "09:00-12:00, lunch 10:30-11:00", ""),
        ("A1", "2026-03-28"): ("removed", "08:00-12:00, break 09:00-09:30, lunch 10:30-11:00",
                               "Off", ""),
        ("A1", "2026-03-29"): ("breaks", "08:00-12:00, lunch 10:00-10:30",
                               "08:00-12:00, lunch 11:00-11:30", ""),
        ("A2", "2026-03-27"): ("removed", "08:00-12:00, lunch 11:00-11:30", "Leave", ""),
        ("A2", "2026-03-28"): ("added", "Off", "08:00-12:00, break 10:00-10:30", ""),
        ("A2", "2026-03-29"): ("leave", "Leave", "Off", ""),
        ("A3", "2026-03-28"): ("queues", "09:00-12:00, break 10:00-10:30",
                               "09:00-12:00, break 10:00-10:30", "voice_fr -> email_fr"),
    }
    assert diff.counts() == {"added": 1, "removed": 2, "moved": 1, "breaks": 1,
                             "queues": 1, "leave": 1}
    assert diff.changes.loc[0, "name"] == "Ana Martin"


def _paid(plan: dict) -> dict[str, float]:
    """Paid hours as the fixture defines them: 4 h from 08:00, else 3 h."""
    return {a: sum(4.0 if s == "08:00" else 3.0 for st, s, _e, _x in days.values()
                   if st == "work") for a, (_n, _t, _q, days) in plan.items()}


def test_hours_per_agent(diff) -> None:
    before, after = _paid(AGENTS), _paid(replanned())
    agents = diff.agents.set_index("agent_id")
    assert agents["paid_h_before"].to_dict() == before
    assert agents["paid_h_after"].to_dict() == after
    assert agents["paid_h_delta"].to_dict() == {a: after[a] - before[a] for a in before}
    assert agents["shifts_before"].to_dict() == {"A1": 3, "A2": 1, "A3": 1}
    assert agents["shifts_after"].to_dict() == {"A1": 2, "A2": 1, "A3": 1}
    assert agents["changed_days"].to_dict() == {"A1": 3, "A2": 3, "A3": 1}


def _worked_h(plan: dict) -> dict[tuple[str, str], float]:
    """Agent-hours on each queue and day, counted from the plan's half-hour slots."""
    out = {(q, d): 0.0 for q in ("email_fr", "voice_fr") for d in DAYS}
    for _n, _t, queue, days in plan.values():
        for day, (status, start, end, acts) in days.items():
            pauses = [p.split()[1].split("-") for p in acts.split(";") if p.strip()]
            for slot in SLOTS:
                if status == "work" and start <= slot < end and \
                        not any(a <= slot < b for a, b in pauses):
                    out[(queue, day)] += 0.5
    return out


def test_coverage_deltas_per_queue_and_day(diff) -> None:
    before, after = _worked_h(AGENTS), _worked_h(replanned())
    cov = diff.coverage.set_index(["queue", "date"])
    for key in before:
        row = cov.loc[key]
        assert row["scheduled_h_before"] == before[key], key
        assert row["scheduled_h_after"] == after[key], key
        assert row["scheduled_h_delta"] == after[key] - before[key], key
    # voice_fr Saturday: A1 (3 h) and A3 (2.5 h) gone from a 5 h requirement
    sat = cov.loc[("voice_fr", "2026-03-28")]
    assert (sat["required_h_before"], sat["required_h_after"]) == (5.0, 5.0)
    assert sat["short_h_after"] == 5.0 and sat["short_h_delta"] == pytest.approx(4.25)


def test_the_title_sums_it_up(diff) -> None:
    title = diff_title(diff)
    assert "week of 2026-03-23: 20260320T060000Z-a (before) -> 20260321T060000Z-b" in title
    assert "3 agent(s) to tell, 7 changed agent-day(s): 1 added, 2 removed, 1 moved" in title
    assert "paid hours 19.0 -> 14.0 h (-5.0)" in title  # A1 12 -> 7, A2 4 -> 4, A3 3


def test_identical_rosters_have_no_change(tmp_path: Path) -> None:
    same = diff_rosters(run_of(tmp_path, "r1", AGENTS), run_of(tmp_path, "r2", AGENTS))
    assert same.changes.empty
    assert (same.agents["paid_h_delta"] == 0).all()
    assert (same.coverage[["scheduled_h_delta", "short_h_delta"]] == 0).all().all()


def test_an_agent_only_in_one_run_is_all_added(tmp_path: Path) -> None:
    more = copy.deepcopy(AGENTS)
    more["A4"] = ("Dan", "T2", "voice_fr", {"2026-03-27": ("work", "08:00", "10:00", "")})
    found = diff_rosters(run_of(tmp_path, "r1", AGENTS), run_of(tmp_path, "r2", more))
    assert found.changes[["agent_id", "change", "before", "after"]].values.tolist() == [
        ["A4", "added", "not rostered", "08:00-10:00"]]
    assert found.agents.set_index("agent_id").loc["A4", "paid_h_after"] == 4.0


def test_different_weeks_are_refused(tmp_path: Path) -> None:
    a = run_of(tmp_path, "r1", AGENTS)
    folder = write_schedule_run(tmp_path / "s", "r2", latest=False)
    manifest = (folder / "manifest.json").read_text().replace("2026-03-23", "2026-03-30")
    (folder / "manifest.json").write_text(manifest)
    with pytest.raises(InputDataError, match=r"plan different weeks \(2026-03-23 and "
                                             r"2026-03-30\)"):
        diff_rosters(a, read_schedule(folder, default_tz=ZoneInfo("UTC")))


def test_an_overnight_shift_keeps_the_queues_worked_after_midnight() -> None:
    """Intervals belong to the shift that holds them, not to their local date."""
    def run(late_queue: str) -> ScheduleRun:
        start = pd.Timestamp("2026-03-27 22:00", tz=PARIS)
        stamps = [start + pd.Timedelta(minutes=30 * i) for i in range(8)]
        roster = pd.DataFrame({
            "agent_id": ["N1", "N1"], "name": ["Night", "Night"], "team": ["T", "T"],
            "date": ["2026-03-27", "2026-03-28"], "status": ["work", "work"],
            "shift_start": [start.tz_convert("UTC"), stamps[-1].tz_convert("UTC")],
            "shift_end": [(start + pd.Timedelta(hours=3.5)).tz_convert("UTC"),
                          (stamps[-1] + pd.Timedelta(minutes=30)).tz_convert("UTC")],
            "activities": ["", ""], "paid_hours": [3.5, 0.5]})
        queues = ["voice_fr"] * 4 + [late_queue] * 3 + ["chat_fr"]
        ai = pd.DataFrame({"agent_id": "N1", "activity": "work", "queue": queues,
                           "interval_start": [s.tz_convert("UTC") for s in stamps]})
        coverage = pd.DataFrame({"queue": "voice_fr", "channel": "voice",
                                 "interval_start": ai["interval_start"], "required": 1.0,
                                 "scheduled": 1.0})
        return ScheduleRun("r", roster, ai, coverage, {"week": "2026-03-23"}, PARIS,
                           pd.Timestamp("2026-03-20").to_pydatetime())

    days = agent_days(run("voice_fr")).set_index("date")
    assert days.loc["2026-03-27", "queues"] == "voice_fr"
    assert days.loc["2026-03-27", "text"] == "22:00-01:30"
    assert days.loc["2026-03-28", "queues"] == "chat_fr"
    found = diff_rosters(run("voice_fr"), run("email_fr"))
    assert found.changes[["date", "change", "queues"]].values.tolist() == [
        ["2026-03-27", "queues", "voice_fr -> email_fr, voice_fr"]]


def test_a_roster_with_two_rows_for_one_agent_day_is_refused(tmp_path: Path) -> None:
    a = run_of(tmp_path, "r1", AGENTS)
    bad = ScheduleRun("r2", pd.concat([a.roster, a.roster.iloc[:1]]), a.agent_intervals,
                      a.coverage, a.manifest, a.tz, a.stamp)
    with pytest.raises(InputDataError, match="run r2: agent A1 has more than one roster row "
                                             "on 2026-03-27"):
        diff_rosters(a, bad)


def test_coverage_sums_are_those_of_the_coverage_report(tmp_path: Path) -> None:
    """`wfm report coverage` and the diff agree on each day's agent-hours."""
    from wfm.reports.coverage import coverage_summary
    from wfm.reports.roster_diff import coverage_by_day

    run = run_of(tmp_path, "r1", replanned())
    report = coverage_summary(run.coverage, tz=run.tz, interval_h=0.5)
    ours = coverage_by_day(run)
    cols = ["queue", "channel", "date", "required_h", "scheduled_h", "short_h"]
    pd.testing.assert_frame_equal(ours[cols].reset_index(drop=True),
                                  report[cols].reset_index(drop=True))
