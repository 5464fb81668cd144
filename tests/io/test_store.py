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


def test_leftover_of_a_killed_write_is_not_read(tmp_path: Path) -> None:
    write_intervals(tmp_path, frame("2025-03-01", 4))
    [part] = list(tmp_path.rglob("*.parquet"))
    # What atomic_path leaves when the process dies between writing and renaming.
    leftover = part.with_name(f".tmp-{part.name}.x1y2.parquet")
    leftover.write_bytes(part.read_bytes())
    assert len(read_intervals(tmp_path)) == 4


def test_drop_a_whole_queue(tmp_path: Path) -> None:
    from wfm.io.store import drop_intervals, stored_queues

    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8),
                                         frame("2025-03-01", 4, "q2")]))
    summary = drop_intervals(tmp_path, "q1")
    assert (summary.rows, summary.partitions) == (8, 2)
    assert stored_queues(tmp_path) == ["q2"]
    assert read_intervals(tmp_path)["queue"].unique().tolist() == ["q2"]
    assert [p.name for p in (tmp_path / "intervals").iterdir()] == ["queue=q2"]
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


def test_drop_of_a_channel_that_fails_midway_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    import wfm.io.store as store

    chat = frame("2025-01-31 23:30", 4).assign(channel="chat", offered=2)
    write_intervals(tmp_path, pd.concat([frame("2025-01-31 23:00", 8), chat]))
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.parquet"))}
    calls = []

    def failing_write(part: pd.DataFrame, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        store.pq.write_table(store.pa.Table.from_pandas(part, preserve_index=False), path)

    monkeypatch.setattr(store, "write_parquet", failing_write)
    with pytest.raises(OSError, match="No space left"):
        store.drop_intervals(tmp_path, "q1", "chat")
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*.parquet"))} == before


def test_a_drop_killed_after_its_rename_leaves_a_clean_store(tmp_path: Path) -> None:
    """What a process killed between the folder rename and the clean-up leaves behind."""
    from wfm.io.store import stored_queues

    write_intervals(tmp_path, pd.concat([frame("2025-03-01", 4), frame("2025-03-01", 4, "q2")]))
    trash = tmp_path / "intervals" / ".tmp-drop-x1y2"
    trash.mkdir()
    (tmp_path / "intervals" / "queue=q1").rename(trash / "queue=q1")
    assert stored_queues(tmp_path) == ["q2"]
    assert read_intervals(tmp_path)["queue"].unique().tolist() == ["q2"]
