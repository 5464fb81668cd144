"""Daylight-saving days in Europe/Paris: 23- and 25-hour local days, ambiguous local times."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.io.ingest import ingest_files
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
    result = ingest_files([write_day(tmp_path / "x.csv", stamps)], data_dir=tmp_path / "d", tz=TZ)
    got = read_intervals(tmp_path / "d")
    assert len(got) == hours * 4
    assert got["interval_start"].is_unique
    assert got["interval_start"].diff().dropna().eq(pd.Timedelta("15min")).all()
    dst = result.findings.loc[result.findings["check"] == "dst_days"]
    assert dst["detail"].tolist() == [f"{day} ({hours} h, {hours * 4} intervals)"]
    assert "missing_intervals_open" not in set(result.findings["check"])


def test_spring_day_without_offsets_is_fine(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in local_day("2025-03-30")]
    ingest_files([write_day(tmp_path / "x.csv", stamps)], data_dir=tmp_path / "d", tz=TZ)
    assert len(read_intervals(tmp_path / "d")) == 92


def test_repeated_hour_without_offsets_is_a_clear_error(tmp_path: Path) -> None:
    stamps = [t.strftime("%Y-%m-%d %H:%M") for t in local_day("2025-10-26")]
    path = write_day(tmp_path / "x.csv", stamps)
    with pytest.raises(InputDataError) as info:
        ingest_files([path], data_dir=tmp_path / "d", tz=TZ)
    text = str(info.value)
    # line 1 is the header; 02:00 is the 9th interval of the day
    assert f"{path}: line 10, column 'interval_start': local time '2025-10-26 02:00'" in text
    assert "ambiguous or does not exist in Europe/Paris" in text
    assert "export the timestamps in UTC or with their UTC offset" in text
    assert not (tmp_path / "d").exists()


def test_nonexistent_local_time_is_an_error(tmp_path: Path) -> None:
    path = write_day(tmp_path / "x.csv", ["2025-03-30 01:45", "2025-03-30 02:15"])
    with pytest.raises(InputDataError, match=r"line 3, .*'2025-03-30 02:15' is ambiguous or "
                                             r"does not exist"):
        ingest_files([path], data_dir=tmp_path / "d", tz=TZ)
