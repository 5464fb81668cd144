"""Agent calendars parse with icalendar and round-trip shift times across a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from report_runs import write_schedule_run

from wfm.errors import InputDataError, OutputError
from wfm.pipeline.run_folders.files import read_schedule as read_schedule_run
from wfm.reports.calendars import agent_calendar, fold, transitions, write_calendars

SITE = "Lyon contact centre"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def run(tmp_path: Path):
    return read_schedule_run(write_schedule_run(tmp_path / "schedules"),
                             default_tz=ZoneInfo("UTC"))


def parse(text: str) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(text)
    for comp in cal.walk():
        assert not comp.errors, (comp.name, comp.errors)
    return cal


def test_shifts_round_trip_across_the_dst_change(run) -> None:
    text = agent_calendar(run, "A1", site=SITE)
    cal = parse(text)
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "A1-2026-03-27@lyon-contact-centre.wfm", "A1-2026-03-28@lyon-contact-centre.wfm",
        "A1-2026-03-29@lyon-contact-centre.wfm"]
    starts = [e.decoded("DTSTART") for e in events]
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(2026, 3, 27, 7, tzinfo=UTC), datetime(2026, 3, 28, 7, tzinfo=UTC),
        datetime(2026, 3, 29, 6, tzinfo=UTC)]  # 08:00 local is 06:00 UTC after the change
    roster = run.roster[run.roster["agent_id"] == "A1"]
    assert [s.astimezone(UTC) for s in starts] == [
        t.to_pydatetime() for t in roster["shift_start"]]
    assert all(str(e["DTSTART"].params["TZID"]) == "Europe/Paris" for e in events)
    desc = str(events[0]["DESCRIPTION"])
    assert desc == "Breaks: break 09:00-09:30; lunch 10:30-11:00\nQueues: voice_fr\n" \
                   "Paid hours: 4"


def test_vtimezone_itself_matches_the_tz_database(run) -> None:
    cal = parse(agent_calendar(run, "A1", site=SITE))
    (vtz,) = cal.walk("VTIMEZONE")
    tz = vtz.to_tz()
    for when in (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 3, 30),
                 datetime(2026, 7, 1, 12), datetime(2026, 11, 1, 12), datetime(2026, 1, 5)):
        assert when.replace(tzinfo=tz).utcoffset() == when.replace(tzinfo=PARIS).utcoffset()


def test_leave_is_an_all_day_event_and_text_is_escaped(run) -> None:
    text = agent_calendar(run, "A2", site=SITE)
    cal = parse(text)
    assert "\r\nX-WR-CALNAME:Ben\\, Jr. – Lyon contact centre\r\n" in text
    events = cal.walk("VEVENT")
    assert len(events) == 2  # one shift, one leave; the day off has no event
    leave = events[1]
    assert str(leave["SUMMARY"]) == "Leave"
    assert leave.decoded("DTSTART") == date(2026, 3, 29)
    assert leave.decoded("DTEND") == date(2026, 3, 30)


def test_files_are_deterministic_folded_and_crlf(run, tmp_path: Path) -> None:
    paths = write_calendars(run, tmp_path / "cal", site=SITE)
    assert [p.name for p in paths] == ["A1.ics", "A2.ics", "A3.ics"]
    first = {p.name: p.read_bytes() for p in paths}
    write_calendars(run, tmp_path / "cal", site=SITE)
    assert {p.name: p.read_bytes() for p in paths} == first
    for data in first.values():
        assert data.endswith(b"\r\n")
        lines = data.split(b"\r\n")
        assert all(len(line) <= 75 for line in lines)
        assert b"\n" not in b"".join(lines)


def test_fold_keeps_utf8_characters_whole() -> None:
    line = "DESCRIPTION:" + "é" * 80
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 75 for p in parts)


def test_utc_site_uses_utc_times_without_vtimezone(tmp_path: Path) -> None:
    run_dir = write_schedule_run(tmp_path / "s", latest=False)
    (run_dir / "manifest.json").unlink()
    run = read_schedule_run(run_dir, default_tz=ZoneInfo("UTC"))
    text = agent_calendar(run, "A1", site=SITE)
    assert "BEGIN:VTIMEZONE" not in text
    assert "DTSTART:20260329T060000Z" in text
    parse(text)


def test_transitions_found_to_the_second() -> None:
    got = transitions(PARIS, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert got == [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]


def test_bad_agent_and_output(run, tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"agent 'Z9' is not in run .*agents: A1, A2, A3"):
        write_calendars(run, tmp_path / "c", site=SITE, agents=["Z9"])
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())
    with pytest.raises(OutputError, match="does not exist"):
        write_calendars(run, tmp_path / "no" / "c", site=SITE)
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        write_calendars(run, tmp_path / "f", site=SITE)


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney", "Asia/Kolkata",
                                  "America/St_Johns", "Europe/London", "Pacific/Chatham"])
def test_vtimezone_matches_tz_database_hour_by_hour(zone: str) -> None:
    from datetime import timedelta

    from wfm.reports.calendars import vtimezone

    tz = ZoneInfo(zone)
    first, last = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN",
                        *vtimezone(tz, first, last), "END:VCALENDAR"]) + "\r\n"
    parsed = parse(text).walk("VTIMEZONE")[0].to_tz()
    t = first
    while t < last:
        assert t.astimezone(parsed).utcoffset() == t.astimezone(tz).utcoffset(), (zone, t)
        t += timedelta(hours=1)
