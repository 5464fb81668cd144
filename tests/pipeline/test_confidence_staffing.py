"""`wfm staff` to a confidence level ([staffing] confidence), on the sample centre.

The acceptance of issue 16, item 3: the voice, chat and email queues of the sample,
staffed for 0.8, meet their target on 78-90 % of simulated days (email: weeks, its
target period; see docs/staffing.md), checked on replications independent of the sizing
(another seed), with the extra agent-hours over plain staffing reported. The test runs a
reduced case — a quarter of sample history, a 7-day forecast with two cheap models, 100
sizing replications — and allows 0.03 either side for the sizing noise of 100
replications on 6 days; bench/confidence_sample.py gives the full figure.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from pipeline_project import make_project

from wfm.cli.main import cli
from wfm.config.model import load_config
from wfm.config.simulation import simulation_queues
from wfm.errors import ConfigError
from wfm.pipeline import ForecastRequest, StaffRequest, forecast, open_project, staff
from wfm.pipeline.confidence_staffing import forecast_horizon, forecast_uncertainty
from wfm.pipeline.staff_job import queue_confidence
from wfm.simulation.centre import SimOptions
from wfm.simulation.confidence import p_target_met
from wfm.simulation.head_counts import whole_agents_cumulative
from wfm.simulation.inputs import demand_from_frame, requirement_grid

QUEUES = ("chat_fr", "email_fr", "voice_en", "voice_fr")
TOLERANCE = 0.03


def _edit(root: Path, pattern: str, new: str) -> None:
    path = root / "wfm.toml"
    text, n = re.subn(pattern, new, path.read_text(encoding="utf-8"))
    assert n == 1, pattern
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = make_project(tmp_path_factory.mktemp("confidence") / "centre", store=True)
    _edit(root, r"(?m)^backtest_cutoffs = \d+", "backtest_cutoffs = 4")
    project = open_project(root)
    made = forecast(project, ForecastRequest(horizon="7d"))
    plain = staff(project, StaffRequest(output_dir=root / "plain"))
    lines: list[str] = []
    sized = staff(project, StaffRequest(confidence=0.8), progress=lines.append)
    return {"project": project, "forecast": made, "plain": plain, "sized": sized,
            "lines": lines}


def _share_met(sample: dict[str, object], queue: str, requirements: Path) -> float:
    """Share of independent simulated days (weeks for deferred work) meeting the target
    with the productive agents of ``requirements``: seed 2026, 400 replications, the
    forecast's day-level dispersion from its manifest."""
    project = sample["project"]
    made = sample["forecast"]
    cfg = project.config  # type: ignore[attr-defined]
    frame = made.forecast.forecast  # type: ignore[attr-defined]
    manifest = json.loads((made.folder / "manifest.json").read_text())  # type: ignore[attr-defined]
    rows = frame[frame["queue"] == queue]
    horizon = forecast_horizon(frame, cfg)
    q = simulation_queues(cfg, [queue], horizon.starts)[0]
    demand = demand_from_frame(rows, [queue], horizon)
    channel = rows["channel"].iloc[0]
    day_cv2 = manifest["series"][f"{queue}/{channel}"]["day_cv2"]
    demand = type(demand)(demand.interval_s, demand.volume, demand.aht_s, demand.day_index,
                          rate_sd=math.sqrt(day_cv2) * demand.volume)
    req = pd.read_csv(requirements)
    req["interval_start"] = pd.to_datetime(req["interval_start"], utc=True, format="ISO8601")
    agents = requirement_grid(req, [queue], horizon, column="agents_productive")[0]
    period = horizon.day_index // 7 if q.deferred else horizon.day_index
    # Whole agents: the sized staffing is; the plain deferred plan is fractional and
    # rounded as the sizing rounds it (its running total up).
    whole = whole_agents_cumulative(agents) if q.deferred else agents
    p = p_target_met(q, demand, whole, SimOptions(400, seed=2026, workers=2), period)
    return float(np.nanmean(p))


