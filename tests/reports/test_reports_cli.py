"""`wfm report ...` and `wfm export ...` through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from report_runs import RUN_ID, write_schedule_run
from test_accuracy import actuals as accuracy_actuals
from test_accuracy import forecast
from test_service_level import actuals as sl_actuals

from wfm.cli.main import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def actuals_csv(project: Path) -> Path:
    path = project / "actuals.csv"
    sl_actuals().to_csv(path, index=False)
    return path


def test_export_roster_writes_the_workbook(schedule_run: Path, project: Path) -> None:
    result = invoke("export", "roster", "--output", "roster.xlsx")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(project / "roster.xlsx")
    assert wb.sheetnames[:2] == ["Summary", "Roster"] and wb.sheetnames[-1] == "Coverage"
    assert wb["Summary"]["B3"].value == "Lyon contact centre"


def test_export_roster_default_path_and_explicit_run(schedule_run: Path, project: Path) -> None:
    result = invoke("export", "roster", RUN_ID)
    assert result.exit_code == 0, result.output
    assert (project / "reports" / f"roster-{RUN_ID}.xlsx").is_file()


def test_unknown_run_lists_recent_ones(schedule_run: Path, project: Path) -> None:
    write_schedule_run(project / "schedules", "20260327T060000Z-cd34", latest=False)
    for args in (("export", "roster", "nope", "-o", "r.xlsx"), ("report", "coverage", "nope"),
                 ("export", "ical", "nope", "--all")):
        result = invoke(*args)
        assert result.exit_code == 1, args
        assert result.output.startswith("wfm: error: ")
        assert "run 'nope' does not exist; recent runs: 20260327T060000Z-cd34, " \
               f"{RUN_ID}" in result.output
    assert not (project / "r.xlsx").exists()


def test_no_schedule_yet(project: Path) -> None:
    result = invoke("export", "roster", "-o", "r.xlsx")
    assert result.exit_code == 1
    assert "no run has succeeded yet; recent runs: none yet" in result.output


def test_output_in_missing_folder_or_read_only_place(schedule_run: Path, project: Path) -> None:
    result = invoke("export", "roster", "--output", "missing/roster.xlsx")
    assert result.exit_code == 1
    assert "wfm: error: missing/roster.xlsx: folder missing does not exist" in result.output
    assert not (project / "missing").exists()
    # A location the OS refuses even to root (procfs), and a file used as a folder.
    result = invoke("export", "roster", "--output", "/proc/roster.xlsx")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "/proc/roster.xlsx: cannot write" in result.output
    (project / "afile").write_text("x")
    result = invoke("report", "coverage", "-f", "csv", "--output", "afile/cov.csv")
    assert result.exit_code == 1 and "afile/cov.csv: cannot write" in result.output


def test_read_only_folder(schedule_run: Path, project: Path) -> None:
    ro = project / "ro"
    ro.mkdir()
    (ro / "roster.xlsx").write_bytes(b"old")
    ro.chmod(0o555)
    try:
        result = invoke("export", "roster", "--output", "ro/roster.xlsx")
    finally:
        ro.chmod(0o755)
    if result.exit_code == 0:  # running as root: permissions do not bind
        pytest.skip("permissions are not enforced for this user")
    assert result.exit_code == 1 and "not writable" in result.output
    assert (ro / "roster.xlsx").read_bytes() == b"old"


def test_roster_needs_xlsx_name(schedule_run: Path) -> None:
    result = invoke("export", "roster", "-o", "roster.csv")
    assert result.exit_code == 1 and "needs an .xlsx file name" in result.output


def test_report_coverage_table_and_json(schedule_run: Path) -> None:
    result = invoke("report", "coverage", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "times in Europe/Paris" in result.output and "gap_profile" in result.output
    assert "09:00 -2.0, 09:30 -1.0, 10:30 -1.0" in result.output
    rows = json.loads(invoke("report", "coverage", "--format", "json").stdout)
    assert len(rows) == 6 and rows[0]["queue"] == "email_fr"
    assert rows[3]["required_h"] == 5.0


def test_export_ical_agent_and_all(schedule_run: Path, project: Path) -> None:
    result = invoke("export", "ical", "--agent", "A1", "--output", "cal")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "cal").iterdir()) == ["A1.ics"]
    cal = icalendar.Calendar.from_ical((project / "cal" / "A1.ics").read_bytes())
    assert len(cal.walk("VEVENT")) == 3
    result = invoke("export", "ical", "--all", "--output", "cal2")
    assert result.exit_code == 0
    assert sorted(p.name for p in (project / "cal2").iterdir()) == ["A1.ics", "A2.ics",
                                                                    "A3.ics"]


def test_export_ical_reexport_after_a_replan_updates_the_week(schedule_run: Path,
                                                             project: Path) -> None:
    from test_calendars import replanned

    result = invoke("export", "ical", "--all")
    assert result.exit_code == 0, result.output
    folder = project / "reports" / "calendars-2026-03-23"  # one folder per week
    assert "wrote 3 calendar(s) to " + str(folder) in result.stderr
    assert "7 new, 0 updated, 0 cancelled, 0 unchanged event(s)" in result.stderr
    write_schedule_run(project / "schedules", "20260321T060000Z-cd34", agents=replanned())
    result = invoke("export", "ical", "--all")
    assert "0 new, 3 updated, 1 cancelled, 3 unchanged event(s)" in result.stderr
    cal = icalendar.Calendar.from_ical((folder / "A1.ics").read_bytes())
    assert [(int(e["SEQUENCE"]), str(e["STATUS"])) for e in cal.walk("VEVENT")] == [
        (1, "CONFIRMED"), (1, "CANCELLED"), (1, "CONFIRMED")]
    # --previous: compare with the folder agents received, write elsewhere
    result = invoke("export", "ical", RUN_ID, "--all", "-o", "back", "--previous", str(folder))
    assert "0 new, 4 updated, 0 cancelled, 3 unchanged event(s)" in result.stderr
    cal = icalendar.Calendar.from_ical((project / "back" / "A1.ics").read_bytes())
    assert [int(e["SEQUENCE"]) for e in cal.walk("VEVENT")] == [2, 2, 2]
    result = invoke("export", "ical", "--all", "--previous", "nowhere")
    assert result.exit_code == 1
    assert "nowhere: no such folder of earlier calendars" in result.output


def test_nightly_report_step_updates_the_calendars_of_the_last_run(schedule_run: Path,
                                                                   project: Path) -> None:
    """`wfm run` writes reports/<run>/calendars; the previous ones are reports/latest's."""
    from test_calendars import replanned

    toml = project / "wfm.toml"
    text, n = re.subn(r"(?m)^reports = \[[^\]]*\]", 'reports = ["ical"]',
                      toml.read_text(encoding="utf-8"))
    assert n == 1  # the [run] reports line of the starter wfm.toml
    toml.write_text(text, encoding="utf-8")
    calendars = project / "reports" / "latest" / "calendars"

    def nightly() -> list[tuple[int, str]]:
        result = invoke("run", "--steps", "report")
        assert result.exit_code == 0, result.output
        cal = icalendar.Calendar.from_ical((calendars / "A1.ics").read_bytes())
        return [(int(e["SEQUENCE"]), str(e["STATUS"])) for e in cal.walk("VEVENT")]

    first = nightly()
    assert first == [(0, "CONFIRMED")] * 3
    first_bytes = (calendars / "A1.ics").read_bytes()
    assert nightly() == first and (calendars / "A1.ics").read_bytes() == first_bytes
    write_schedule_run(project / "schedules", "20260321T060000Z-cd34", agents=replanned())
    assert nightly() == [(1, "CONFIRMED"), (1, "CANCELLED"), (1, "CONFIRMED")]


