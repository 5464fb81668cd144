"""The roster workbook read back with openpyxl: sheets, values, fills, chart, print setup."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from report_runs import DAYS, RUN_ID, SLOTS, write_schedule_run

from wfm.errors import OutputError
from wfm.pipeline.run_folders.files import read_schedule as read_schedule_run
from wfm.reports.roster_workbook import (
    ACTIVITY_COLOURS,
    QUEUE_COLOURS,
    parse_activities,
    queue_codes,
    write_roster_workbook,
)

SITE = "Lyon contact centre"


@pytest.fixture
def run(tmp_path: Path):
    run_dir = write_schedule_run(tmp_path / "schedules")
    return read_schedule_run(run_dir, default_tz=ZoneInfo("UTC"))


@pytest.fixture
def book(run, tmp_path: Path) -> openpyxl.Workbook:
    out = tmp_path / "roster.xlsx"
    write_roster_workbook(run, out, site=SITE)
    return openpyxl.load_workbook(out)


def colour(cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def test_sheet_names(book) -> None:
    assert book.sheetnames == ["Summary", "Roster", "Fri 2026-03-27", "Sat 2026-03-28",
                               "Sun 2026-03-29", "Coverage"]


def test_time_zone_comes_from_the_manifest(run) -> None:
    assert run.tz.key == "Europe/Paris"


def test_roster_sheet_cells_headers_and_fills(book) -> None:
    ws = book["Roster"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Agent ID", "Name", "Team", "Fri 2026-03-27", "Sat 2026-03-28",
                       "Sun 2026-03-29", "Paid hours")
    # Local times, also on Sunday 29 March after the switch to summer time.
    assert rows[1] == ("A1", "Ana Martin", "T1", "08:00–12:00, lunch 10:30",
                       "08:00–12:00, lunch 10:30", "08:00–12:00, lunch 10:00", 12)
    assert rows[2] == ("A2", "Ben, Jr.", "T1", "08:00–12:00, lunch 11:00", "Off", "Leave", 4)
    assert rows[3] == ("A3", "Cléa Dupont", "T2", "Leave", "09:00–12:00", "Off", 3)
    assert colour(ws["E3"]) == ACTIVITY_COLOURS["off"]
    assert colour(ws["F3"]) == ACTIVITY_COLOURS["leave"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:G4"


def test_day_sheet_grid_coloured_by_activity(book) -> None:
    ws = book["Fri 2026-03-27"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["Agent ID", "Name", "Shift"]
    assert header[3:] == list(SLOTS)
    codes = queue_codes(["email_fr", "voice_fr"])
    voice_colour = QUEUE_COLOURS[1]  # queues sorted: email_fr, voice_fr
    # A1 (row 4): 08:00 on voice, 09:00 break, 10:30 lunch.
    assert (ws["D4"].value, colour(ws["D4"])) == (codes["voice_fr"], voice_colour)
    assert (ws["F4"].value, colour(ws["F4"])) == ("B", ACTIVITY_COLOURS["break"])
    assert (ws["I4"].value, colour(ws["I4"])) == ("L", ACTIVITY_COLOURS["lunch"])
    # A2 (row 5) on email, A3 (row 6) on leave all day.
    assert (ws["D5"].value, colour(ws["D5"])) == (codes["email_fr"], QUEUE_COLOURS[0])
    assert ws["C6"].value == "Leave" and colour(ws["K6"]) == ACTIVITY_COLOURS["leave"]
    assert ws.freeze_panes == "D4"
    legend = {ws.cell(r, 2).value: colour(ws.cell(r, 1)) for r in range(8, ws.max_row + 1)}
    assert legend["break"] == ACTIVITY_COLOURS["break"]
    assert legend["on queue voice_fr"] == voice_colour
    assert legend["day off"] == ACTIVITY_COLOURS["off"]


def test_day_sheet_on_the_dst_day_shows_local_clock_times(book) -> None:
    ws = book["Sun 2026-03-29"]
    assert [c.value for c in ws[3]][3:] == list(SLOTS)
    assert ws["H4"].value == "L"  # lunch 10:00 local, i.e. 08:00 UTC that day


def test_coverage_sheet_values_match_the_frame(book, run) -> None:
    ws = book["Coverage"]
    blocks = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)
              if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value.endswith(")")
              and " – " not in ws.cell(r, 1).value}
    assert set(blocks) == {"email_fr (email)", "voice_fr (voice)"}
    assert [ws.cell(blocks["voice_fr (voice)"] + 2, c).value for c in range(2, 5)] == \
        ["Req", "Sched", "Gap"]
    local = run.coverage["interval_start"].dt.tz_convert("Europe/Paris")
    checked = 0
    for (queue, channel), g in run.coverage.assign(local=local).groupby(["queue", "channel"]):
        first = blocks[f"{queue} ({channel})"] + 3
        for _, r in g.iterrows():
            row = first + SLOTS.index(r["local"].strftime("%H:%M"))
            col = 2 + 3 * DAYS.index(r["local"].strftime("%Y-%m-%d"))
            assert ws.cell(row, 1).value == time.fromisoformat(r["local"].strftime("%H:%M"))
            assert ws.cell(row, col).value == pytest.approx(r["required"])
            assert ws.cell(row, col + 1).value == pytest.approx(r["scheduled"])
            assert ws.cell(row, col + 2).value == pytest.approx(r["scheduled"] - r["required"])
            checked += 1
    assert checked == len(run.coverage) == 48
    # voice_fr, Friday 09:00: nobody (A1 on break, A3 on leave) against 2 required.
    row = blocks["voice_fr (voice)"] + 3 + SLOTS.index("09:00")
    assert [ws.cell(row, c).value for c in (2, 3, 4)] == [2, 0, -2]


def test_coverage_sheet_conditional_colours(book) -> None:
    ws = book["Coverage"]
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules.setdefault(str(cf.sqref), []).append(
                (rule.operator, tuple(rule.formula), str(rule.dxf.fill.fgColor.rgb)[-6:]
                 if rule.dxf.fill.fgColor.rgb else str(rule.dxf.fill.bgColor.rgb)[-6:]))
    email_gap_fri = rules["D6:D13"]
    assert ("lessThan", ("0",), "F8CBAD") in email_gap_fri
    assert ("greaterThanOrEqual", ("1",), "FFEB9C") in email_gap_fri
    assert ("between", ("0", "0.999999"), "C6EFCE") in email_gap_fri
    assert len(rules) == 6  # 2 queues x 3 days of gap columns


def test_summary_values_and_chart(book, run) -> None:
    ws = book["Summary"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 10)}
    assert facts["Site"] == SITE
    assert facts["Week"] == "2026-03-23"
    assert facts["Time zone"] == "Europe/Paris"
    assert facts["Interval (minutes)"] == 30
    header_row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "queue")
    header = [ws.cell(header_row, c).value for c in range(1, 9)]
    assert header == ["queue", "channel", "required_h", "scheduled_h", "gap_h", "short_h",
                      "over_h", "covered_share"]
    voice = [ws.cell(header_row + 2, c).value for c in range(1, 8)]
    cov = run.coverage[run.coverage["queue"] == "voice_fr"]
    gap = cov["scheduled"] - cov["required"]
    assert voice == ["voice_fr", "voice", cov["required"].sum() * 0.5,
                     cov["scheduled"].sum() * 0.5, gap.sum() * 0.5,
                     -gap[gap < 0].sum() * 0.5, gap[gap > 0].sum() * 0.5]
    assert ws.cell(header_row + 2, 8).number_format == "0.0%"
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert [s.val.numRef.f for s in chart.series] == ["'Summary'!$O$4:$O$27",
                                                      "'Summary'!$P$4:$P$27"]
    assert chart.series[0].cat.numRef.f == "'Summary'!$N$4:$N$27"
    assert [ws["N3"].value, ws["O3"].value, ws["P3"].value] == \
        ["interval", "required", "scheduled"]
    # Chart data: totals over queues; Friday 09:00 local needs 2 + 0.5 agents.
    assert ws["N6"].value == "Fri 27 09:00" and ws["O6"].value == 2.5


def test_print_setup_and_no_formulas(book) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v.startswith(("=", "#"))), (ws.title, v)
    assert book["Roster"].print_title_rows == "$1:$1"


def test_expected_service_level_from_requirements(run, tmp_path: Path) -> None:
    req = run.coverage.assign(offered=[10.0, 30.0] * 24, aht_s=300.0,
                              agents_productive=1.0, agents_required=1.0,
                              service_level=[0.9, 0.5] * 24)
    out = tmp_path / "with_req.xlsx"
    write_roster_workbook(run, out, site=SITE, requirements=req)
    ws = openpyxl.load_workbook(out)["Summary"]
    header_row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "queue")
    assert ws.cell(header_row, 9).value == "expected_service_level"
    # Offered-weighted: (0.9 * 10 + 0.5 * 30) / 40 on every pair of intervals.
    assert ws.cell(header_row + 1, 9).value == pytest.approx(0.6)


def test_output_is_deterministic_with_fixed_properties(run, tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_roster_workbook(run, a, site=SITE)
    write_roster_workbook(run, b, site=SITE)
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.created == props.modified == datetime(2026, 3, 20, 6, 0)
    assert RUN_ID.startswith("20260320T060000Z")


def test_missing_folder_is_a_clear_error_and_leaves_nothing(run, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_roster_workbook(run, tmp_path / "nope" / "roster.xlsx", site=SITE)
    assert not (tmp_path / "nope").exists()


def test_failure_keeps_the_previous_workbook(run, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "roster.xlsx"
    out.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("wfm.outputs.os.fsync", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_roster_workbook(run, out, site=SITE)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


def test_parse_activities_and_codes() -> None:
    assert parse_activities("break 10:00-10:15; lunch 12:30-13:00; break 15:00-15:15") == [
        ("break", "10:00", "10:15"), ("lunch", "12:30", "13:00"), ("break", "15:00", "15:15")]
    assert queue_codes(["voice_fr", "voice_fi", "chat"]) == {"chat": "C", "voice_fi": "VF",
                                                             "voice_fr": "VF2"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_workbook(run, tmp_path: Path) -> None:
    """LibreOffice reads every sheet (exported as CSV) and renders the book to PDF."""
    out = tmp_path / "roster.xlsx"
    write_roster_workbook(run, out, site=SITE)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    for target in ("pdf", csv_filter):
        subprocess.run(["soffice", profile, "--headless", "--convert-to", target, "--outdir",
                        str(tmp_path), str(out)], check=True, capture_output=True, timeout=120)
    assert (tmp_path / "roster.pdf").stat().st_size > 1000
    sheets = sorted(p.name for p in tmp_path.glob("roster-*.csv"))
    assert sheets == sorted(f"roster-{n}.csv" for n in openpyxl.load_workbook(out).sheetnames)
    lines = (tmp_path / "roster-Roster.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2] == 'A2,"Ben, Jr.",T1,"08:00–12:00, lunch 11:00",Off,Leave,4'
    coverage = (tmp_path / "roster-Coverage.csv").read_text(encoding="utf-8")
    assert "#" not in coverage  # no #VALUE!, #REF!, #NAME? anywhere


def test_read_schedule_run_without_manifest_uses_default_tz(tmp_path: Path) -> None:
    run_dir = write_schedule_run(tmp_path / "s", latest=False)
    (run_dir / "manifest.json").unlink()
    got = read_schedule_run(run_dir, default_tz=ZoneInfo("America/New_York"))
    assert got.tz.key == "America/New_York"
    assert isinstance(got.coverage["interval_start"].dtype, pd.DatetimeTZDtype)


def test_text_that_looks_like_a_formula_stays_text(run, tmp_path: Path) -> None:
    roster = run.roster.copy()
    roster.loc[roster["agent_id"] == "A1", "name"] = "=HYPERLINK(\"x\")"
    out = tmp_path / "inj.xlsx"
    write_roster_workbook(replace(run, roster=roster), out, site=SITE)
    cell = openpyxl.load_workbook(out)["Roster"]["B2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_minimal_roster_columns_and_leading_zero_ids(tmp_path: Path) -> None:
    run_dir = write_schedule_run(tmp_path / "s", latest=False)
    for name in ("roster.csv", "agent_intervals.csv"):
        frame = pd.read_csv(run_dir / name, dtype=str)
        frame["agent_id"] = frame["agent_id"].str.replace("A", "00")
        if name == "roster.csv":
            frame = frame.drop(columns=["name", "team", "status", "paid_hours"])
        frame.to_csv(run_dir / name, index=False)
    got = read_schedule_run(run_dir, default_tz=ZoneInfo("UTC"))
    assert sorted(set(got.roster["agent_id"])) == ["001", "002", "003"]
    a2 = got.roster[got.roster["agent_id"] == "002"].set_index("date")["status"]
    assert list(a2) == ["work", "off", "off"]  # leave is indistinguishable without status
    out = tmp_path / "min.xlsx"
    write_roster_workbook(got, out, site=SITE)
    ws = openpyxl.load_workbook(out)["Roster"]
    assert [c.value for c in ws[1]] == ["Agent ID", "Name", "Team", "Fri 2026-03-27",
                                        "Sat 2026-03-28", "Sun 2026-03-29"]
    assert ws["A2"].value == "001" and ws["D2"].value == "08:00–12:00, lunch 10:30"
