"""Atomic files: nothing half-written, the previous file kept on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.errors import OutputError
from wfm.outputs import atomic_open


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


def test_read_frame_csv_keeps_identifiers_as_text(tmp_path: Path) -> None:
    from wfm.schema import SCHEDULE_INTERVALS, read_frame_csv

    path = tmp_path / "agent_intervals.csv"
    path.write_text("agent_id,interval_start,activity,queue\n"
                    "007,2026-11-16T08:00:00+01:00,work,0412\n")
    frame = read_frame_csv(str(path), SCHEDULE_INTERVALS)
    assert frame["agent_id"].tolist() == ["007"]
    assert frame["queue"].tolist() == ["0412"]
