"""`wfm ingest` and `wfm check` through click: bad input, idempotence, formats."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.io.store import read_intervals

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "interval_start,queue,channel,offered,handled,handle_s\n"
GOOD = ("2025-03-14T08:00:00+01:00,voice_fr,voice,3,3,600\n"
        "2025-03-14T08:15:00+01:00,voice_fr,voice,4,4,800\n")


def store_files(project: Path) -> dict[str, bytes]:
    root = project / "data"
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def add_queues(project: Path, queues: dict[str, str]) -> None:
    """Configure more queues (name -> channel) in the project's wfm.toml."""
    extra = "".join(f'\n[[queues]]\nname = "{q}"\nchannel = "{c}"\n' + (
        'response_target = 0.9\nresponse_time_h = 24\n' if c == "email" else "")
        for q, c in queues.items())
    path = project / "wfm.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_ingest_then_reingest_is_idempotent(project: Path) -> None:
    (project / "a.csv").write_text(HEADER + GOOD, encoding="utf-8")
    first = run("ingest", "a.csv", "--format", "csv")
    assert first.exit_code == 0, first.output
    assert "ingested 2 rows from 1 file(s) with mapping 'wfm'" in first.stderr
    assert first.stdout.startswith("queue,channel,severity,check,count,detail\n")
    before = read_intervals(project / "data")
    again = run("ingest", "a.csv", "--format", "csv")
    assert again.exit_code == 0
    assert "(2 replaced stored rows)" in again.stderr
    assert len(read_intervals(project / "data")) == 2
    assert read_intervals(project / "data")["offered"].sum() == 7
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)