def test_export_ical_needs_agent_or_all(schedule_run: Path) -> None:
    assert invoke("export", "ical").exit_code == 2
    assert invoke("export", "ical", "--all", "--agent", "A1").exit_code == 2


def test_service_level_formats_print_the_definition(actuals_csv: Path) -> None:
    result = invoke("report", "service-level", "--actuals", str(actuals_csv), "-f", "table",
                    "--sl-definition", "answered")
    assert result.exit_code == 0, result.output
    assert "service_level = answered within threshold / answered" in result.output
    assert "Europe/Paris" in result.output
    rows = json.loads(invoke("report", "service-level", "--actuals", str(actuals_csv),
                             "-f", "json", "--queue", "voice_fr").stdout)
    assert [r["period"] for r in rows] == ["2026-03-02", "2026-03-09"]
    assert rows[0]["service_level"] == pytest.approx(0.7)
    csv = invoke("report", "service-level", "--actuals", str(actuals_csv), "-f", "csv",
                 "--by", "week")
    assert csv.stdout.splitlines()[0].startswith("queue,channel,period,offered,handled")
    assert "service_level = answered within threshold / offered" in csv.stderr


def test_service_level_start_end_are_local_days(actuals_csv: Path) -> None:
    rows = json.loads(invoke("report", "service-level", "--actuals", str(actuals_csv), "-f",
                             "json", "--start", "2026-03-09", "--end", "2026-03-09").stdout)
    assert [(r["queue"], r["period"], r["offered"]) for r in rows] == \
        [("voice_fr", "2026-03-09", 4)]
    last = json.loads(invoke("report", "service-level", "--actuals", str(actuals_csv), "-f",
                             "json", "--days", "7").stdout)
    assert [(r["queue"], r["period"]) for r in last] == [("voice_fr", "2026-03-09")]
    last8 = json.loads(invoke("report", "service-level", "--actuals", str(actuals_csv), "-f",
                              "json", "--days", "8").stdout)
    assert len(last8) == 3
    bad = invoke("report", "service-level", "--actuals", str(actuals_csv), "--start", "soon")
    assert bad.exit_code == 2 and "'soon' is not a date; accepted: YYYY-MM-DD" in bad.output
    month_first = invoke("report", "service-level", "--actuals", str(actuals_csv),
                         "--start", "03/09/2026")
    assert month_first.exit_code == 2 and "'03/09/2026' is not a date" in month_first.output


