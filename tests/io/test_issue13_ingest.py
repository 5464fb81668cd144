"""Issue 13, items 1, 2, 4, 5 and 6: one library-level test per wrong number seen.

These use only arguments the ingest library already took before the issue (a plain
mapping without a [queues] table), so each fails on the code before it for the reason it
names: 55 minutes stored for '5,5', the repeated hour refused, the title line taken for the
header, and so on. The CLI-level cases are in test_export_corpus.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.io.health import HealthSettings
from wfm.io.ingest import IngestSettings, ingest_files
from wfm.io.store import read_intervals

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
FR = {k: v for k, v in tomllib.loads((EXPORTS / "fr_acd.toml").read_text(encoding="utf-8"))
      .items() if k != "queues"}  # the French ACD mapping, queue names left as exported


def ingest(tmp_path: Path, name: str, mapping: str | None = "fr", **kw):
    return ingest_files([EXPORTS / name], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping=mapping,
        user_mappings={"fr": FR}, **kw))


def warnings_of(result) -> list[tuple[str, int]]:
    f = result.findings
    return f.loc[f["severity"] == "warning", ["check", "count"]].apply(tuple, axis=1).tolist()


def test_item1_decimal_comma_first_on_line_200(tmp_path: Path) -> None:
    ingest(tmp_path, "fr_cp1252_late_decimal_comma.csv")
    got = read_intervals(tmp_path / "d").set_index("interval_start")
    # line 200: 8 handled at 5,5 minutes (the code before read 55 minutes: 26,400 s)
    assert got.loc[pd.Timestamp("2025-03-14 08:30", tz="UTC"), "handle_s"] == 8 * 5.5 * 60
    # line 202: '3,5' minutes for 8 handled
    assert got.loc[pd.Timestamp("2025-03-14 09:00", tz="UTC"), "handle_s"] == 8 * 3.5 * 60
    assert got["handle_s"].max() < 12 * 7 * 60  # at most 12 handled x 6 minutes


def test_item1_column_mixing_styles_is_refused_naming_a_line_of_each(tmp_path: Path) -> None:
    with pytest.raises(InputDataError) as info:
        ingest(tmp_path, "fr_mixed_decimal_styles.csv")
    assert info.value.message == (
        f"{EXPORTS / 'fr_mixed_decimal_styles.csv'}: column 'DMT (min)' mixes number styles: "
        "line 5 has '1.234' (a thousands dot or a decimal point) and line 9 has '1,5' (a "
        "decimal comma); accepted: one decimal mark per column")
    assert not (tmp_path / "d").exists()


def test_item1_explicit_decimal_in_the_mapping(tmp_path: Path) -> None:
    raw = {**FR, "decimal": "."}
    with pytest.raises(InputDataError, match=r"line 9, column 'DMT \(min\)': '1,5' has a "
                                             r"decimal comma, but the mapping says "
                                             r"decimal = '\.'"):
        ingest_files([EXPORTS / "fr_mixed_decimal_styles.csv"], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="fr",
            user_mappings={"fr": raw}))


def test_item2_absent_intervals_of_a_sparse_export_are_zero(tmp_path: Path) -> None:
    result = ingest(tmp_path, "email_sparse_no_zero_rows.csv", mapping=None)
    got = read_intervals(tmp_path / "d")
    assert len(got) == 192  # two whole local days (the code before stored the 6 rows)
    assert got["offered"].sum() == 9 and (got["offered"] == 0).sum() == 186
    [info] = result.findings.loc[result.findings["check"] == "absent_intervals", "detail"]
    assert info.startswith("186 interval(s) absent from the export over the local days it "
                           "covers read as zero (no activity)")


def test_item4_repeated_hour_listed_twice_in_order(tmp_path: Path) -> None:
    ingest(tmp_path, "fr_dst_repeated_hour_in_order.csv")
    got = read_intervals(tmp_path / "d")
    assert got["interval_start"].tolist() == list(pd.date_range(
        pd.Timestamp("2025-10-25 22:00", tz="UTC"), periods=100, freq="15min"))


def test_item5_title_and_filter_lines(tmp_path: Path) -> None:
    result = ingest(tmp_path, "fr_title_filter_lines.csv")
    assert read_intervals(tmp_path / "d")["offered"].tolist() == [10, 11, 12, 13]
    assert warnings_of(result) == [("skipped_rows", 3)]


def test_item5_trailing_total_row(tmp_path: Path) -> None:
    result = ingest(tmp_path, "fr_trailing_total.csv")
    assert read_intervals(tmp_path / "d")["offered"].tolist() == [6, 6, 6, 6]
    assert warnings_of(result) == [("skipped_rows", 1)]


def test_item5_interval_labels(tmp_path: Path) -> None:
    ingest(tmp_path, "fr_interval_labels.csv")
    got = read_intervals(tmp_path / "d")
    busy = got.loc[got["offered"] > 0, "interval_start"].dt.strftime("%H:%M").tolist()
    assert busy == ["07:00", "07:15", "22:45"]


def test_item5_interval_label_of_another_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes((EXPORTS / "fr_interval_labels.csv").read_bytes().replace(
        b"08:00 - 08:15", b"08:00 - 08:30"))
    with pytest.raises(InputDataError, match=r"line 2, column 'Date' \+ 'Intervalle': the "
                                             r"interval label '10/03/2025 08:00 - 08:30' "
                                             r"spans 30 minutes; accepted: labels of 15"):
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="fr",
            user_mappings={"fr": FR}))


def test_item5_iso_offset_is_not_an_interval_label(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("interval_start,queue,offered\n2025-03-14T08:00-05:00,q,3\n",
                    encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    assert read_intervals(tmp_path / "d")["interval_start"].tolist() == [
        pd.Timestamp("2025-03-14 13:00", tz="UTC")]


def test_item5_blank_cell_in_an_optional_numeric_column(tmp_path: Path) -> None:
    """Genesys maps handled without 'optional': a blank cell was refused outright."""
    path = tmp_path / "g.csv"
    path.write_text("Interval Start UTC Date,Queue,Media Type,Offered,Interactions Handled,"
                    "Total Handle Time (Seconds)\n"
                    "2025-03-14T07:00:00.000Z,Support FR,voice,12,11,3410\n"
                    "2025-03-14T07:15:00.000Z,Support FR,voice,3,,\n", encoding="utf-8")
    result = ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"),
        mapping="genesys-cloud"))
    got = read_intervals(tmp_path / "d")
    assert got["offered"].tolist() == [12, 3]
    assert got["handled"].isna().tolist() == [False, True]
    assert warnings_of(result) == [("blank_values", 1), ("blank_values", 1)]
    blank = result.findings.loc[result.findings["check"] == "blank_values", "detail"].tolist()
    assert blank == [f"Interactions Handled blank on 1 row(s), stored as unknown; first at "
                     f"{path}, line 3",
                     f"Total Handle Time (Seconds) blank on 1 row(s), stored as unknown; first "
                     f"at {path}, line 3"]


def test_item5_blank_average_where_nothing_was_handled_is_zero(tmp_path: Path) -> None:
    """DMT left blank on a row with no call handled: 0 s, nothing to warn about."""
    path = tmp_path / "x.csv"
    path.write_bytes((EXPORTS / "fr_trailing_total.csv").read_bytes().replace(
        b";6;6;0;5;5\r\n", b";6;0;0;;0\r\n", 1))
    result = ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="fr",
        user_mappings={"fr": FR}))
    assert read_intervals(tmp_path / "d")["handle_s"].tolist() == [0.0, 1800.0, 1800.0, 1800.0]
    assert "blank_values" not in set(result.findings["check"])


def test_item5_glitch_rows_are_warnings_not_errors(tmp_path: Path) -> None:
    result = ingest(tmp_path, "wfm_glitch_rows.csv", mapping=None)
    assert read_intervals(tmp_path / "d")["handle_s"].tolist() == [2700.0, 0.0, 1800.0]
    assert warnings_of(result) == [("answered_within_sl_exceeds_handled", 1),
                                   ("zero_handle_time", 1)]


def test_item6_mapping_renames_queues(tmp_path: Path) -> None:
    raw = tomllib.loads((EXPORTS / "fr_acd.toml").read_text(encoding="utf-8"))
    ingest_files([EXPORTS / "fr_trailing_total.csv"], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="fr",
        user_mappings={"fr": raw}))
    assert read_intervals(tmp_path / "d")["queue"].unique().tolist() == ["voice_fr"]


def test_item5_total_label_in_the_time_column(tmp_path: Path) -> None:
    """Avaya-style: the date repeated on the total row, 'Totals' in the time column."""
    path = tmp_path / "x.csv"
    path.write_bytes((EXPORTS / "fr_trailing_total.csv").read_bytes().replace(
        b"Total;;;;", b"10/03/2025;Totals;;;"))
    result = ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris"), mapping="fr",
        user_mappings={"fr": FR}))
    assert read_intervals(tmp_path / "d")["offered"].tolist() == [6, 6, 6, 6]
    assert warnings_of(result) == [("skipped_rows", 1)]
