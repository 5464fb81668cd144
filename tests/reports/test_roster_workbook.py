"""The roster workbook read back with openpyxl: sheets, values, fills, chart, print setup."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from report_runs import DAYS, RUN_ID, SLOTS, write_schedule_run

from wfm.errors import OutputError
from wfm.pipeline.run_folders.files import read_schedule as read_schedule_run
from wfm.reports.roster_agents import ContractHours
from wfm.reports.roster_workbook import (
    ACTIVITY_COLOURS,
    QUEUE_COLOURS,
    SUMMARY_HEADERS,
    parse_activities,
    queue_codes,
    write_day_workbook,
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


@pytest.fixture
def days_book(run, tmp_path: Path) -> openpyxl.Workbook:
    out = tmp_path / "roster-days.xlsx"
    write_day_workbook(run, out, site=SITE)
    return openpyxl.load_workbook(out)


def colour(cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


def test_sheet_names(book, days_book) -> None:
    assert book.sheetnames == ["Summary", "Roster", "Agents", "Coverage"]
    assert days_book.sheetnames == ["Fri 2026-03-27", "Sat 2026-03-28", "Sun 2026-03-29"]


def test_time_zone_comes_from_the_manifest(run) -> None:
    assert run.tz.key == "Europe/Paris"


def test_roster_sheet_cells_headers_and_fills(book) -> None:
    ws = book["Roster"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Agent ID", "Name", "Team", "Fri 2026-03-27", "Sat 2026-03-28",
                       "Sun 2026-03-29", "Paid hours")
    # Local times, also on Sunday 29 March after the switch to summer time.
    assert rows[1] == ("A1", "Ana Martin", "T1", "08:00–12:00 L 10:30",
                       "08:00–12:00 L 10:30", "08:00–12:00 L 10:00", 12)
    assert rows[2] == ("A2", "Ben, Jr.", "T1", "08:00–12:00 L 11:00", "Off", "Leave", 4)
    assert rows[3] == ("A3", "Cléa Dupont", "T2", "Leave", "09:00–12:00", "Off", 3)
    assert colour(ws["E3"]) == ACTIVITY_COLOURS["off"]
    assert colour(ws["F3"]) == ACTIVITY_COLOURS["leave"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:G4"


def test_day_sheet_grid_coloured_by_activity(days_book) -> None:
    ws = days_book["Fri 2026-03-27"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["Agent ID", "Name", "Shift"]
    assert header[3:] == list(SLOTS)
    codes = queue_codes(["email_fr", "voice_fr"])
    voice_colour = QUEUE_COLOURS[1]  # queues sorted: email_fr, voice_fr
    # A1 (row 4): 08:00 on voice, 09:00 break, 10:30 lunch.
    assert (ws["D4"].value, colour(ws["D4"])) == (codes["voice_fr"], voice_colour)
    assert (ws["F4"].value, colour(ws["F4"])) == ("B", ACTIVITY_COLOURS["break"])
    assert (ws["I4"].value, colour(ws["I4"])) == ("L", ACTIVITY_COLOURS["lunch"])
    # A2 (row 5) on email; A3 is on leave: not in the grid, named under it.
    assert (ws["D5"].value, colour(ws["D5"])) == (codes["email_fr"], QUEUE_COLOURS[0])
    assert [ws.cell(r, 1).value for r in (4, 5)] == ["A1", "A2"]
    assert ws["A6"].value == "Not working: A3 (leave)"
    assert ws.freeze_panes == "D4"
    legend = {ws.cell(r, 2).value: colour(ws.cell(r, 1)) for r in range(7, ws.max_row + 1)}
    assert legend["break"] == ACTIVITY_COLOURS["break"]
    assert legend["on queue voice_fr"] == voice_colour


def test_day_sheet_on_the_dst_day_shows_local_clock_times(days_book) -> None:
    ws = days_book["Sun 2026-03-29"]
    assert [c.value for c in ws[3]][3:] == list(SLOTS)
    assert ws["H4"].value == "L"  # lunch 10:00 local, i.e. 08:00 UTC that day


def coverage_blocks(ws) -> dict[str, int]:
    """Queue block title rows of the Coverage sheet: "voice_fr (voice)" -> row."""
    out = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(r, 1).value
        if isinstance(v, str) and " – gap: " in v:
            out[v.split(" – ")[0]] = r
    return out


def test_coverage_sheet_values_match_the_frame(book, run) -> None:
    ws = book["Coverage"]
    blocks = coverage_blocks(ws)
    assert set(blocks) == {"email_fr (email)", "voice_fr (voice)"}
    # One day header for all blocks (the print titles), three columns per day.
    assert [ws.cell(2, c).value for c in (2, 5, 8)] == [f"{pd.Timestamp(d):%a} {d}"
                                                        for d in DAYS]
    assert [ws.cell(3, c).value for c in range(2, 5)] == ["Req", "Sched", "Gap"]
    local = run.coverage["interval_start"].dt.tz_convert("Europe/Paris")
    checked = 0
    for (queue, channel), g in run.coverage.assign(local=local).groupby(["queue", "channel"]):
        first = blocks[f"{queue} ({channel})"] + 1
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
    row = blocks["voice_fr (voice)"] + 1 + SLOTS.index("09:00")
    assert [ws.cell(row, c).value for c in (2, 3, 4)] == [2, 0, -2]


def test_coverage_sheet_conditional_colours(book) -> None:
    ws = book["Coverage"]
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules.setdefault(str(cf.sqref), []).append(
                (rule.operator, tuple(rule.formula), str(rule.dxf.fill.fgColor.rgb)[-6:]
                 if rule.dxf.fill.fgColor.rgb else str(rule.dxf.fill.bgColor.rgb)[-6:]))
    first = coverage_blocks(ws)["email_fr (email)"] + 1
    email_gap_fri = rules[f"D{first}:D{first + 7}"]
    assert ("lessThan", ("0",), "F8CBAD") in email_gap_fri
    assert ("greaterThanOrEqual", ("1",), "FFEB9C") in email_gap_fri
    assert ("between", ("0", "0.999999"), "C6EFCE") in email_gap_fri
    assert len(rules) == 6  # 2 queues x 3 days of gap columns


def summary_header_row(ws) -> int:
    return next(r for r in range(1, 30) if ws.cell(r, 1).value == "Queue")


def test_summary_values_in_words_and_a_chart_per_queue(book, run) -> None:
    ws = book["Summary"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 11)}
    assert facts["Site"] == SITE
    assert facts["Week"] == "2026-03-23"
    assert facts["Time zone"] == "Europe/Paris"
    assert facts["Interval (minutes)"] == 30
    assert facts["Closed days (left out)"] == "none"
    header_row = summary_header_row(ws)
    header = [ws.cell(header_row, c).value for c in range(1, 9)]
    assert header == [SUMMARY_HEADERS[k] for k in (
        "queue", "channel", "required_h", "scheduled_h", "gap_h", "short_h", "over_h",
        "covered_share")]
    assert header[2] == "Required (agent-h)" and "_" not in "".join(header)
    voice = [ws.cell(header_row + 2, c).value for c in range(1, 8)]
    cov = run.coverage[run.coverage["queue"] == "voice_fr"]
    gap = cov["scheduled"] - cov["required"]
    assert voice == ["voice_fr", "voice", cov["required"].sum() * 0.5,
                     cov["scheduled"].sum() * 0.5, gap.sum() * 0.5,
                     -gap[gap < 0].sum() * 0.5, gap[gap > 0].sum() * 0.5]
    assert ws.cell(header_row + 2, 8).number_format == "0.0%"
    # One chart per queue, each of its own queue's data (no sum hiding a shortfall).
    charts = ws._charts
    assert len(charts) == 2
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in charts]
    assert titles == ["email_fr: required vs scheduled agents",
                      "voice_fr: required vs scheduled agents"]
    voice_chart = charts[1]
    req_ref = voice_chart.series[0].val.numRef.f
    col = req_ref.split("!")[1].split("$")[1]
    first_row = int(req_ref.split("$")[2].split(":")[0])
    label = ws[f"{get_column_letter(column_index_from_string(col) - 1)}{first_row + 2}"].value
    value = ws[f"{col}{first_row + 2}"].value
    # The third interval of the week: Friday 09:00 local, voice_fr alone needs 2 agents.
    assert label == "Fri 09:00" and value == 2.0
    assert ws.print_area == f"'Summary'!$A$1:$I${ws.print_area.split('$')[-1]}"


def test_print_setup_titles_headers_and_footers(book, days_book) -> None:
    for ws in [*book.worksheets, *days_book.worksheets]:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        # Printed at 100 %: text keeps its size (the sheets are laid out to fit A4).
        assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.oddHeader.left.text == f"{SITE} – week of 2026-03-23", ws.title
        assert ws.oddHeader.center.text == "&A"  # the sheet's name
        assert ws.oddHeader.right.text == "Printed &D"  # the print date
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.oddFooter.left.text == f"wfm {RUN_ID}"
        for part in (ws.oddHeader.left, ws.oddFooter.right):
            assert part.size == 8
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v.startswith(("=", "#"))), (ws.title, v)
    assert book["Roster"].print_title_rows == "$1:$1"
    assert book["Agents"].print_title_rows == "$5:$5"
    assert book["Coverage"].print_title_rows == "$2:$3"  # day labels on every page
    assert book["Coverage"].print_title_cols == "$A:$A"  # and the clock
    assert days_book["Fri 2026-03-27"].print_title_rows == "$3:$3"
    assert book["Agents"].page_setup.orientation == "portrait"
    assert book["Roster"].page_setup.orientation == "landscape"
    # Every queue block of Coverage starts a printed page.
    blocks = coverage_blocks(book["Coverage"])
    assert [b.id for b in book["Coverage"].row_breaks.brk] == \
        [blocks["voice_fr (voice)"] - 1]


def closed_sunday(run):
    """The run with Sunday closed: nobody works, nothing required."""
    roster = run.roster.copy()
    sunday = roster["date"] == "2026-03-29"
    roster.loc[sunday & (roster["status"] == "work"), ["status", "shift_start", "shift_end",
                                                         "activities", "paid_hours"]] = \
        ["off", pd.NaT, pd.NaT, "", 0.0]
    local = run.agent_intervals["interval_start"].dt.tz_convert("Europe/Paris")
    ai = run.agent_intervals[local.dt.strftime("%Y-%m-%d") != "2026-03-29"]
    cov = run.coverage.copy()
    on_sunday = cov["interval_start"].dt.tz_convert("Europe/Paris").dt.strftime(
        "%Y-%m-%d") == "2026-03-29"
    cov.loc[on_sunday, ["required", "scheduled", "gap"]] = 0.0
    return replace(run, roster=roster, agent_intervals=ai, coverage=cov)


def test_closed_days_are_left_out(run, tmp_path: Path) -> None:
    closed = closed_sunday(run)
    write_roster_workbook(closed, tmp_path / "r.xlsx", site=SITE)
    write_day_workbook(closed, tmp_path / "d.xlsx", site=SITE)
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    days = openpyxl.load_workbook(tmp_path / "d.xlsx")
    assert days.sheetnames == ["Fri 2026-03-27", "Sat 2026-03-28"]
    assert [c.value for c in book["Roster"][1]] == ["Agent ID", "Name", "Team",
                                                    "Fri 2026-03-27", "Sat 2026-03-28",
                                                    "Paid hours"]
    coverage = book["Coverage"]
    assert coverage.max_column == 1 + 3 * 2
    assert [coverage.cell(2, c).value for c in (2, 5)] == ["Fri 2026-03-27",
                                                           "Sat 2026-03-28"]
    assert not any("Sun" in str(v) for row in book["Roster"].iter_rows(values_only=True)
                   for v in row)
    summary = book["Summary"]
    facts = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(3, 11)}
    assert facts["Closed days (left out)"] == "Sun 2026-03-29"


def test_agents_sheet_fairness(run, tmp_path: Path) -> None:
    contracts = {"A1": ContractHours(10.0, 20.0), "A2": ContractHours(5.0, 8.0),
                 "A3": ContractHours(2.0, 2.5)}
    out = tmp_path / "r.xlsx"
    write_roster_workbook(run, out, site=SITE, contracts=contracts)
    ws = openpyxl.load_workbook(out)["Agents"]
    assert [c.value for c in ws[5]] == ["Agent ID", "Name", "Team", "Contract (h/week)",
                                        "Paid (h)", "Against contract", "Days worked",
                                        "Weekend days", "Late shifts", "Leave days"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    # A1 works Fri, Sat, Sun 08:00-12:00 (12 paid h): 2 weekend days, within 10-20 h.
    assert rows["A1"] == ("A1", "Ana Martin", "T1", "10–20", 12.0, "within", 3, 2, 0, 0)
    # A2: Friday only (4 h), short of its 5 h minimum; Sunday on leave.
    assert rows["A2"] == ("A2", "Ben, Jr.", "T1", "5–8", 4.0, "1.0 h under", 1, 0, 0, 1)
    # A3: Saturday 09:00-12:00 (3 h) above its 2.5 h maximum; leave on Friday.
    assert rows["A3"] == ("A3", "Cléa Dupont", "T2", "2–2.5", 3.0, "0.5 h over", 1, 1, 0, 1)


def test_late_shifts_are_counted_from_their_local_end(run) -> None:
    from wfm.reports.roster_agents import agent_fairness

    roster = run.roster.copy()
    fri = (roster["agent_id"] == "A1") & (roster["date"] == "2026-03-27")
    roster.loc[fri, "shift_end"] = pd.Timestamp("2026-03-27 19:30", tz="Europe/Paris")
    sat = (roster["agent_id"] == "A1") & (roster["date"] == "2026-03-28")
    roster.loc[sat, "shift_end"] = pd.Timestamp("2026-03-28 18:59", tz="Europe/Paris")
    got = agent_fairness(roster, run.tz).set_index("agent_id")
    assert got.loc["A1", "late_shifts"] == 1
    assert np.isnan(got.loc["A1", "contract_gap_h"])  # no contract known


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
    assert lines[2] == 'A2,"Ben, Jr.",T1,08:00–12:00 L 11:00,Off,Leave,4'
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
    assert ws["A2"].value == "001" and ws["D2"].value == "08:00–12:00 L 10:30"
