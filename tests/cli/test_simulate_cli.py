"""`wfm simulate`: a schedule run folder in, simulated service per queue and day out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from wfm.cli.main import cli

AGENTS = ("agent_id,name,team,skills\n"
          + "".join(f"A{i},Agent {i},T1,voice_fr\n" for i in range(24))
          + "B1,Bea,T1,email_fr:1;voice_fr:2\n")
MONDAY = pd.Timestamp("2026-11-16 00:00", tz="Europe/Paris")


def _requirements(project: Path) -> Path:
    """Monday 09:00-13:00: 60 calls of 240 s per 15 min (16 Erlangs) on voice_fr, and
    2 emails per 15 min on email_fr 09:00-13:00."""
    starts = pd.date_range(MONDAY, periods=7 * 96, freq="15min")
    rows = []
    for q, per in (("voice_fr", 60.0), ("email_fr", 2.0)):
        hour = starts.hour
        busy = (starts.day_of_week == 0) & (hour >= 9) & (hour < 13)
        rows.append(pd.DataFrame({
            "queue": q, "channel": "voice" if q == "voice_fr" else "email",
            "interval_start": [t.tz_convert("UTC").isoformat() for t in starts],
            "offered": np.where(busy, per, 0.0), "aht_s": 240.0 if q == "voice_fr" else 300.0,
            "agents_productive": 0.0, "agents_required": 0.0}))
    path = project / "requirements.csv"
    pd.concat(rows).to_csv(path, index=False)
    return path


def _run_folder(project: Path, name: str, voice_agents: int) -> Path:
    """A schedule run: ``voice_agents`` agents on voice Monday 09:00-13:00, B1 on email
    09:00-17:00 (with a 15-min break at 11:00)."""
    folder = project / "schedules" / name
    folder.mkdir(parents=True)
    rows = []
    for k in range(16):
        t = (MONDAY + pd.Timedelta(hours=9, minutes=15 * k)).tz_convert("UTC").isoformat()
        rows += [(f"A{i}", t, "work", "voice_fr") for i in range(voice_agents)]
    for k in range(32):
        t = (MONDAY + pd.Timedelta(hours=9, minutes=15 * k)).tz_convert("UTC").isoformat()
        rows.append(("B1", t, "break" if k == 8 else "work", "" if k == 8 else "email_fr"))
    pd.DataFrame(rows, columns=["agent_id", "interval_start", "activity", "queue"]).to_csv(
        folder / "agent_intervals.csv", index=False)
    (folder / "roster.csv").write_text("agent_id,date,shift_start,shift_end\n",
                                       encoding="utf-8")
    manifest = {"week": "2026-11-16", "timezone": "Europe/Paris", "inputs": {
        "agents": {"path": str(project / "agents.csv")},
        "requirements": {"path": str(project / "requirements.csv")}}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def runs(project: Path) -> tuple[Path, Path]:
    (project / "agents.csv").write_text(AGENTS, encoding="utf-8")
    _requirements(project)
    lean = _run_folder(project, "R-lean", 16)
    full = _run_folder(project, "R-full", 20)
    (project / "schedules" / "latest").symlink_to("R-lean")
    return lean, full


def _invoke(*args: str) -> object:
    return CliRunner().invoke(cli, ["simulate", *args])


def _csv(text: str) -> pd.DataFrame:
    from io import StringIO
    return pd.read_csv(StringIO(text))


def test_simulate_reports_service_per_queue_and_day(runs: tuple[Path, Path]) -> None:
    result = _invoke("-R", "8", "--format", "csv")  # default: schedules/latest (lean)
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert list(table.columns[:3]) == ["queue", "date", "offered"]
    assert len(table) == 14  # 2 queues x 7 days
    voice = table[(table["queue"] == "voice_fr") & (table["date"] == "2026-11-16")].iloc[0]
    # 16 agents (and B1 between emails) for 16 Erlangs, patience 120 s: Erlang A gives
    # 0.683 with 16 agents, 0.755 with 17; the target 80/20 is missed.
    assert 900 < voice["offered"] < 1020
    assert 0.66 < voice["service_level"] < 0.79
    assert voice["service_level_hi"] < 0.8
    assert voice["p_target_met"] <= 0.25
    assert voice["service_level_lo"] <= voice["service_level"] <= voice["service_level_hi"]
    assert voice["abandon_rate"] > 0.05
    email = table[(table["queue"] == "email_fr") & (table["date"] == "2026-11-16")].iloc[0]
    # One agent (email first, voice second), 10 min of email per 15 min for 4 h: all
    # within 24 h, although the voice queue is overloaded.
    assert email["share_within_target"] == 1.0
    assert "simulating" in result.stderr and "8 replications" in result.stderr


def test_compare_gives_the_paired_difference(runs: tuple[Path, Path]) -> None:
    lean, full = runs
    result = _invoke(str(full), "-R", "8", "--compare", str(lean), "--format", "csv")
    assert result.exit_code == 0, result.output
    voice = _csv(result.stdout).query("queue == 'voice_fr' and date == '2026-11-16'").iloc[0]
    # Four more agents: better service, with an interval excluding 0; the same contacts.
    assert voice["service_level"] > voice["service_level_other"]
    # Erlang A: 0.909 with 20 agents against 0.683 with 16; paired, the interval is narrow.
    assert 0.12 < voice["service_level_diff_lo"] < voice["service_level_diff_hi"] < 0.3
    assert voice["service_level_diff_hi"] - voice["service_level_diff_lo"] < 0.06
    assert voice["service_level_diff"] == pytest.approx(
        voice["service_level"] - voice["service_level_other"])
    assert voice["abandon_rate_diff_hi"] < 0


def test_by_interval_week_and_excel(runs: tuple[Path, Path], project: Path) -> None:
    result = _invoke("-R", "4", "--by", "interval", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 2 * 7 * 96
    assert rows[0]["interval_start"] == "2026-11-15T23:00:00+00:00"
    week = _invoke("-R", "4", "--by", "week", "--format", "csv")
    assert week.exit_code == 0, week.output
    assert _csv(week.stdout)["queue"].tolist() == ["email_fr", "voice_fr"]
    out = project / "sim.xlsx"
    xl = _invoke("-R", "4", "--output", str(out))
    assert xl.exit_code == 0, xl.output
    sheet = load_workbook(out).active
    assert sheet is not None
    assert str(sheet["A1"].value).startswith("# simulated service 2026-11-16..2026-11-22")
    header = next(r for r in range(2, 6) if sheet.cell(r, 1).value == "queue")
    assert [c.value for c in sheet[header]][:3] == ["queue", "date", "offered"]
    assert sheet.max_row == header + 14


def test_errors_are_one_line(runs: tuple[Path, Path], project: Path) -> None:
    lean, _ = runs
    empty = project / "schedules" / "empty"
    empty.mkdir()
    result = _invoke(str(empty))
    assert result.exit_code == 1
    assert "no agent_intervals.csv in this folder" in result.stderr
    (project / "agents.csv").write_text("agent_id,name,team,skills\nA0,Zed,T1,voice_fr\n",
                                        encoding="utf-8")
    result = _invoke(str(lean))
    assert result.exit_code == 1
    assert "agent 'A1' is in the roster but not in the agents file" in result.stderr
    (project / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (project / "requirements.csv").unlink()
    result = _invoke(str(lean))
    assert result.exit_code == 1
    assert "the forecast behind the roster was not found" in result.stderr
    assert "hint: pass --forecast PATH" in result.stderr
    result = _invoke(str(lean), "--forecast", str(_requirements(project)), "--uncertainty", "80")
    assert result.exit_code == 1
    assert "no offered_lo_80/offered_hi_80 columns" in result.stderr
    broken = project / "broken.csv"
    broken.write_text("queue,interval_start,offered,aht_s\nvoice_fr,yesterday,3,200\n",
                      encoding="utf-8")
    result = _invoke(str(lean), "--forecast", str(broken))
    assert result.exit_code == 1
    assert "line 2, column interval_start: cannot read timestamp 'yesterday'" in result.stderr
    (lean / "manifest.json").write_text("{not json", encoding="utf-8")
    result = _invoke(str(lean), "--agents", str(project / "agents.csv"), "--forecast",
                     str(_requirements(project)))
    assert result.exit_code == 1
    assert "manifest.json: not valid JSON" in result.stderr


def test_terminal_table_and_absence(runs: tuple[Path, Path]) -> None:
    _, full = runs
    result = _invoke(str(full), "-R", "6", "--by", "week", "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("# simulated service 2026-11-16..2026-11-22, 6 replications")
    header = lines[1].split()
    assert header[:3] == ["queue", "offered", "service_level"]
    assert "service_level_lo" not in header
    voice = next(line for line in lines if line.startswith("voice_fr"))
    assert "[" in voice and "80% within 20 s" in voice
    absent = _invoke(str(full), "-R", "6", "--by", "week", "--absence", "0.4",
                     "--format", "csv")
    plain = _invoke(str(full), "-R", "6", "--by", "week", "--format", "csv")
    sl = {name: _csv(r.stdout).set_index("queue").loc["voice_fr", "service_level"]
          for name, r in (("absent", absent), ("plain", plain))}
    assert sl["absent"] < sl["plain"] - 0.05
    bad = _invoke(str(full), "--absence", "1")
    assert bad.exit_code == 2


def test_misses_lists_the_periods_below_target(runs: tuple[Path, Path], project: Path) -> None:
    from wfm.simulation.rosters import misses

    result = _invoke("-R", "6", "--by", "interval", "--format", "csv")
    table = _csv(result.stdout)
    short = misses(table)
    # The lean roster misses voice in its busy hours (09:00-13:00 local on Monday).
    assert set(short["queue"]) == {"voice_fr"}
    assert len(short) >= 4
    assert short["interval_start"].between("2026-11-16T08:00", "2026-11-16T12:00").all()
    assert (short["p_target_met"] < 0.5).all()
    assert misses(table.drop(columns="p_target_met")).empty
