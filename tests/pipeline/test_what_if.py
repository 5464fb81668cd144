"""`wfm what-if` (issue 20 item 2): scenarios side by side with the baseline.

Numbers are checked against independent references: the baseline against `wfm staff`'s
daily.csv, a +10 % volume scenario against staffing computed directly on a forecast
scaled by 1.1, a target/AHT/shrinkage/concurrency scenario against a textbook Erlang C
written here, deferred work against the homogeneity of the backlog plan.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from pipeline_project import latest, make_project

from wfm.cli.main import cli
from wfm.config import load_config
from wfm.config.staffing import staffing_inputs
from wfm.pipeline.run_folders.files import read_forecast
from wfm.staffing.requirements import staff_forecast

PARIS = ZoneInfo("Europe/Paris")
COLUMNS = ["queue", "week", "days", "scenario", "agent_hours_productive",
           "agent_hours_scheduled", "fte", "delta_agent_hours", "delta_fte", "fte_change"]


def wfm(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), *args])


def table(res: Result) -> pd.DataFrame:
    assert res.exit_code == 0, res.output
    return pd.read_csv(io.StringIO(res.stdout))


# -- the sample centre ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project (starter wfm.toml: its two scenarios) with a 14-day forecast and
    `wfm staff`'s requirements."""
    proj = make_project(tmp_path_factory.mktemp("whatif") / "centre", store=True)
    text = (proj / "wfm.toml").read_text().replace('horizon = "7d"', 'horizon = "14d"')
    (proj / "wfm.toml").write_text(text)
    assert wfm(proj, "run", "--steps", "forecast,staff").exit_code == 0
    return proj


def weekly_reference(daily: pd.DataFrame, hours_per_fte: float) -> pd.DataFrame:
    """Sum a daily.csv by queue and Monday-based week, the FTE of the days covered."""
    day = pd.to_datetime(daily["date"])
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    out = daily.assign(week=week).groupby(["queue", "week"]).agg(
        days=("date", "count"), hours=("agent_hours_scheduled", "sum"))
    out["fte"] = out["hours"] / (hours_per_fte * out["days"] / 7)
    return out


def test_baseline_is_what_wfm_staff_wrote(sample: Path) -> None:
    frame = table(wfm(sample, "what-if", "--format", "csv"))
    assert list(frame.columns) == COLUMNS
    assert list(dict.fromkeys(frame["scenario"])) == ["baseline", "volume_up_10",
                                                      "voice_90_20"]
    daily = pd.read_csv(sample / "requirements" / "latest" / "daily.csv")
    ref = weekly_reference(daily, 35.0)
    base = frame[(frame["scenario"] == "baseline") & (frame["queue"] != "all queues")]
    assert len(base) == len(ref) == 4 * 2
    for _, row in base.iterrows():
        expected = ref.loc[(row["queue"], row["week"])]
        assert row["days"] == expected["days"] == 7
        assert row["agent_hours_scheduled"] == pytest.approx(expected["hours"], abs=1e-3)
        assert row["fte"] == pytest.approx(expected["fte"], abs=1e-3)
    assert (base[["delta_agent_hours", "delta_fte", "fte_change"]] == 0).all().all()
    totals = frame[(frame["scenario"] == "baseline") & (frame["queue"] == "all queues")]
    for _, row in totals.iterrows():
        week = ref.xs(row["week"], level="week")
        assert row["agent_hours_scheduled"] == pytest.approx(week["hours"].sum(), abs=1e-2)


def test_ten_percent_more_volume_is_the_staffing_of_a_scaled_forecast(sample: Path) -> None:
    frame = table(wfm(sample, "what-if", "--scenario", "volume_up_10", "--format", "csv"))
    assert set(frame["scenario"]) == {"baseline", "volume_up_10"}
    cfg = load_config(sample / "wfm.toml")
    forecast = read_forecast(sample / "forecasts" / "latest")
    scaled = forecast.copy()
    for col in ("offered", "offered_lo_80", "offered_hi_80", "offered_lo_95",
                "offered_hi_95"):
        scaled[col] = scaled[col] * 1.1
    _, daily = staff_forecast(scaled, staffing_inputs(cfg, range(2025, 2028)))
    ref = weekly_reference(daily, cfg.staffing.hours_per_fte)
    rows = frame[(frame["scenario"] == "volume_up_10") & (frame["queue"] != "all queues")]
    assert len(rows) == 8
    for _, row in rows.iterrows():
        expected = ref.loc[(row["queue"], row["week"])]
        assert row["agent_hours_scheduled"] == pytest.approx(expected["hours"], abs=1e-3)
        assert row["fte"] == pytest.approx(expected["fte"], abs=1e-3)
    # More contacts never need fewer agents; the backlog plan of email is homogeneous in
    # the volume (same deadlines, every item 1.1 times as many), so its hours scale exactly.
    assert (rows["delta_agent_hours"] > 0).all()
    email = rows[rows["queue"] == "email_fr"]
    assert email["fte_change"].to_numpy() == pytest.approx(0.1, abs=1e-4)
    hot = rows[rows["queue"] != "email_fr"]
    assert (hot["fte_change"] < 0.1).all()  # economies of scale of Erlang C/A


