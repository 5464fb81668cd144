"""Data-health findings on frames with planted defects (and none on a clean one)."""

from __future__ import annotations

from datetime import date, time, timedelta

import numpy as np
import pandas as pd
import pytest

from wfm.io.health import (
    FINDING_COLUMNS,
    HealthCalendar,
    HealthSettings,
    health_findings,
    is_open,
)

TZ = "Europe/Paris"
WEEKDAYS_8_18 = ((time(8), time(18)),) * 5 + (None, None)


def series(days: int = 70, queue: str = "q", channel: str = "voice", start: str = "2025-01-06",
           seed: int = 1) -> pd.DataFrame:
    """Clean history: every 15 min of every day; contacts only Mon-Fri 08-18 local."""
    rng = np.random.default_rng(seed)
    ts = pd.date_range(pd.Timestamp(start, tz=TZ), periods=days * 96, freq="15min")
    local = ts.tz_convert(TZ)
    open_ = is_open(local, WEEKDAYS_8_18, ())
    offered = np.where(open_, rng.poisson(20, len(ts)), 0)
    return pd.DataFrame({"interval_start": ts.tz_convert("UTC"), "queue": queue,
                         "channel": channel, "offered": offered, "handled": offered,
                         "answered_within_sl": offered, "handle_s": offered * 300.0})


def findings(frame: pd.DataFrame, **kw) -> pd.DataFrame:
    calendar = HealthCalendar(opening_hours=kw.pop("opening_hours", WEEKDAYS_8_18), **kw)
    return health_findings(frame, HealthSettings(tz=TZ, interval_minutes=15, calendar=calendar))


def by_check(f: pd.DataFrame) -> dict[str, pd.Series]:
    return {r["check"]: r for _, r in f.iterrows()}


def test_clean_history_has_only_infos() -> None:
    f = findings(series())
    assert list(f.columns) == list(FINDING_COLUMNS)
    assert set(f["severity"]) == {"info"}
    checks = by_check(f)
    assert checks["date_range"]["count"] == 70 * 96
    assert checks["date_range"]["detail"].startswith("2025-01-06 .. 2025-03-16 local, 70 days")
    # weekends are closed: zero volume there is expected
    assert checks["zero_volume_days"]["count"] == 20
    assert checks["zero_volume_days"]["severity"] == "info"


def test_impossible_values_are_errors() -> None:
    f = series()
    open_rows = np.flatnonzero(f["offered"].to_numpy() > 0)
    a, b, c = open_rows[:3]
    f.loc[a, "offered"] = -1
    f.loc[b, "answered_within_sl"] = f.loc[b, "handled"] + 2
    f.loc[c, "handle_s"] = 0.0
    got = by_check(findings(f))
    assert got["negative_values"]["severity"] == "error"
    assert got["negative_values"]["count"] == 1
    assert "below zero in offered" in got["negative_values"]["detail"]
    assert got["answered_within_sl_exceeds_handled"]["count"] == 1
    assert got["zero_handle_time"]["count"] == 1
    when = f.loc[c, "interval_start"].tz_convert(TZ).strftime("%Y-%m-%d %H:%M")
    assert got["zero_handle_time"]["detail"].endswith(f"first at {when}")


def test_short_abandons_are_part_of_abandons() -> None:
    f = series(days=14).assign(abandoned=1, short_abandoned=0)
    f.loc[100, "short_abandoned"] = 2
    got = by_check(findings(f))
    assert got["short_abandoned_exceeds_abandoned"]["count"] == 1
    assert got["short_abandoned_exceeds_abandoned"]["severity"] == "error"


def test_live_channel_handled_over_offered_is_a_warning() -> None:
    f = series()
    i = np.flatnonzero(f["offered"].to_numpy() > 0)[5]
    f.loc[i, "handled"] = f.loc[i, "offered"] + 1
    got = by_check(findings(f))
    assert got["handled_exceeds_offered"]["severity"] == "warning"


