"""Forecast accuracy against hand-computed values; non-overlapping actuals are an error."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.reports.accuracy import Z95, accuracy_chart_frame, accuracy_report

PARIS = ZoneInfo("Europe/Paris")
STARTS = pd.to_datetime(["2026-03-02T08:00:00Z", "2026-03-02T08:15:00Z",
                         "2026-03-03T08:00:00Z", "2026-03-03T08:15:00Z"], utc=True)


def forecast() -> pd.DataFrame:
    f = pd.Series([10.0, 20.0, 30.0, 40.0])
    return pd.DataFrame({"queue": "voice_fr", "channel": "voice", "interval_start": STARTS,
                         "offered": f, "aht_s": 300.0, "model": "ets",
                         "offered_lo_95": f - Z95 * 2, "offered_hi_95": f + Z95 * 2})


def actuals(values=(12, 18, 20, 30), starts=STARTS) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": starts, "queue": "voice_fr", "channel": "voice",
                         "offered": list(values)})


def test_daily_rows_match_hand_computation() -> None:
    rep = accuracy_report(forecast(), actuals(), tz=PARIS)
    assert list(rep["date"]) == ["2026-03-02", "2026-03-03", "total"]
    d1, d2, total = (rep.iloc[i] for i in range(3))
    assert (d1["forecast"], d1["actual"], d1["error"]) == (30, 30, 0)
    assert d1["day_wmape"] == 0 and d1["interval_wmape"] == pytest.approx(4 / 30)
    assert (d2["forecast"], d2["actual"], d2["error"]) == (70, 50, 20)
    assert d2["bias"] == pytest.approx(0.4) and d2["interval_wmape"] == pytest.approx(0.4)
    half = Z95 * math.sqrt(8)  # two intervals with sd 2 each, independent
    assert d2["lo_95"] == pytest.approx(70 - half) and d2["hi_95"] == pytest.approx(70 + half)
    assert d1["outside_95"] is False and d2["outside_95"] is True
    assert (total["forecast"], total["actual"], total["intervals"]) == (100, 80, 4)
    assert total["interval_wmape"] == pytest.approx(24 / 80)
    assert total["outside_95"] is None


def test_only_overlapping_intervals_are_compared() -> None:
    rep = accuracy_report(forecast(), actuals((12, 18), STARTS[:2]), tz=PARIS)
    assert list(rep["date"]) == ["2026-03-02", "total"]
    assert rep.iloc[-1]["forecast"] == 30


def test_without_interval_columns_no_flag() -> None:
    fc = forecast().drop(columns=["offered_lo_95", "offered_hi_95"])
    rep = accuracy_report(fc, actuals(), tz=PARIS)
    assert rep["outside_95"].isna().all() and rep["lo_95"].isna().all()


def test_non_overlapping_actuals_are_a_clear_error() -> None:
    later = STARTS + pd.Timedelta(days=60)
    with pytest.raises(InputDataError) as err:
        accuracy_report(forecast(), actuals(starts=later), source="forecasts/r1/forecast.csv")
    msg = str(err.value)
    assert "forecasts/r1/forecast.csv: no actuals overlap the forecast period " \
           "2026-03-02T08:00:00+00:00 to 2026-03-03T08:15:00+00:00" in msg
    assert "actuals run 2026-05-01T08:00:00+00:00" in msg
    with pytest.raises(InputDataError, match="no actuals at all"):
        accuracy_report(forecast(), actuals().iloc[0:0])


def test_chart_frame() -> None:
    wide = accuracy_chart_frame(accuracy_report(forecast(), actuals(), tz=PARIS))
    assert list(wide.columns) == ["date", "voice_fr forecast", "voice_fr actual"]
    assert list(wide["voice_fr actual"]) == [30, 50]
