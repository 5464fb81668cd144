"""Bad-input suite: malformed interval exports and wfm.toml files given to `wfm run`.

Every case must end with exit code 1 and one clear `wfm: error:` line (plus at most a hint
line), never a traceback, and must leave the data store, every `latest` and every run
folder exactly as they were. Cases the ingest library still accepts or crashes on are
listed in KNOWN_GAPS as strict xfails (they flip to failures once fixed); the count of
cases tried is reported in docs/running.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline_project import (
    AREAS,
    fast_config,
    hidden_leftovers,
    make_project,
    run_in_process,
    tree_digest,
    visible_state,
)

H = "interval_start,queue,channel,offered,handled,abandoned,handle_s\n"
R = ["2026-11-02T09:00:00+01:00,voice_fr,voice,12,11,1,3300\n",
     "2026-11-02T09:15:00+01:00,voice_fr,voice,14,13,1,3900\n",
     "2026-11-02T09:30:00+01:00,voice_fr,voice,10,10,0,3000\n",
     "2026-11-02T09:45:00+01:00,voice_fr,voice,9,9,0,2600\n"]
GOOD = H + "".join(R)

#: name -> (file bytes, a fragment the one-line message must contain)
HAND_MADE: dict[str, tuple[bytes, str]] = {
    "truncated_mid_timestamp": ((H + R[0] + "2026-11-02T09:1\n").encode(),
                                "line 3: 1 fields, the header has 7"),
    "truncated_mid_queue": ((H + R[0] + "2026-11-02T09:15:00+01:00,voi\n").encode(),
                            "line 3: 2 fields, the header has 7"),
    "truncated_no_newline": ((H + R[0] + R[1][:30]).encode(), "line 3"),
    "wrong_delimiter_one_row": ((H + R[0] + R[1].replace(",", ";") + R[2]).encode(),
                                "line 3: 1 fields, the header has 7"),
    "semicolon_rows_comma_header": ((H + "".join(r.replace(",", ";") for r in R)).encode(),
                                    "semicolon_rows_comma_header.csv: "),
    "bom_twice": (b"\xef\xbb\xbf\xef\xbb\xbf" + GOOD.encode(),
                  "missing required column(s) 'interval_start'"),
    "bom_mid_file": ((H + R[0]).encode() + b"\xef\xbb\xbf" + "".join(R[1:]).encode(),
                     "line 3, column 'interval_start'"),
    "decimal_comma_in_count": (
        (H.replace(",", ";") + "".join(r.replace(",", ";") for r in R))
        .replace(";12;", ";12,5;").encode(), "offered"),
    "negative_count": ((H + R[0].replace(",12,", ",-3,") + R[1]).encode(),
                       "negative offered"),
    "duplicate_interval_conflicting": ((H + R[0] + R[1] + R[1].replace(",14,", ",15,"))
                                       .encode(), "lines 3 and 4 both hold queue 'voice_fr'"),
    "dst_ambiguous_local_time": ((H + "2025-10-26 02:30:00,voice_fr,voice,3,3,0,600\n")
                                 .encode(), "is ambiguous in Europe/Paris"),
    "dst_missing_local_time": ((H + "2025-03-30 02:30:00,voice_fr,voice,3,3,0,600\n")
                               .encode(), "does not exist in Europe/Paris"),
    "empty_file": (b"", "the file is empty"),
    "header_only": (H.encode(), "the file has a header but no data rows"),
    "binary_garbage": (bytes(range(256)) * 8, "not a CSV or Excel (.xlsx) file"),
    "gzip_bytes": (b"\x1f\x8b\x08\x00" + bytes(range(200)), "not a CSV or Excel (.xlsx) file"),
    "nul_bytes_inside": ((H + R[0]).encode() + b"\x00\x00" + R[1].encode(),
                         "not a CSV or Excel (.xlsx) file"),
    "text_in_count": ((H + R[0].replace(",12,", ",twelve,")).encode(),
                      "offered: cannot read 'twelve'"),
    "unparseable_timestamp": ((H + R[0].replace("2026-11-02T09:00:00+01:00",
                                                "2026-13-45T09:00")).encode(),
                              "cannot read timestamp '2026-13-45T09:00'"),
    "off_grid_timestamp": ((H + R[0].replace("09:00:00", "09:07:00")).encode(),
                           "is not on the 15-minute interval grid"),
    "unknown_channel": ((H + R[0].replace(",voice,", ",fax,")).encode(),
                        "unknown channel 'fax'"),
    "missing_required_column": (b"interval_start,queue,channel,handled\n"
                                b"2026-11-02T09:00:00+01:00,voice_fr,voice,3\n",
                                "missing required column(s) 'offered'"),
    "xlsx_truncated_workbook": (b"PK\x03\x04" + bytes(range(64)), "xlsx"),
}

#: Malformed inputs ingest once let through (kept apart to show what they exercise).
HAND_MADE.update({
    "truncated_row_fewer_fields": (
        (H + R[0] + "2026-11-02T09:15:00+01:00,voice_fr,voice,14\n" + R[2]).encode(),
        "line 3: 4 fields, the header has"),
    "extra_field_shifts_columns": (
        (H + R[0] + R[1].replace(",14,", ",14,99,") + R[2]).encode(),
        "line 3: 8 fields, the header has 7"),
    "decimal_comma_unquoted": (
        (H + R[0].replace(",3300", ",3300,5") + R[1]).encode(),
        "line 2: 8 fields, the header has 7"),
    "huge_count": ((H + R[0].replace(",12,", ",123456789012345678901234567890,")).encode(),
                   "is implausibly large for one interval"),
    "infinite_count": ((H + R[0].replace(",12,", ",inf,")).encode(),
                       "offered: cannot read 'inf'"),
    "infinite_handle_time": ((H + R[0].replace(",3300", ",1e400")).encode(),
                             "handle_s '1e400' is out of range"),
    "mixed_encodings": ((H + R[0].replace("voice_fr", "voix_é")).encode("utf-8")
                        + R[1].replace("voice_fr", "voix_é").encode("latin-1"),
                        "mixed text encodings"),
})

#: Malformed inputs the ingest library still gets wrong (strict xfails): none left.
KNOWN_GAPS: dict[str, tuple[bytes, str]] = {}

#: name -> (wfm.toml text, fragment of the message)
TOML_CASES: dict[str, tuple[str, str]] = {}


def _toml_cases(base: str) -> dict[str, tuple[str, str]]:
    def sub(old: str, new: str) -> str:
        assert old in base, old
        return base.replace(old, new, 1)

    run_head = "[run]                              # what an unattended `wfm run` (cron) does\n"
    return {
        "not_toml": ("[run\nsteps = \n", "not valid TOML"),
        "duplicate_key": (sub("keep = 14", "keep = 14\nkeep = 3"), "not valid TOML"),
        "binary_garbage": ("\x00\x01\x02\x7f[[[", "not valid TOML"),
        "unknown_run_key": (sub(run_head, run_head + 'stpes = ["ingest"]\n'), "stpes"),
        "unknown_section": (base + "\n[runn]\nkeep = 1\n", "runn"),
        "bad_step_name": (sub('steps = ["ingest"', 'steps = ["bogus", "ingest"'),
                          "[run] steps"),
        "negative_keep": (sub("keep = 14", "keep = -1"), "[run] keep"),
        "keep_not_number": (sub("keep = 14", 'keep = "many"'), "[run] keep"),
        "week_not_monday": (sub('week = "next"', 'week = "2026-11-24"'), "[run] week"),
        "horizon_months": (sub('horizon = "7d"', 'horizon = "6m"'), "[run] horizon"),
        "inputs_not_list": (sub(run_head, run_head + "inputs = 5\n"), "[run] inputs"),
        "empty_lock_file": (sub('lock_file = ".wfm-run.lock"', 'lock_file = ""'),
                            "[run] lock_file"),
        "allow_understaffing_text": (sub("allow_understaffing = true",
                                         'allow_understaffing = "yes"'),
                                     "[run] allow_understaffing"),
        "bad_timezone": (sub('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"'),
                         "Mars/Olympus"),
        "unknown_channel": (sub('channel = "chat"', 'channel = "fax"'), "fax"),
        "same_folder_twice": (sub('schedules_dir = "schedules"', 'schedules_dir = "reports"'),
                              "[paths] puts schedules and reports in the same folder"),
        "inputs_match_nothing": (sub(run_head, run_head + 'inputs = ["nowhere/*.csv"]\n'),
                                 "bad.toml: [run] inputs pattern 'nowhere/*.csv' matches no file"),
    }


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after one good run; its [run] inputs then point at exports/*.csv."""
    root = make_project(tmp_path_factory.mktemp("bad") / "centre")
    done = run_in_process(root, "--quiet")
    assert done.exit_code == 0, done.output
    text = (root / "wfm.toml").read_text()
    head = "[run]                              # what an unattended `wfm run` (cron) does\n"
    (root / "wfm.toml").write_text(text.replace(head, head + 'inputs = ["exports/*"]\n'))
    (root / "exports").mkdir()
    return root


