"""`wfm staff` with bad forecasts and bad [staffing]/[[queues]] values: one clear line, exit 1."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli


def forecast(path: Path, queue: str, channel: str, offered: float, aht_s: float) -> None:
    starts = pd.date_range("2026-01-05 08:00", periods=3, freq="15min", tz="Europe/Paris")
    pd.DataFrame({"queue": queue, "channel": channel,
                  "interval_start": [t.isoformat() for t in starts], "offered": offered,
                  "aht_s": aht_s, "model": "t"}).to_csv(path, index=False)


def staff(project: Path) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert "Traceback" not in r.output
    assert not (project / "out" / "requirements.csv").exists()
    return r.exit_code, r.output


@pytest.mark.parametrize(("queue", "channel", "offered", "aht", "message"), [
    ("email_fr", "email", -1.0, 400.0,
     "fc.csv: queue 'email_fr': volume -1.0 is not valid; accepted: a number of items >= 0"),
    ("voice_fr", "voice", -2.0, 300.0, "fc.csv: queue 'voice_fr': volume -2.0 is not valid"),
    ("voice_fr", "voice", 10.0, 0.0,
     "fc.csv: queue 'voice_fr': AHT 0.0 s is not valid; accepted: a number of seconds > 0"),
    ("email_fr", "email", 3.0, -5.0, "fc.csv: queue 'email_fr': AHT -5.0 s is not valid"),
])
def test_bad_forecast_values(project: Path, queue, channel, offered, aht, message) -> None:
    forecast(project / "fc.csv", queue, channel, offered, aht)
    code, out = staff(project)
    assert code == 1
    assert out.startswith("wfm: error: ") and message in out


@pytest.mark.parametrize(("old", "new", "message"), [
    ("shrinkage = 0.30 ", "shrinkage = 1.0 ",
     "[staffing] shrinkage = 1.0 is not valid; accepted: a number in [0, 1)"),
    ("concurrency = 2 ", "concurrency = 0 ",
     "[queues.3] concurrency = 0 is not valid; accepted: an integer in [1, inf]"),
    ("response_target = 0.90", "response_target = 1.5",
     "[queues.4] response_target = 1.5 is not valid; accepted: a number in (0, 1]"),
    ("response_time_h = 24 ", "response_time_h = 0 ",
     "[queues.4] response_time_h = 0 is not valid; accepted: a number in (0, inf]"),
    ("sl_threshold_s = 20 ", "sl_threshold_s = -5 ",
     "[queues.1] sl_threshold_s = -5 is not valid; accepted: a number in [0, inf]"),
    ("sl_target = 0.80                   # 80% ...", "sl_target = 1.0",
     "[queues.1] sl_target = 1.0 is not valid; accepted: a number in (0, 1)"),
    ("aht_s = 300 ", "aht_s = 0 ", "[queues.1] aht_s = 0 is not valid; accepted: a number in "
     "(0, inf]"),
])
def test_bad_config_values(project: Path, old: str, new: str, message: str) -> None:
    toml = project / "wfm.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    forecast(project / "fc.csv", "voice_fr", "voice", 10.0, 300.0)
    code, out = staff(project)
    assert code == 1
    assert out.startswith("wfm: error: ") and message in out


def test_unreachable_response_target_in_working_hours(project: Path) -> None:
    """100% within 15 working minutes: items are worked from the interval after arrival."""
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "response_target = 0.90", "response_target = 1.0").replace(
        "response_time_h = 24 ", "response_time_h = 0.25 ").replace(
        'response_clock = "calendar"', 'response_clock = "working"'), encoding="utf-8")
    forecast(project / "fc.csv", "email_fr", "email", 3.0, 400.0)
    code, out = staff(project)
    assert code == 1
    assert ("queue 'email_fr': response target 100% within 0.25 h (working clock) cannot be "
            "met: at most 0.0% of items can be answered in time") in out