@pytest.mark.slow
@pytest.mark.parametrize("queue", QUEUES)
def test_the_target_is_met_on_about_the_confidence_share_of_days(
        sample: dict[str, object], queue: str) -> None:
    sized, plain = sample["sized"], sample["plain"]
    p = _share_met(sample, queue, sized.folder / "requirements.csv")  # type: ignore[attr-defined]
    print(f"{queue}: sized {p:.3f}")  # shown with -s
    assert 0.78 - TOLERANCE <= p <= 0.90 + TOLERANCE, (queue, p)
    p_plain = _share_met(sample, queue, plain.folder / "requirements.csv")  # type: ignore[attr-defined]
    daily = sized.daily  # type: ignore[attr-defined]
    rows = daily[daily["queue"] == queue]
    extra = float(rows["extra_agent_hours"].sum())
    print(f"{queue}: plain {p_plain:.3f}, extra {extra:+.1f} agent-h")
    # The confidence costs hours where plain staffing meets the target too rarely and
    # saves them where it meets it more often than asked (live queues, whose plain
    # staffing is whole agents already).
    if queue != "email_fr" and p_plain < 0.78:
        assert extra > 0, (queue, p_plain, extra)
    if queue != "email_fr" and p_plain > 0.90:
        assert extra < 0, (queue, p_plain, extra)
    plain_daily = plain.daily  # type: ignore[attr-defined]
    assert rows["agent_hours_plain"].sum() == pytest.approx(
        plain_daily[plain_daily["queue"] == queue]["agent_hours_scheduled"].sum())
    assert extra == pytest.approx(rows["agent_hours_scheduled"].sum()
                                  - rows["agent_hours_plain"].sum())


@pytest.mark.slow
def test_whole_agents_reported_cost_and_manifest(sample: dict[str, object]) -> None:
    sized = sample["sized"]
    req = sized.requirements  # type: ignore[attr-defined]
    assert np.all(req["agents_productive"] == np.round(req["agents_productive"]))
    assert req["method"].str.endswith("+confidence").all()
    written = pd.read_csv(sized.folder / "daily.csv")  # type: ignore[attr-defined]
    assert {"confidence", "load_factor", "p_target_met", "agent_hours_plain",
            "extra_agent_hours"} <= set(written.columns)
    manifest = json.loads((sized.folder / "manifest.json").read_text())  # type: ignore[attr-defined]
    entry = manifest["confidence"]
    assert sorted(entry) == list(QUEUES)
    assert entry["email_fr"]["period"] == "week" and entry["voice_fr"]["period"] == "day"
    assert entry["voice_fr"]["uncertainty"].startswith("forecast manifest: day_cv2")
    assert entry["chat_fr"]["extra_agent_hours"] == pytest.approx(
        float(written[written["queue"] == "chat_fr"]["extra_agent_hours"].sum()), abs=1e-3)
    lines = sample["lines"]
    assert any(line.startswith("sizing voice_fr to confidence 0.8 by day (100 simulated")
               for line in lines)  # type: ignore[union-attr]
    described = sized.confidence_lines()  # type: ignore[attr-defined]
    assert any(line.startswith("email_fr: confidence 0.8 by week: ") for line in described)
    assert all("agent-hours scheduled over plain staffing" in line for line in described)


