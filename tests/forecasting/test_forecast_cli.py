"""`wfm forecast` through CliRunner: outputs, latest pointer, and every bad-input path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from forecast_synthetic import make_history

from wfm.cli.main import cli
from wfm.forecasting import MODELS
from wfm.io.store import write_intervals


@pytest.fixture
def history(project: Path) -> pd.DataFrame:
    """Two queues of history in the project's data store."""
    a, _ = make_history("2025-01-06", 70, daily_level=600, seed=1)
    b, _ = make_history("2025-01-06", 70, daily_level=200, seed=2, queue="chat_fr",
                        channel="chat")
    frame = pd.concat([a, b], ignore_index=True)
    write_intervals(project / "data", frame)
    return frame


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["forecast", *args])


def test_forecast_writes_run_and_moves_latest(project: Path, history: pd.DataFrame) -> None:
    res = _run("--horizon", "14d", "--format", "csv")
    assert res.exit_code == 0, res.output
    run_dir = (project / "forecasts" / "latest").resolve()
    fc = pd.read_csv(run_dir / "forecast.csv")
    assert list(fc.columns) == ["queue", "channel", "interval_start", "offered", "aht_s",
                                "model", "offered_lo_80", "offered_hi_80", "offered_lo_95",
                                "offered_hi_95", "offered_raw", "aht_s_raw", "adjustments"]
    # Without adjustments the model's values are the forecast.
    assert (fc["offered_raw"] == fc["offered"]).all() and fc["adjustments"].isna().all()
    assert len(fc) == 2 * 14 * 96 - 2 * 4  # 14 local days, one with 23 hours (30 March)
    assert fc["interval_start"].iloc[0] == "2025-03-17T00:00:00+01:00"
    assert (fc["aht_s"] > 0).all()
    bt = pd.read_csv(run_dir / "backtest.csv")
    assert {"voice_fr", "chat_fr"} == set(bt["queue"])
    man = json.loads((run_dir / "manifest.json").read_text())
    assert man["inputs"] and all(k.startswith("data/intervals/") for k in man["inputs"])
    assert set(man["outputs"]) == {"forecast.csv", "backtest.csv"}
    assert man["series"]["voice_fr/voice"]["model"] in fc["model"].tolist()
    assert "backtest_wmape" in man["series"]["voice_fr/voice"]
    assert man["versions"]["statsmodels"]
    summary = pd.read_csv(pd.io.common.StringIO(res.stdout))
    assert set(summary["queue"]) == {"voice_fr", "chat_fr"}


def test_forecast_filters_and_model(project: Path, history: pd.DataFrame) -> None:
    res = _run("--horizon", "1w", "--queue", "chat_fr", "--model", "weekly_mean",
               "--start", "2025-03-10")
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(project / "forecasts" / "latest" / "forecast.csv")
    assert set(fc["queue"]) == {"chat_fr"} and set(fc["model"]) == {"weekly_mean"}
    assert fc["interval_start"].iloc[0].startswith("2025-03-10T00:00")


def test_unknown_model_lists_valid_ones(project: Path, history: pd.DataFrame) -> None:
    res = _run("--model", "prophet")
    assert res.exit_code == 2
    assert "'prophet' is not one of" in res.output
    for name in MODELS:
        assert name in res.output
    assert not (project / "forecasts").exists()


@pytest.mark.parametrize("horizon", ["6 weeks", "0d", "x"])
def test_bad_horizon(project: Path, history: pd.DataFrame, horizon: str) -> None:
    res = _run("--horizon", horizon)
    assert res.exit_code == 1
    assert f"wfm: error: horizon {horizon!r} cannot be read; accepted: a number of days " \
           "or weeks such as 14d or 6w" in res.output
    assert "Traceback" not in res.output
    assert not (project / "forecasts").exists()


def test_queue_filter_matching_nothing(project: Path, history: pd.DataFrame) -> None:
    res = _run("--queue", "voice_de")
    assert res.exit_code == 1
    assert "no stored data for queue(s) voice_de; stored: chat_fr, voice_fr" in res.output
    assert not (project / "forecasts").exists()


