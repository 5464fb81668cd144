"""The last inputs that crashed or misled `wfm ingest` (issue 18): one `wfm: error:` line
naming the file and line (or the configuration key), the value as written, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from wfm.cli.main import cli

HEADER = "interval_start,queue,channel,offered,handled,handle_s\n"


def row(i: int, offered: str = "3", handle_s: str = "600") -> str:
    return (f"2025-03-{1 + i // 96:02d}T{i % 96 // 4:02d}:{i % 4 * 15:02d}:00+01:00,"
            f"voice_fr,voice,{offered},3,{handle_s}\n")


def ingest(project: Path, name: str, body: str | bytes, *args: str):
    path = project / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", name, "--format", "csv", *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert not (project / "data" / "intervals").exists()  # nothing written
    return result.stderr


def test_a_cell_longer_than_the_csv_limit_in_the_first_megabyte(project: Path) -> None:
    err = ingest(project, "big.csv", HEADER + row(0) + row(1, offered="9" * 140_000))
    assert ("big.csv: line 3: a cell longer than 131,072 characters; accepted: cells of at "
            "most 131,072 characters") in err


def test_a_cell_longer_than_the_limit_further_into_the_file(project: Path) -> None:
    body = HEADER + "".join(row(i % 2000) for i in range(23_000))  # over 1 MB before it
    assert len(body) > 1_100_000
    err = ingest(project, "far.csv", body + row(0, handle_s="9" * 140_000))
    assert "far.csv: line 23002: a cell longer than 131,072 characters" in err


def test_an_open_quote_that_swallows_a_long_stretch_names_its_line(project: Path) -> None:
    rows = [row(i) for i in range(4000)]
    rows[9] = rows[9].replace("voice_fr", '"voice_fr', 1)
    err = ingest(project, "open.csv", HEADER + "".join(rows))
    assert ("open.csv: line 11: a cell longer than 131,072 characters; a quote opened on line "
            "11 is still open on line") in err
    assert "(an unbalanced quote?)" in err


def test_an_unbalanced_quote_is_reported_where_it_opens(project: Path) -> None:
    rows = [row(i) for i in range(40)]
    rows[19] = rows[19].replace("voice_fr", '"voice_fr', 1)  # line 21 of the file
    err = ingest(project, "quote.csv", HEADER + "".join(rows))
    assert ("quote.csv: line 21: a quote opened on this line is not closed before line 41 "
            "(that row has 2 fields, the header 6)") in err


def test_two_offered_columns_are_refused_naming_both(project: Path) -> None:
    err = ingest(project, "two.csv", "interval_start,queue,channel,offered,Offered ,handle_s\n"
                 "2025-03-14T08:00:00+01:00,voice_fr,voice,3,4,600\n")
    assert ("two.csv: the header holds column 'offered' 2 times, as columns 4 ('offered') and "
            "5 ('Offered'); accepted: each column the mapping 'wfm' reads once") in err


@pytest.mark.parametrize(("column", "cell"), [("offered", "1e400"), ("handle_s", "1e400"),
                                              ("offered", "1e30"), ("handle_s", "-1e400")])
def test_numbers_out_of_range_are_shown_as_written(project: Path, column: str,
                                                   cell: str) -> None:
    body = row(0, **{column: cell})
    err = ingest(project, "n.csv", HEADER + body)
    assert f"n.csv: line 2, column '{column}': {column} '{cell}' is " in err
    assert "out of range" in err
    assert "inf" not in err and "1000000000" not in err


@pytest.mark.parametrize("at", [5, 400])  # in the first 8 KB, and beyond it
def test_nul_bytes_are_reported_with_their_line(project: Path, at: int) -> None:
    rows = [row(i) for i in range(500)]
    rows[at] = rows[at].replace("voice_fr", "voice\x00fr", 1)
    err = ingest(project, "nul.csv", (HEADER + "".join(rows)).encode())
    assert (f"nul.csv: not a CSV or Excel (.xlsx) file (binary content: a NUL byte on line "
            f"{at + 2})") in err


def test_an_unknown_mapping_in_wfm_toml_names_the_key_and_the_file(project: Path) -> None:
    toml = project / "wfm.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('mapping = "wfm"', 'mapping = "nonexistent"', 1),
                    encoding="utf-8")
    err = ingest(project, "a.csv", HEADER + row(0))
    assert (f"{toml}: [data] mapping = 'nonexistent': unknown mapping 'nonexistent'"
            in err.replace(str(toml.resolve()), str(toml)))
    toml.write_text(text.replace('mapping = "wfm"', 'mapping = "maps/acd.toml"', 1),
                    encoding="utf-8")
    err = ingest(project, "a.csv", HEADER + row(0))
    assert "[data] mapping = 'maps/acd.toml': mapping file" in err
    assert "acd.toml not found" in err


def test_an_unknown_mapping_flag_names_the_flag(project: Path) -> None:
    err = ingest(project, "a.csv", HEADER + row(0), "--mapping", "genesys")
    assert ("--mapping 'genesys': unknown mapping 'genesys'; did you mean 'genesys-cloud'?"
            in err)
