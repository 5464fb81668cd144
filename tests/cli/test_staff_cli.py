"""`wfm staff`: requirements from a forecast file, per-day summary, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.staffing.erlang_c import service_level


def write_forecast(path: Path, offered: list[float], queue: str = "voice_fr",
                   channel: str = "voice") -> None:
    starts = pd.date_range("2026-01-05 08:00", periods=len(offered), freq="15min",
                          tz="Europe/Paris")
    pd.DataFrame({"queue": queue, "channel": channel,
                  "interval_start": [t.isoformat() for t in starts], "offered": offered,
                  "aht_s": 300.0, "model": "test"}).to_csv(path, index=False)


def test_staff_writes_requirements_and_daily(project: Path) -> None:
    fc = project / "fc.csv"
    write_forecast(fc, [0.0, 20.0, 50.0, 100.0])
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    assert req["agents_productive"].tolist()[0] == 0
    assert (req["method"] == "erlang_a").all()  # voice_fr has patience_s = 120
    assert (req["service_level"] >= 0.8).all()
    assert req["agents_required"].tolist() == pytest.approx(
        (req["agents_productive"] / 0.7).tolist())
    daily = pd.read_csv(project / "out" / "daily.csv")
    assert daily["agent_hours_scheduled"].iloc[0] == pytest.approx(
        req["agents_required"].sum() * 0.25)
    assert daily["fte"].iloc[0] == pytest.approx(daily["agent_hours_scheduled"].iloc[0] / 7.0)


def test_staff_chat_reports_agents_not_slots(project: Path) -> None:
    fc = project / "fc.csv"
    write_forecast(fc, [60.0], queue="chat_fr", channel="chat")
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    row = pd.read_csv(project / "out" / "requirements.csv").iloc[0]
    load = 60 * 300 / 900
    slots = 2 * row["agents_productive"]
    assert service_level(slots, load, 300.0, 60.0) >= 0.8 > service_level(slots - 2, load,
                                                                           300.0, 60.0)


def test_staff_missing_forecast_is_exit_1(project: Path) -> None:
    r = CliRunner().invoke(cli, ["staff"])
    assert r.exit_code == 1
    assert "forecast.csv: file not found" in r.output


def test_staff_negative_volume_names_file_and_queue(project: Path) -> None:
    fc = project / "fc.csv"
    write_forecast(fc, [-3.0])
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 1
    assert "fc.csv: queue 'voice_fr': volume -3.0 is not valid" in r.output