def test_overlapping_files_later_file_wins(project: Path) -> None:
    (project / "a.csv").write_text(HEADER + GOOD, encoding="utf-8")
    (project / "b.csv").write_text(HEADER + "2025-03-14T08:15:00+01:00,voice_fr,voice,9,9,1800\n"
                                   "2025-03-14T08:30:00+01:00,voice_fr,voice,5,5,1000\n",
                                   encoding="utf-8")
    result = run("ingest", "a.csv", "b.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    assert read_intervals(project / "data")["offered"].tolist() == [3, 9, 5]
    checks = {f["check"]: f for f in json.loads(result.stdout)}
    assert checks["overlapping_files"]["count"] == 1
    # later ingest of a.csv alone wins back 08:15 in the store (upsert)
    run("ingest", "a.csv")
    assert read_intervals(project / "data")["offered"].tolist() == [3, 4, 5]


def test_vendor_file_with_mapping_option(project: Path) -> None:
    add_queues(project, {"101": "voice", "102": "voice"})
    result = run("ingest", str(DATA / "ingest_avaya_cms.csv"), "--mapping", "avaya-cms",
                 "-f", "csv")
    assert result.exit_code == 0, result.output
    assert sorted(read_intervals(project / "data")["queue"].unique()) == ["101", "102"]


def _xls(p: Path) -> None:
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def _zip(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "not a workbook")


def _empty_xlsx(p: Path) -> None:
    import openpyxl

    openpyxl.Workbook().save(p)


def _header_only_xlsx(p: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["interval_start", "queue", "offered"])
    wb.save(p)


BAD_INPUTS = [
    ("autumn.csv", HEADER + "2025-10-26 01:45,voice_fr,voice,2,2,300\n"
     "2025-10-26 02:00,voice_fr,voice,2,2,300\n",
     "autumn.csv: line 3, column 'interval_start': local time '2025-10-26 02:00' is ambiguous "
     "in Europe/Paris (a daylight-saving change repeats that hour), and queue 'voice_fr' "
     "channel 'voice' lists it once, so the row order cannot tell which of the two it is"),
    ("empty.xlsx", _empty_xlsx, "empty.xlsx: the workbook's first sheet is empty"),
    ("header.xlsx", _header_only_xlsx, "header.xlsx: the file has a header but no data rows"),
    ("empty.csv", "", "empty.csv: the file is empty"),
    ("header.csv", HEADER, "header.csv: the file has a header but no data rows"),
    ("missing.csv", "interval_start,queue,calls\n2025-03-14T08:00:00+01:00,q,3\n",
     "missing.csv: missing required column(s) 'offered' for mapping 'wfm'; columns found: "
     "'interval_start', 'queue', 'calls'"),
    ("text.csv", HEADER + GOOD + "2025-03-14T08:30:00+01:00,voice_fr,voice,three,3,600\n",
     "text.csv: line 4, column 'offered': offered: cannot read 'three'; expected a number"),
    ("neg.csv", HEADER + "2025-03-14T08:30:00+01:00,voice_fr,voice,-2,0,0\n",
     "neg.csv: line 2, column 'offered': negative offered '-2'; counts and durations must be >= 0"),
    ("inf.csv", HEADER + "2025-03-14T08:30:00+01:00,voice_fr,voice,1e400,0,0\n",
     "inf.csv: line 2, column 'offered': offered '1e400' is out of range; accepted: 0 to "
     "1e+12"),
    ("short.csv", HEADER + "2025-03-14T08:30:00+01:00,voice_fr\n", "short.csv: "),
    ("ts.csv", HEADER + "yesterday 8am,voice_fr,voice,2,2,300\n",
     "ts.csv: line 2, column 'interval_start': cannot read timestamp 'yesterday 8am'"),
    ("chan.csv", HEADER + "2025-03-14T08:30:00+01:00,voice_fr,fax,2,2,300\n",
     "chan.csv: line 2, column 'channel': unknown channel 'fax'; accepted: voice, callback"),
    ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png: not a CSV or Excel"),
    ("old.xls", _xls, "old.xls: legacy Excel .xls files are not supported"),
    ("fake.xlsx", _zip, "fake.xlsx: not a CSV or Excel (.xlsx) file"),
    ("grid.csv", HEADER + "2025-03-14T08:05:00+01:00,voice_fr,voice,2,2,300\n",
     "is not on the 15-minute interval grid"),
    ("dup.csv", HEADER + GOOD + "2025-03-14T08:00:00+01:00,voice_fr,voice,5,5,900\n",
     "dup.csv: lines 2 and 4 both hold queue 'voice_fr' channel 'voice' interval "
     "2025-03-14T07:00:00+00:00 with different values"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS,
                         ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_one_line_exit_1_store_unchanged(project: Path, name: str, content,
                                                   message: str) -> None:
    (project / "good.csv").write_text(HEADER + GOOD, encoding="utf-8")
    assert run("ingest", "good.csv").exit_code == 0
    before = store_files(project)
    path = project / name
    if callable(content):
        content(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    # the good file first: all or nothing means it is not re-written either
    (project / "good.csv").write_text(HEADER + GOOD.replace(",3,3,", ",7,7,"), encoding="utf-8")
    result = run("--quiet", "ingest", "good.csv", name)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    first, *rest = result.stderr.splitlines()
    assert first.startswith("wfm: error: ")
    assert message in first
    assert all(line.startswith("  hint: ") for line in rest)
    assert store_files(project) == before


def test_health_error_prints_findings_and_writes_nothing(project: Path) -> None:
    (project / "sl.csv").write_text(
        "interval_start,queue,channel,offered,handled,answered_within_sl\n"
        "2025-03-14T08:00:00+01:00,voice_fr,voice,5,4,6\n", encoding="utf-8")
    config = project / "wfm.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[data]\n", "[data]\nstrict = true\n", 1), encoding="utf-8")
    result = run("-q", "ingest", "sl.csv", "-f", "csv")
    assert result.exit_code == 1
    assert "answered_within_sl_exceeds_handled" in result.stdout
    assert result.stderr.startswith("wfm: error: data health found 1 error(s); nothing was "
                                    "written. First: queue 'voice_fr' channel 'voice' "
                                    "answered_within_sl_exceeds_handled")
    assert "sl.csv, line 2" in result.stderr
    assert not (project / "data").exists()


def test_ingest_without_files_uses_data_history(project: Path) -> None:
    sample = project / "sample"
    sample.mkdir()
    (sample / "intervals.csv").write_text(HEADER + GOOD, encoding="utf-8")
    result = run("ingest")
    assert result.exit_code == 0, result.output
    assert len(read_intervals(project / "data")) == 2


def test_check_formats_and_empty_store(project: Path) -> None:
    empty = run("check")
    assert empty.exit_code == 1
    assert "data store is empty" in empty.stderr
    (project / "a.csv").write_text(HEADER + GOOD, encoding="utf-8")
    run("ingest", "a.csv")
    as_json = run("check", "--format", "json")
    assert as_json.exit_code == 0
    rows = json.loads(as_json.stdout)
    assert rows[0] == {"queue": "voice_fr", "channel": "voice", "severity": "info",
                       "check": "date_range", "count": 2,
                       "detail": "2025-03-14 .. 2025-03-14 local, 1 days, 2 intervals"}
    table = run("check", "--format", "table")
    assert "date_range" in table.stdout and "severity" in table.stdout
    out = project / "health.csv"
    assert run("check", "-f", "csv", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("queue,channel,severity,check,count,detail")
    unknown = run("check", "--queue", "nope")
    assert unknown.exit_code == 1
    assert "no stored data for queue(s) nope" in unknown.stderr


@pytest.mark.parametrize("command", ["ingest", "check"])
def test_help_shows_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Example:  wfm {command}" in result.output


def test_user_mapping_in_wfm_toml(project: Path) -> None:
    text = (project / "wfm.toml").read_text(encoding="utf-8")
    text = text.replace("[[queues]]", (DATA / "ingest_french_mapping.toml").read_text(
        encoding="utf-8").replace("[columns]", "[data.mappings.fr.columns]").replace(
        "[channels]", "[data.mappings.fr.channels]").replace(
        'description = "ACD export, French locale"', "") + "\n[[queues]]", 1)
    (project / "wfm.toml").write_text(text, encoding="utf-8")
    add_queues(project, {"Accueil": "voice", "Réclamations": "email"})
    result = run("ingest", str(DATA / "ingest_french_export.csv"), "--mapping", "fr", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert read_intervals(project / "data")["offered"].sum() == 12 + 1204 + 7
    bad = run("ingest", str(DATA / "ingest_french_export.csv"), "--mapping", "frr")
    assert bad.exit_code == 1
    assert "unknown mapping 'frr'; did you mean 'fr'?" in bad.stderr


def test_history_pattern_matching_nothing(project: Path) -> None:
    result = run("ingest")
    assert result.exit_code == 1
    assert "[data] history pattern 'sample/intervals.csv' matches no file" in result.stderr


def test_data_drop_removes_a_wrongly_stored_channel(project: Path) -> None:
    """The issue's case: voice_fr/chat stored by an older wfm breaks every run; drop it."""
    from wfm.io.store import write_intervals

    ts = ["2025-03-14T07:00:00+00:00", "2025-03-14T07:15:00+00:00"]
    import pandas as pd

    rows = pd.DataFrame({"interval_start": pd.to_datetime(ts * 2), "queue": "voice_fr",
                         "channel": ["voice", "voice", "chat", "chat"], "offered": [3, 4, 1, 2]})
    write_intervals(project / "data", rows)
    refused = run("data", "drop", "--queue", "voice_fr", "--channel", "chat")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert len(read_intervals(project / "data")) == 4
    result = run("data", "drop", "--queue", "voice_fr", "--channel", "chat", "--yes",
                 "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "queue,channel,rows_dropped,partitions\nvoice_fr,chat,2,1\n"
    assert "dropped 2 rows of queue 'voice_fr' channel 'chat' from" in result.stderr
    assert read_intervals(project / "data")["channel"].unique().tolist() == ["voice"]
    gone = run("data", "drop", "--queue", "voice_de", "--yes")
    assert gone.exit_code == 1
    assert gone.stderr.startswith("wfm: error: ") and "no stored data for queue 'voice_de'; " \
        "stored: voice_fr" in gone.stderr
    whole = run("-q", "data", "drop", "--queue", "voice_fr", "-y", "-f", "csv")
    assert whole.exit_code == 0 and whole.stdout.endswith("voice_fr,*,2,1\n")
    assert whole.stderr == ""
