"""`wfm schedule diff` through click's CliRunner: every format read back, run defaults,
errors."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from report_runs import RUN_ID, write_schedule_run
from test_roster_diff import replanned

from wfm.cli.main import cli

SECOND = "20260321T060000Z-cd34"


def invoke(*args: str):
    return CliRunner().invoke(cli, ["schedule", "diff", *args])


@pytest.fixture
def two_runs(project: Path) -> Path:
    """The fixture's week, then a re-plan of it (schedules/latest)."""
    write_schedule_run(project / "schedules", latest=False)
    write_schedule_run(project / "schedules", SECOND, agents=replanned())
    return project


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["schedule", "diff", "--help"])
    assert result.exit_code == 0
    assert "Example:  wfm schedule diff" in result.output
    assert "--show [changes|agents|coverage]" in result.output


def test_latest_against_the_run_of_the_same_week_before_it(two_runs: Path) -> None:
    result = invoke("-f", "table")
    assert result.exit_code == 0, result.output
    assert f"{RUN_ID} (before) -> {SECOND} (after)" in result.output
    assert "3 agent(s) to tell, 7 changed agent-day(s)" in result.output
    assert "voice_fr -> email_fr" in result.output
    # the same with the runs named
    named = invoke(RUN_ID, SECOND, "-f", "table")
    assert named.exit_code == 0 and named.output == result.output
    assert invoke(RUN_ID, "-f", "table").output == result.output


def test_csv_and_json_carry_the_same_rows(two_runs: Path) -> None:
    result = invoke("--show", "agents", "-f", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(StringIO(result.stdout), dtype={"agent_id": str})
    assert list(frame.columns) == ["agent_id", "name", "team", "shifts_before",
                                   "shifts_after", "paid_h_before", "paid_h_after",
                                   "paid_h_delta", "changed_days"]
    assert frame["paid_h_delta"].tolist() == [-5.0, 0.0, 0.0]
    assert "Roster diff" in result.stderr  # the summary stays out of the data
    rows = json.loads(invoke("--show", "coverage", "-f", "json").stdout)
    saturday = next(r for r in rows if (r["queue"], r["date"]) == ("voice_fr", "2026-03-28"))
    assert (saturday["scheduled_h_before"], saturday["scheduled_h_after"]) == (5.5, 0.0)
    changes = json.loads(invoke("-f", "json").stdout)
    assert [c["change"] for c in changes] == ["moved", "removed", "breaks", "removed",
                                              "added", "leave", "queues"]


def test_xlsx_is_read_back(two_runs: Path) -> None:
    result = invoke("--output", "diff.xlsx")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(two_runs / "diff.xlsx")["Report"]
    assert str(ws["A1"].value).startswith("Roster diff, week of 2026-03-23")
    header = [c.value for c in ws[3]]
    assert header == ["agent_id", "name", "date", "change", "before", "after", "queues"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert len(rows) == 7
    assert rows[1][:6] == ["A1", "Ana Martin", "2026-03-28", "removed",
                           "08:00-12:00, break 09:00-09:30, lunch 10:30-11:00", "Off"]


def test_errors_name_the_runs(two_runs: Path, project: Path) -> None:
    result = invoke("nope")
    assert result.exit_code == 1
    assert "run 'nope' does not exist; recent runs: " + SECOND in result.output
    # a run against itself: nothing to tell
    result = invoke(RUN_ID, RUN_ID)
    assert result.exit_code == 0 and "0 agent(s) to tell" in result.output
    other = write_schedule_run(project / "schedules", "20260327T060000Z-next", latest=True)
    manifest = (other / "manifest.json").read_text().replace("2026-03-23", "2026-03-30")
    (other / "manifest.json").write_text(manifest)
    result = invoke()
    assert result.exit_code == 1
    assert "no schedule run of the week of 2026-03-30 made before 20260327T060000Z-next" \
        in result.output
    assert "hint: name the two runs" in result.output
    result = invoke(RUN_ID, "-f", "csv")
    assert result.exit_code == 1
    assert "plan different weeks (2026-03-23 and 2026-03-30)" in result.output
    assert invoke("--show", "nothing").exit_code == 2
