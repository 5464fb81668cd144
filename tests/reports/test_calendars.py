"""Agent calendars parse with icalendar, round-trip shift times across a DST change and
update a calendar app's copy after a re-plan (SEQUENCE, STATUS:CANCELLED)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from report_runs import AGENTS, local, write_schedule_run

from wfm.errors import InputDataError, OutputError
from wfm.pipeline.run_folders.files import read_schedule as read_schedule_run
from wfm.reports.calendar_timezones import transitions, vtimezone
from wfm.reports.calendars import write_calendars

SITE = "Lyon contact centre"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def run(tmp_path: Path):
    return read_schedule_run(write_schedule_run(tmp_path / "schedules"),
                             default_tz=ZoneInfo("UTC"))


def parse(data: bytes) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(data)
    for comp in cal.walk():
        assert not comp.errors, (comp.name, comp.errors)
    return cal


def export(run, folder: Path, **kwargs) -> dict[str, icalendar.Calendar]:
    result = write_calendars(run, folder, site=SITE, previous=folder, **kwargs)
    return {p.stem: parse(p.read_bytes()) for p in result.paths}


def test_shifts_round_trip_across_the_dst_change(run, tmp_path: Path) -> None:
    cal = export(run, tmp_path / "cal")["A1"]
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
    assert all(e["DTSTART"].params["TZID"] == "Europe/Paris" for e in events)
    assert str(events[0]["DESCRIPTION"]) == ("Breaks: break 09:00-09:30; lunch 10:30-11:00\n"
                                             "Queues: voice_fr\nPaid hours: 4")
    # a first export: every event at SEQUENCE 0, confirmed, busy
    assert {(e["SEQUENCE"], str(e["STATUS"]), str(e["TRANSP"]),
             str(e["X-MICROSOFT-CDO-BUSYSTATUS"])) for e in events} == {
        (0, "CONFIRMED", "OPAQUE", "BUSY")}
    assert {e.decoded("DTSTAMP") for e in events} == {datetime(2026, 3, 20, 6, tzinfo=UTC)}


def test_vtimezone_itself_matches_the_tz_database(run, tmp_path: Path) -> None:
    (vtz,) = export(run, tmp_path / "cal")["A1"].walk("VTIMEZONE")
    tz = vtz.to_tz()
    for when in (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 3, 30),
                 datetime(2026, 7, 1, 12), datetime(2026, 11, 1, 12), datetime(2026, 1, 5)):
        assert when.replace(tzinfo=tz).utcoffset() == when.replace(tzinfo=PARIS).utcoffset()


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Australia/Sydney",
                                  "America/St_Johns", "Pacific/Chatham"])
def test_vtimezone_onsets_are_local_times_in_the_offset_before(zone: str) -> None:
    """RFC 5545 3.6.5: DTSTART - TZOFFSETFROM is the instant of the change (icalendar's
    own Timezone.from_tzid writes the spring onset an hour late; see the module)."""
    tz = ZoneInfo(zone)
    first, last = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    # the window: 1 January of the year before to the end of the year after
    changes = transitions(tz, datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    observances = vtimezone(tz, first, last).subcomponents
    assert observances[0].decoded("DTSTART") == datetime(2025, 1, 1) + \
        observances[0].decoded("TZOFFSETFROM")
    onsets = [o.decoded("DTSTART").replace(tzinfo=UTC) - o.decoded("TZOFFSETFROM")
              for o in observances[1:]]
    assert onsets == changes
    assert len(changes) >= 6
    for o, t in zip(observances[1:], changes, strict=True):
        assert o.decoded("TZOFFSETFROM") == (t - timedelta(seconds=1)).astimezone(tz).utcoffset()
        assert o.decoded("TZOFFSETTO") == t.astimezone(tz).utcoffset()


def test_leave_is_a_busy_out_of_office_all_day_event(run, tmp_path: Path) -> None:
    cals = export(run, tmp_path / "cal")
    text = (tmp_path / "cal" / "A2.ics").read_bytes().decode("utf-8")
    assert "\r\nX-WR-CALNAME:Ben\\, Jr. – Lyon contact centre\r\n" in text
    events = cals["A2"].walk("VEVENT")
    assert len(events) == 2  # one shift, one leave; the day off has no event
    leave = events[1]
    assert str(leave["SUMMARY"]) == "Leave"
    assert leave.decoded("DTSTART") == date(2026, 3, 29)
    assert leave.decoded("DTEND") == date(2026, 3, 30)
    assert str(leave["TRANSP"]) == "OPAQUE"  # blocks the day in free/busy
    assert str(leave["X-MICROSOFT-CDO-BUSYSTATUS"]) == "OOF"


def test_files_are_deterministic_folded_and_crlf(run, tmp_path: Path) -> None:
    paths = write_calendars(run, tmp_path / "cal", site=SITE).paths
    assert [p.name for p in paths] == ["A1.ics", "A2.ics", "A3.ics"]
    first = {p.name: p.read_bytes() for p in paths}
    write_calendars(run, tmp_path / "cal", site=SITE, previous=tmp_path / "cal")
    assert {p.name: p.read_bytes() for p in paths} == first
    for data in first.values():
        assert data.endswith(b"\r\n")
        lines = data.split(b"\r\n")
        assert all(len(line) <= 75 for line in lines)
        assert b"\n" not in b"".join(lines)


def test_utc_site_uses_utc_times_without_vtimezone(tmp_path: Path) -> None:
    run_dir = write_schedule_run(tmp_path / "s", latest=False)
    (run_dir / "manifest.json").unlink()
    run = read_schedule_run(run_dir, default_tz=ZoneInfo("UTC"))
    write_calendars(run, tmp_path / "cal", site=SITE, agents=["A1"])
    data = (tmp_path / "cal" / "A1.ics").read_bytes()
    assert b"BEGIN:VTIMEZONE" not in data
    assert b"DTSTART:20260329T060000Z" in data
    parse(data)


def test_transitions_found_to_the_second() -> None:
    got = transitions(PARIS, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert got == [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]


def test_bad_agent_and_output(run, tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"agent 'Z9' is not in run .*agents: A1, A2, A3"):
        write_calendars(run, tmp_path / "c", site=SITE, agents=["Z9"])
    assert not (tmp_path / "c").exists()
    with pytest.raises(OutputError, match="does not exist"):
        write_calendars(run, tmp_path / "no" / "c", site=SITE)
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        write_calendars(run, tmp_path / "f", site=SITE)


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney", "Asia/Kolkata",
                                  "America/St_Johns", "Europe/London", "Pacific/Chatham"])
def test_vtimezone_matches_tz_database_hour_by_hour(zone: str) -> None:
    tz = ZoneInfo(zone)
    first, last = datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//t//t//EN")
    cal.add_component(vtimezone(tz, first, last))
    parsed = parse(cal.to_ical()).walk("VTIMEZONE")[0].to_tz()
    t = first
    while t < last:
        assert t.astimezone(parsed).utcoffset() == t.astimezone(tz).utcoffset(), (zone, t)
        t += timedelta(hours=1)


# -- updates: a calendar app's copy follows the re-plans ----------------------------------

class CalendarApp:
    """What a calendar app keeps of imported events (RFC 5546 update rules as phone and
    desktop apps apply them to published calendars): an event is added when its UID is
    new; a copy with the same UID replaces it only with a higher SEQUENCE; a newer copy
    with STATUS:CANCELLED removes it; anything else is ignored."""

    def __init__(self) -> None:
        self.events: dict[str, tuple[int, object, object, str, str]] = {}

    def load(self, cal: icalendar.Calendar) -> None:
        for e in cal.walk("VEVENT"):
            uid, seq = str(e["UID"]), int(e.get("SEQUENCE", 0))
            held = self.events.get(uid)
            if held is not None and seq <= held[0]:
                continue
            if str(e.get("STATUS", "")).upper() == "CANCELLED":
                self.events.pop(uid, None)
                continue
            self.events[uid] = (seq, _instant(e.decoded("DTSTART")),
                                _instant(e.decoded("DTEND")), str(e["SUMMARY"]),
                                str(e.get("TRANSP", "OPAQUE")))

    def shown(self) -> dict[str, tuple[object, object]]:
        return {uid: (v[1], v[2]) for uid, v in self.events.items()}


def _instant(value: object) -> object:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def expected(agents: dict) -> dict[str, tuple[object, object]]:
    """What the roster says each agent's calendar should show, straight from the plan."""
    out: dict[str, tuple[object, object]] = {}
    for aid, (_name, _team, _queue, days) in agents.items():
        for day, (status, start, end, _acts) in days.items():
            uid = f"{aid}-{day}@lyon-contact-centre.wfm"
            if status == "work":
                out[uid] = (local(day, start).to_pydatetime().astimezone(UTC),
                            local(day, end).to_pydatetime().astimezone(UTC))
            elif status == "leave":
                d = date.fromisoformat(day)
                out[uid] = (d, d + timedelta(days=1))
    return out


