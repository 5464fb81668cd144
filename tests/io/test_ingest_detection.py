"""CSV dialect sniffing (delimiter, encoding, decimal comma) and timestamp formats."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.errors import WfmError
from wfm.io.health import HealthSettings
from wfm.io.ingest import IngestSettings, ingest_files
from wfm.io.parsing import TimestampParser, parse_durations, parse_numbers
from wfm.io.sources import sniff_csv
from wfm.io.store import read_intervals

HEADER = ["interval_start", "queue", "channel", "offered", "handled", "handle_s"]
ROWS = [["14/03/2025 08:00", "Accueil é", "voice", "3", "3", "600,5"],
        ["14/03/2025 08:15", "Accueil é", "voice", "1", "1", "120,25"]]


def write(path: Path, delimiter: str, encoding: str, rows=ROWS, header=HEADER) -> Path:
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(("delimiter", "encoding", "expected_encoding"), [
    (";", "utf-8", "utf-8"),
    (";", "utf-8-sig", "utf-8-sig"),
    ("\t", "cp1252", "cp1252"),
    ("|", "latin-1", "cp1252"),
    (";", "utf-16", "utf-16"),
])
def test_sniff_delimiter_encoding_decimal_comma(tmp_path: Path, delimiter: str, encoding: str,
                                                expected_encoding: str) -> None:
    path = write(tmp_path / "x.csv", delimiter, encoding)
    dialect = sniff_csv(path)
    assert (dialect.delimiter, dialect.encoding, dialect.decimal) == (
        delimiter, expected_encoding, ",")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    got = read_intervals(tmp_path / "d")
    assert got["queue"].tolist() == ["Accueil é"] * 2
    assert got["handle_s"].tolist() == [600.5, 120.25]
    # day-first, local Paris time without offset: 14 March 08:00 CET = 07:00 UTC
    assert got["interval_start"].iloc[0] == pd.Timestamp("2025-03-14 07:00", tz="UTC")


def test_comma_delimited_keeps_decimal_point(tmp_path: Path) -> None:
    rows = [["2025-03-14 08:00", "q", "voice", "3", "3", "600.5"]]
    dialect = sniff_csv(write(tmp_path / "x.csv", ",", "utf-8", rows))
    assert (dialect.delimiter, dialect.decimal) == (",", ".")


def test_header_after_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\n\n" + ";".join(HEADER) + "\n" + ";".join(ROWS[0]) + "\n", encoding="utf-8")
    assert sniff_csv(path).header_line == 3


def test_parse_numbers_thousands_and_decimal_comma() -> None:
    vals, bad = parse_numbers(pd.Series(["1 204,5", "1.204,5", "12%", "", "x"]), ",")
    assert vals[:3].tolist() == [1204.5, 1204.5, 12.0]
    assert bad.tolist() == [False, False, False, False, True]


def test_parse_durations() -> None:
    vals, bad = parse_durations(pd.Series(["00:05:12", "05:12", "1:00:00.5", "42", "", "1:x"]))
    assert vals[:4].tolist() == [312.0, 312.0, 3600.5, 42.0]
    assert bad.tolist() == [False, False, False, False, False, True]


@pytest.mark.parametrize(("values", "dayfirst", "first_utc"), [
    (["03/04/2025 08:00", "13/04/2025 08:00"], True, "2025-04-03 06:00"),   # 13 can only be a day
    (["04/03/2025 08:00", "04/13/2025 08:00"], False, "2025-04-03 06:00"),  # month first
    (["03/04/2025 08:00"], True, "2025-04-03 06:00"),                       # ambiguous: day first
])
def test_day_first_detection(values: list[str], dayfirst: bool, first_utc: str) -> None:
    parser = TimestampParser("Europe/Paris")
    got = parser.parse(pd.Series(values))
    assert parser.dayfirst is dayfirst
    assert not got.bad.any() and not got.skipped.any() and not got.repeated.any()
    assert got.utc.iloc[0] == pd.Timestamp(first_utc, tz="UTC")


def test_offsets_respected_mixed_with_z() -> None:
    got = TimestampParser("Europe/Paris").parse(
        pd.Series(["2025-03-14T08:00:00+01:00", "2025-03-14T07:15:00Z", "2025-03-14T09:30+0200",
                   "2025-03-14 07:45:00 UTC", "2025-03-14 10:00:00+02", "2025-03-14 08:15 GMT"]))
    assert not got.bad.any()
    assert [t.strftime("%H:%M") for t in got.utc] == ["07:00", "07:15", "07:30", "07:45",
                                                     "08:00", "08:15"]


def test_header_cells_with_spaces_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('interval_start , Queue,"channel" , offered\n'
                    "2025-03-14T08:00:00+01:00,q,chat,3\n", encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    got = read_intervals(tmp_path / "d")
    assert got[["queue", "channel", "offered"]].values.tolist() == [["q", "chat", 3]]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300)
       | st.text(alphabet="0123456789,;:-+T/ .\nabcq\"é", max_size=300))
def test_any_bytes_give_a_wfm_error_or_data(tmp_path: Path, body: bytes | str) -> None:
    path = tmp_path / "fuzz.csv"
    prefix = "interval_start,queue,offered\n"
    path.write_bytes(body if isinstance(body, bytes) else (prefix + body).encode("utf-8"))
    with contextlib.suppress(WfmError):  # anything else (a traceback) fails the test
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))


def test_aggregate_five_minute_export_on_request(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("interval_start,queue,channel,offered,handled,handle_s,backlog\n"
                    "2025-10-26T02:50:00+02:00,q,email,1,1,60,4\n"
                    "2025-10-26T02:00:00+01:00,q,email,2,1,100,5\n"
                    "2025-10-26T02:05:00+01:00,q,email,3,2,200,6\n"
                    "2025-10-26T02:10:00+01:00,q,email,4,3,300,7\n", encoding="utf-8")
    with pytest.raises(WfmError, match="not on the 15-minute interval grid"):
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")), aggregate=True)
    got = read_intervals(tmp_path / "d")
    # the repeated 02:00 hour: 02:45+02:00 and 02:00+01:00 are different intervals
    assert got["interval_start"].dt.strftime("%H:%M").tolist() == ["00:45", "01:00"]
    assert got["offered"].tolist() == [1, 9]
    assert got["handle_s"].tolist() == [60.0, 600.0]
    assert got["backlog"].tolist() == [4, 7]


def test_cp1252_byte_after_the_sniffed_prefix(tmp_path: Path, monkeypatch) -> None:
    import wfm.io.sources

    monkeypatch.setattr(wfm.io.sources, "SNIFF_BYTES", 120)
    rows = [f"2025-03-14T{8 + i // 4:02d}:{15 * (i % 4):02d}:00+01:00,q,voice,1" for i in range(8)]
    rows[-1] = rows[-1].replace(",q,", ",Réclamations,")
    path = tmp_path / "x.csv"
    path.write_bytes(("interval_start,queue,channel,offered\n" + "\n".join(rows) + "\n")
                     .encode("cp1252"))
    assert sniff_csv(path).encoding == "utf-8"
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")), chunk_rows=2)
    got = read_intervals(tmp_path / "d")
    assert sorted(got["queue"].unique()) == ["Réclamations", "q"]
    assert len(got) == 8


def test_decimal_mark_settled_late_reads_the_file_again(tmp_path: Path) -> None:
    """'1,234' on line 2 reads either way; '1,234.5' on line 4 (another chunk) shows the comma
    groups thousands, so the first read (provisional decimal comma) is redone."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"interval_start;queue;offered;handle_s\r\n"
                     b"2025-03-14T08:00:00+01:00;q;3;1,234\r\n"
                     b"2025-03-14T08:15:00+01:00;q;3;2,000\r\n"
                     b"2025-03-14T08:30:00+01:00;q;4;1,234.5\r\n")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")), chunk_rows=2)
    assert read_intervals(tmp_path / "d")["handle_s"].tolist() == [1234.0, 2000.0, 1234.5]