def test_stale_queue_warns_and_is_skipped(project: Path, history: pd.DataFrame) -> None:
    old, _ = make_history("2024-06-03", 60, seed=3, queue="voice_en")
    write_intervals(project / "data", old)
    res = _run("--horizon", "7d", "--model", "weekly_mean")
    assert res.exit_code == 0, res.output
    assert "wfm: warning: no volume in the 4 weeks before 2025-03-17 for voice_en/voice: " \
           "not forecast" in res.stderr
    fc = pd.read_csv(project / "forecasts" / "latest" / "forecast.csv")
    assert set(fc["queue"]) == {"voice_fr", "chat_fr"}


def test_unparseable_holiday_date(project: Path, history: pd.DataFrame) -> None:
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text().replace("holidays = []", 'holidays = ["2025-13-45"]'))
    res = _run("--horizon", "7d")
    assert res.exit_code == 1
    assert "[site] holidays = ['2025-13-45'] is not valid; accepted: a list of dates " \
           "YYYY-MM-DD" in res.output
    assert not (project / "forecasts").exists()


def test_failed_run_keeps_previous_outputs(project: Path, history: pd.DataFrame,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run("--horizon", "7d", "--model", "weekly_mean").exit_code == 0
    first = (project / "forecasts" / "latest").resolve()

    def boom(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    res = _run("--horizon", "7d", "--model", "weekly_mean")
    assert res.exit_code != 0
    assert (project / "forecasts" / "latest").resolve() == first
    assert [p.name for p in (project / "forecasts").iterdir() if p.name != "latest"] == [
        first.name]


def test_models_lists_registry() -> None:
    res = CliRunner().invoke(cli, ["forecast", "models", "--format", "csv"])
    assert res.exit_code == 0
    listed = pd.read_csv(pd.io.common.StringIO(res.output))
    assert list(listed["model"]) == ["auto", *MODELS]
    assert listed["summary"].str.len().gt(20).all()


@pytest.mark.parametrize("args", [["forecast"], ["forecast", "models"]])
def test_help_has_example(args: list[str]) -> None:
    res = CliRunner().invoke(cli, [*args, "--help"])
    assert res.exit_code == 0 and "Example:  wfm forecast" in res.output


def test_forecast_reads_the_real_store(project: Path) -> None:
    from wfm.io.store import write_intervals

    a, _ = make_history("2025-01-06", 35, daily_level=300, seed=6, queue="voice_en")
    write_intervals(project / "data", a)
    res = _run("--horizon", "7d", "--model", "topdown_ets", "--queue", "voice_en")
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(project / "forecasts" / "latest" / "forecast.csv")
    assert set(fc["queue"]) == {"voice_en"} and set(fc["model"]) == {"topdown_ets"}
    man = json.loads((project / "forecasts" / "latest" / "manifest.json").read_text())
    assert any(k.startswith("data/") and k.endswith(".parquet") for k in man["inputs"])


def test_an_absurd_horizon_is_one_line(project: Path, history: pd.DataFrame) -> None:
    res = _run("--horizon", "100000w")
    assert res.exit_code == 1
    assert res.output == ("wfm: error: horizon '100000w' is 700,000 days; accepted: at most "
                          "371 days (53w) of interval forecast\n")
    assert not (project / "forecasts").exists()


def test_intraday_reforecasts_the_rest_of_the_day(project: Path, history: pd.DataFrame) -> None:
    res = _run("--start", "2025-03-14", "--intraday", "12:00", "--format", "csv")
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(io.StringIO(res.stdout))
    assert set(fc["queue"]) == {"voice_fr", "chat_fr"}
    assert {"day_ahead", "offered_lo_95", "offered_hi_95", "aht_s"} <= set(fc.columns)
    assert fc["interval_start"].str.startswith("2025-03-14T").all()
    assert fc.groupby("queue")["interval_start"].min().eq("2025-03-14T12:00").all()
    opened = fc[fc["day_ahead"] > 0]
    assert len(opened) == 2 * 32  # 12:00-20:00
    assert (opened["offered"] != opened["day_ahead"]).any()  # the morning moved the level
    assert not (project / "forecasts").exists()  # prints; no run folder


def test_intraday_time_that_does_not_parse(project: Path, history: pd.DataFrame) -> None:
    res = _run("--start", "2025-03-14", "--intraday", "noon")
    assert res.exit_code == 1
    assert ("wfm: error: --intraday 'noon' cannot be read; accepted: a local time such as "
            "12:00, or nothing (all of the day's actuals so far)") in res.output
    assert "Traceback" not in res.output
