"""The messy real-style exports of tests/data/exports/ (issue 13), each through `wfm ingest`.

Every file has its outcome here: the exact rows stored, or the exact message with exit code
1, no traceback and the store unchanged. The files are built byte by byte by
tests/data/exports/make_exports.py (cp1252 and UTF-16 with BOM, ';' and tab, CRLF, title
lines, total rows, interval labels, absent idle intervals, a repeated DST hour, unknown
queues, glitch rows).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.io.store import read_intervals

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"
PARIS = ZoneInfo("Europe/Paris")
SEED = "interval_start,queue,channel,offered,handled,handle_s\n" \
       "2025-01-06T09:00:00+01:00,voice_en,voice,5,5,1500\n"


@pytest.fixture
def corpus(project: Path) -> Path:
    """The project with the exports in exports/ and one stored row (to see it unchanged)."""
    shutil.copytree(EXPORTS, project / "exports")
    (project / "seed.csv").write_text(SEED, encoding="utf-8")
    assert run("-q", "ingest", "seed.csv").exit_code == 0
    return project


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def store_bytes(project: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((project / "data").rglob("*")) if p.is_file()}


def ingested(project: Path, *args: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ingest; return the stored rows of this ingest (the seed row left out) and the
    findings other than the usual infos."""
    result = run("ingest", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    findings = pd.DataFrame(json.loads(result.stdout),
                            columns=["queue", "channel", "severity", "check", "count", "detail"])
    findings = findings.loc[~findings["check"].isin(
        ["date_range", "known_special_days", "dst_days"])].reset_index(drop=True)
    stored = read_intervals(project / "data")
    stored = stored.loc[stored["queue"] != "voice_en"] if "seed" not in args else stored
    return stored.reset_index(drop=True), findings


def refused(project: Path, *args: str) -> list[str]:
    before = store_bytes(project)
    result = run("-q", "ingest", *args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert store_bytes(project) == before
    return result.stderr.splitlines()


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def rows(frame: pd.DataFrame, *columns: str) -> list[list[object]]:
    out = frame[["interval_start", "queue", "channel", *columns]].astype(object)
    return out.where(out.notna(), None).to_numpy().tolist()


# -- accepted with exact stored values -------------------------------------------------------

def reference_fr_acd(path: Path) -> pd.DataFrame:
    """The French ACD file read independently: csv module, float(), zoneinfo."""
    with path.open(encoding="cp1252", newline="") as fh:
        records = list(csv.DictReader(fh, delimiter=";"))
    out = []
    for r in records:
        local = datetime.strptime(f"{r['Date']} {r['Intervalle']}", "%d/%m/%Y %H:%M")
        start = pd.Timestamp(local.replace(tzinfo=PARIS)).tz_convert("UTC")
        handled = int(r["Appels traités"])
        out.append({"interval_start": start, "offered": int(r["Appels présentés"]),
                    "handled": handled, "abandoned": int(r["Abandons"]),
                    "answered_within_sl": int(r["Traités < 20 s"]),
                    "handle_s": handled * float(r["DMT (min)"].replace(",", ".")) * 60})
    return pd.DataFrame(out)


def test_decimal_comma_first_seen_on_line_200(corpus: Path) -> None:
    """Item 1: DMT (min) is whole minutes until line 200's '5,5' (main stored 55 min)."""
    path = corpus / "exports" / "fr_cp1252_late_decimal_comma.csv"
    assert path.read_bytes().split(b"\r\n")[199].endswith(b";5,5;4")
    stored, findings = ingested(corpus, str(path), "-m", "exports/fr_acd.toml")
    ref = reference_fr_acd(path)
    assert len(stored) == len(ref) == 240
    assert stored["interval_start"].tolist() == ref["interval_start"].tolist()
    for c in ("offered", "handled", "abandoned", "answered_within_sl", "handle_s"):
        assert stored[c].tolist() == ref[c].tolist(), c
    line_200 = stored.loc[stored["interval_start"] == utc("2025-03-14 08:30")].iloc[0]
    assert (line_200["handled"], line_200["handle_s"]) == (8, 8 * 5.5 * 60)
    assert set(stored["queue"]) == {"voice_fr"} and set(stored["channel"]) == {"voice"}
    # Nights between the days are absent; the export lists idle intervals, so: gaps (closed).
    assert findings["check"].tolist() == ["absent_intervals", "missing_intervals_closed"]


def test_title_and_filter_lines_above_the_header(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/fr_title_filter_lines.csv",
                                "-m", "exports/fr_acd.toml")
    assert rows(stored, "offered", "handled", "abandoned", "handle_s") == [
        [utc("2025-03-10 07:00"), "voice_fr", "voice", 10, 9, 1, 2430.0],
        [utc("2025-03-10 07:15"), "voice_fr", "voice", 11, 10, 1, 2700.0],
        [utc("2025-03-10 07:30"), "voice_fr", "voice", 12, 11, 1, 2970.0],
        [utc("2025-03-10 07:45"), "voice_fr", "voice", 13, 12, 1, 3240.0]]
    assert findings.to_dict("records") == [{
        "queue": "", "channel": "", "severity": "warning", "check": "skipped_rows", "count": 3,
        "detail": "exports/fr_title_filter_lines.csv: line(s) above the header skipped (report "
                  "title or filter): 1 (\"Rapport d'activité par intervalle\"), 2 ('Filtre : "
                  "File = Service Client FR'), 3 ('Période : 10/03/2025 - 10/03/2025')"}]


def test_trailing_total_row(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/fr_trailing_total.csv",
                                "-m", "exports/fr_acd.toml")
    assert rows(stored, "offered", "handled", "handle_s") == [
        [utc(f"2025-03-10 07:{m:02d}"), "voice_fr", "voice", 6, 6, 1800.0]
        for m in (0, 15, 30, 45)]
    assert findings.to_dict("records") == [{
        "queue": "", "channel": "", "severity": "warning", "check": "skipped_rows", "count": 1,
        "detail": "exports/fr_trailing_total.csv: total row(s) after the data skipped: line 6 "
                  "('Total 24 24 0 5 20')"}]


def test_interval_labels(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/fr_interval_labels.csv",
                                "-m", "exports/fr_acd.toml")
    busy = stored.loc[stored["offered"] > 0]
    assert rows(busy, "offered", "handled", "handle_s") == [
        [utc("2025-03-10 07:00"), "email_fr", "email", 3, 2, 720.0],
        [utc("2025-03-10 07:15"), "email_fr", "email", 3, 2, 720.0],
        [utc("2025-03-10 22:45"), "email_fr", "email", 3, 2, 720.0]]   # 23:45 - 00:00 local
    # An email export without idle rows: the other 93 intervals of the day are zeros.
    assert len(stored) == 96 and stored["offered"].sum() == 9
    assert findings["check"].tolist() == ["absent_intervals"]


def test_repeated_dst_hour_listed_twice_in_order(corpus: Path) -> None:
    """Item 4: 26/10/2025 02:00-02:45 local appear twice; row order places them."""
    stored, findings = ingested(corpus, "exports/fr_dst_repeated_hour_in_order.csv",
                                "-m", "exports/fr_acd.toml")
    expected = pd.date_range(utc("2025-10-25 22:00"), periods=100, freq="15min")
    assert stored["interval_start"].tolist() == list(expected)
    assert stored["offered"].tolist() == [k % 4 for k in range(100)]
    assert findings.empty


def test_sparse_email_without_zero_rows_is_filled_with_zeros(corpus: Path) -> None:
    """Item 2: the export leaves idle intervals out; they are stored as zeros."""
    stored, findings = ingested(corpus, "exports/email_sparse_no_zero_rows.csv")
    busy = stored.loc[(stored["offered"] > 0) | (stored["handled"] > 0)]
    assert rows(busy, "offered", "handled", "handle_s") == [
        [utc("2025-03-14 06:30"), "email_fr", "email", 1, 0, 0.0],
        [utc("2025-03-14 08:15"), "email_fr", "email", 2, 1, 410.0],
        [utc("2025-03-14 08:30"), "email_fr", "email", 1, 2, 905.0],
        [utc("2025-03-14 13:00"), "email_fr", "email", 3, 1, 380.0],
        [utc("2025-03-14 21:45"), "email_fr", "email", 1, 0, 0.0],
        [utc("2025-03-15 09:00"), "email_fr", "email", 1, 1, 300.0]]
    # Friday and Saturday, local midnight to midnight: 2 x 96 intervals.
    assert stored["interval_start"].tolist() == list(pd.date_range(
        utc("2025-03-13 23:00"), periods=192, freq="15min"))
    zeros = stored.drop(busy.index)
    assert (zeros[["offered", "handled", "handle_s"]] == 0).all().all()
    assert findings.to_dict("records") == [{
        "queue": "email_fr", "channel": "email", "severity": "info",
        "check": "absent_intervals", "count": 186,
        "detail": "186 interval(s) absent from the export over the local days it covers read "
                  "as zero (no activity): the export lists no interval without activity but "
                  "leaves 101 out between its rows, so its ACD leaves idle intervals out; if "
                  "they are gaps, set absent_intervals = { email_fr = \"missing\" } in [data]"}]


def test_export_with_zero_rows_keeps_its_gap_missing(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/voice_zero_rows_and_a_gap.csv")
    assert len(stored) == 7
    assert utc("2025-03-14 07:45") not in set(stored["interval_start"])
    assert findings[["check", "severity", "count"]].values.tolist() == [
        ["absent_intervals", "info", 1], ["missing_intervals_open", "warning", 1]]
    assert findings["detail"][0].endswith(
        "the export lists 3 interval(s) without activity, so its ACD writes idle intervals "
        "and an absent one is a gap; if they had no activity, set absent_intervals = "
        "{ voice_fr = \"zero\" } in [data]")


def test_absent_intervals_setting_overrides_the_automatic_choice(corpus: Path) -> None:
    config = corpus / "wfm.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[data]\n", '[data]\nabsent_intervals = { voice_fr = "zero" }\n', 1), encoding="utf-8")
    stored, findings = ingested(corpus, "exports/voice_zero_rows_and_a_gap.csv")
    assert len(stored) == 96  # the gap and the rest of the day: zeros
    assert stored.loc[stored["interval_start"] == utc("2025-03-14 07:45"), "offered"].item() == 0
    assert findings["detail"][0].startswith(
        "89 interval(s) absent from the export over the local days it covers read as zero "
        "(no activity): set by [data] absent_intervals voice_fr;")


def test_glitch_rows_are_warnings_naming_the_line(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/wfm_glitch_rows.csv")
    assert rows(stored, "offered", "handled", "answered_within_sl", "handle_s") == [
        [utc("2025-03-14 07:00"), "voice_fr", "voice", 10, 9, 8, 2700.0],
        [utc("2025-03-14 07:15"), "voice_fr", "voice", 6, 5, 5, 0.0],
        [utc("2025-03-14 07:30"), "voice_fr", "voice", 7, 6, 7, 1800.0]]
    glitch = " (a known export glitch, stored as exported; [data] strict = true refuses it)"
    assert findings[["severity", "check", "count", "detail"]].values.tolist() == [
        ["warning", "answered_within_sl_exceeds_handled", 1,
         f"answered_within_sl > handled{glitch}, first at 2025-03-14 08:30 "
         "(exports/wfm_glitch_rows.csv, line 4)"],
        ["warning", "zero_handle_time", 1,
         f"handled > 0 with handle_s = 0{glitch}, first at 2025-03-14 08:15 "
         "(exports/wfm_glitch_rows.csv, line 3)"]]


def test_blank_cells_in_optional_numeric_columns(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/wfm_blank_optional_cells.csv")
    assert rows(stored, "offered", "handled", "handle_s") == [
        [utc("2025-03-14 07:00"), "voice_fr", "voice", 5, 5, 1500.0],
        [utc("2025-03-14 07:15"), "voice_fr", "voice", 4, None, None],
        [utc("2025-03-14 07:30"), "voice_fr", "voice", 3, 3, None]]
    assert findings[["check", "count", "detail"]].values.tolist() == [
        ["blank_values", 2, "handle_s blank on 2 row(s), stored as unknown; first at "
                            "exports/wfm_blank_optional_cells.csv, line 3"],
        ["blank_values", 1, "handled blank on 1 row(s), stored as unknown; first at "
                            "exports/wfm_blank_optional_cells.csv, line 3"]]


def test_utf16_tab_export_with_thousands_dots(corpus: Path) -> None:
    raw = (corpus / "exports" / "de_utf16_tab.csv").read_bytes()
    assert raw.startswith(b"\xff\xfeD\x00") and b"\r\x00\n\x00" in raw
    stored, findings = ingested(corpus, "exports/de_utf16_tab.csv", "-m", "exports/de_acd.toml")
    assert rows(stored, "offered", "handled", "handle_s") == [
        [utc("2025-03-14 07:00"), "voice_fr", "voice", 12, 11, 3312.5],
        [utc("2025-03-14 07:15"), "voice_fr", "voice", 9, 9, 2700.0],
        [utc("2025-03-14 07:30"), "voice_fr", "voice", 4, 4, 987.25]]
    assert findings.empty


def test_utf8_bom_quoted_thousands_commas(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/us_utf8_bom_quoted_thousands.csv")
    stored = read_intervals(corpus / "data").query("handled > 900")
    assert rows(stored, "offered", "handled", "handle_s") == [
        [utc("2025-03-14 07:00"), "voice_en", "voice", 1204, 1198, 359400.5],
        [utc("2025-03-14 07:15"), "voice_en", "voice", 987, 980, 294012.25]]
    assert findings.empty


def test_ambiguous_thousands_read_with_the_mapping_decimal(corpus: Path) -> None:
    stored, _ = ingested(corpus, "exports/fr_ambiguous_thousands.csv",
                         "-m", "exports/fr_simple_decimal_comma.toml")
    assert rows(stored, "offered", "handle_s") == [
        [utc("2025-03-14 07:00"), "voice_fr", "voice", 12, 3600.0],
        [utc("2025-03-14 07:15"), "voice_fr", "voice", 9, 2700.0]]


def test_unknown_queue_skipped_on_request(corpus: Path) -> None:
    stored, findings = ingested(corpus, "exports/wfm_unknown_queue.csv",
                                "--skip-unknown-queues")
    assert rows(stored, "offered") == [[utc("2025-03-14 07:00"), "voice_fr", "voice", 4],
                                       [utc("2025-03-14 07:15"), "voice_fr", "voice", 4]]
    assert findings.to_dict("records") == [{
        "queue": "voice_de", "channel": "voice", "severity": "warning",
        "check": "unknown_queue_skipped", "count": 2,
        "detail": "not in wfm.toml; 2 row(s) left out (--skip-unknown-queues), first at "
                  "exports/wfm_unknown_queue.csv line 3"}]


# -- refused: exact message, nothing written --------------------------------------------------

UNKNOWN_HINT = ("  hint: add the queue to wfm.toml ([[queues]] name and channel), rename it to a "
                "configured queue in the mapping ([queues] table: \"export name\" = \"queue\"; "
                "[channels] for channels), or pass --skip-unknown-queues to leave its rows out")
CONFIGURED = "configured queues: chat_fr (chat), email_fr (email), voice_en (voice), voice_fr " \
             "(voice); nothing was written"
DST_HINT = ("  hint: export the timestamps in UTC or with their UTC offset (ISO 8601, e.g. "
            "2025-10-26T02:30:00+02:00), or set the mapping's timezone to the zone the export "
            "uses; or export both passes of the repeated hour, in order")

REFUSED = [
    ("mixed_decimal", ["exports/fr_mixed_decimal_styles.csv", "-m", "exports/fr_acd.toml"], [
        "wfm: error: exports/fr_mixed_decimal_styles.csv: column 'DMT (min)' mixes number "
        "styles: line 5 has '1.234' (a thousands dot or a decimal point) and line 9 has '1,5' "
        "(a decimal comma); accepted: one decimal mark per column",
        "  hint: re-export the file with one number format, or set decimal = \",\" or "
        "decimal = \".\" in the mapping"]),
    ("ambiguous_only", ["exports/fr_ambiguous_thousands.csv", "-m", "exports/fr_simple.toml"], [
        "wfm: error: exports/fr_ambiguous_thousands.csv: line 2, column 'Durée traitement (s)': "
        "'3.600' reads as either a decimal or a whole number with a thousands separator "
        "(3.600 or 3600), and no cell of the file shows which decimal mark it uses; accepted: "
        "numbers whose decimal mark can be told",
        "  hint: set decimal = \",\" or decimal = \".\" in the mapping"]),
    ("total_inside", ["exports/fr_total_inside_data.csv", "-m", "exports/fr_acd.toml"], [
        "wfm: error: exports/fr_total_inside_data.csv: line 5: data after the total row on "
        "line 4 ('Total 12 12 0 5 10'); accepted: total rows only after the last data row",
        "  hint: export without subtotals, or delete the total rows inside the data"]),
    ("dst_once", ["exports/fr_dst_repeated_hour_once.csv", "-m", "exports/fr_acd.toml"], [
        "wfm: error: exports/fr_dst_repeated_hour_once.csv: line 10, column 'Date' + "
        "'Intervalle': local time '26/10/2025 02:00' is ambiguous in Europe/Paris (a "
        "daylight-saving change repeats that hour), and queue 'email_fr' channel 'email' lists "
        "it once, so the row order cannot tell which of the two it is", DST_HINT]),
    ("unknown_queue", ["exports/wfm_unknown_queue.csv"], [
        "wfm: error: rows for queue(s) not in wfm.toml: 'voice_de': 2 row(s), first at "
        f"exports/wfm_unknown_queue.csv line 3; {CONFIGURED}", UNKNOWN_HINT]),
    ("other_channel", ["exports/wfm_queue_with_other_channel.csv"], [
        "wfm: error: rows for queue(s) not in wfm.toml: 'voice_fr' channel chat (wfm.toml: "
        "voice): 1 row(s), first at exports/wfm_queue_with_other_channel.csv line 3; "
        f"{CONFIGURED}", UNKNOWN_HINT]),
]


@pytest.mark.parametrize(("name", "args", "lines"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_exports(corpus: Path, name: str, args: list[str], lines: list[str]) -> None:
    assert refused(corpus, *args) == lines


def test_glitch_rows_refused_when_strict(corpus: Path) -> None:
    config = corpus / "wfm.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[data]\n", "[data]\nstrict = true\n", 1), encoding="utf-8")
    first, hint = refused(corpus, "exports/wfm_glitch_rows.csv")
    assert first == (
        "wfm: error: data health found 2 error(s); nothing was written. First: queue "
        "'voice_fr' channel 'voice' answered_within_sl_exceeds_handled: answered_within_sl > "
        "handled, first at 2025-03-14 08:30 (exports/wfm_glitch_rows.csv, line 4)")
    assert hint == "  hint: fix the export (or the mapping) and ingest again"


def test_the_corpus_covers_the_issue(corpus: Path) -> None:
    """At least 15 files, the encodings, delimiters and line ends real ACDs write."""
    files = sorted(EXPORTS.glob("*.csv"))
    assert len(files) >= 15
    heads = {p.name: p.read_bytes() for p in files}
    assert any(b.startswith(b"\xff\xfe") for b in heads.values())            # UTF-16 LE BOM
    assert any(b.startswith(b"\xef\xbb\xbf") for b in heads.values())        # UTF-8 BOM
    assert any(b"\xe9" in b and b"\r\n" in b for b in heads.values())        # cp1252, CRLF
    assert any(b"\t\x00" in b for b in heads.values())                       # tab (UTF-16)
    assert sum(b.split(b"\n")[0].count(b";") > 2 for b in heads.values()) >= 8