def test_service_level_xlsx_with_chart(actuals_csv: Path, project: Path) -> None:
    result = invoke("report", "service-level", "--actuals", str(actuals_csv), "-o", "sl.xlsx")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(project / "sl.xlsx")
    assert wb.sheetnames == ["Report", "Chart"]
    ws = wb["Report"]
    assert "service_level = answered within threshold / offered" in ws["A1"].value
    assert [c.value for c in ws[3]][:4] == ["queue", "channel", "period", "offered"]
    assert ws.freeze_panes == "A4"
    sheet = wb["Chart"]
    chart = sheet._charts[0]
    # One line per queue, then one dashed target line per distinct target (wfm.toml).
    assert [s.val.numRef.f for s in chart.series] == [
        "'Chart'!$B$2:$B$3", "'Chart'!$C$2:$C$3", "'Chart'!$D$2:$D$3", "'Chart'!$E$2:$E$3"]
    assert [sheet[c].value for c in ("B1", "C1", "D1", "E1")] == [
        "email_fr service_level", "voice_fr service_level", "target 80% (voice_fr)",
        "target 90% (email_fr)"]
    assert [sheet["D2"].value, sheet["E3"].value] == [0.8, 0.9]
    assert [s.graphicalProperties.line.prstDash for s in chart.series[2:]] == ["dash"] * 2
    # The chart is anchored right of the data: it covers no column of it.
    assert chart.anchor._from.col >= 5


def test_service_level_errors(actuals_csv: Path, project: Path) -> None:
    pd.read_csv(actuals_csv).drop(columns=["short_abandoned"]).to_csv("a2.csv", index=False)
    result = invoke("report", "service-level", "--actuals", "a2.csv",
                    "--sl-definition", "net-of-short-abandons")
    assert result.exit_code == 1
    assert "needs a short_abandoned column" in result.output
    result = invoke("report", "service-level", "--actuals", str(actuals_csv), "-f", "xlsx")
    assert result.exit_code == 1 and "format xlsx writes a file" in result.output


def write_forecast_run(project: Path, run_id: str = "20260301T000000Z-aaaa") -> None:
    run_dir = project / "forecasts" / run_id
    run_dir.mkdir(parents=True)
    forecast().to_csv(run_dir / "forecast.csv", index=False)
    (project / "forecasts" / "latest").symlink_to(run_id)


def test_accuracy_cli_terminal_csv_and_excel(project: Path) -> None:
    write_forecast_run(project)
    accuracy_actuals().to_csv("act.csv", index=False)
    result = invoke("report", "accuracy", "--actuals", "act.csv", "-f", "table")
    assert result.exit_code == 0, result.output
    assert "bias > 0 means over-forecast" in result.output
    csv = invoke("report", "accuracy", "--actuals", "act.csv", "-f", "csv")
    frame = pd.read_csv(pd.io.common.StringIO(csv.stdout))
    assert list(frame["date"]) == ["2026-03-02", "2026-03-03", "total"]
    assert list(frame["error"]) == [0, 20, 20]
    out = invoke("report", "accuracy", "--actuals", "act.csv", "-o", "acc.xlsx")
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(project / "acc.xlsx")
    ws = wb["Report"]
    header = [c.value for c in ws[3]]
    assert header == list(frame.columns)
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [r[header.index("date")] for r in body] == ["2026-03-02", "2026-03-03", "total"]
    assert [r[header.index("error")] for r in body] == [0, 20, 20]
    assert [r[header.index("outside_95")] for r in body] == [False, True, None]
    assert ws.cell(5, header.index("bias") + 1).number_format == "0.0%"
    assert [c.value for c in wb["Chart"][1]] == ["date", "voice_fr forecast", "voice_fr actual"]
    assert [wb["Chart"].cell(r, 3).value for r in (2, 3)] == [30, 50]
    assert len(wb["Chart"]._charts) == 1


