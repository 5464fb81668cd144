"""Atomic outputs: nothing half-written, latest moves only on success."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.errors import OutputError
from wfm.outputs import (
    atomic_open,
    atomic_run_dir,
    list_runs,
    resolve_run,
    set_latest,
    write_manifest,
)


def test_failed_write_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("new half")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"), atomic_open(tmp_path / "no" / "x"):
        pass


def test_run_dir_and_latest(tmp_path: Path) -> None:
    with atomic_run_dir(tmp_path, "r1") as d:
        (d / "a.csv").write_text("1\n")
    set_latest(tmp_path, "r1")
    with pytest.raises(ValueError), atomic_run_dir(tmp_path, "r2") as d:
        (d / "a.csv").write_text("2\n")
        raise ValueError
    assert list_runs(tmp_path) == ["r1"]
    assert resolve_run(tmp_path) == (tmp_path / "r1").resolve()
    assert not any(p.name.startswith(".tmp") for p in tmp_path.iterdir())
    with pytest.raises(OutputError, match="run 'r9' does not exist; recent runs: r1"):
        resolve_run(tmp_path, "r9")


def test_manifest_lists_checksums(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    path = write_manifest(tmp_path, {"command": "test"})
    text = path.read_text()
    # sha256 of "x\n"
    import hashlib
    assert hashlib.sha256(b"x\n").hexdigest() in text


def test_disk_full_is_an_output_error_and_keeps_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    target = tmp_path / "report.csv"
    target.write_text("old\n")

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match=r"report\.csv: cannot write \(No space left"), \
            atomic_open(target) as fh:
        fh.write("new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_run_dir_on_a_read_only_filesystem_is_an_output_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import tempfile

    def read_only(*_: object, **__: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError, match="Read-only file system"), \
            atomic_run_dir(tmp_path / "runs", "r1"):
        pass
    assert list_runs(tmp_path / "runs") == []


def test_read_frame_csv_keeps_identifiers_as_text(tmp_path: Path) -> None:
    from wfm.schema import SCHEDULE_INTERVALS, read_frame_csv

    path = tmp_path / "agent_intervals.csv"
    path.write_text("agent_id,interval_start,activity,queue\n"
                    "007,2026-11-16T08:00:00+01:00,work,0412\n")
    frame = read_frame_csv(str(path), SCHEDULE_INTERVALS)
    assert frame["agent_id"].tolist() == ["007"]
    assert frame["queue"].tolist() == ["0412"]


def test_runs_of_the_same_second_list_in_the_order_they_were_written(tmp_path: Path) -> None:
    import os

    # Same UTC second, random suffixes: "ffff" was written first, "0000" second.
    first, second, older = "20261123T063000Z-ffff", "20261123T063000Z-0000", \
        "20261123T062959Z-aaaa"
    for k, run in enumerate((older, first, second)):
        with atomic_run_dir(tmp_path, run) as d:
            write_manifest(d, {"status": "ok"})
        manifest = tmp_path / run / "manifest.json"
        os.utime(manifest, ns=(1_000_000_000 * (k + 1),) * 2)
    assert list_runs(tmp_path) == [older, first, second]
