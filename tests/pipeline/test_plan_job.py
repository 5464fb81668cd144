"""`wfm plan` and wfm.pipeline.plan on a small project: every format, the workbook read
back, the demand's interval staffing against published Erlang C values, bad input."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from pipeline_project import make_project

import wfm.pipeline as api
from wfm.capacity import PlanHorizon, Scenario
from wfm.cli.main import cli
from wfm.config import parse_config
from wfm.pipeline.plan_inputs import scenario_demand

#: Agents in every queue of the sample: tenures, part-timers, a planned leaver and a
#: future joiner.
AGENTS = """\
agent_id,name,skills,min_hours_week,max_hours_week,start_date,leave_date,contract_hours_week
V1,Ana,voice_fr:1,35,35,2019-03-01,,35
V2,Ben,voice_fr:1;chat_fr:2,35,35,2026-09-01,,35
V3,Cid,voice_fr:1,20,24,2025-01-06,2027-01-15,24
V4,Dee,voice_en:1,35,35,2018-05-01,,
C1,Eva,chat_fr:1,35,35,2026-10-12,,35
C2,Fay,chat_fr:1;voice_fr:2,35,35,2027-01-04,,35
E1,Gus,email_fr:1,20,20,2022-02-01,,20
"""
WEEKS = "16"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("plan") / "centre", store=True)
    (root / "sample" / "agents.csv").write_text(AGENTS, encoding="utf-8")
    return root


def invoke(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), "plan",
                                      "--weeks", WEEKS, *args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_csv_compares_base_and_the_starter_scenarios(project: Path) -> None:
    code, out, err = invoke(project, "--format", "csv")
    assert code == 0, err
    summary = pd.read_csv(io.StringIO(out))
    assert list(summary["scenario"]) == ["base", "growth", "high_attrition"]
    growth, base = summary.set_index("scenario").loc["growth"], \
        summary.set_index("scenario").loc["base"]
    assert growth["required_fte"] > base["required_fte"]  # +10 % a year, AHT x 1.05
    assert set(summary["solver_status"]) == {"optimal"}
    assert (summary["optimality_gap"] <= 1e-4).all()
    assert summary["proposed_hires"].sum() > 0  # seven agents cannot staff the sample
    assert "note: the history covers" in err  # 13 weeks: no yearly season, and it says so


def test_plan_views_as_json_hold_a_consistent_waterfall(project: Path) -> None:
    code, out, err = invoke(project, "--view", "waterfall", "--format", "json",
                            "--scenario", "base")
    assert code == 0, err
    wf = pd.DataFrame(json.loads(out))
    assert set(wf["scenario"]) == {"base"}
    for _, rows in wf.groupby("group"):  # printed to 4 decimals
        assert np.allclose(rows["closing"].to_numpy()[:-1], rows["opening"].to_numpy()[1:])
        assert np.allclose(rows["opening"] + rows["hires"] - rows["attrition"]
                           - rows["planned_leavers"], rows["closing"], atol=2e-4)
    total = wf[wf["group"] == "all"]
    assert total["opening"].iloc[0] == pytest.approx(6.0)  # C2 starts on 2027-01-04
    assert total["planned_leavers"].sum() > 0.9  # V3 leaves on 2027-01-15
    assert total["hires"].sum() >= 1.0


def test_no_hiring_keeps_the_supply_as_it_is(project: Path) -> None:
    code, out, err = invoke(project, "--no-hiring", "--view", "weekly", "--format", "json",
                            "--scenario", "high_attrition")
    assert code == 0, err
    weekly = pd.DataFrame(json.loads(out))
    assert np.allclose(weekly["available_fte"], weekly["available_fte_current"])
    total = weekly[weekly["group"] == "all"]
    assert total["required_fte"].sum() > 0
    assert (total["short_fte"] > 0).any()  # seven agents, and nobody hired


def test_plan_workbook_has_the_waterfall_chart_and_hiring_plan(project: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    code, stdout, err = invoke(project, "--output", str(out))
    assert code == 0, err
    assert stdout == ""
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Required vs available", "Waterfall", "Hiring plan",
                             "Monthly", "Weekly", "Demand"]
    header = [c.value for c in wb["Waterfall"][4]]
    assert header == ["scenario", "month", "group", "opening", "hires", "attrition",
                      "planned_leavers", "closing"]
    charts = wb["Required vs available"]._charts
    assert len(charts) == 3  # one per scenario
    hires = [c.value for c in wb["Hiring plan"][3]]
    assert hires[:5] == ["scenario", "group", "start", "size", "source"]
    assert wb["Hiring plan"].max_row > 3


def test_python_api_gives_the_same_plan_twice(project: Path) -> None:
    p = api.open_project(project)
    request = api.PlanRequest(weeks=int(WEEKS), scenarios=("base",))
    a, b = api.plan(p, request), api.plan(p, request)
    last = pd.read_csv(project / "sample" / "intervals.csv")["interval_start"].max()
    after = (date.fromisoformat(last[:10]) - a.horizon.start).days
    assert a.horizon.weeks == 16 and a.horizon.start.weekday() == 0 and -7 <= after < 0
    pd.testing.assert_frame_equal(a.tables().weekly, b.tables().weekly)
    assert a.plans[0].hiring == b.plans[0].hiring


@pytest.mark.parametrize(("args", "message"), [
    (("--scenario", "nope"), "scenario 'nope' is not in [[plan.scenarios]]; known: base, "
                             "growth, high_attrition"),
    (("--agents", "missing.csv"), "agents file not found"),
])
def test_bad_requests_are_one_line_errors(project: Path, args: tuple[str, ...],
                                          message: str) -> None:
    code, _, err = invoke(project, *args)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_start_must_be_a_monday(project: Path) -> None:
    code, _, err = invoke(project, "--start", "2025-02-11")
    assert code == 2 and "not a Monday" in err


# -- the demand: every interval staffed ------------------------------------------------------
TOML = """
[site]
timezone = "UTC"
[site.opening_hours]
mon = "08:00-20:00"
tue = "08:00-20:00"
wed = "08:00-20:00"
thu = "08:00-20:00"
fri = "08:00-20:00"
sat = "08:00-20:00"
sun = "closed"
[data]
interval_minutes = 30
[[queues]]
name = "q"
channel = "voice"
sl_target = 0.8
sl_threshold_s = 20
aht_s = 180
[staffing]
max_occupancy = 1.0
"""


def _one_week_forecast(calls: float) -> pd.DataFrame:
    starts = pd.date_range("2027-03-01", periods=7 * 48, freq="30min", tz="UTC")
    open_ = (starts.hour >= 8) & (starts.hour < 20) & (starts.day_of_week < 6)
    return pd.DataFrame({"queue": "q", "channel": "voice", "interval_start": starts,
                         "offered": np.where(open_, calls, 0.0), "aht_s": 180.0,
                         "model": "m"})


def test_each_interval_is_staffed_to_the_published_erlang_c_answer(tmp_path: Path) -> None:
    """100 calls in 30 minutes at 180 s: 14 agents for 80/20 and 15 for 90/20 (the
    classic table: 13 agents 79.6 %, 14 88.8 %, 15 94.2 %). Twelve open hours a day,
    Sunday closed: 14 x 12 = 168 productive agent-hours a day."""
    config = parse_config(TOML, tmp_path / "wfm.toml")
    horizon = PlanHorizon(date(2027, 3, 1), 1)
    base = scenario_demand(config, _one_week_forecast(100.0), horizon, Scenario())
    assert base.productive_h[0].tolist() == pytest.approx([168.0] * 6 + [0.0])
    assert base.offered[0, 0] == pytest.approx(100.0 * 24 * 6)
    assert base.handle_h[0, 0] == pytest.approx(100.0 * 24 * 6 * 180 / 3600)
    strict = scenario_demand(config, _one_week_forecast(100.0), horizon,
                             Scenario("strict", sl_target=0.9))
    assert strict.productive_h[0, 0] == pytest.approx(15 * 12.0)
    doubled = scenario_demand(config, _one_week_forecast(50.0), horizon,
                              Scenario("more", volume_factor=2.0))
    assert doubled.productive_h[0].tolist() == pytest.approx(base.productive_h[0].tolist())


def test_planner_adjustments_act_on_the_long_term_forecast(tmp_path: Path) -> None:
    """`wfm adjust` +50 % on voice_fr for the plan's second week: that week's voice_fr
    contacts grow by exactly half, every other week and queue is untouched."""
    root = make_project(tmp_path / "centre", store=True)
    p = api.open_project(root)
    request = api.PlanRequest(weeks=3, scenarios=("base",), hire=False)
    before = api.plan(p, request)
    week2 = before.horizon.start + timedelta(days=7)
    api.add_adjustment(p, api.AdjustRequest("voice_fr", week2, week2 + timedelta(days=6),
                                            volume="+50%", reason="spring campaign"))
    after = api.plan(api.open_project(root), request)
    d0 = before.tables().demand.set_index(["week_start", "queue"])["offered"]
    d1 = after.tables().demand.set_index(["week_start", "queue"])["offered"]
    ratio = d1 / d0
    assert ratio[(week2.isoformat(), "voice_fr")] == pytest.approx(1.5, rel=1e-9)
    others = ratio.drop((week2.isoformat(), "voice_fr"))
    assert np.allclose(others.dropna().to_numpy(), 1.0)
    assert any("applied to the forecast" in n for n in after.notes)


def test_plan_html_page_holds_both_charts_offline_and_is_reproducible(project: Path,
                                                                      tmp_path: Path) -> None:
    """`--html`: one page, the FTE and waterfall charts inline (no script, nothing to
    fetch), the same bytes twice; the waterfall's bars are the plan's own figures."""
    from wfm.pipeline import open_project
    from wfm.pipeline.plan_job import PlanRequest, plan
    from wfm.reports.plan_html import waterfall_figure

    pages = [tmp_path / "a.html", tmp_path / "b.html"]
    for page in pages:
        code, _, err = invoke(project, "--html", str(page), "--format", "csv")
        assert code == 0, err
        assert f"wrote {page}" in err
    text = pages[0].read_text(encoding="utf-8")
    assert pages[0].read_bytes() == pages[1].read_bytes()
    assert text.count('<figure class="chart"') == 2
    assert 'data-chart="fte"' in text and 'data-chart="waterfall"' in text
    assert text.count("<svg") == 2 and "<script" not in text and "http://" not in text \
        .replace("http://www.w3.org/", "")
    result = plan(open_project(project / "wfm.toml"), PlanRequest(weeks=int(WEEKS)))
    tables = result.tables()
    for name in tables.summary["scenario"]:
        assert f">{name}<" in text  # a panel (and a table row) per scenario
    figure = waterfall_figure(tables.waterfall)
    total = tables.waterfall[(tables.waterfall["group"] == "all")
                             & (tables.waterfall["scenario"] == "base")]
    bars = [p.get_height() for p in figure.axes[0].patches]
    assert len(bars) == 3 * len(total)
    assert np.allclose(bars[:len(total)], total["hires"])
    assert np.allclose(bars[len(total):2 * len(total)], -total["attrition"])


def test_plan_html_needs_an_html_name(project: Path, tmp_path: Path) -> None:
    code, _, err = invoke(project, "--html", str(tmp_path / "plan.pdf"))
    assert code == 1
    assert "plan.pdf: the plan page needs an .html name" in err and "Traceback" not in err
