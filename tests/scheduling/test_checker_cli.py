"""`wfm schedule check`: exit codes, messages and output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.scheduling.sample_agents import SAMPLE_AGENTS, SAMPLE_WORKLOAD

AGENTS = ("agent_id,name,skills,min_hours_week,max_hours_week,min_days_week,max_days_week\n"
          "A1,Ann,voice_fr,30,40,4,5\n")
ACTS = "break 10:30-10:45; lunch 12:30-13:00; break 15:30-15:45"
HEADER = "agent_id,name,team,date,status,shift_start,shift_end,paid_hours,activities\n"


def _roster(first_start: str = "09:00") -> str:
    rows = []
    for d in range(30, 37):
        day = f"2026-11-{d}" if d <= 30 else f"2026-12-{d - 30:02d}"
        if d >= 35:
            rows.append(f"A1,Ann,T1,{day},off,,,0,")
            continue
        start = first_start if d == 30 else "09:00"
        rows.append(f"A1,Ann,T1,{day},work,{day}T{start}:00+01:00,{day}T17:00:00+01:00,7.5,"
                    f"{ACTS}")
    return HEADER + "\n".join(rows) + "\n"


def _files(project: Path, roster: str) -> tuple[Path, Path]:
    (project / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    return project / "roster.csv", project / "agents.csv"


def test_clean_roster_exits_0(project: Path) -> None:
    roster, agents = _files(project, _roster())
    result = CliRunner().invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents),
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "agent_id,date,rule,found,allowed\n"
    assert "every hard rule holds (1 agents checked)" in result.stderr


def test_violations_are_listed_and_exit_1(project: Path) -> None:
    roster, agents = _files(project, _roster(first_start="10:00"))
    result = CliRunner().invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents),
                                      "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [v["rule"] for v in found] == ["break_count", "lunch_window", "paid_hours",
                                          "shift_length"]
    assert found[3] == {"agent_id": "A1", "date": "2026-11-30", "rule": "shift_length",
                        "found": "7 h (10:00-17:00, elapsed)", "allowed": "4, 6, 8 h"}
    assert found[2]["allowed"] == "6.5 h (elapsed shift less unpaid breaks)"
    assert f"wfm: 4 rule violation(s) in {roster}" in result.stderr
    table = CliRunner().invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents),
                                     "--format", "table"])
    assert table.exit_code == 1
    assert table.stdout.startswith(f"# 4 violation(s) in {roster}\n")
    assert "shift_length" in table.stdout


def test_output_file_is_written(project: Path) -> None:
    roster, agents = _files(project, _roster(first_start="10:00"))
    out = project / "violations.csv"
    result = CliRunner().invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents),
                                      "--format", "csv", "--output", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8").splitlines()[3].startswith(
        "A1,2026-11-30,paid_hours,")


def test_run_folder_takes_agents_from_manifest_and_checks_skills(project: Path) -> None:
    run = project / "schedules" / "20261123T000000Z-abcd"
    run.mkdir(parents=True)
    (run / "roster.csv").write_text(_roster(), encoding="utf-8")
    (project / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (run / "manifest.json").write_text(json.dumps(
        {"inputs": {"agents": {"path": str(project / "agents.csv"), "sha256": "x"}}}),
        encoding="utf-8")
    (run / "agent_intervals.csv").write_text(
        "agent_id,interval_start,activity,queue\nA1,2026-11-30T09:00:00+01:00,work,chat_fr\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["schedule", "check", str(run), "--format", "csv"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[1] == ("A1,2026-11-30,skill,works chat_fr at 09:00,"
                                             "skills voice_fr")


def test_errors_are_one_line_exit_1(project: Path) -> None:
    roster, agents = _files(project, _roster())
    runner = CliRunner()
    no_agents = runner.invoke(cli, ["schedule", "check", str(roster)])
    assert no_agents.exit_code == 1
    assert no_agents.stderr.startswith(f"wfm: error: {roster}: no agents file given")
    assert "hint: pass --agents PATH" in no_agents.stderr
    agents.write_text(AGENTS.replace("voice_fr", "voice_de"), encoding="utf-8")
    bad = runner.invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents)])
    assert bad.exit_code == 1
    assert bad.stderr.startswith(f"wfm: error: {agents}: line 2, column skills: 'voice_de'")
    assert "Traceback" not in bad.output
    empty = project / "empty"
    empty.mkdir()
    folder = runner.invoke(cli, ["schedule", "check", str(empty), "--agents", str(agents)])
    assert folder.exit_code == 1
    assert "no roster.csv in this folder" in folder.stderr
    missing = runner.invoke(cli, ["schedule", "check", "nope.csv"])
    assert missing.exit_code == 2


def test_help_has_an_example(project: Path) -> None:
    for args, example in ((["schedule", "--help"], "Example:  wfm schedule --agents"),
                          (["schedule", "check", "--help"], "Example:  wfm schedule check")):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0
        assert example in result.output


def test_init_writes_sample_agents_that_read_back(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "c"), "--seed", "7"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c" / "sample" / "agents.csv").read_text(encoding="utf-8")
    assert text.startswith("agent_id,name,team,site,skills,")
    frame = pd.read_csv(tmp_path / "c" / "sample" / "agents.csv")
    assert len(frame) == SAMPLE_AGENTS
    # Primary skills follow the sample's workload: chat (a quarter of the agent-hours)
    # gets its share of people, not the 1/rank a generic centre would.
    primary = frame["skills"].str.split(":").str[0].value_counts(normalize=True)
    for queue, share in SAMPLE_WORKLOAD.items():
        assert abs(primary[queue] - share) < 0.1, (queue, primary[queue])


def test_requirements_of_another_week(project: Path) -> None:
    roster, agents = _files(project, _roster())
    req = project / "requirements.csv"
    req.write_text("queue,channel,interval_start,agents_required\n"
                   "voice_fr,voice,2026-12-07T09:00:00+01:00,3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["schedule", "check", str(roster), "--agents", str(agents),
                                      "--requirements", str(req), "--format", "csv"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[1] == ("A1,2026-11-30,outside_requirements,shift on 2026-11-30,"
                        "\"dates of the requirements, 2026-12-07..2026-12-07\"")
