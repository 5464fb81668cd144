"""`wfm data vacuum`: files no kept version lists are deleted; reads and undo unharmed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from test_data_cli import ingest, run

from wfm.io.store import read_intervals
from wfm.io.store_table import (
    VACUUM_FILE,
    data_files,
    open_table,
    store_root,
    stored_files,
    write_vacuum_journal,
)
from wfm.io.store_vacuum import kept_versions, vacuum_store
from wfm.pipeline.lock import acquire_lock

FIRST = ("2025-03-14T08:00:00+01:00,voice_fr,voice,3,3,600\n"
         "2025-03-31T23:45:00+02:00,voice_en,voice,2,2,300\n")
SECOND = "2025-03-14T08:15:00+01:00,voice_fr,voice,9,9,900\n"   # rewrites voice_fr March
THIRD = "2025-03-14T08:30:00+01:00,voice_fr,voice,5,5,500\n"    # and again


def listed(project: Path, version: int) -> set[str]:
    root = store_root(project / "data")
    return {f.path for f in stored_files(open_table(root, version))}


def on_disk(project: Path) -> dict[str, bytes]:
    root = store_root(project / "data")
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def three_ingests(project: Path) -> None:
    for name, body in (("a.csv", FIRST), ("b.csv", SECOND), ("c.csv", THIRD)):
        ingest(project, name, body)  # versions 1, 2, 3 (0 is the table's creation)


def test_default_vacuum_removes_only_files_the_last_undo_does_not_need(project: Path
                                                                       ) -> None:
    three_ingests(project)
    root = store_root(project / "data")
    before = read_intervals(project / "data")
    only_v1 = listed(project, 1) - listed(project, 2) - listed(project, 3)
    assert only_v1  # the voice_fr March file of version 1 was replaced twice
    result = run("data", "vacuum", "--format", "csv")
    assert result.exit_code == 0, result.output
    removed = pd.read_csv(io.StringIO(result.stdout))
    assert set(removed["path"]) == only_v1
    assert not any((root / p).exists() for p in only_v1)
    assert f"removed {len(only_v1)} file(s)" in result.stderr
    assert "versions still restorable: 2, 3 (current 3)" in result.stderr
    # Every file a kept version lists is still there; the rows read are the same.
    assert listed(project, 2) | listed(project, 3) == set(data_files(root))
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)
    # wfm data undo still takes the last ingest back ...
    undo = run("data", "undo", "--yes")
    assert undo.exit_code == 0, undo.output
    assert read_intervals(project / "data")["offered"].tolist() == [2, 3, 9]
    # ... but version 1 is gone, with one readable line.
    gone = run("data", "undo", "--to-version", "1", "--yes")
    assert gone.exit_code == 1
    assert "version 1 can no longer be restored: wfm data vacuum removed 1 of its files" \
        in gone.output
    assert "Traceback" not in gone.output


def test_dry_run_lists_files_and_bytes_and_changes_nothing(project: Path) -> None:
    three_ingests(project)
    root = store_root(project / "data")
    files_before = on_disk(project)
    result = run("data", "vacuum", "--dry-run", "--keep-versions", "0", "--format", "csv")
    assert result.exit_code == 0, result.output
    listing = pd.read_csv(io.StringIO(result.stdout))
    expected = set(data_files(root)) - listed(project, 3)
    assert set(listing["path"]) == expected
    assert listing["bytes"].tolist() == [(root / p).stat().st_size for p in listing["path"]]
    assert f"would remove {len(expected)} file(s), {listing['bytes'].sum():,} bytes" \
        in result.stderr
    assert on_disk(project) == files_before


def test_keep_versions_keeps_undo_to_each_of_them(project: Path) -> None:
    three_ingests(project)
    root = store_root(project / "data")
    summary = vacuum_store(project / "data", keep_versions=2)
    assert summary.kept_versions == (1, 2, 3)
    assert summary.files == ()  # version 0 is the empty table: it lists no file
    zero = vacuum_store(project / "data", keep_versions=0)
    assert zero.kept_versions == (3,)
    assert {f.path for f in zero.files} == (listed(project, 1) | listed(project, 2)) - \
        listed(project, 3)
    assert zero.bytes_freed == sum(f.size_bytes for f in zero.files) > 0
    assert set(data_files(root)) == listed(project, 3)
    assert run("data", "undo", "--yes").exit_code == 1


def test_older_than_keeps_the_versions_of_the_window_and_the_one_before(project: Path
                                                                       ) -> None:
    three_ingests(project)
    times = {int(e["version"]): int(e["timestamp"])
             for e in open_table(store_root(project / "data")).history()}
    now = datetime.fromtimestamp(times[3] / 1000, UTC) + timedelta(hours=1)
    # A window of 30 minutes holds no commit: the state in force at its start (3) is kept.
    assert kept_versions(project / "data", older_than=timedelta(minutes=30), now=now) == (3,)
    # A window reaching version 2's commit keeps 2 and 3, and 1 (in force when it opened).
    start = datetime.fromtimestamp(times[2] / 1000, UTC)
    assert kept_versions(project / "data", older_than=now - start, now=now) == (1, 2, 3)
    assert vacuum_store(project / "data", older_than=timedelta(days=7)).files == ()


@pytest.mark.parametrize(("args", "message"), [
    (["--older-than", "7x"], "--older-than '7x' cannot be read; accepted: a number of hours, "
                             "days or weeks such as 12h, 7d or 2w"),
    (["--older-than", "7d", "--keep-versions", "2"],
     "--keep-versions and --older-than both given; accepted: one of them"),
])
def test_bad_values_give_one_readable_error_and_remove_nothing(
        project: Path, args: list[str], message: str) -> None:
    three_ingests(project)
    files_before = on_disk(project)
    result = run("data", "vacuum", *args)
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("wfm: error:")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert on_disk(project) == files_before
    negative = run("data", "vacuum", "--keep-versions", "-1")
    assert negative.exit_code == 2 and "-1 is not in the range x>=0" in negative.output


def test_vacuum_waits_for_no_one_while_an_ingest_holds_the_lock(project: Path) -> None:
    three_ingests(project)
    files_before = on_disk(project)
    held = acquire_lock(project / ".wfm-run.lock", "INGEST")
    try:
        result = run("data", "vacuum")
    finally:
        held.release()
    assert result.exit_code != 0 and "wfm: error:" in result.output
    assert on_disk(project) == files_before


def test_a_vacuum_killed_while_deleting_is_finished_by_the_next_undo(project: Path) -> None:
    three_ingests(project)
    root = store_root(project / "data")
    doomed = sorted((listed(project, 1) | listed(project, 2)) - listed(project, 3))
    assert len(doomed) >= 2
    # The journal was written and the first file deleted, then the process died.
    write_vacuum_journal(root, doomed)
    (root / doomed[0]).unlink()
    before = read_intervals(project / "data")
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)
    result = run("data", "undo", "--yes")
    assert result.exit_code == 1  # version 2 lost files in that vacuum: it is gone whole
    assert "can no longer be restored" in result.output
    assert not (root / VACUUM_FILE).exists()
    assert not any((root / p).exists() for p in doomed)
    pd.testing.assert_frame_equal(read_intervals(project / "data"), before)
