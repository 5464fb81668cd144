"""A store written by the previous format (plain Parquet renamed in place, before the Delta
table) is read as it is and converted, with the same rows, by the first write."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.io.store import read_intervals, stored_queues, write_intervals
from wfm.io.store_legacy import is_legacy, legacy_files
from wfm.io.store_table import is_table

#: Written by wfm at 51a1c02 (the previous store format) from the frames of expected().
LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy_store"


def expected() -> pd.DataFrame:
    ts = pd.date_range("2025-01-31 20:00", periods=24, freq="15min", tz="UTC")
    a = pd.DataFrame({"interval_start": ts, "queue": "voice_fr", "channel": "voice",
                      "offered": np.arange(24), "handled": pd.array(
                          [i if i % 5 else None for i in range(24)], dtype="Int64"),
                      "handle_s": np.arange(24) * 180.5})
    b = pd.DataFrame({"interval_start": ts[:6], "queue": "email/fr", "channel": "email",
                      "offered": 3, "backlog": 7})
    return pd.concat([b, a], ignore_index=True)


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    shutil.copytree(LEGACY, tmp_path / "data")
    return tmp_path / "data"


def _check_rows(got: pd.DataFrame) -> None:
    want = expected()
    assert got["queue"].tolist() == want["queue"].tolist()
    assert got["interval_start"].tolist() == want["interval_start"].tolist()
    for col in ("offered", "handled", "handle_s", "backlog"):
        assert got[col].astype("Float64").tolist() == want[col].astype("Float64").tolist(), col


def test_the_previous_format_is_read_as_it_is(legacy: Path) -> None:
    assert is_legacy(legacy / "intervals")
    assert stored_queues(legacy) == ["email/fr", "voice_fr"]
    _check_rows(read_intervals(legacy))
    got = read_intervals(legacy, queues=["voice_fr"],
                         start=pd.Timestamp("2025-02-01", tz="UTC"))
    assert len(got) == 8
    assert is_legacy(legacy / "intervals")  # reading converts nothing


def test_the_first_write_converts_it_with_the_same_rows(legacy: Path) -> None:
    from wfm.io.store_history import store_history

    before = read_intervals(legacy)
    extra = pd.DataFrame({"interval_start": pd.date_range("2025-03-01", periods=4, freq="15min",
                                                          tz="UTC"),
                          "queue": "chat_fr", "channel": "chat", "offered": 1})
    write_intervals(legacy, extra)
    assert is_table(legacy / "intervals") and not legacy_files(legacy / "intervals")
    after = read_intervals(legacy)
    pd.testing.assert_frame_equal(
        after.loc[after["queue"] != "chat_fr"].reset_index(drop=True), before)
    _check_rows(after.loc[after["queue"] != "chat_fr"].reset_index(drop=True))
    history = store_history(legacy)
    migrate = history.loc[history["version"] == 0]
    assert migrate["operation"].unique().tolist() == ["migrate"]
    assert dict(zip(migrate["queue"], migrate["rows_added"], strict=True)) == {
        "email/fr": 6, "voice_fr": 24}


def test_a_conversion_that_fails_leaves_the_previous_format(legacy: Path,
                                                            monkeypatch) -> None:
    import wfm.io.store_table as table
    from wfm.errors import OutputError

    files_before = {p: p.read_bytes() for p in sorted(legacy.rglob("*")) if p.is_file()}
    real = table.pq.write_table
    calls = []

    def failing(data, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(table.pq, "write_table", failing)
    with pytest.raises(OutputError, match="No space left"):
        write_intervals(legacy, expected().iloc[:2])
    assert {p: p.read_bytes() for p in sorted(legacy.rglob("*")) if p.is_file()} == files_before
    _check_rows(read_intervals(legacy))
