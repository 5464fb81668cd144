"""The scheduling benchmarks still run (``--quick`` sizes) and their figures hold together."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_schedule_agents as agents_bench  # noqa: E402
import bench_schedule_weekly as weekly  # noqa: E402
import schedule_instances as si  # noqa: E402

from wfm.scheduling.solver_params import SolverParams  # noqa: E402


@pytest.fixture(scope="module")
def quick_week() -> si.SingleSkillWeek:
    return si.single_skill_week(1, quick=True)


def test_quick_weekly_bench_objective_is_above_its_lp_bound(capsys: pytest.CaptureFixture[str]):
    out = weekly.main(["--quick", "--no-pyworkforce", "--time-limit", "3", "--workers", "1",
                       "--hogs", "0"])
    ours = out["wfm"]
    assert isinstance(ours, dict)
    assert ours["objective"] >= ours["lp_bound"] - 1e-6
    assert 0.0 <= ours["gap"] < 1.0
    # the figures recomputed from the plan's coverage are the plan's own objective
    assert ours["objective"] == pytest.approx(ours["objective_plan"])
    printed = capsys.readouterr().out
    assert "stage (a): status" in printed
    assert f"LP bound {ours['lp_bound']:.2f}" in printed
    assert "pyworkforce cannot express:" in printed


def test_required_array_puts_each_interval_in_its_slot(quick_week: si.SingleSkillWeek):
    res_catalog = weekly.build_catalog(si.WEEK, weekly.ZoneInfo(si.TZ), quick_week.rules, 15)
    req = si.required_array(quick_week.requirements, ["voice"], res_catalog.grid)
    frame = quick_week.requirements
    assert req.sum() == int(frame["agents_required"].sum())
    # Monday 07:00 local (Paris, summer) is 05:00 UTC: slot 28 of the week
    assert req[0, 27] == 0
    assert req[0, 28] == frame["agents_required"].iloc[28] > 0


def test_pyworkforce_patterns_hold_their_breaks_and_score_back(quick_week: si.SingleSkillWeek):
    catalog = weekly.build_catalog(si.WEEK, weekly.ZoneInfo(si.TZ), quick_week.rules, 15)
    required = si.required_array(quick_week.requirements, ["voice"], catalog.grid)
    data, patterns = weekly.pyworkforce_input(quick_week, required, SolverParams(1.0, 1, 0))
    arr8, paid8 = patterns["8h_0900"]
    # 8 h = 32 periods minus two 15-min breaks and a 30-min lunch = 28 on the phone
    assert arr8.sum() == 28
    assert arr8[:36].sum() == 0
    assert arr8[36] == 1
    assert paid8 == 7.5
    assert patterns["4h_0700"][0].sum() == 15
    assert data["cost"]["8h_0900"] == 30  # paid quarter-hours
    answer = {"resources_shifts": [{"day": 0, "shift": "8h_0900", "resources": 3},
                                   {"day": 2, "shift": "4h_0700", "resources": 2},
                                   {"day": 1, "shift": "6h_1000", "resources": 0}]}
    scheduled, paid_h = weekly.score_pyworkforce(answer, patterns)
    assert paid_h == 3 * 7.5 + 2 * 4.0
    assert scheduled.shape == (1, 7 * 96)
    assert scheduled.sum() == 3 * 28 + 2 * 15
    assert scheduled[0, 96:2 * 96].sum() == 0


def test_coverage_figures_count_short_and_excess_hours():
    rules = si.bench_rules()
    fig = weekly.coverage_figures(np.array([[3, 1, 2, 0]]), np.array([[2, 2, 2, 1]]), 10.0,
                                  rules)
    assert fig == {"paid_h": 10.0, "under_h": 0.5, "over_h": 0.25,
                   "objective": 10.0 + 0.5 * rules.understaffing_weight}


def test_quick_named_agents_bench_roster_is_checked_and_above_the_bound(
        capsys: pytest.CaptureFixture[str]):
    # The bench schedules the week as is, then again beside two CPU hogs: under a
    # deterministic budget both runs give the same roster, however loaded the machine is
    # (this checks results, not speed).
    as_is, loaded = agents_bench.main(["--quick", "--only", "named", "--time-limit", "10",
                                       "--workers", "2", "--hogs", "2"])
    assert (as_is["condition"], loaded["condition"]) == ("as is", "2 CPU hogs")
    for res in (as_is, loaded):
        assert res["agents"] == 40
        assert res["roster_rows"] == 40 * 7
        assert res["objective"] >= res["lp_bound"] - 1e-6
        assert res["violations"] == 0  # the roster keeps every hard rule the checker knows
        assert res["paid_h"] > 0
        assert res["under_h"] <= res["required_h"]
        assert res["reproducible"]  # no call was stopped by the wall-clock net
    assert loaded["roster_sha256"] == as_is["roster_sha256"]
    assert loaded["intervals_sha256"] == as_is["intervals_sha256"]
    assert loaded["objective"] == as_is["objective"]
    printed = capsys.readouterr().out
    assert f"checker: {as_is['violations']} violations" in printed
    assert "== named (as is): 40 agents" in printed
    assert "byte-identical" in printed