def test_email_backlog_rule() -> None:
    ts = pd.date_range("2025-01-06 08:00", periods=4, freq="15min", tz="UTC")
    f = pd.DataFrame({"interval_start": ts, "queue": "mail", "channel": "email",
                      "offered": [5, 0, 0, 1], "handled": [0, 3, 2, 4],
                      "backlog": [5, 2, 0, 0]})
    # handled from the backlog: 3 <= 0 + 5, 2 <= 0 + 2, but 4 > 1 + 0
    got = by_check(findings(f, opening_hours=None))
    assert got["handled_exceeds_offered_backlog"]["count"] == 1
    assert got["handled_exceeds_offered_backlog"]["severity"] == "error"
    assert "first at 2025-01-06 09:45" in got["handled_exceeds_offered_backlog"]["detail"]


def test_missing_intervals_inside_and_outside_opening_hours() -> None:
    f = series()
    local = f["interval_start"].dt.tz_convert(TZ)
    gone = ((local.dt.date == date(2025, 2, 4)) & (local.dt.hour == 9)) | \
           ((local.dt.date == date(2025, 2, 4)) & (local.dt.hour == 22))
    got = by_check(findings(f.loc[~gone]))
    assert got["missing_intervals_open"]["count"] == 4
    assert got["missing_intervals_open"]["severity"] == "warning"
    assert got["missing_intervals_open"]["detail"] == \
        "absent in opening hours on 1 day(s), first 2025-02-04 09:00"
    assert got["missing_intervals_closed"]["count"] == 4
    assert got["missing_intervals_closed"]["severity"] == "info"


def test_duplicates_are_errors() -> None:
    f = series(days=14)
    got = by_check(findings(pd.concat([f, f.iloc[[40, 41]]])))
    assert got["duplicate_intervals"]["count"] == 2


def test_zero_day_on_open_weekday_warns_unless_holiday() -> None:
    f = series()
    day = f["interval_start"].dt.tz_convert(TZ).dt.date == date(2025, 2, 12)  # a Wednesday
    f.loc[day, ["offered", "handled", "answered_within_sl", "handle_s"]] = 0
    got = by_check(findings(f))
    assert got["zero_volume_open_days"]["detail"].endswith("2025-02-12")
    assert got["zero_volume_open_days"]["severity"] == "warning"
    got = by_check(findings(f, closed_days={date(2025, 2, 12)}))
    assert "zero_volume_open_days" not in got
    assert got["zero_volume_days"]["count"] == 21


def test_outlier_day_and_known_special_days() -> None:
    f = series()
    spike = f["interval_start"].dt.tz_convert(TZ).dt.date == date(2025, 2, 19)
    f.loc[spike, "offered"] *= 3
    f.loc[spike, "handled"] = f.loc[spike, "offered"]
    f.loc[spike, "answered_within_sl"] = f.loc[spike, "offered"]
    got = by_check(findings(f))
    assert got["outlier_days"]["count"] == 1
    assert got["outlier_days"]["detail"].startswith("2025-02-19 (z=+")
    got = by_check(findings(f, special_days={date(2025, 2, 19): "Campaign"}))
    assert "outlier_days" not in got
    assert got["known_special_days"]["detail"].startswith("2025-02-19 Campaign (z=+")


def test_public_holiday_from_country_and_catch_up_day() -> None:
    f = series(days=140, start="2025-03-03")
    local_day = f["interval_start"].dt.tz_convert(TZ).dt.date
    holiday = local_day == date(2025, 4, 21)  # Easter Monday in France
    f.loc[holiday, ["offered", "handled", "answered_within_sl", "handle_s"]] = 0
    after = local_day == date(2025, 4, 22)
    f.loc[after, "offered"] *= 2
    f.loc[after, "handled"] = f.loc[after, "offered"]
    f.loc[after, "answered_within_sl"] = f.loc[after, "offered"]
    plain = by_check(findings(f))
    assert "2025-04-21" in plain["zero_volume_open_days"]["detail"]
    got = by_check(findings(f, country="FR"))
    assert "zero_volume_open_days" not in got
    assert "Easter Monday" in got["known_special_days"]["detail"]
    assert got["likely_special_days"]["detail"].startswith("2025-04-22 (z=+")