def test_a_what_if_publishes_nothing(sample: Path) -> None:
    before = {area: latest(sample, area) for area in ("forecasts", "requirements")}
    listing = sorted(p.name for p in sample.rglob("*"))
    table(wfm(sample, "what-if", "--volume", "+20%", "--format", "csv"))
    assert {area: latest(sample, area) for area in before} == before
    assert sorted(p.name for p in sample.rglob("*")) == listing


def test_every_format(sample: Path) -> None:
    text = wfm(sample, "what-if", "--format", "table")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].startswith("What-if staffing of ")
    assert ("  volume_up_10 (10 % more contacts on every queue): voice_fr: volume +10%; "
            "voice_en: volume +10%; chat_fr: volume +10%; email_fr: volume +10%") in lines
    assert ("  voice_90_20 (90 % answered within 20 s on the voice queues): voice_fr: "
            "sl_target 0.9, sl_threshold_s 20; voice_en: sl_target 0.9, sl_threshold_s 20"
            ) in lines
    records = json.loads(wfm(sample, "what-if", "--format", "json").stdout)
    assert len(records) == 5 * 2 * 3 and set(records[0]) == set(COLUMNS)
    out = sample / "what-if.xlsx"
    res = wfm(sample, "what-if", "--output", str(out))
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out)
    sheet = book["Report"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows.index(COLUMNS)
    body = [r for r in rows[header + 1:] if r[0] is not None]
    assert len(body) == 30
    csv = table(wfm(sample, "what-if", "--format", "csv"))
    assert [r[6] for r in body] == pytest.approx(csv["fte"].tolist(), abs=1e-9)
    chart_sheet = book["Chart"]
    assert len(chart_sheet._charts) == 1
    chart_rows = [[c.value for c in r] for r in chart_sheet.iter_rows() if r[0].value]
    assert chart_rows[0] == ["week", "baseline", "volume_up_10", "voice_90_20"]
    totals = csv[csv["queue"] == "all queues"]
    first = totals[totals["week"] == chart_rows[1][0]].set_index("scenario")["fte"]
    assert chart_rows[1][1:] == pytest.approx([first["baseline"], first["volume_up_10"],
                                               first["voice_90_20"]], abs=1e-9)


def test_help_has_an_example() -> None:
    res = CliRunner().invoke(cli, ["what-if", "--help"])
    assert res.exit_code == 0 and "wfm what-if --scenario volume_up_10" in res.output
    listing = CliRunner().invoke(cli, ["--help"])
    assert "what-if" in listing.output


# -- a hand-made centre against a textbook Erlang C ----------------------------------------

CONFIG = """\
[site]
name = "Test"
timezone = "Europe/Paris"
[site.opening_hours]
mon = "08:00-20:00"
tue = "08:00-20:00"
wed = "08:00-20:00"
thu = "08:00-20:00"
fri = "08:00-20:00"
sat = "08:00-20:00"
sun = "08:00-20:00"
[data]
interval_minutes = 15
[[queues]]
name = "voice_fr"
channel = "voice"
sl_target = 0.80
sl_threshold_s = 20
aht_s = 300
[[queues]]
name = "chat_fr"
channel = "chat"
sl_target = 0.80
sl_threshold_s = 60
aht_s = 600
concurrency = 2
[staffing]
shrinkage = 0.30
max_occupancy = 0.95
hours_per_fte = 35.0
[[scenarios]]
name = "tight"
sl_target = 0.90
shrinkage = 0.35
aht_s = 330
[scenarios.by_queue.chat_fr]
concurrency = 3
aht_s = "x1.1"
"""


def textbook_agents(load: float, aht_s: float, target: float, threshold_s: float,
                    max_occupancy: float) -> int:
    """The fewest agents with SL = 1 - C(n, A) exp(-(n - A) t / AHT) >= target and
    A / n <= the cap; C from the Erlang B recursion (Kleinrock, Queueing Systems I)."""
    if load <= 0:
        return 0
    n = math.floor(load) + 1
    while True:
        b = 1.0
        for k in range(1, n + 1):
            b = load * b / (k + load * b)
        c = n * b / (n - load * (1 - b))
        sl = 1 - c * math.exp(-(n - load) * threshold_s / aht_s)
        if sl >= target and load <= max_occupancy * n:
            return n
        n += 1


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    """Eight days (Mon 16 to Mon 23 Nov 2026) of a voice and a chat queue, 08:00-20:00."""
    (tmp_path / "wfm.toml").write_text(CONFIG)
    starts = pd.date_range("2026-11-16", "2026-11-24", freq="15min", tz=PARIS,
                           inclusive="left")
    clock = (starts.hour * 60 + starts.minute).to_numpy()
    open_ = (clock >= 480) & (clock < 1200)
    shape = np.sin(np.pi * (clock - 480) / 720).clip(0)
    rows = []
    for queue, level, aht in (("voice_fr", 60.0, 300.0), ("chat_fr", 25.0, 600.0)):
        offered = np.where(open_, np.round(2 + level * shape * (1 + 0.1 * starts.day_of_week), 3),
                           0.0)
        rows.append(pd.DataFrame({
            "queue": queue, "channel": "voice" if queue == "voice_fr" else "chat",
            "interval_start": [t.isoformat() for t in starts], "offered": offered,
            "aht_s": aht + 10 * (np.arange(len(starts)) % 3), "model": "hand"}))
    pd.concat(rows).to_csv(tmp_path / "forecast.csv", index=False)
    return tmp_path


def test_targets_aht_shrinkage_and_concurrency_against_a_textbook_erlang_c(
        handmade: Path) -> None:
    frame = table(wfm(handmade, "what-if", "--forecast", str(handmade / "forecast.csv"),
                      "--format", "csv"))
    fc = pd.read_csv(handmade / "forecast.csv")
    fc["week"] = np.where(fc["interval_start"].str[:10] < "2026-11-23", "2026-11-16",
                          "2026-11-23")
    plans = {  # queue: (baseline aht, sl, shrinkage, concurrency), (scenario ...)
        "voice_fr": ((None, 0.80, 0.30, 1, 20), (330.0, 0.90, 0.35, 1, 20)),
        "chat_fr": ((None, 0.80, 0.30, 2, 60), ("x1.1", 0.90, 0.35, 3, 60)),
    }
    for queue, variants in plans.items():
        for scenario, (aht, sl, shrink, k, t) in zip(("baseline", "tight"), variants,
                                                     strict=True):
            rows = fc[fc["queue"] == queue]
            ahts = rows["aht_s"].to_numpy(float)
            if aht == "x1.1":
                ahts = ahts * 1.1
            elif aht is not None:
                ahts = np.full(len(rows), aht)
            loads = rows["offered"].to_numpy(float) * ahts / 900.0
            agents = np.array([math.ceil(textbook_agents(a, h, sl, t, 0.95) / k)
                               for a, h in zip(loads, ahts, strict=True)])
            hours = pd.Series(agents * 0.25 / (1 - shrink)).groupby(
                rows["week"].to_numpy()).sum()
            got = frame[(frame["queue"] == queue) & (frame["scenario"] == scenario)]
            assert got["week"].tolist() == ["2026-11-16", "2026-11-23"]
            assert got["days"].tolist() == [7, 1]
            assert got["agent_hours_scheduled"].to_numpy() == pytest.approx(
                hours.to_numpy(), abs=1e-3), (queue, scenario)
            # A week cut short counts the FTE present through its days.
            assert got["fte"].to_numpy() == pytest.approx(
                hours.to_numpy() / (35.0 * np.array([7, 1]) / 7), abs=1e-3)


def test_patience_switches_to_erlang_a(handmade: Path) -> None:
    """Callers who hang up need fewer agents for the same target (Erlang A answers below
    Erlang C); the figure is the staffing of a queue configured with that patience."""
    fc = str(handmade / "forecast.csv")
    frame = table(wfm(handmade, "what-if", "--forecast", fc, "--patience", "60",
                      "--queue", "voice_fr", "--format", "csv"))
    voice = frame[frame["queue"] == "voice_fr"].set_index(["week", "scenario"])
    for week in ("2026-11-16", "2026-11-23"):
        assert voice.loc[(week, "command_line"), "agent_hours_scheduled"] < \
            voice.loc[(week, "baseline"), "agent_hours_scheduled"]
    chat = frame[frame["queue"] == "chat_fr"]
    assert (chat["delta_agent_hours"] == 0).all()  # --queue kept the change on voice
    text = (handmade / "wfm.toml").read_text().replace('aht_s = 300\n',
                                                       'aht_s = 300\npatience_s = 60\n', 1)
    (handmade / "wfm.toml").write_text(text)
    configured = table(wfm(handmade, "what-if", "--forecast", fc, "--format", "csv",
                           "--volume", "+0%"))
    base = configured[(configured["queue"] == "voice_fr")
                      & (configured["scenario"] == "baseline")]
    assert base["agent_hours_scheduled"].tolist() == pytest.approx(
        voice.xs("command_line", level="scenario")["agent_hours_scheduled"].tolist())


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--scenario", "peak"], "scenario 'peak' is not in [[scenarios]]; known: volume_up_10, "
                             "voice_90_20"),
    (["--volume", "lots"], "wfm what-if: [options] volume = 'lots' is not valid; accepted: a "
                           "change such as +10%, -5% or x1.1"),
    (["--volume", "1200"], "[options] volume = '1200' is not valid"),
    (["--target", "90"], "--target '90' is not valid; accepted: PERCENT/SECONDS"),
    (["--shrinkage", "1.2"], "[options] shrinkage = 1.2 is not valid; accepted: a number in "
                             "[0, 1)"),
    (["--concurrency", "3", "--queue", "voice_fr"],
     "[options] concurrency = 3 is not valid; accepted: a key that fits one of its queues "
     "(voice_fr): concurrency is for chat/messaging queues"),
    (["--queue", "voice_fr"], "--queue limits a change given on the command line"),
    (["--confidence", "1", "--queue", "voice_fr"],
     "[options] confidence = 1.0 is not valid; accepted: a number in (0, 1)"),
    (["--volume", "+5%", "--queue", "voice_de"], "[options] queues = ['voice_de'] is not "
                                                 "valid; accepted: queues of [[queues]]"),
])
def test_bad_options_are_one_line(sample: Path, args: list[str], message: str) -> None:
    res = wfm(sample, "what-if", *args)
    assert res.exit_code == 1, res.output
    assert message in res.output and "Traceback" not in res.output


