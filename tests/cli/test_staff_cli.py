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
    assert "no forecast to staff: forecasts/latest does not exist" in r.output
    assert "run 'wfm forecast' first" in r.output
    named = CliRunner().invoke(cli, ["staff", "--forecast", "nowhere/forecast.csv"])
    assert named.exit_code == 1 and "nowhere/forecast.csv: file not found" in named.output


def test_staff_negative_volume_names_file_and_queue(project: Path) -> None:
    fc = project / "fc.csv"
    write_forecast(fc, [-3.0])
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 1
    assert "fc.csv: queue 'voice_fr': volume -3.0 is not valid" in r.output


def email_forecast(path: Path, days: int = 7, per_interval: float = 4.0) -> pd.DataFrame:
    starts = pd.date_range("2026-01-05 00:00", periods=days * 96, freq="15min",
                           tz="Europe/Paris")
    frame = pd.DataFrame({"queue": "email_fr", "channel": "email",
                          "interval_start": [t.isoformat() for t in starts],
                          "offered": per_interval, "aht_s": 420.0, "model": "test"})
    frame.to_csv(path, index=False)
    return frame


def test_staff_deferred_queue_backlog_and_opening_hours(project: Path) -> None:
    fc = project / "fc.csv"
    email_forecast(fc)
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    assert list(req.columns)[-2:] == ["backlog", "oldest_age_s"]
    assert (req["method"] == "deferred_calendar").all()
    local = pd.to_datetime(req["interval_start"], utc=True).dt.tz_convert("Europe/Paris")
    clock = local.dt.hour + local.dt.minute / 60
    wd = local.dt.day_of_week
    opened = ((wd < 5) & (clock >= 8) & (clock < 20)) | ((wd == 5) & (clock >= 9) & (clock < 17))
    assert (req.loc[~opened, "agents_productive"] == 0).all()
    assert req.loc[opened, "agents_productive"].max() > 0
    # Overnight the backlog holds the evening's and night's mail, aged up to ~12 h.
    monday_night = local.dt.strftime("%Y-%m-%d %H:%M") == "2026-01-06 07:45"
    assert req.loc[monday_night, "backlog"].iloc[0] >= 4 * 11 * 4
    assert req["oldest_age_s"].max() <= 24 * 3600 * 2
    assert req["agents_required"].tolist() == pytest.approx(
        (req["agents_productive"] / 0.7).tolist())
    # Mon-Fri items are all answered within 24 h.
    weekday_share = req.loc[(wd < 4), "service_level"]
    assert (weekday_share == 1.0).all()


def test_staff_deferred_unreachable_target(project: Path) -> None:
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "response_target = 0.90", "response_target = 1.0"), encoding="utf-8")
    fc = project / "fc.csv"
    email_forecast(fc)
    r = CliRunner().invoke(cli, ["staff", "--forecast", str(fc), "--output-dir", "out"])
    assert r.exit_code == 1
    assert ("fc.csv: queue 'email_fr': response target 100% within 24 h (calendar clock) "
            "cannot be met: at most 9") in r.output
    assert "items arriving e.g. Sat 2026-01-10 16:45 have no opening hour" in r.output
    assert not (project / "out" / "requirements.csv").exists()


def _history(project: Path, with_waits: bool) -> None:
    from wfm.io.store import write_intervals

    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("patience_s = 180\n", ""),
                    encoding="utf-8")
    starts = pd.date_range("2025-12-01 09:00", periods=4, freq="15min", tz="UTC")
    frame = pd.DataFrame({"interval_start": starts, "queue": "voice_en", "channel": "voice",
                          "offered": 200, "handled": 190, "abandoned": 10})
    if with_waits:
        frame["answer_wait_s"] = 3000.0
    write_intervals(project / "data", frame)