@pytest.mark.parametrize(("start", "hours"), [("2025-03-24", 23), ("2025-10-20", 25)])
def test_dst_days_reported(start: str, hours: int) -> None:
    got = by_check(findings(series(days=14, start=start)))
    assert got["dst_days"]["count"] == 1
    assert f"({hours} h, {hours * 4} intervals)" in got["dst_days"]["detail"]


def test_per_queue_opening_hours_override() -> None:
    f = series(days=14)
    local = f["interval_start"].dt.tz_convert(TZ)
    gone = (local.dt.date == date(2025, 1, 8)) & (local.dt.hour == 19)
    assert "missing_intervals_open" not in by_check(findings(f.loc[~gone]))
    late = {"q": ((time(8), time(20)),) * 5 + (None, None)}
    got = by_check(findings(f.loc[~gone], queue_opening_hours=late))
    assert got["missing_intervals_open"]["count"] == 4


def test_naive_timestamps_are_refused() -> None:
    from wfm.errors import InputDataError

    f = series(days=1)
    f["interval_start"] = f["interval_start"].dt.tz_localize(None)
    with pytest.raises(InputDataError, match="column interval_start has no time zone"):
        findings(f)


def test_normal_volume_on_a_closed_public_holiday_suggests_declaring_it_open() -> None:
    """A US centre open on Columbus Day and Veterans Day (the history shows ordinary
    volume) while wfm treats every federal holiday as closed: the forecast would put 0
    there. Labor Day, closed for real (nothing handled), is not suggested."""
    f = series(days=84, start="2025-08-25")
    local = f["interval_start"].dt.tz_convert(TZ)
    labor_day = local.dt.date == date(2025, 9, 1)
    f.loc[labor_day, ["offered", "handled", "answered_within_sl", "handle_s"]] = 0
    got = by_check(findings(f, country="US"))
    row = got["open_on_closed_holiday"]
    assert row["severity"] == "warning" and row["count"] == 2
    def handled_on(day: date) -> float:
        return float(f.loc[local.dt.date == day, "handled"].sum())

    columbus = date(2025, 10, 13)
    monday = handled_on(columbus)
    usual = np.median([handled_on(columbus + timedelta(weeks=k)) for k in (-4, -3, -2, -1,
                                                                          1, 2, 3, 4)])
    assert row["detail"].startswith(
        f"2025-10-13 Columbus Day ({monday:,.0f} handled, {monday / usual:.0%} of a usual "
        "Monday), 2025-11-11 Veterans Day (")
    assert row["detail"].endswith(
        "contacts handled on public holidays treated as closed (forecast 0, nobody staffed); "
        'if the site opens on them, add to [site] in wfm.toml: open_holidays = '
        '["Columbus Day", "Veterans Day"]')
    # Declared open: no longer suggested, and no longer a closed day for the other checks.
    got = by_check(findings(f, country="US", open_holidays=("Columbus Day",)))
    assert got["open_on_closed_holiday"]["count"] == 1
    assert got["open_on_closed_holiday"]["detail"].startswith("2025-11-11 Veterans Day (")
    assert "Labor Day" not in got["open_on_closed_holiday"]["detail"]
    both = ("Columbus Day", "Veterans Day", "Veterans Day (observed)")
    assert "open_on_closed_holiday" not in by_check(findings(f, country="US",
                                                             open_holidays=both))


def test_open_holiday_check_skips_email_arrivals_without_handled() -> None:
    # Mail arrives on closed days too: offered alone says nothing about opening.
    f = series(days=84, start="2025-08-25", channel="email").drop(
        columns=["handled", "answered_within_sl", "handle_s"])
    assert "open_on_closed_holiday" not in by_check(findings(f, country="US"))


@pytest.mark.parametrize("days", [28, 30, 35])
def test_a_short_history_raises_no_numpy_warning(days: int) -> None:
    # Four or five weeks: no weekday has enough neighbours for a robust z-score yet; the
    # check once printed numpy's "All-NaN slice encountered" on stderr (wfm ingest).
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = by_check(findings(series(days=days)))
    assert got["date_range"]["count"] == days * 96
