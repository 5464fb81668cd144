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
