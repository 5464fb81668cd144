"""Each built-in mapping (and a user mapping) on a small realistic vendor file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import ConfigError
from wfm.io.column_mapping import builtin_mapping_names, parse_mapping, resolve_mapping
from wfm.io.health import HealthSettings
from wfm.io.ingest import IngestSettings, ingest_files
from wfm.io.store import read_intervals

DATA = Path(__file__).resolve().parents[1] / "data"


def ingest(tmp_path: Path, name: str, mapping: str | None, **kw) -> pd.DataFrame:
    ingest_files([DATA / name], IngestSettings(
        data_dir=tmp_path, health=HealthSettings(tz="Europe/Paris"),
                                               mapping=mapping, **kw))
    return read_intervals(tmp_path)


def row(frame: pd.DataFrame, queue: str, channel: str, utc: str) -> pd.Series:
    hit = frame.loc[(frame["queue"] == queue) & (frame["channel"] == channel)
                    & (frame["interval_start"] == pd.Timestamp(utc, tz="UTC"))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_builtin_mappings_ship_as_package_data() -> None:
    assert {"wfm", "genesys-cloud", "avaya-cms", "amazon-connect"} <= set(builtin_mapping_names())


def test_genesys_cloud(tmp_path: Path) -> None:
    got = ingest(tmp_path, "ingest_genesys_cloud.csv", "genesys-cloud")
    assert len(got) == 7
    r = row(got, "Support FR", "voice", "2025-03-14 07:15")
    assert (r["offered"], r["handled"], r["handle_s"]) == (15, 15, 4503.5)
    assert row(got, "Billing", "messaging", "2025-03-14 07:15")["handle_s"] == 640
    assert sorted(got["channel"].unique()) == ["chat", "email", "messaging", "voice"]


def test_avaya_cms_local_time_and_summed_handle_time(tmp_path: Path) -> None:
    got = ingest(tmp_path, "ingest_avaya_cms.csv", "avaya-cms")
    assert len(got) == 4
    # 08:00 Paris (UTC+1 in March) is 07:00 UTC; handle = acdtime + acwtime
    r = row(got, "101", "voice", "2025-03-14 07:00")
    assert (r["offered"], r["handled"], r["abandoned"], r["answered_within_sl"]) == (20, 18, 2, 15)
    assert (r["handle_s"], r["talk_s"], r["acw_s"], r["hold_s"]) == (5220, 4320, 900, 120)
    assert r["answer_wait_s"] == 310
    assert row(got, "101", "voice", "2025-03-14 07:30")["handle_s"] == 3910 + 850


def test_amazon_connect_averages_become_sums(tmp_path: Path) -> None:
    got = ingest(tmp_path, "ingest_amazon_connect.csv", "amazon-connect")
    r = row(got, "BasicQueue", "voice", "2025-03-14 08:00")
    assert r["handle_s"] == 8 * 300           # 00:05:00 average x 8 handled
    assert r["talk_s"] == 8 * 240
    assert r["acw_s"] == 8 * 45
    assert r["answer_wait_s"] == 8 * 30
    assert r["answered_within_sl"] == 8       # 80 % of 10 queued
    assert r["sl_threshold_s"] == 20
    r2 = row(got, "BasicQueue", "voice", "2025-03-14 08:15")
    assert r2["handle_s"] == 4 * 390
    assert row(got, "BasicQueue", "chat", "2025-03-14 08:00")["handle_s"] == 5 * 600


def test_user_mapping_file_french_export(tmp_path: Path) -> None:
    got = ingest(tmp_path, "ingest_french_export.csv", str(DATA / "ingest_french_mapping.toml"))
    r = row(got, "Accueil", "voice", "2025-03-14 07:00")
    assert (r["offered"], r["handled"], r["handle_s"]) == (12, 10, 10 * 4.5 * 60)
    r = row(got, "Accueil", "voice", "2025-03-14 07:15")
    assert (r["offered"], r["handled"], r["handle_s"]) == (1204, 1200, 1200 * 3.25 * 60)
    assert row(got, "Réclamations", "email", "2025-03-14 07:00")["handle_s"] == 3 * 720


def test_user_mapping_from_wfm_toml_table(tmp_path: Path) -> None:
    raw = tomllib.loads((DATA / "ingest_french_mapping.toml").read_text(encoding="utf-8"))
    got = ingest(tmp_path, "ingest_french_export.csv", "fr", user_mappings={"fr": raw})
    assert got["offered"].sum() == 12 + 1204 + 7


def test_wfm_mapping_on_xlsx(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["interval_start", "queue", "channel", "offered", "handled", "handle_s"])
    ws.append(["2025-03-14T08:00:00+01:00", "q", "voice", 3, 3, 600.5])
    ws.append([])
    ws.append(["2025-03-14T08:15:00+01:00", "q", "voice", 4, 4, 800])
    wb.save(tmp_path / "export.xlsx")
    got = ingest_files([tmp_path / "export.xlsx"], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    back = read_intervals(tmp_path / "d")
    assert got.rows_written == 2
    assert back["handle_s"].tolist() == [600.5, 800.0]
    assert back["interval_start"].iloc[0] == pd.Timestamp("2025-03-14 07:00", tz="UTC")


@pytest.mark.parametrize(("raw", "message"), [
    ({"columns": {"queue": "Q", "offered": "O"}}, "must map 'interval_start'"),
    ({"columns": {"interval_start": "T", "queue": "Q", "offered": "O", "handeld": "H"}},
     "unknown key 'handeld'; did you mean 'handled'?"),
    ({"columns": {"interval_start": "T", "queue": "Q",
                  "offered": {"source": "O", "unit": "dozens"}}},
     "unit = 'dozens' is not valid; accepted: count, seconds"),
    ({"columns": {"interval_start": "T", "queue": "Q", "offered": "O",
                  "handle_s": {"source": "A", "average_per": "handled"}}},
     "'handled' is not mapped"),
    ({"columns": {"interval_start": "T", "queue": "Q", "offered": "O"}, "channels": {"x": "fax"}},
     "x = 'fax' is not valid; accepted: voice"),
])
def test_bad_mapping_is_a_config_error(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=r"m\.toml") as info:
        parse_mapping(raw, "m", "m.toml")
    assert message in str(info.value)


def test_unknown_mapping_name_suggests() -> None:
    with pytest.raises(ConfigError,
                       match=r"unknown mapping 'genesys'; did you mean 'genesys-cloud'"):
        resolve_mapping("genesys", {})


def test_average_of_an_absent_optional_count_is_an_error(tmp_path: Path) -> None:
    from wfm.errors import InputDataError

    raw = {"columns": {"interval_start": "T", "queue": "Q", "offered": "O",
                       "handled": {"source": "H", "optional": True},
                       "handle_s": {"source": "AHT", "average_per": "handled"}}}
    path = tmp_path / "x.csv"
    path.write_text("T,Q,O,AHT\n2025-03-14T08:00:00Z,q,3,120\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"handle_s is an average per handled, but handled "
                                             r"is not in the file \(mapping 'm'\)"):
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="UTC"), mapping="m",
            user_mappings={"m": raw}))


def test_share_converted_before_average(tmp_path: Path) -> None:
    raw = {"columns": {"interval_start": "T", "queue": "Q", "offered": "O",
                       "handle_s": {"source": "AHT", "unit": "minutes", "average_per": "handled"},
                       "handled": {"source": "Answer rate", "unit": "percent",
                                   "share_of": "offered"}}}
    path = tmp_path / "x.csv"
    path.write_text("T,Q,O,AHT,Answer rate\n2025-03-14T08:00:00Z,q,20,2,90%\n", encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="UTC"), mapping="m",
        user_mappings={"m": raw}))
    got = read_intervals(tmp_path / "d").iloc[0]
    assert (got["handled"], got["handle_s"]) == (18, 18 * 120)


def test_constant_queue_and_channel(tmp_path: Path) -> None:
    raw = {"columns": {"interval_start": {"date": "Day", "time": "Time"},
                       "queue": {"value": "main"}, "channel": {"value": "chat"},
                       "offered": "Chats", "handle_s": {"source": "Talk", "unit": "hh:mm:ss"}}}
    path = tmp_path / "x.csv"
    path.write_text("Day;Time;Chats;Talk\n14.03.2025;08:15;4;00:20:00\n", encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="m",
        user_mappings={"m": raw}))
    got = read_intervals(tmp_path / "d").iloc[0]
    assert (got["queue"], got["channel"], got["offered"], got["handle_s"]) == (
        "main", "chat", 4, 1200.0)
    assert got["interval_start"] == pd.Timestamp("2025-03-14 07:15", tz="UTC")


def test_xlsx_report_with_title_rows_numbers_and_text_decimal_commas(tmp_path: Path) -> None:
    """A workbook report: two title rows, number cells (5.5 is 5.5 whatever the locale) and
    a column of text cells with decimal commas, and a trailing total."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Interval report"])
    ws.append(["Queue: all", None, "Period: 14/03/2025"])
    ws.append(["interval_start", "queue", "channel", "offered", "handled", "handle_s",
               "answer_wait_s"])
    ws.append(["2025-03-14T08:00:00+01:00", "q", "voice", 3, 3, 600.5, "12,5"])
    ws.append(["2025-03-14T08:15:00+01:00", "q", "voice", 4, 4, 1234, "1.234,5"])
    ws.append(["Total", None, None, 7, 7, 1834.5, None])
    wb.save(tmp_path / "report.xlsx")
    result = ingest_files([tmp_path / "report.xlsx"], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    back = read_intervals(tmp_path / "d")
    assert back["handle_s"].tolist() == [600.5, 1234.0]
    assert back["answer_wait_s"].tolist() == [12.5, 1234.5]
    notes = result.findings.loc[result.findings["check"] == "skipped_rows", "detail"].tolist()
    assert notes == [
        f"{tmp_path / 'report.xlsx'}: line(s) above the header skipped (report title or "
        "filter): 1 ('Interval report'), 2 ('Queue: all Period: 14/03/2025')",
        f"{tmp_path / 'report.xlsx'}: total row(s) after the data skipped: line 6 ('Total 7 "
        "7 1834.5')"]


def test_xlsx_header_cell_that_is_a_number(tmp_path: Path) -> None:
    """A header row with a number in it (a year above a column) gave a traceback."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["interval_start", "queue", "offered", 2025])
    ws.append(["2025-03-14T08:00:00+01:00", "q", 3, 1])
    wb.save(tmp_path / "x.xlsx")
    ingest_files([tmp_path / "x.xlsx"], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    assert read_intervals(tmp_path / "d")["offered"].tolist() == [3]
