"""Service level from actuals against hand-computed values, for each definition."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.errors import InputDataError
from wfm.reports.service_level import (
    SL_DEFINITIONS,
    describe_definition,
    service_level_chart_frame,
    service_level_report,
)

PARIS = ZoneInfo("Europe/Paris")


def actuals() -> pd.DataFrame:
    """Monday 2 March 2026 08:00 and 08:15 Paris (07:00, 07:15 UTC) on voice; email at the
    same times; one voice interval at Monday 9 March 00:15 Paris (Sunday 23:15 UTC)."""
    rows = [
        # interval_start, queue, channel, offered, handled, abandoned, short_abandoned,
        # answered_within_sl, sl_threshold_s, handle_s, answer_wait_s, backlog
        ("2026-03-02T07:00:00Z", "voice_fr", "voice", 10, 8, 2, 1, 6, 20, 2400, 80, None),
        ("2026-03-02T07:15:00Z", "voice_fr", "voice", 20, 18, 2, 0, 15, 20, 3600, 90, None),
        ("2026-03-08T23:15:00Z", "voice_fr", "voice", 4, 4, 0, 0, 4, 20, 1000, 8, None),
        ("2026-03-02T07:00:00Z", "email_fr", "email", 5, 4, 0, 0, 3, 86400, 1600, None, 12),
        ("2026-03-02T07:15:00Z", "email_fr", "email", 2, 6, 0, 0, 6, 86400, 2400, None, 9),
    ]
    df = pd.DataFrame(rows, columns=["interval_start", "queue", "channel", "offered", "handled",
                                     "abandoned", "short_abandoned", "answered_within_sl",
                                     "sl_threshold_s", "handle_s", "answer_wait_s", "backlog"])
    df["interval_start"] = pd.to_datetime(df["interval_start"], utc=True)
    return df


def row(report: pd.DataFrame, queue: str, period: str) -> pd.Series:
    hit = report[(report["queue"] == queue) & (report["period"].astype(str) == period)]
    assert len(hit) == 1, report
    return hit.iloc[0]


@pytest.mark.parametrize(("definition", "day_sl", "interval_sl"), [
    ("offered", 21 / 30, 6 / 10),
    ("net-of-short-abandons", 21 / 29, 6 / 9),
    ("answered", 21 / 26, 6 / 8),
])
def test_service_level_each_definition(definition: str, day_sl: float,
                                       interval_sl: float) -> None:
    day = service_level_report(actuals(), by="day", definition=definition, tz=PARIS)
    r = row(day, "voice_fr", "2026-03-02")
    assert r["service_level"] == pytest.approx(day_sl)
    assert (r["offered"], r["handled"], r["abandoned"]) == (30, 26, 4)
    assert r["abandon_rate"] == pytest.approx(4 / 30)
    assert r["asa_s"] == pytest.approx(170 / 26)
    assert r["aht_s"] == pytest.approx(6000 / 26)
    assert r["sl_threshold_s"] == 20
    per_interval = service_level_report(actuals(), by="interval", definition=definition,
                                        tz=PARIS)
    first = per_interval[per_interval["queue"] == "voice_fr"].iloc[0]
    assert first["period"] == pd.Timestamp("2026-03-02 08:00", tz=PARIS)
    assert first["service_level"] == pytest.approx(interval_sl)


def test_cold_channel_response_share_and_backlog() -> None:
    day = service_level_report(actuals(), by="day", tz=PARIS)
    r = row(day, "email_fr", "2026-03-02")
    assert r["service_level"] == pytest.approx(9 / 10)  # within target / handled
    assert r["backlog"] == 9  # open items at the end of the day, not a sum
    assert np.isnan(r["abandoned"]) and np.isnan(r["abandon_rate"])
    assert r["aht_s"] == pytest.approx(4000 / 10)


def test_days_and_weeks_are_local() -> None:
    day = service_level_report(actuals(), by="day", tz=PARIS)
    # 23:15 UTC on Sunday 8 March is 00:15 on Monday 9 March in Paris.
    assert row(day, "voice_fr", "2026-03-09")["offered"] == 4
    week = service_level_report(actuals(), by="week", tz=PARIS)
    assert list(week[week["queue"] == "voice_fr"]["period"]) == ["2026-03-02", "2026-03-09"]
    assert row(week, "voice_fr", "2026-03-02")["offered"] == 30
    utc_day = service_level_report(actuals(), by="day", tz=ZoneInfo("UTC"))
    assert row(utc_day, "voice_fr", "2026-03-08")["offered"] == 4


def test_missing_optional_columns_give_blank_figures() -> None:
    df = actuals()[["interval_start", "queue", "channel", "offered"]]
    out = service_level_report(df, by="day", tz=PARIS)
    assert out["service_level"].isna().all() and out["aht_s"].isna().all()
    assert list(out["offered"]) == [7, 30, 4]


def test_net_definition_without_short_abandons_is_a_clear_error() -> None:
    df = actuals().drop(columns=["short_abandoned"])
    with pytest.raises(InputDataError, match="needs a short_abandoned column"):
        service_level_report(df, definition="net-of-short-abandons")


def test_bad_arguments() -> None:
    with pytest.raises(InputDataError, match="accepted: offered, net-of-short-abandons"):
        service_level_report(actuals(), definition="abandoned")
    with pytest.raises(InputDataError, match="accepted: interval, day, week"):
        service_level_report(actuals(), by="month")
    with pytest.raises(InputDataError, match="missing required intervals column"):
        service_level_report(actuals().drop(columns=["offered"]))
    with pytest.raises(InputDataError, match="no intervals"):
        service_level_report(actuals().iloc[0:0])


def test_definitions_are_described() -> None:
    assert describe_definition("answered") == \
        "service_level = answered within threshold / answered"
    assert set(SL_DEFINITIONS) == {"offered", "net-of-short-abandons", "answered"}


def test_chart_frame_is_wide_per_queue() -> None:
    report = service_level_report(actuals(), by="interval", tz=PARIS)
    wide = service_level_chart_frame(report)
    assert list(wide.columns) == ["period", "email_fr service_level", "voice_fr service_level"]
    assert wide["period"].iloc[0] == "2026-03-02 08:00"


def test_cold_channel_wait_is_in_hours_not_seconds() -> None:
    """An email waits hours: its average wait shows as asa_h (59514.9 s read as 16.5 h),
    a live queue's stays asa_s; each row fills one of the two."""
    df = actuals()
    df.loc[df["queue"] == "email_fr", "answer_wait_s"] = [4 * 59514.9, 6 * 59514.9]
    day = service_level_report(df, by="day", tz=PARIS)
    email, voice = row(day, "email_fr", "2026-03-02"), row(day, "voice_fr", "2026-03-02")
    assert email["asa_h"] == pytest.approx(59514.9 / 3600) and np.isnan(email["asa_s"])
    assert voice["asa_s"] == pytest.approx(170 / 26) and np.isnan(voice["asa_h"])
    assert list(day.columns).index("asa_h") == list(day.columns).index("asa_s") + 1