def test_accuracy_cli_non_overlapping_actuals(project: Path) -> None:
    write_forecast_run(project)
    late = accuracy_actuals()
    late["interval_start"] = late["interval_start"] + pd.Timedelta(days=90)
    late.to_csv("late.csv", index=False)
    result = invoke("report", "accuracy", "--actuals", "late.csv", "-o", "acc.xlsx")
    assert result.exit_code == 1
    assert "no actuals overlap the forecast period" in result.output
    assert "no actuals at all" in result.output  # the CLI reads only the forecast period
    assert not (project / "acc.xlsx").exists()
    missing = invoke("report", "accuracy", "r-unknown", "--actuals", "late.csv")
    assert missing.exit_code == 1
    assert "recent runs: 20260301T000000Z-aaaa" in missing.output


def test_export_roster_uses_requirements_named_in_the_manifest(schedule_run: Path,
                                                              project: Path) -> None:
    cov = pd.read_csv(schedule_run / "coverage.csv")
    req = cov.assign(offered=20.0, aht_s=300.0, agents_productive=1.0, agents_required=1.0,
                     service_level=0.85)
    (project / "staffing").mkdir()
    req.to_csv(project / "staffing" / "req.csv", index=False)
    manifest = json.loads((schedule_run / "manifest.json").read_text())
    manifest["inputs"] = {"requirements": {"path": "staffing/req.csv", "sha256": "x"}}
    (schedule_run / "manifest.json").write_text(json.dumps(manifest))
    result = invoke("export", "roster", "-o", "r.xlsx")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(project / "r.xlsx")["Summary"]
    header_row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Queue")
    assert ws.cell(header_row, 9).value == "Expected service level"
    assert ws.cell(header_row + 1, 9).value == pytest.approx(0.85)


def test_reports_read_the_data_store(project: Path) -> None:
    from wfm.io.store import write_intervals

    write_intervals(project / "data", sl_actuals())
    rows = json.loads(invoke("report", "service-level", "-f", "json", "--queue",
                             "voice_fr").stdout)
    assert [(r["period"], r["offered"]) for r in rows] == [("2026-03-02", 30), ("2026-03-09", 4)]
    assert rows[0]["service_level"] == pytest.approx(0.7)
    unknown = invoke("report", "service-level", "--queue", "nope")
    assert unknown.exit_code == 1 and "no stored data for queue(s) nope" in unknown.output
    write_forecast_run(project)
    acc = invoke("report", "accuracy", "-f", "json")
    assert acc.exit_code == 1, acc.output  # the store holds other intervals than the forecast
    assert "no actuals overlap the forecast period" in acc.output
    write_intervals(project / "data", accuracy_actuals())
    rows = json.loads(invoke("report", "accuracy", "-f", "json").stdout)
    assert [(r["date"], r["forecast"], r["actual"]) for r in rows] == [
        ("2026-03-02", 30, 30), ("2026-03-03", 70, 50), ("total", 100, 80)]


def test_reports_on_an_empty_store(project: Path) -> None:
    result = invoke("report", "service-level")
    assert result.exit_code == 1 and "the data store is empty" in result.output


def test_output_suffix_chooses_the_format(schedule_run: Path, project: Path) -> None:
    assert invoke("report", "coverage", "--output", "cov.xlsx").exit_code == 0
    wb = openpyxl.load_workbook(project / "cov.xlsx")
    ws = wb.active
    assert ws is not None
    queues = [row[0] for row in ws.iter_rows(values_only=True)]
    assert queues.count("email_fr") + queues.count("voice_fr") == 6  # the 6 queue-days
    assert invoke("report", "coverage", "--output", "cov.json").exit_code == 0
    assert len(json.loads((project / "cov.json").read_text())) == 6
    # An explicit --format still wins over the suffix.
    assert invoke("report", "coverage", "-f", "csv", "--output", "cov.txt").exit_code == 0
    assert (project / "cov.txt").read_text().startswith("queue,")