def test_no_scenario_at_all(handmade: Path) -> None:
    text = (handmade / "wfm.toml").read_text()
    (handmade / "wfm.toml").write_text(text[:text.index("[[scenarios]]")])
    res = wfm(handmade, "what-if", "--forecast", str(handmade / "forecast.csv"))
    assert res.exit_code == 1
    assert "no scenario to compare: [[scenarios]] is empty" in res.output
    assert "hint: add a [[scenarios]] table" in res.output


def test_without_a_forecast(tmp_path: Path) -> None:
    (tmp_path / "wfm.toml").write_text(CONFIG)
    res = wfm(tmp_path, "what-if")
    assert res.exit_code == 1
    assert "no forecast to staff: forecasts/latest does not exist" in res.output


# -- confidence level (issue 20 item 2, with issue 16's sizing) -------------------------------

def test_a_confidence_scenario_is_what_wfm_staff_confidence_publishes(sample: Path,
                                                                     tmp_path: Path) -> None:
    """A scenario staffing voice_fr to 0.9 equals `wfm staff --confidence 0.9` on the same
    forecast (the simulation's sizing, not re-derived here); it costs hours over the
    baseline, and the other queues keep the baseline's rows."""
    text = (sample / "wfm.toml").read_text()
    assert "\n[staffing]\n" in text
    fast = sample / "wfm-fast-confidence.toml"  # the same project, fewer replications
    fast.write_text(text.replace("\n[staffing]\n",
                                 "\n[staffing]\nconfidence_replications = 30\n", 1))
    forecast = str(sample / "forecasts" / "latest")
    res = CliRunner().invoke(cli, ["--config", str(fast), "what-if", "--confidence", "0.9",
                                   "--queue", "voice_fr", "--forecast", forecast,
                                   "--format", "csv"])
    frame = table(res)
    out = tmp_path / "staffed"
    staffed = CliRunner().invoke(cli, ["--config", str(fast), "staff", "--forecast", forecast,
                                       "--confidence", "0.9", "--output-dir", str(out)])
    assert staffed.exit_code == 0, staffed.output
    ref = weekly_reference(pd.read_csv(out / "daily.csv"), 35.0)
    scenario = frame[(frame["scenario"] == "command_line") & (frame["queue"] == "voice_fr")]
    base = frame[(frame["scenario"] == "baseline") & (frame["queue"] == "voice_fr")]
    assert len(scenario) == 2
    for (_, row), (_, plain) in zip(scenario.iterrows(), base.iterrows(), strict=True):
        assert row["agent_hours_scheduled"] == pytest.approx(
            ref.loc[("voice_fr", row["week"]), "hours"], abs=1e-3)
        assert row["agent_hours_scheduled"] != pytest.approx(plain["agent_hours_scheduled"])
    others = frame[(frame["queue"] != "voice_fr") & (frame["queue"] != "all queues")]
    for q in set(others["queue"]):
        rows = others[others["queue"] == q].set_index(["week", "scenario"])
        assert (rows.xs("command_line", level="scenario")["agent_hours_scheduled"].tolist()
                == rows.xs("baseline", level="scenario")["agent_hours_scheduled"].tolist())
