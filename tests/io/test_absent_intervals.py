"""What an absent interval means: the automatic choice, the settings and their order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import ConfigError
from wfm.io.absent_intervals import AbsentIntervals, decide, parse_absent
from wfm.io.health import HealthSettings
from wfm.io.ingest import IngestSettings, ingest_files
from wfm.io.store import read_intervals

ROWS = ("interval_start,queue,channel,offered\n"
        "2025-03-14T08:00:00+01:00,q,email,2\n"
        "2025-03-14T09:00:00+01:00,q,email,1\n")


def series(*offered: int) -> pd.DataFrame:
    return pd.DataFrame({"offered": pd.array(offered, dtype="Int64")})


def test_automatic_choice() -> None:
    none = AbsentIntervals()
    assert decide(series(2, 1), "q", none, None, interior=3).meaning == "zero"
    assert decide(series(2, 0, 1), "q", none, None, interior=3).meaning == "missing"
    # nothing absent between rows: a short extract, nothing to fill
    assert decide(series(2, 1), "q", none, None, interior=0).meaning == "missing"


def test_order_of_the_settings() -> None:
    data = parse_absent({"*": "missing", "a": "zero"}, "[data] absent_intervals")
    mapping = parse_absent({"*": "zero", "b": "auto"}, "mapping 'm' absent_intervals")
    idle = series(0, 2)  # auto would say missing
    assert decide(idle, "a", data, mapping, interior=1).reason == \
        "set by [data] absent_intervals a"
    assert decide(idle, "c", data, mapping, interior=1).reason == \
        "set by mapping 'm' absent_intervals"                       # the mapping's "*"
    assert decide(idle, "b", data, mapping, interior=1).reason.startswith(
        "the export lists 1 interval(s) without activity")          # "auto" stops the chain
    assert decide(idle, "c", data, None, interior=1).meaning == "missing"


@pytest.mark.parametrize(("raw", "message"), [
    ("zeros", "[data] absent_intervals = 'zeros' is not valid; accepted: one of auto, zero, "
              "missing, or a table { queue = meaning }"),
    ({"q": "none"}, "[data] absent_intervals q = 'none' is not valid; accepted: auto, zero, "
                    "missing"),
])
def test_bad_settings(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_absent(raw, "[data] absent_intervals")
    assert str(info.value) == message


def test_per_queue_setting_naming_no_configured_queue_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(ROWS, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[data\] absent_intervals: queue 'qq' is not in "
                                          r"\[\[queues\]\]; did you mean 'q'\?"):
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"),
            known_queues={"q": "email"},
            absent_intervals=parse_absent({"qq": "zero"}, "[data] absent_intervals")))
    assert not (tmp_path / "d").exists()


def test_mapping_level_setting(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(ROWS.replace(",2\n", ",0\n", 1), encoding="utf-8")  # an idle row: auto
    mapping = {"absent_intervals": "zero", "columns": {
        "interval_start": "interval_start", "queue": "queue", "channel": "channel",
        "offered": "offered"}}
    result = ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="m",
        user_mappings={"m": mapping}))
    assert len(read_intervals(tmp_path / "d")) == 96
    [detail] = result.findings.loc[result.findings["check"] == "absent_intervals", "detail"]
    assert "set by [data.mappings.m] absent_intervals;" in detail


def test_zero_rows_carry_the_columns_the_file_has(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("interval_start,queue,channel,offered,handled,handle_s,backlog\n"
                    "2025-03-14T08:00:00+01:00,q,email,2,1,300,5\n"
                    "2025-03-14T09:00:00+01:00,q,email,1,2,500,4\n", encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    got = read_intervals(tmp_path / "d").set_index("interval_start")
    filler = got.loc[pd.Timestamp("2025-03-14 07:30", tz="UTC")]
    assert (filler["offered"], filler["handled"], filler["handle_s"]) == (0, 0, 0.0)
    assert pd.isna(filler["backlog"])  # a level, not a flow: unknown, not zero


def test_config_key_read_and_checked(project: Path) -> None:
    from wfm.config import load_config

    config = project / "wfm.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[data]\n", '[data]\nabsent_intervals = "sometimes"\n', 1),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[data\] absent_intervals = 'sometimes' is not "
                                          r"valid; accepted: auto, zero, missing, or a table"):
        load_config(config)
    config.write_text(text.replace("[data]\n", '[data]\nabsent_intervals = { email_fr = '
                                               '"zero" }\nstrict = true\n', 1),
                      encoding="utf-8")
    data = load_config(config).data
    assert (data.absent_intervals, data.strict, data.skip_unknown_queues) == (
        {"email_fr": "zero"}, True, False)