def test_staff_estimates_patience_from_history(project: Path) -> None:
    _history(project, with_waits=True)
    write_forecast(project / "fc.csv", [30.0, 40.0], queue="voice_en")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out",
                                 "--estimate-patience"])
    assert r.exit_code == 0, r.output
    # (4 x 3000 s answered + 40 x ASA imputed) / 40 abandoned = 315.8 s
    assert "queue 'voice_en': patience estimated at 316 s from 40 abandoned contacts" in r.output
    assert "underestimates patience" in r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    assert (req["method"] == "erlang_a").all() and req["asa_s"].notna().all()


def test_staff_patience_needs_wait_columns(project: Path) -> None:
    _history(project, with_waits=False)
    write_forecast(project / "fc.csv", [30.0], queue="voice_en")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out",
                                 "--estimate-patience"])
    assert r.exit_code == 0, r.output
    assert ("queue 'voice_en': the history has no answer_wait_s; patience not estimated, "
            "Erlang C used") in r.output
    assert pd.read_csv(project / "out" / "requirements.csv")["method"].tolist() == ["erlang_c"]


def test_staff_estimated_patience_keeps_the_maximum_asa(project: Path) -> None:
    """--estimate-patience switches voice_en to Erlang A; its max_asa_s still holds (it
    was once dropped: 10 agents at an ASA of 31 s against a 2 s limit)."""
    _history(project, with_waits=True)
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "sl_threshold_s = 30\n", "sl_threshold_s = 30\nmax_asa_s = 2\n"), encoding="utf-8")
    write_forecast(project / "fc.csv", [30.0, 120.0, 300.0], queue="voice_en")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out",
                                 "--estimate-patience"])
    assert r.exit_code == 0, r.output
    assert "Erlang A used" in r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    assert (req["method"] == "erlang_a").all()
    assert (req["asa_s"] <= 2.0).all()  # the ASA of answered contacts (Erlang A)


def _edit_toml(project: Path, old: str, new: str) -> None:
    toml = project / "wfm.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_staff_warns_about_abandonment_and_max_abandon_rate_staffs_for_it(
        project: Path) -> None:
    """An SL-only target under Erlang A accepted 19.7 % abandonment without a word."""
    _edit_toml(project, "patience_s = 120 ", "patience_s = 30 ")
    _edit_toml(project, "max_occupancy = 0.90", "max_occupancy = 1.0")
    write_forecast(project / "fc.csv", [1500.0, 1500.0, 2.0])
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    rate = (req["offered"] * req["abandon_rate"]).sum() / req["offered"].sum()
    assert rate > 0.19
    above = int((req["abandon_rate"] > 0.10).sum())
    worst = req["abandon_rate"].max()
    assert r.stderr.startswith(
        f"wfm: warning: queue 'voice_fr': {rate:.1%} of offered contacts abandon under the "
        f"staffing (above the 10% ceiling; {above} interval(s) above it, up to {worst:.1%} ")
    assert "set max_abandon_rate on the queue in wfm.toml" in r.stderr
    # The ceiling is [staffing] abandon_warning_rate.
    _edit_toml(project, "abandon_warning_rate = 0.10", "abandon_warning_rate = 0.25")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert r.exit_code == 0 and "warning" not in r.stderr
    # max_abandon_rate per queue is a target: every interval keeps it, no warning.
    _edit_toml(project, "patience_s = 30 ", "patience_s = 30\nmax_abandon_rate = 0.05\n")
    _edit_toml(project, "abandon_warning_rate = 0.25", "abandon_warning_rate = 0.04")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    assert (req["abandon_rate"] <= 0.05).all()
    assert (req["service_level"] >= 0.8).all()


def test_staff_max_abandon_rate_without_patience_is_refused(project: Path) -> None:
    _edit_toml(project, "patience_s = 180\n", "max_abandon_rate = 0.05\n")
    write_forecast(project / "fc.csv", [30.0], queue="voice_en")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert r.exit_code == 1
    assert ("wfm: error: fc.csv: queue 'voice_en': max_abandon_rate 0.05 needs patience_s: "
            "Erlang C assumes nobody abandons, so the limit could not be kept") in r.stderr
    assert "hint: set patience_s on the queue" in r.stderr
    assert not (project / "out").exists()
