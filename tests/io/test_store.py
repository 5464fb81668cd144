"""The data store: upsert semantics, idempotence, filters, nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.io.store import read_intervals, write_intervals


def frame(start: str, n: int, queue: str = "q1", offered: int = 5) -> pd.DataFrame:
    ts = pd.date_range(start, periods=n, freq="15min", tz="UTC")
    return pd.DataFrame({"interval_start": ts, "queue": queue, "channel": "voice",
                         "offered": offered, "handled": offered, "handle_s": 300.0 * offered})


def test_round_trip_across_months(tmp_path: Path) -> None:
    f = frame("2025-01-31 23:00", 8)  # spans two UTC months
    s = write_intervals(tmp_path, f)
    assert (s.rows, s.added, s.replaced, s.partitions) == (8, 8, 0, 2)
    back = read_intervals(tmp_path)
    assert back["offered"].tolist() == [5] * 8
    assert back["interval_start"].tolist() == f["interval_start"].tolist()
    assert str(back["interval_start"].dt.tz) == "UTC"


def test_reingest_is_idempotent_and_later_write_wins(tmp_path: Path) -> None:
    write_intervals(tmp_path, frame("2025-03-01", 4))
    write_intervals(tmp_path, frame("2025-03-01", 4))
    assert len(read_intervals(tmp_path)) == 4
    s = write_intervals(tmp_path, frame("2025-03-01 00:30", 4, offered=9))  # overlaps 2
    assert (s.replaced, s.added) == (2, 2)
    back = read_intervals(tmp_path)
    assert back["offered"].tolist() == [5, 5, 9, 9, 9, 9]


def test_filters(tmp_path: Path) -> None:
    write_intervals(tmp_path, pd.concat([frame("2025-03-01", 8), frame("2025-03-01", 8, "q2")]))
    got = read_intervals(tmp_path, queues=["q2"], start=pd.Timestamp("2025-03-01 00:30", tz="UTC"),
                         end=pd.Timestamp("2025-03-01 01:00", tz="UTC"))
    assert got["queue"].unique().tolist() == ["q2"]
    assert len(got) == 2
    with pytest.raises(InputDataError, match=r"no stored data for queue.*q3; stored: q1, q2"):
        read_intervals(tmp_path, queues=["q3"])


def test_empty_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="data store is empty") as info:
        read_intervals(tmp_path)
    assert "wfm ingest" in str(info.value)


def test_duplicate_keys_write_nothing(tmp_path: Path) -> None:
    bad = pd.concat([frame("2025-03-01", 2), frame("2025-03-01", 1)])
    with pytest.raises(InputDataError, match="duplicate interval 2025-03-01T00:00:00"):
        write_intervals(tmp_path, bad)
    assert not (tmp_path / "intervals").exists()


def test_files_of_an_uncommitted_write_are_not_read_and_are_cleaned(tmp_path: Path) -> None:
    """What a write killed before its commit leaves: files no version lists."""
    from wfm.io.store_table import PENDING_FILE

    write_intervals(tmp_path, frame("2025-03-01", 4))
    [part] = list((tmp_path / "intervals").rglob("*.parquet"))
    orphan = part.with_name("2025-03-deadbeef0000-00001.parquet")
    orphan.write_bytes(part.read_bytes())
    (tmp_path / "intervals" / PENDING_FILE).write_text('{"txn": "deadbeef0000"}')
    assert len(read_intervals(tmp_path)) == 4
    write_intervals(tmp_path, frame("2025-04-01", 2))  # the next write cleans up
    assert not orphan.exists() and not (tmp_path / "intervals" / PENDING_FILE).exists()
    assert part.exists() and len(read_intervals(tmp_path)) == 6


def test_drop_a_whole_queue(tmp_path: Path) -> None:
    from wfm.io.store import drop_intervals, stored_queues

    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8),
                                         frame("2025-03-01", 4, "q2")]))
    summary = drop_intervals(tmp_path, "q1")
    assert (summary.rows, summary.partitions) == (8, 2)
    assert stored_queues(tmp_path) == ["q2"]
    assert read_intervals(tmp_path)["queue"].unique().tolist() == ["q2"]
    with pytest.raises(InputDataError, match=r"no stored data for queue 'q1'; stored: q2"):
        drop_intervals(tmp_path, "q1")


def test_drop_one_channel_of_a_queue(tmp_path: Path) -> None:
    from wfm.io.store import drop_intervals

    chat = frame("2025-01-31 23:30", 4).assign(channel="chat", offered=2)
    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8), chat]))
    summary = drop_intervals(tmp_path, "q1", "chat")
    assert (summary.rows, summary.partitions) == (4, 2)
    back = read_intervals(tmp_path)
    assert back["channel"].unique().tolist() == ["voice"] and len(back) == 8
    with pytest.raises(InputDataError, match=r"queue 'q1' has no stored rows of channel "
                                             r"'chat'; stored channels: voice"):
        drop_intervals(tmp_path, "q1", "chat")


def _version(data_dir: Path) -> int:
    from wfm.io.store_table import open_table

    return int(open_table(data_dir / "intervals").version())


def _disk_full_at(monkeypatch, n: int, *, folder: str | None = None, err: int = 28) -> list[Path]:
    """Make the n-th data file write (or any write into ``folder``) fail like a full disk
    (or, with err=13, a partition folder that cannot be written)."""
    import errno
    import os

    import wfm.io.store_table as table

    calls: list[Path] = []
    real = table.pq.write_table

    def failing(data, path, *args, **kwargs):
        calls.append(Path(path))
        if (folder is None and len(calls) == n) or (folder and Path(path).parent.name == folder):
            # Like a real failure: part of the file was written before the error.
            Path(path).write_bytes(b"PAR1")
            raise OSError(err, os.strerror(err), str(path))
        return real(data, path, *args, **kwargs)

    assert err in (errno.ENOSPC, errno.EACCES)
    monkeypatch.setattr(table.pq, "write_table", failing)
    return calls


def _store_state(data_dir: Path) -> tuple[int, pd.DataFrame, list[str]]:
    files = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())
    return _version(data_dir), read_intervals(data_dir), files


@pytest.mark.parametrize("n", [1, 3, 5])
def test_disk_full_in_a_multi_queue_write_changes_nothing(tmp_path: Path, monkeypatch,
                                                          n: int) -> None:
    """A write of four queues over two months fails at its n-th file: no queue changed."""
    from wfm.errors import OutputError

    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8, q) for q in "abcd"]))
    before = _store_state(tmp_path)
    calls = _disk_full_at(monkeypatch, n)
    new = pd.concat([frame("2025-01-31 23:30", 8, q, offered=9) for q in "abcd"])
    with pytest.raises(OutputError, match=r"cannot write the data store \(No space left on "
                                          r"device\); the store is unchanged"):
        write_intervals(tmp_path, new)
    assert len(calls) == n
    after = _store_state(tmp_path)
    assert after[0] == before[0] and after[2] == before[2]  # no version, no file left
    pd.testing.assert_frame_equal(after[1], before[1])


def test_unwritable_partition_folder_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    """One queue's partition folder cannot be written (a read-only folder; simulated, as
    root ignores permissions): the queues written before it are not changed either."""
    import os

    from wfm.errors import OutputError

    write_intervals(tmp_path, pd.concat([frame("2025-03-01", 4, q) for q in "abc"]))
    before = _store_state(tmp_path)
    folder = tmp_path / "intervals" / "queue=c"
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:
        _disk_full_at(monkeypatch, 0, folder="queue=c", err=13)
    try:
        with pytest.raises(OutputError, match=r"queue=c/.*cannot write the data store "
                                              r"\(Permission denied\)"):
            write_intervals(tmp_path, pd.concat([frame("2025-03-01", 4, q, offered=7)
                                                 for q in "abc"]))
    finally:
        folder.chmod(0o755)
    after = _store_state(tmp_path)
    assert after[0] == before[0] and after[2] == before[2]
    pd.testing.assert_frame_equal(after[1], before[1])


def test_drop_of_a_channel_that_fails_midway_changes_nothing(tmp_path: Path,
                                                             monkeypatch) -> None:
    from wfm.errors import OutputError
    from wfm.io.store import drop_intervals

    chat = frame("2025-01-31 23:30", 4).assign(channel="chat", offered=2)
    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8), chat]))
    before = _store_state(tmp_path)
    _disk_full_at(monkeypatch, 2)
    with pytest.raises(OutputError, match="No space left"):
        drop_intervals(tmp_path, "q1", "chat")
    after = _store_state(tmp_path)
    assert after[0] == before[0] and after[2] == before[2]
    pd.testing.assert_frame_equal(after[1], before[1])


def test_the_table_is_readable_by_another_delta_reader(tmp_path: Path) -> None:
    """Any Delta reader sees the same rows (here deltalake's own DataFusion scan, not
    wfm's file reader), and the files of one queue are listed by its key."""
    from deltalake import DeltaTable

    from wfm.io.store_table import open_table, stored_files

    f = pd.concat([frame("2025-01-31 23:00", 8, "q/1"), frame("2025-03-01", 4, "q2")])
    write_intervals(tmp_path, f)
    other = DeltaTable(str(tmp_path / "intervals")).to_pandas()
    other = other.sort_values(["queue", "interval_start"]).reset_index(drop=True)
    ours = read_intervals(tmp_path)
    assert other["queue"].tolist() == ours["queue"].tolist() == ["q/1"] * 8 + ["q2"] * 4
    assert (other["interval_start"].astype("datetime64[ns, UTC]").tolist()
            == ours["interval_start"].tolist())
    assert other["offered"].tolist() == ours["offered"].tolist()
    files = [x for x in stored_files(open_table(tmp_path / "intervals")) if x.queue == "q/1"]
    assert len(files) == 2 and all((tmp_path / "intervals" / x.path).is_file() for x in files)