def test_ambiguous_cells_follow_the_other_columns_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("interval_start;queue;offered;handled;handle_s\r\n"
                     "2025-03-14T08:00:00+01:00;q;1.204;1.200;3,5\r\n".encode("cp1252"))
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    got = read_intervals(tmp_path / "d").iloc[0]
    assert (got["offered"], got["handled"], got["handle_s"]) == (1204, 1200, 3.5)


def test_comma_delimited_file_reads_quoted_groups_as_thousands(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('interval_start,queue,offered,handle_s\n'
                    '2025-03-14T08:00:00+01:00,q,"1,204","360,000"\n', encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
    got = read_intervals(tmp_path / "d").iloc[0]
    assert (got["offered"], got["handle_s"]) == (1204, 360000.0)


@pytest.mark.parametrize(("cells", "codes"), [
    (["5,5", "0,25", "12,3456", "1.234,5", "1.234.567"], [1, 1, 1, 2, 2]),
    (["5.5", "0.250", "1,234.5", "1,234,567"], [3, 3, 4, 4]),
    (["1.234", "1,234", "-1.234", "12 345,5", "85%", "00:05:12,5", "12", ""], [5, 6, 5, 1, 0,
                                                                               0, 0, 0]),
])
def test_cell_classes(cells: list[str], codes: list[int]) -> None:
    from wfm.io.number_format import classify_cells

    assert classify_cells(pd.Series(cells, dtype="str")).tolist() == codes


def test_title_lines_without_the_mapping_headers_still_name_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Report\nDate;File;Calls\n14/03/2025;q;3\n", encoding="utf-8")
    with pytest.raises(WfmError, match=r"missing required column\(s\) 'interval_start', "
                                       r"'queue', 'offered' for mapping 'wfm'; columns "
                                       r"found: 'Report'"):
        ingest_files([path], IngestSettings(
            data_dir=tmp_path / "d", health=HealthSettings(tz="Europe/Paris")))