def _snapshot(project: Path) -> object:
    return (tree_digest(project / "data"), visible_state(project),
            {a: sorted(p.name for p in (project / a).iterdir()) for a in AREAS})


def _assert_clean_failure(res: Result, fragment: str, *, step: str | None = "ingest") -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 1, res.output
    lines = res.stderr.splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert lines[0].startswith("wfm: error: "), lines
    if step is not None:
        assert f"FAILED at step {step} " in lines[0]
    assert fragment in lines[0], lines[0]
    assert len(lines) == 1 or lines[1].startswith("  hint: ")
    assert "Traceback" not in res.output
    assert res.stdout == ""


def _try_file(project: Path, name: str, data: bytes) -> Result:
    path = project / "exports" / name
    path.write_bytes(data)
    try:
        return run_in_process(project, "--steps", "ingest,forecast")
    finally:
        path.unlink()


def _cases(table: dict[str, tuple[bytes, str]], gap: bool) -> list[object]:
    marks = [pytest.mark.xfail(strict=True, reason="ingest gap")] if gap else []
    return [pytest.param(name, data, fragment, id=name, marks=marks)
            for name, (data, fragment) in table.items()]


@pytest.mark.parametrize(("name", "data", "fragment"),
                         _cases(HAND_MADE, False) + _cases(KNOWN_GAPS, True))
