"""Daylight-saving days in Europe/Paris: 23- and 25-hour local days, ambiguous local times."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.io.health import HealthSettings
from wfm.io.ingest import IngestSettings, ingest_files
from wfm.io.store import read_intervals

TZ = "Europe/Paris"


def local_day(day: str) -> pd.DatetimeIndex:
    """Every 15-minute interval of a local day, as tz-aware local timestamps."""
    start = pd.Timestamp(day, tz=TZ)
    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(TZ)
    return pd.date_range(start, end, freq="15min", inclusive="left")


def write_day(path: Path, stamps: list[str]) -> Path:
    lines = ["interval_start,queue,channel,offered"] + [f"{s},q,voice,1" for s in stamps]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("day", "hours"), [("2025-03-30", 23), ("2025-10-26", 25)])
def test_dst_days_with_offsets(tmp_path: Path, day: str, hours: int) -> None:
    stamps = [t.isoformat() for t in local_day(day)]
    assert len(stamps) == hours * 4
    result = ingest_files([write_day(tmp_path / "x.csv", stamps)], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))
    got = read_intervals(tmp_path / "d")
    assert len(got) == hours * 4
    assert got["interval_start"].is_unique
    assert got["interval_start"].diff().dropna().eq(pd.Timedelta("15min")).all()
    dst = result.findings.loc[result.findings["check"] == "dst_days"]
    assert dst["detail"].tolist() == [f"{day} ({hours} h, {hours * 4} intervals)"]
    assert "missing_intervals_open" not in set(result.findings["check"])


def test_spring_day_without_offsets_is_fine(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in local_day("2025-03-30")]
    ingest_files([write_day(tmp_path / "x.csv", stamps)], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))
    assert len(read_intervals(tmp_path / "d")) == 92


def test_repeated_hour_listed_twice_in_order_is_placed_by_row_order(tmp_path: Path) -> None:
    """Item 4 of issue 13: a local-time export of the 25-hour day lists 02:00-02:45 twice, in
    order; the first pass is summer time (UTC+2), the second winter time (UTC+1)."""
    day = local_day("2025-10-26")
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in day]
    assert stamps.count("2025-10-26 02:15") == 2
    result = ingest_files([write_day(tmp_path / "x.csv", stamps)], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))
    got = read_intervals(tmp_path / "d")
    assert len(got) == 100
    assert got["interval_start"].tolist() == [t.tz_convert("UTC") for t in day]
    assert got["interval_start"].iloc[8] == pd.Timestamp("2025-10-26 00:00", tz="UTC")
    assert got["interval_start"].iloc[12] == pd.Timestamp("2025-10-26 01:00", tz="UTC")
    dst = result.findings.loc[result.findings["check"] == "dst_days"]
    assert dst["detail"].tolist() == ["2025-10-26 (25 h, 100 intervals)"]


def test_repeated_hour_in_order_per_queue_interleaved(tmp_path: Path) -> None:
    """Two queues interleaved row by row: each queue's own listings decide."""
    day = local_day("2025-10-26")
    lines = ["interval_start,queue,channel,offered"]
    for i, t in enumerate(day):
        lines += [f"{t.strftime('%d/%m/%Y %H:%M')},a,voice,{i}",
                  f"{t.strftime('%d/%m/%Y %H:%M')},b,voice,{1000 + i}"]
    path = tmp_path / "x.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest_files([path], IngestSettings(
        data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)), chunk_rows=7)
    got = read_intervals(tmp_path / "d")
    for q, base in (("a", 0), ("b", 1000)):
        rows = got.loc[got["queue"] == q]
        assert rows["interval_start"].tolist() == [t.tz_convert("UTC") for t in day]
        assert rows["offered"].tolist() == [base + i for i in range(100)]


def test_repeated_hour_listed_once_is_a_clear_error(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in local_day("2025-10-26")]
    stamps.remove("2025-10-26 02:30")  # the first pass's 02:30: the other is undecidable
    path = write_day(tmp_path / "x.csv", stamps)
    with pytest.raises(InputDataError) as info:
        ingest_files([path], IngestSettings(data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))
    # line 1 is the header; the second pass's 02:30 is the 15th interval left in the day
    assert str(info.value) == (
        f"{path}: line 15, column 'interval_start': local time '2025-10-26 02:30' is "
        "ambiguous in Europe/Paris (a daylight-saving change repeats that hour), and queue "
        "'q' channel 'voice' lists it once, so the row order cannot tell which of the two "
        "it is\n  hint: export the timestamps in UTC or with their UTC offset (ISO 8601, e.g. "
        "2025-10-26T02:30:00+02:00), or set the mapping's timezone to the zone the export "
        "uses; or export both passes of the repeated hour, in order")
    assert not (tmp_path / "d").exists()


def test_repeated_hour_listed_three_times_is_an_error(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in local_day("2025-10-26")]
    stamps.insert(20, "2025-10-26 02:00")
    path = write_day(tmp_path / "x.csv", stamps)
    with pytest.raises(InputDataError, match=r"line 22, column 'interval_start': local time "
                                             r"'2025-10-26 02:00' is listed a third time"):
        ingest_files([path], IngestSettings(data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))


def test_nonexistent_local_time_is_an_error(tmp_path: Path) -> None:
    path = write_day(tmp_path / "x.csv", ["2025-03-30 01:45", "2025-03-30 02:15"])
    with pytest.raises(InputDataError, match=r"line 3, .*'2025-03-30 02:15' does not exist in "
                                             r"Europe/Paris \(a daylight-saving change skips"):
        ingest_files([path], IngestSettings(data_dir=tmp_path / "d", health=HealthSettings(tz=TZ)))
