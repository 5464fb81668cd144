"""`wfm report html` after a whole run: the files it follows through the manifests, every
section filled, the simulation on request, the PNG folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_project import make_project

from wfm.cli.main import cli
from wfm.pipeline import HtmlReportRequest, html_report, open_project


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("html") / "centre", store=True)
    res = CliRunner().invoke(cli, ["--config", str(root / "wfm.toml"), "run", "--quiet",
                                   "--steps", "ingest,forecast,staff,schedule"])
    assert res.exit_code == 0, res.output
    return root


def test_report_follows_the_run_and_fills_every_section(centre: Path) -> None:
    project = open_project(centre)
    result = html_report(project, HtmlReportRequest(output=centre / "week.html",
                                                    simulate=2, seed=1))
    assert result.missing == {}
    # The fast project forecasts four queues; one chart of each other kind.
    assert sorted(result.charts) == sorted([
        "forecast-chat_fr", "forecast-email_fr", "forecast-voice_en", "forecast-voice_fr",
        "requirements", "coverage", "service-level", "backtest", "simulation"])
    text = (centre / "week.html").read_text(encoding="utf-8")
    run_id = (centre / "schedules" / "latest").resolve().name
    # The schedule, and the requirements and forecast its manifests name (same run).
    assert f"forecast: {run_id}; requirements: {run_id}; roster: {run_id}" in text
    week = re.search(r"<h1>.* – week of (\d{4}-\d\d-\d\d)</h1>", text)
    assert week is not None and week.group(1) == "2026-11-16"
    assert "Roster simulated 2 times (seed 1)" in text


def test_png_format_and_unknown_run(centre: Path) -> None:
    runner = CliRunner()
    config = ["--config", str(centre / "wfm.toml")]
    res = runner.invoke(cli, [*config, "report", "html", "-f", "png", "-o",
                              str(centre / "charts")])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (centre / "charts").iterdir())
    assert "coverage.png" in names and "forecast-voice_en.png" in names
    assert "simulation: Not simulated" in res.stderr  # says which section is missing
    bad = runner.invoke(cli, [*config, "report", "html", "20990101T000000Z-0000"])
    assert bad.exit_code == 1
    assert "run '20990101T000000Z-0000' does not exist; recent runs:" in bad.stderr


def _earlier_forecast(centre: Path, run_id: str, *, queue: str | None) -> Path:
    """A forecast run before the run's own: its forecast moved two weeks back into the
    ingested history, optionally with every row renamed to ``queue``."""
    import shutil

    import pandas as pd

    own = (centre / "forecasts" / "latest").resolve() / "forecast.csv"
    frame = pd.read_csv(own)
    starts = pd.to_datetime(frame["interval_start"], utc=True) - pd.Timedelta(days=14)
    frame["interval_start"] = [t.isoformat() for t in starts.dt.tz_convert("Europe/Paris")]
    if queue is not None:
        frame["queue"] = queue
    folder = centre / "forecasts" / run_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    frame.to_csv(folder / "forecast.csv", index=False)
    return folder


def test_realised_accuracy_of_an_earlier_forecast_and_one_of_other_queues(
        centre: Path) -> None:
    """The newest earlier forecast run whose days have actuals is judged; one whose
    queues have no actuals (only other queues' rows on its days) is passed over, not an
    error that loses the whole report."""
    import shutil

    project = open_project(centre)
    judged = _earlier_forecast(centre, "20000101T000000Z-0001", queue=None)
    ghost = _earlier_forecast(centre, "20000101T000000Z-0002", queue="ghost_q")
    try:
        result = html_report(project, HtmlReportRequest(output=centre / "acc.html"))
        assert "accuracy" in result.charts
        text = (centre / "acc.html").read_text(encoding="utf-8")
        assert "Forecast run 20000101T000000Z-0001 against the actuals of its days" in text
        shutil.rmtree(judged)
        result = html_report(project, HtmlReportRequest(output=centre / "acc.html"))
        assert "accuracy" not in result.charts and "backtest" in result.charts
    finally:
        shutil.rmtree(judged, ignore_errors=True)
        shutil.rmtree(ghost, ignore_errors=True)