def test_malformed_interval_file(bad_project: Path, name: str, data: bytes,
                                 fragment: str) -> None:
    before = _snapshot(bad_project)
    suffix = ".xlsx" if name.startswith("xlsx") else ".csv"
    res = _try_file(bad_project, name + suffix, data)
    _assert_clean_failure(res, fragment if suffix == ".csv" else name + suffix)
    assert f"exports/{name}{suffix}" in res.stderr
    assert _snapshot(bad_project) == before
    assert hidden_leftovers(bad_project) == []


@pytest.mark.parametrize("name", sorted(_toml_cases(fast_config())))
def test_malformed_wfm_toml(bad_project: Path, name: str) -> None:
    text, fragment = _toml_cases(fast_config())[name]
    before = _snapshot(bad_project)
    (bad_project / "bad.toml").write_text(text, encoding="utf-8")
    res = run_in_process_config(bad_project, "bad.toml")
    step = "ingest" if name == "inputs_match_nothing" else None
    _assert_clean_failure(res, fragment, step=step)
    assert "bad.toml" in res.stderr
    assert _snapshot(bad_project) == before


def run_in_process_config(project: Path, config_name: str) -> Result:
    from click.testing import CliRunner

    from wfm.cli.main import cli

    return CliRunner().invoke(cli, ["--config", str(project / config_name), "run"])


