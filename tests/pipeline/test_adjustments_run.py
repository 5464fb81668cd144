"""Acceptance (issue 20 item 1): a planner's adjustment survives the next nightly run,
appears in its manifest, and the accuracy report shows raw vs adjusted error.

Night 1 ingests the sample up to Sunday 8 Nov 2026 and forecasts 14 days. Before it the
planner adjusts voice_fr +50 % on Tue 10 Nov (a campaign the history cannot know: the
actuals of that day are made 1.5 times the sample's), -40 % on Thu 12 Nov (a wrong call:
nothing happens that day) and chat_fr +10 % on Wed 18 Nov. Night 2 brings the
actuals up to 15 Nov, forecasts 16-29 Nov and reports night 1's accuracy.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from pipeline_project import latest, make_project

from wfm.cli.main import cli

ADJUSTMENTS = (
    ("voice_fr", "2026-11-10", "+50%", "Campaign mailing"),
    ("voice_fr", "2026-11-12", "-40%", "Expected strike (did not happen)"),
    ("chat_fr", "2026-11-18", "+10%", "Chat launch"),
)


def wfm(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), *args])


def local_day(frame: pd.DataFrame) -> pd.Series:
    return frame["interval_start"].str[:10]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    proj = make_project(tmp_path_factory.mktemp("adjust") / "centre")
    text = (proj / "wfm.toml").read_text()
    text = text.replace('# inputs = ["exports/*.csv"] ', 'inputs = ["exports/*.csv"] ')
    text = text.replace('horizon = "7d"', 'horizon = "14d"')
    text = re.sub(r"(?m)^reports = .*$", 'reports = ["accuracy"]', text)
    (proj / "wfm.toml").write_text(text)
    full = pd.read_csv(proj / "sample" / "intervals.csv")
    campaign = (full["queue"] == "voice_fr") & full["interval_start"].str.startswith(
        "2026-11-10")
    full.loc[campaign, "offered"] = np.round(full.loc[campaign, "offered"] * 1.5)
    (proj / "exports").mkdir()
    full[full["interval_start"] < "2026-11-09"].to_csv(proj / "exports" / "a.csv",
                                                       index=False)
    for queue, day, change, reason in ADJUSTMENTS:
        res = wfm(proj, "forecast", "adjust", "--queue", queue, "--from", day,
                  f"--volume={change}", "--reason", reason)
        assert res.exit_code == 0, res.output
    steps = ("--steps", "ingest,forecast,report")
    first = wfm(proj, "run", *steps)
    assert first.exit_code == 0, first.output
    night1 = str(latest(proj, "forecasts"))
    full.to_csv(proj / "exports" / "b.csv", index=False)
    second = wfm(proj, "run", *steps)
    assert second.exit_code == 0, second.output
    return {"proj": proj, "night1": night1, "night2": str(latest(proj, "forecasts")),
            "actuals": full}


def manifest(proj: Path, run: str) -> dict[str, object]:
    body = json.loads((proj / "forecasts" / run / "manifest.json").read_text())
    assert isinstance(body, dict)
    return body


def test_the_nightly_forecast_applies_the_adjustments(nights: dict[str, object]) -> None:
    proj, night1 = nights["proj"], str(nights["night1"])
    assert isinstance(proj, Path)
    fc = pd.read_csv(proj / "forecasts" / night1 / "forecast.csv")
    for queue, day, change, _ in ADJUSTMENTS:
        rows = fc[(fc["queue"] == queue) & (local_day(fc) == day)]
        factor = 1 + float(change.rstrip("%")) / 100
        # forecast.csv rounds each interval to 4 decimals
        assert rows["offered"].sum() == pytest.approx(factor * rows["offered_raw"].sum(),
                                                      abs=1e-4 * len(rows))
        assert (rows["adjustments"] == "a" + str(ADJUSTMENTS.index(
            (queue, day, change, _)) + 1)).all()
    body = manifest(proj, night1)
    adj = body["adjustments"]
    assert isinstance(adj, dict)
    assert adj["applied"] == ["a1", "a2", "a3"] and adj["revision"] == 3
    assert [e["reason"] for e in adj["entries"]] == [a[3] for a in ADJUSTMENTS]


def test_the_adjustment_survives_the_next_nightly_run(nights: dict[str, object]) -> None:
    proj, night2 = nights["proj"], str(nights["night2"])
    assert isinstance(proj, Path)
    assert night2 != nights["night1"]
    adj = manifest(proj, night2)["adjustments"]
    assert isinstance(adj, dict)
    assert adj["applied"] == ["a3"] and adj["not_applied"] == ["a1", "a2"]  # in the past
    fc = pd.read_csv(proj / "forecasts" / night2 / "forecast.csv")
    rows = fc[(fc["queue"] == "chat_fr") & (local_day(fc) == "2026-11-18")]
    assert rows["offered"].sum() == pytest.approx(1.1 * rows["offered_raw"].sum(),
                                                  abs=1e-4 * len(rows))
    assert (proj / "adjustments.toml").read_text().count("[[adjustments]]") == 3


def independent_errors(forecast: pd.DataFrame, actuals: pd.DataFrame, queue: str, day: str
                       ) -> dict[str, float]:
    """wMAPE of the adjusted and the raw forecast of one queue and day, from the files."""
    f = forecast[(forecast["queue"] == queue) & (local_day(forecast) == day)]
    a = actuals[(actuals["queue"] == queue) & (local_day(actuals) == day)]
    m = f.merge(a[["interval_start", "offered"]], on="interval_start",
                suffixes=("", "_actual"))
    total = m["offered_actual"].sum()
    return {"forecast": m["offered"].sum(), "forecast_raw": m["offered_raw"].sum(),
            "actual": total,
            "interval_wmape": (m["offered"] - m["offered_actual"]).abs().sum() / total,
            "interval_wmape_raw": (m["offered_raw"] - m["offered_actual"]).abs().sum() / total,
            "day_wmape_raw": abs(m["offered_raw"].sum() - total) / total}


def test_the_accuracy_report_shows_raw_and_adjusted_error(nights: dict[str, object]) -> None:
    proj, night1 = nights["proj"], str(nights["night1"])
    actuals = nights["actuals"]
    assert isinstance(proj, Path) and isinstance(actuals, pd.DataFrame)
    acc = pd.read_csv(proj / "reports" / str(latest(proj, "reports")) / "accuracy.csv")
    assert {"forecast_raw", "day_wmape_raw", "interval_wmape_raw", "value_added"} <= set(
        acc.columns)
    fc = pd.read_csv(proj / "forecasts" / night1 / "forecast.csv")
    for queue, day in (("voice_fr", "2026-11-10"), ("voice_fr", "2026-11-12"),
                       ("chat_fr", "2026-11-13")):
        row = acc[(acc["queue"] == queue) & (acc["date"] == day)].iloc[0]
        ref = independent_errors(fc, actuals, queue, day)
        for key, value in ref.items():
            assert row[key] == pytest.approx(value, rel=1e-6), (queue, day, key)
        assert row["value_added"] == pytest.approx(
            ref["interval_wmape_raw"] - ref["interval_wmape"], abs=1e-9)
    by_day = acc.set_index(["queue", "date"])["value_added"]
    assert by_day[("voice_fr", "2026-11-10")] > 0.1   # the campaign was foreseen
    assert by_day[("voice_fr", "2026-11-12")] < -0.1  # the strike that did not happen
    assert by_day[("chat_fr", "2026-11-13")] == 0     # not adjusted
    # The single command gives the same table, and its workbook charts the raw forecast.
    res = wfm(proj, "report", "accuracy", night1, "--format", "csv")
    assert res.exit_code == 0, res.output
    single = pd.read_csv(io.StringIO(res.stdout))
    pd.testing.assert_frame_equal(single[acc.columns], acc, check_exact=False, rtol=1e-9,
                                  check_dtype=False)
    assert "value_added" in res.stderr  # the title defines it
    out = proj / "accuracy.xlsx"
    assert wfm(proj, "report", "accuracy", night1, "--output", str(out)).exit_code == 0
    chart = openpyxl.load_workbook(out)["Chart"]
    header = [c.value for c in next(chart.iter_rows(min_row=1, max_row=1))]
    assert "voice_fr forecast_raw" in header
    assert "voice_en forecast_raw" not in header  # not adjusted: no second line
