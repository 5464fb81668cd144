"""`wfm forecast adjust` (add, list, remove) and `wfm forecast` applying the adjustments:
outputs read back in every format, forecast.csv and the manifest, every bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from forecast_synthetic import make_history

from wfm.cli.main import cli
from wfm.io.store import write_intervals

#: History ends Sunday 16 March 2025; forecasts start Monday 17 March (Europe/Paris).
ADD_VOICE = ["--queue", "voice_fr", "--from", "2025-03-18", "--to", "2025-03-19",
             "--band", "09:00-12:00", "--volume", "+20%", "--reason", "Spring mailing"]
ADD_CHAT = ["--queue", "chat_fr", "--from", "2025-03-20", "--volume", "500", "--aht", "x1.1",
            "--reason", "Sale day"]
ADD_LATER = ["--queue", "voice_fr", "--from", "2025-06-02", "--volume=-10%",
             "--reason", "Outside the horizon"]


@pytest.fixture
def history(project: Path) -> pd.DataFrame:
    a, _ = make_history("2025-01-06", 70, daily_level=600, seed=1)
    b, _ = make_history("2025-01-06", 70, daily_level=200, seed=2, queue="chat_fr",
                        channel="chat")
    frame = pd.concat([a, b], ignore_index=True)
    write_intervals(project / "data", frame)
    return frame


def wfm(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def adjust(*args: str) -> Result:
    return wfm("forecast", "adjust", *args)


def forecast() -> Result:
    return wfm("forecast", "--horizon", "7d", "--model", "weekly_mean", "--format", "csv")


def local_frame(path: Path) -> pd.DataFrame:
    fc = pd.read_csv(path, keep_default_na=False, na_values=[""])
    stamps = fc["interval_start"]
    fc["day"], fc["clock"] = stamps.str[:10], stamps.str[11:16]
    return fc


def test_add_list_and_remove_in_every_format(project: Path) -> None:
    added = adjust(*ADD_VOICE, "--format", "csv")
    assert added.exit_code == 0, added.output
    row = pd.read_csv(io.StringIO(added.stdout)).iloc[0]
    assert (row["id"], row["queue"], row["start"], row["end"], row["band"], row["volume"],
            row["reason"]) == ("a1", "voice_fr", "2025-03-18", "2025-03-19", "09:00-12:00",
                               "+20%", "Spring mailing")
    assert "Added to" in added.stderr and "(revision 1)" in added.stderr
    assert adjust(*ADD_CHAT).exit_code == 0
    listed = adjust("list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.stdout)
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert records[1]["volume"] == 500 and records[1]["aht_s"] == "x1.1"
    assert records[1]["end"] == "2025-03-20"
    assert adjust("list", "--output", "adj.xlsx").exit_code == 0
    sheet = openpyxl.load_workbook(project / "adj.xlsx")["Report"]
    values = [[c.value for c in r] for r in sheet.iter_rows() if any(c.value for c in r)]
    header = values.index(["id", "queue", "start", "end", "band", "volume", "aht_s",
                           "reason", "created"])
    assert [r[0] for r in values[header + 1:]] == ["a1", "a2"]
    table = adjust("list", "--format", "table")
    assert "revision 2" in table.stdout and "Spring mailing" in table.stdout
    removed = adjust("remove", "a1", "--format", "csv")
    assert removed.exit_code == 0, removed.output
    assert pd.read_csv(io.StringIO(removed.stdout))["id"].tolist() == ["a1"]
    assert pd.read_csv(io.StringIO(adjust("list", "--format", "csv").stdout))["id"].tolist() \
        == ["a2"]
    # Ids are never reused: the next one follows the revision.
    assert adjust(*ADD_VOICE, "--format", "csv").stdout.splitlines()[1].startswith("a4,")


def test_forecast_applies_the_adjustments_and_records_them(project: Path,
                                                           history: pd.DataFrame) -> None:
    for args in (ADD_VOICE, ADD_CHAT, ADD_LATER):
        assert adjust(*args).exit_code == 0
    res = forecast()
    assert res.exit_code == 0, res.output
    assert "applied adjustments a1, a2 from" in res.stderr
    run_dir = (project / "forecasts" / "latest").resolve()
    fc = local_frame(run_dir / "forecast.csv")
    voice = fc[fc["queue"] == "voice_fr"]
    window = (voice["day"].isin(["2025-03-18", "2025-03-19"])
              & (voice["clock"] >= "09:00") & (voice["clock"] < "12:00"))
    assert window.sum() == 24
    assert voice.loc[window, "offered"].to_numpy() == pytest.approx(
        1.2 * voice.loc[window, "offered_raw"].to_numpy(), abs=1e-3)
    assert (voice.loc[window, "adjustments"] == "a1").all()
    outside = voice[~window]
    assert (outside["offered"] == outside["offered_raw"]).all()
    assert outside["adjustments"].isna().all()
    chat = fc[(fc["queue"] == "chat_fr") & (fc["day"] == "2025-03-20")]
    assert chat["offered"].sum() == pytest.approx(500.0, abs=0.01)
    assert chat["offered_raw"].sum() != pytest.approx(500.0, abs=1)
    # The day's shape is the model's: each interval scaled by one factor.
    opened = chat[chat["offered_raw"] > 0]
    ratio = opened["offered"] / opened["offered_raw"]
    assert ratio.max() - ratio.min() < 1e-3
    assert chat["aht_s"].to_numpy() == pytest.approx(1.1 * chat["aht_s_raw"].to_numpy(),
                                                     abs=1e-3)
    man = json.loads((run_dir / "manifest.json").read_text())
    adj = man["adjustments"]
    assert adj["file"] == str(project / "adjustments.toml") and adj["revision"] == 3
    assert adj["applied"] == ["a1", "a2"] and adj["not_applied"] == ["a3"]
    first = adj["entries"][0]
    assert (first["id"], first["reason"], first["volume"], first["band"], first["intervals"],
            first["days"]) == ("a1", "Spring mailing", "+20%", "09:00-12:00", 24, 2)
    assert first["offered"] == pytest.approx(1.2 * first["offered_raw"], rel=1e-6)
    assert adj["entries"][2]["applied"] is False
    assert man["inputs"]["adjustments.toml"] == adj["sha256"]


def test_the_effect_is_previewed_on_the_latest_forecast(project: Path,
                                                        history: pd.DataFrame) -> None:
    assert forecast().exit_code == 0
    res = adjust(*ADD_VOICE, "--format", "table")
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert "Effect on" in text and "offered_raw" in text
    fc = local_frame(project / "forecasts" / "latest" / "forecast.csv")
    voice = fc[(fc["queue"] == "voice_fr") & (fc["day"] == "2025-03-18")
               & (fc["clock"] >= "09:00") & (fc["clock"] < "12:00")]
    line = next(ln for ln in text.splitlines() if ln.startswith("2025-03-18"))
    _, intervals, raw, adjusted, *_ = line.split()
    assert int(intervals) == 12
    assert float(raw) == pytest.approx(voice["offered"].sum(), rel=1e-3)
    assert float(adjusted) == pytest.approx(1.2 * voice["offered"].sum(), rel=1e-3)


@pytest.mark.parametrize(("args", "message"), [
    (["--queue", "voice_de", "--from", "2025-03-18", "--volume", "+5%", "--reason", "r"],
     "wfm: error: --queue 'voice_de' is not valid; accepted: a queue of [[queues]] in "),
    (["--queue", "voice_fr", "--from", "2025-03-18", "--to", "2025-03-17", "--volume", "+5%",
      "--reason", "r"],
     "wfm: error: --to '2025-03-17' is not valid; accepted: a date on or after the first "
     "day 2025-03-18"),
    (["--queue", "voice_fr", "--from", "2025-03-18", "--band", "06:00-09:00", "--volume",
      "+5%", "--reason", "r"],
     "wfm: error: --band '06:00-09:00' is not valid; accepted: a band inside the opening "
     "hours of voice_fr (Tue 2025-03-18: 08:00-20:00)"),
    (["--queue", "voice_fr", "--from", "2025-03-18", "--volume", "lots", "--reason", "r"],
     "wfm: error: --volume 'lots' is not valid; accepted: a change such as +15%"),
    (["--queue", "voice_fr", "--from", "2025-03-18", "--aht", "-100%", "--reason", "r"],
     "wfm: error: --aht '-100%' is not valid; accepted: a change such as +10%"),
    (["--queue", "voice_fr", "--from", "2025-03-18", "--volume", "+5%", "--reason", " "],
     "wfm: error: --reason ' ' is not valid; accepted: a non-empty text saying why"),
    (["--queue", "voice_fr", "--from", "2025-03-19", "--band", "10:00-10:30", "--volume",
      "900", "--reason", "r"],
     "both change the volume of voice_fr on 2025-03-19 10:00-10:30 and one sets an "
     "absolute value"),
])
def test_bad_adjustments_are_one_line_and_change_nothing(project: Path, args: list[str],
                                                         message: str) -> None:
    assert adjust(*ADD_VOICE).exit_code == 0
    before = (project / "adjustments.toml").read_bytes()
    res = adjust(*args)
    assert res.exit_code == 1
    assert message in res.output and "Traceback" not in res.output
    assert (project / "adjustments.toml").read_bytes() == before


def test_usage_errors(project: Path) -> None:
    res = adjust("--queue", "voice_fr", "--from", "2025-03-18", "--reason", "r")
    assert res.exit_code == 2 and "give --queue, --from, --reason and --volume" in res.output
    res = adjust("--queue", "voice_fr", "--from", "18/03/2025", "--volume", "+5%")
    assert res.exit_code == 2 and "'18/03/2025' is not a date" in res.output
    res = adjust("remove", "a9")
    assert res.exit_code == 1
    assert "no adjustment 'a9'; accepted: (the file has none)" in res.output
    assert not (project / "adjustments.toml").exists()


@pytest.mark.parametrize("args", [["forecast", "adjust"], ["forecast", "adjust", "list"],
                                  ["forecast", "adjust", "remove"]])
def test_help_has_an_example(args: list[str]) -> None:
    res = wfm(*args, "--help")
    assert res.exit_code == 0 and "wfm forecast adjust" in res.output
    assert "Example" in res.output


def test_a_bad_file_fails_the_forecast_before_it_starts(project: Path,
                                                        history: pd.DataFrame) -> None:
    (project / "adjustments.toml").write_text(
        'format = 1\n[[adjustments]]\nid = "x"\nqueue = "voice_fr"\nstart = 2025-03-18\n'
        'volume = "+5"\nreason = "typo"\n')
    res = forecast()
    assert res.exit_code == 1
    assert ("adjustments.toml: [adjustments.1] volume = '+5' is not valid; accepted: a "
            "change such as +15%") in res.output
    assert not (project / "forecasts").exists()