def test_rows_out_of_order_are_accepted_as_the_same_data(bad_project: Path) -> None:
    """Non-monotonic timestamps are not malformed: rows are keyed, the store sorts them."""
    shuffled = H + R[2] + R[0] + R[3] + R[1]
    before = tree_digest(bad_project / "data")
    path = bad_project / "exports" / "shuffled.csv"
    path.write_text(shuffled)
    try:
        res = run_in_process(bad_project, "--steps", "ingest")
    finally:
        path.unlink()
    assert res.exit_code == 0, res.output
    from wfm.io.store import read_intervals

    got = read_intervals(bad_project / "data", queues=["voice_fr"])
    rows = got[got["interval_start"].dt.strftime("%Y-%m-%dT%H:%M") .between(
        "2026-11-02T08:00", "2026-11-02T08:45")]
    assert rows["offered"].tolist() == [12, 14, 10, 9]
    assert tree_digest(bad_project / "data") != before


# Hypothesis: a valid file with one or two corruptions the ingest must refuse.
_NO_NUMBER = st.text(alphabet="xyzqwkjvb", min_size=1, max_size=6)
_CHANNEL_LIKE = st.text(alphabet="xyzqwkjvb_", min_size=1, max_size=8)


@st.composite
def corrupted_file(draw: st.DrawFn) -> bytes:
    rows = [r.rstrip("\n").split(",") for r in R]
    kind = draw(st.sampled_from(["negative", "text_count", "off_grid", "bad_ts", "channel",
                                 "conflict", "ambiguous", "binary", "nul"]))
    i = draw(st.integers(0, len(rows) - 1))
    col = draw(st.sampled_from([3, 4, 5]))
    if kind == "negative":
        rows[i][col] = str(draw(st.integers(-10**6, -1)))
    elif kind == "text_count":
        rows[i][col] = draw(_NO_NUMBER)
    elif kind == "off_grid":
        minute = draw(st.integers(1, 59).filter(lambda m: m % 15 != 0))
        rows[i][0] = f"2026-11-02T10:{minute:02d}:00+01:00"
    elif kind == "bad_ts":
        rows[i][0] = draw(_NO_NUMBER)
    elif kind == "channel":
        rows[i][2] = draw(_CHANNEL_LIKE)
    elif kind == "conflict":
        dup = list(rows[i])
        dup[3] = str(int(dup[3]) + draw(st.integers(1, 50)))
        rows.insert(draw(st.integers(0, len(rows))), dup)
    elif kind == "ambiguous":
        minute = draw(st.sampled_from([0, 15, 30, 45]))
        rows[i][0] = f"2025-10-26 02:{minute:02d}:00"
    text = H + "".join(",".join(r) + "\n" for r in rows)
    data = text.encode()
    if kind == "binary":
        data = draw(st.binary(min_size=1, max_size=300)) + b"\x00"
    elif kind == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    return data


#: Examples hypothesis tries (reported in docs/running.md).
HYPOTHESIS_EXAMPLES = 40


@settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=corrupted_file())
def test_generated_malformed_files(bad_project: Path, data: bytes) -> None:
    before = _snapshot(bad_project)
    res = _try_file(bad_project, "generated.csv", data)
    _assert_clean_failure(res, "exports/generated.csv")
    assert _snapshot(bad_project) == before


def test_case_count_reported_in_docs() -> None:
    total = (len(HAND_MADE) + len(KNOWN_GAPS) + len(_toml_cases(fast_config()))
             + HYPOTHESIS_EXAMPLES)
    docs = (Path(__file__).resolve().parents[2] / "docs" / "running.md").read_text()
    assert f"tries {total} cases" in docs
