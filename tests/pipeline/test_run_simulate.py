"""The `wfm run` simulate step (opt-in) and the roster workbook's Simulated service sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pipeline_project import STEPS, make_project

from wfm.cli.main import cli
from wfm.config.run import RunConfig

WITH_SIMULATE = [*STEPS[:4], "simulate", STEPS[4]]


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "centre", store=True, steps=WITH_SIMULATE)
    monkeypatch.chdir(root)
    return root


def test_simulate_is_off_by_default() -> None:
    assert "simulate" not in RunConfig().steps
    starter = (Path(__file__).resolve().parents[2] / "wfm" / "config" / "starter.toml")
    # The line's comment names the opt-in step; the list itself must not hold it.
    assert "simulate" not in re.search(r"(?m)^steps = (\[[^]]*\])",
                                       starter.read_text(encoding="utf-8")).group(1)


def test_the_simulate_step_writes_the_service_and_the_workbook_shows_it(proj: Path) -> None:
    res = CliRunner().invoke(cli, ["run"])
    assert res.exit_code == 0, res.output
    assert re.search(r"simulate 28 rows [\d.]+s", res.stdout), res.stdout
    reports = proj / "reports" / "latest"
    days = pd.read_csv(reports / "simulated_service.csv")
    assert len(days) == 4 * 7 and set(days["queue"]) == {"chat_fr", "email_fr", "voice_en",
                                                         "voice_fr"}
    # Five voice_en agents only: voice_fr and chat_fr get no answer at all.
    voice_fr = days[(days["queue"] == "voice_fr") & (days["offered"] > 0)]
    assert (voice_fr["service_level"] == 0).all() and (voice_fr["p_target_met"] == 0).all()
    voice_en = days[(days["queue"] == "voice_en") & (days["offered"] > 0)]
    assert (voice_en["service_level"].iloc[:5] > 0.3).all()  # Monday-Friday: staffed
    assert "simulate: voice_fr on " in res.output  # warned: misses its target
    missed = pd.read_csv(reports / "simulated_misses.csv")
    assert {"voice_fr", "chat_fr"} <= set(missed["queue"])
    assert missed["interval_start"].str.endswith("+01:00").all()
    wb = load_workbook(reports / "roster.xlsx")
    ws = wb["Simulated service"]
    header = [c.value for c in ws[3]]
    assert header == ["queue", "date", "measure", "simulated", "band_lo", "band_hi",
                      "target", "p_target_met"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=3 + len(days))]
    en = [r for r in rows if r[0] == "voice_en" and r[3] is not None]
    expected = voice_en.sort_values("date")
    assert [r[1] for r in en] == expected["date"].tolist()
    assert [r[3] for r in en] == pytest.approx(expected["service_level"].tolist())
    assert [r[4] for r in en] == pytest.approx(expected["service_level_lo"].tolist())
    email = [r for r in rows if r[0] == "email_fr"]
    assert email and all(r[2] == "share within target" for r in email)
    assert wb.sheetnames[-1] == "Simulated service"


def test_the_simulate_step_needs_a_roster(proj: Path) -> None:
    res = CliRunner().invoke(cli, ["run", "--steps", "simulate"])
    assert res.exit_code == 1
    assert "the simulate step needs a roster: this run made none" in res.output
    assert "hint: add the schedule step" in res.output