def replanned() -> dict:
    """The fixture's week after a re-plan: A1 moved on Friday, off on Saturday, other
    breaks on Sunday; A2 on leave on Friday; A3 unchanged."""
    agents = copy.deepcopy(AGENTS)
    a1 = agents["A1"][3]
    a1["2026-03-27"] = ("work", "09:00", "12:00", "lunch 10:30-11:00")
    a1["2026-03-28"] = ("off", "", "", "")
    a1["2026-03-29"] = ("work", "08:00", "12:00", "lunch 11:00-11:30")
    agents["A2"][3]["2026-03-27"] = ("leave", "", "", "")
    return agents


def schedule(tmp_path: Path, name: str, agents: dict):
    run_dir = write_schedule_run(tmp_path / "s", f"20260321T0{len(name)}0000Z-{name}",
                                 latest=False, agents=agents)
    return read_schedule_run(run_dir, default_tz=ZoneInfo("UTC"))


def sequences(cals: dict[str, icalendar.Calendar]) -> dict[str, tuple[int, str]]:
    return {str(e["UID"]).split("@")[0]: (int(e["SEQUENCE"]), str(e["STATUS"]))
            for cal in cals.values() for e in cal.walk("VEVENT")}


def test_a_replan_updates_moves_and_cancels_in_the_app(run, tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    app = CalendarApp()
    for cal in export(run, folder).values():
        app.load(cal)
    assert app.shown() == expected(AGENTS)

    second = schedule(tmp_path, "b", replanned())
    result = write_calendars(second, folder, site=SITE, previous=folder)
    cals = {p.stem: parse(p.read_bytes()) for p in result.paths}
    seqs = sequences(cals)
    assert seqs["A1-2026-03-27"] == (1, "CONFIRMED")   # moved
    assert seqs["A1-2026-03-28"] == (1, "CANCELLED")   # removed by the re-plan
    assert seqs["A1-2026-03-29"] == (1, "CONFIRMED")   # other lunch
    assert seqs["A2-2026-03-27"] == (1, "CONFIRMED")   # shift became leave, same UID
    assert seqs["A3-2026-03-28"] == (0, "CONFIRMED")   # unchanged
    assert (result.changes.new, result.changes.updated, result.changes.cancelled,
            result.changes.unchanged) == (0, 3, 1, 3)
    cancelled = next(e for e in cals["A1"].walk("VEVENT") if e["STATUS"] == "CANCELLED")
    assert str(cancelled["SUMMARY"]) == "Cancelled: Shift 08:00-12:00 (T1)"
    assert str(cancelled["TRANSP"]) == "TRANSPARENT"
    for cal in cals.values():
        app.load(cal)
    assert app.shown() == expected(replanned())

    # re-exporting the unchanged week changes nothing, byte for byte
    before = {p.name: p.read_bytes() for p in result.paths}
    again = write_calendars(second, folder, site=SITE, previous=folder)
    assert {p.name: p.read_bytes() for p in again.paths} == before
    assert again.changes.updated == again.changes.cancelled == again.changes.new == 0

    # going back to the first plan raises the sequence again and restores the shift
    cals = export(run, folder)
    seqs = sequences(cals)
    assert seqs["A1-2026-03-27"] == (2, "CONFIRMED")
    assert seqs["A1-2026-03-28"] == (2, "CONFIRMED")   # was cancelled: a new version
    assert seqs["A3-2026-03-28"] == (0, "CONFIRMED")
    for cal in cals.values():
        app.load(cal)
    assert app.shown() == expected(AGENTS)


def test_an_agent_gone_from_the_roster_gets_every_shift_cancelled(run, tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    app = CalendarApp()
    for cal in export(run, folder).values():
        app.load(cal)
    without = {a: v for a, v in AGENTS.items() if a != "A3"}
    cals = export(schedule(tmp_path, "c", without), folder)
    assert sorted(cals) == ["A1", "A2", "A3"]
    assert str(cals["A3"]["X-WR-CALNAME"]) == "Cléa Dupont – Lyon contact centre"
    assert {s for k, s in sequences(cals).items() if k.startswith("A3")} == {
        (1, "CANCELLED")}
    for cal in cals.values():
        app.load(cal)
    assert app.shown() == expected(without)
    # only the agents asked for are touched
    (tmp_path / "one").mkdir()
    assert [p.name for p in write_calendars(run, tmp_path / "one", site=SITE, agents=["A1"],
                                            previous=folder).paths] == ["A1.ics"]


def shifted(agents: dict, days: int) -> dict:
    return {a: (n, t, q, {str(date.fromisoformat(d) + timedelta(days=days)): v
                          for d, v in plan.items()})
            for a, (n, t, q, plan) in agents.items()}


def test_events_of_other_weeks_are_kept_not_cancelled(run, tmp_path: Path) -> None:
    folder = tmp_path / "cal"
    export(run, folder)
    run_dir = write_schedule_run(tmp_path / "s", "20260327T060000Z-next", latest=False,
                                 agents=shifted(AGENTS, 7))
    manifest = (run_dir / "manifest.json").read_text().replace("2026-03-23", "2026-03-30")
    (run_dir / "manifest.json").write_text(manifest)
    result = write_calendars(read_schedule_run(run_dir, default_tz=ZoneInfo("UTC")), folder,
                             site=SITE, previous=folder)
    assert result.changes.cancelled == 0 and result.changes.new == 7
    seqs = sequences({p.stem: parse(p.read_bytes()) for p in result.paths})
    assert seqs["A1-2026-03-27"] == (0, "CONFIRMED")
    assert seqs["A1-2026-04-03"] == (0, "CONFIRMED")
    assert len(seqs) == 14
    # six weeks on, the first week (more than five weeks back) is dropped
    far = write_schedule_run(tmp_path / "s", "20260501T060000Z-far", latest=False,
                             agents=shifted(AGENTS, 42))
    manifest = (far / "manifest.json").read_text().replace("2026-03-23", "2026-05-04")
    (far / "manifest.json").write_text(manifest)
    result = write_calendars(read_schedule_run(far, default_tz=ZoneInfo("UTC")), folder,
                             site=SITE, previous=folder)
    days = {k.split("-", 1)[1] for k in
            sequences({p.stem: parse(p.read_bytes()) for p in result.paths})}
    assert min(days) == "2026-04-03" and max(days) == "2026-05-10"


def test_a_calendar_of_the_former_writer_is_updated_to_busy_leave(run, tmp_path: Path) -> None:
    """Files the hand-written writer made: no SEQUENCE, leave TRANSPARENT (free)."""
    folder = tmp_path / "cal"
    folder.mkdir()
    old = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//wfm//agent roster//EN\r\n"
           "X-WR-CALNAME:Ben\\, Jr. – Lyon contact centre\r\n"
           "BEGIN:VEVENT\r\nUID:A2-2026-03-29@lyon-contact-centre.wfm\r\n"
           "DTSTAMP:20260320T060000Z\r\nDTSTART;VALUE=DATE:20260329\r\n"
           "DTEND;VALUE=DATE:20260330\r\nSUMMARY:Leave\r\nTRANSP:TRANSPARENT\r\n"
           "END:VEVENT\r\nEND:VCALENDAR\r\n")
    (folder / "A2.ics").write_text(old, encoding="utf-8", newline="")
    app = CalendarApp()
    app.load(parse(old.encode()))
    cal = export(run, folder, agents=["A2"])["A2"]
    leave = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Leave")
    assert int(leave["SEQUENCE"]) == 1
    app.load(cal)
    assert app.events["A2-2026-03-29@lyon-contact-centre.wfm"][4] == "OPAQUE"


def test_a_broken_previous_calendar_is_an_error_and_nothing_is_written(run, tmp_path: Path
                                                                       ) -> None:
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "A1.ics").write_text("this is not a calendar", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"A1.ics: not an iCalendar file"):
        write_calendars(run, folder, site=SITE, previous=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["A1.ics"]