def test_confidence_keys_are_checked_and_a_queue_overrides(project: Path) -> None:
    text = (project / "wfm.toml").read_text(encoding="utf-8")
    (project / "wfm.toml").write_text(text.replace(
        "[staffing]\n", "[staffing]\nconfidence = 80\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"confidence.*80.*\(0, 1\)"):
        load_config(project / "wfm.toml")
    (project / "wfm.toml").write_text(text.replace(
        "[staffing]\n", "[staffing]\nconfidence = 0.8\n", 1).replace(
        'name = "chat_fr"\n', 'name = "chat_fr"\nconfidence = 0.9\n', 1), encoding="utf-8")
    cfg = load_config(project / "wfm.toml")
    assert queue_confidence(cfg) == {"voice_fr": 0.8, "voice_en": 0.8, "chat_fr": 0.9,
                                     "email_fr": 0.8}
    assert set(queue_confidence(cfg, 0.7).values()) == {0.7}
    r = CliRunner().invoke(cli, ["staff", "--confidence", "1.5"])
    assert r.exit_code == 2 and "1.5" in r.output


def test_the_uncertainty_comes_from_the_manifest_else_the_interval() -> None:
    frame = pd.DataFrame({"queue": ["q"], "channel": ["voice"], "offered": [10.0],
                          "offered_lo_80": [6.0], "offered_hi_80": [14.0]})
    facts = {"q/voice": {"day_cv2": 0.01, "intraday_cv2": 0.02, "intraday_corr": 0.5}}
    u = forecast_uncertainty(facts, frame, "q", "voice")
    assert (u.day_cv2, u.intraday_cv2, u.intraday_corr, u.interval_level) == (
        0.01, 0.02, 0.5, None)
    fallback = forecast_uncertainty({}, frame, "q", "voice")
    assert fallback.interval_level == 0.8 and "80 % prediction interval" in fallback.source
    none = forecast_uncertainty({}, frame.drop(columns=["offered_lo_80"]), "q", "voice")
    assert none.interval_level is None and none.day_cv2 == 0.0
    assert none.source.startswith("none")


def test_staff_command_prints_the_cost(project: Path) -> None:
    """A small forecast file without a manifest: the 80 % interval stands in for the
    forecast's error; the command prints one line per queue with its cost."""
    starts = pd.date_range("2026-01-05 08:00", periods=16, freq="15min", tz="Europe/Paris")
    offered = np.full(16, 30.0)
    pd.DataFrame({"queue": "voice_fr", "channel": "voice",
                  "interval_start": [t.isoformat() for t in starts], "offered": offered,
                  "aht_s": 300.0, "model": "test", "offered_lo_80": offered - 9.0,
                  "offered_hi_80": offered + 9.0}).to_csv(project / "fc.csv", index=False)
    text = (project / "wfm.toml").read_text(encoding="utf-8")
    (project / "wfm.toml").write_text(text.replace(
        "[staffing]\n", "[staffing]\nconfidence_replications = 40\n", 1), encoding="utf-8")
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out",
                                 "--confidence", "0.9"])
    assert r.exit_code == 0, r.output
    assert "sizing voice_fr to confidence 0.9 by day (40 simulated replications" in r.output
    line = next(x for x in r.output.splitlines() if x.startswith("voice_fr: confidence 0.9"))
    daily = pd.read_csv(project / "out" / "daily.csv")
    extra = float(daily["extra_agent_hours"].iloc[0])
    assert f"{extra:+,.1f} agent-hours scheduled over plain staffing" in line
    # 9 contacts either side at 80 % is far wider than Poisson noise around 30: staffing
    # for 0.9 of such days costs hours.
    assert extra > 0
    assert daily["p_target_met"].iloc[0] >= 0.9 > daily["p_target_met_plain"].iloc[0]


def test_the_run_staff_step_sizes_with_the_forecast_made_in_the_same_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`wfm run --steps forecast,staff` with one queue's `confidence`: the forecast's
    manifest is not written yet when the staff step runs; its dispersion facts come from
    the run's record."""
    root = make_project(tmp_path / "centre", store=True)
    _edit(root, r'(?m)^name = "voice_en"\n', 'name = "voice_en"\nconfidence = 0.8\n')
    _edit(root, r"(?m)^\[staffing\]\n", "[staffing]\nconfidence_replications = 30\n")
    monkeypatch.chdir(root)
    r = CliRunner().invoke(cli, ["run", "--steps", "forecast,staff"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((root / "requirements" / "latest" / "manifest.json").read_text())
    entry = manifest["confidence"]
    assert list(entry) == ["voice_en"] and entry["voice_en"]["replications"] == 30
    assert entry["voice_en"]["uncertainty"].startswith("forecast manifest: day_cv2")
    req = pd.read_csv(root / "requirements" / "latest" / "requirements.csv")
    methods = req.groupby("queue")["method"].first()
    assert methods["voice_en"].endswith("+confidence")
    assert not methods.drop("voice_en").str.contains("confidence").any()
