"""`wfm data history|undo|query`: the store's versions, taking an ingest back, SQL."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.io.store import read_intervals

HEADER = "interval_start,queue,channel,offered,handled,handle_s\n"
FIRST = ("2025-03-14T08:00:00+01:00,voice_fr,voice,3,3,600\n"
         "2025-03-14T08:15:00+01:00,voice_fr,voice,4,4,800\n"
         "2025-03-31T23:45:00+02:00,voice_en,voice,2,2,300\n")
# Replaces one voice_fr row, adds one, and adds a voice_en row in the next UTC month.
SECOND = ("2025-03-14T08:15:00+01:00,voice_fr,voice,9,9,900\n"
          "2025-03-14T08:30:00+01:00,voice_fr,voice,5,5,500\n"
          "2025-04-01T00:00:00+02:00,voice_en,voice,1,1,100\n")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ingest(project: Path, name: str, body: str) -> None:
    (project / name).write_text(HEADER + body, encoding="utf-8")
    result = run("ingest", name, "--quiet", "--format", "csv")
    assert result.exit_code == 0, result.output


def test_history_lists_each_ingest_with_files_and_rows_per_queue(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    ingest(project, "b.csv", SECOND)
    result = run("data", "history", "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert frame["version"].tolist() == [2, 2, 1, 1, 0]
    assert frame["operation"].tolist() == ["ingest"] * 4 + ["create"]
    second = frame.loc[frame["version"] == 2].set_index("queue")
    counts = second[["rows_added", "rows_replaced", "rows_removed"]].astype(int)
    assert counts.loc["voice_fr"].tolist() == [1, 1, 0]
    assert counts.loc["voice_en"].tolist() == [1, 0, 0]
    digest = hashlib.sha256((project / "b.csv").read_bytes()).hexdigest()[:12]
    assert second.loc["voice_fr", "files"] == f"b.csv (sha256 {digest})"
    assert second.loc["voice_fr", "detail"] == "mapping wfm"
    # Local time with offset (the site is Europe/Paris), as every CSV a planner opens.
    assert all(t[-6:] in ("+01:00", "+02:00") for t in frame["time"])
    as_json = run("data", "history", "--format", "json")
    assert json.loads(as_json.stdout)[0]["version"] == 2


def test_undo_gives_the_previous_store_back_row_for_row(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    before = read_intervals(project / "data")
    ingest(project, "b.csv", SECOND)
    assert len(read_intervals(project / "data")) == 5
    result = run("data", "undo", "--yes", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "restored the rows of version 1 as version 3; undone: 2 (ingest)" in result.stderr
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)
    # Undo again: the first ingest goes too, and the store is empty.
    again = run("data", "undo", "--yes")
    assert again.exit_code == 0, again.output
    assert "restored the rows of version 0 as version 4" in again.stderr
    empty = run("check")
    assert empty.exit_code == 1 and "the data store is empty" in empty.output
    nothing = run("data", "undo", "--yes")
    assert nothing.exit_code == 1
    assert "nothing to undo: version 4 (undo) is the first state of the store" in nothing.output
    # Restore to a version: the store holds version 2's rows again.
    ingest(project, "c.csv", FIRST)
    back = run("data", "undo", "--to-version", "2", "--yes")
    assert back.exit_code == 0, back.output
    assert read_intervals(project / "data")["offered"].tolist() == [2, 1, 3, 9, 5]
    history = run("data", "history", "--format", "csv")
    first_row = pd.read_csv(io.StringIO(history.stdout), keep_default_na=False).iloc[0]
    assert (first_row["operation"], first_row["detail"]) == ("undo", "restored version 2")


def test_undo_of_a_drop(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    before = read_intervals(project / "data")
    assert run("data", "drop", "--queue", "voice_en", "--yes").exit_code == 0
    assert read_intervals(project / "data")["queue"].unique().tolist() == ["voice_fr"]
    assert run("data", "undo", "--yes").exit_code == 0
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)


def test_undo_to_a_missing_version_and_without_confirmation(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    result = run("data", "undo", "--to-version", "7", "--yes")
    assert result.exit_code == 1
    assert "no version 7 of the data store; versions: 0 to 1" in result.output
    declined = CliRunner().invoke(cli, ["data", "undo"], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert len(read_intervals(project / "data")) == 3


def test_query_answers_sql_in_every_format(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    sql = ("SELECT queue, sum(offered) AS offered, min(interval_start) AS first "
           "FROM intervals GROUP BY queue ORDER BY queue")
    result = run("data", "query", sql, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "queue,offered,first",
        "voice_en,2,2025-03-31T23:45:00+02:00",
        "voice_fr,7,2025-03-14T08:00:00+01:00"]
    as_json = json.loads(run("data", "query", sql, "--format", "json").stdout)
    assert as_json[1]["offered"] == 7
    table = run("data", "query", sql, "--format", "table")
    assert "voice_fr" in table.stdout and "offered" in table.stdout


def test_query_refuses_writes_and_names_bad_columns(project: Path) -> None:
    ingest(project, "a.csv", FIRST)
    write = run("data", "query", "INSERT INTO intervals VALUES (1)")
    assert write.exit_code == 1
    assert "only SELECT (or WITH ... SELECT) queries are run; got 'INSERT'" in write.output
    bad = run("data", "query", "SELECT nope FROM intervals")
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "No field named nope" in bad.output and "its columns: interval_start" in bad.output


def test_history_of_a_store_in_the_previous_format_starts_with_its_conversion(
        project: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "legacy_store",
                    project / "data")
    result = run("data", "history", "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert frame["operation"].unique().tolist() == ["migrate"]
    assert frame["rows_added"].astype(int).sum() == 30
    nothing = run("data", "undo", "--yes")
    assert "nothing to undo: version 0 (migrate)" in nothing.output
