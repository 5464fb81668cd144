"""The sample history: determinism, calendar (DST, holidays, closed days), noise and
consistency of abandonment, waits and backlog with the staffing that produced them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

from wfm import schema
from wfm.errors import InputDataError, OutputError
from wfm.simulation.queueing import mmn_plus_m
from wfm.simulation.sample_data import (
    SAMPLE_COLUMNS,
    TRUE_RATES_COLUMNS,
    SampleData,
    generate_sample,
    history_span,
    write_sample,
)
from wfm.simulation.sample_profiles import CATCH_UP_FACTOR, DEFAULT_QUEUES, INTERVAL_S

HOT = ["voice_fr", "voice_en", "chat_fr"]


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return generate_sample(seed=11)


@pytest.fixture(scope="module")
def frame(sample: SampleData) -> pd.DataFrame:
    """Intervals joined with true rates and staffing, plus local calendar columns."""
    key = [schema.INTERVAL_START, schema.QUEUE, schema.CHANNEL]
    df = sample.intervals.merge(sample.true_rates, on=key).merge(sample.staffing, on=key)
    local = df[schema.INTERVAL_START]
    return df.assign(day=local.dt.date, weekday=local.dt.day_of_week,
                     clock_h=local.dt.hour + local.dt.minute / 60)


def test_shape_span_and_columns(sample: SampleData) -> None:
    iv = sample.intervals
    assert tuple(iv.columns) == SAMPLE_COLUMNS
    assert tuple(sample.true_rates.columns) == TRUE_RATES_COLUMNS
    assert list(iv[schema.QUEUE].unique()) == [q.name for q in DEFAULT_QUEUES]
    assert str(iv[schema.INTERVAL_START].dt.tz) == "Europe/Paris"
    days = iv[schema.INTERVAL_START].dt.date
    assert days.min() == date(2024, 11, 11) and days.max() == date(2026, 11, 15)
    assert (days.max() - days.min()).days + 1 >= 2 * 365
    # One row per interval and queue: 15-minute steps in absolute time, no gap, no duplicate.
    for _, one in iv.groupby(schema.QUEUE):
        steps = one[schema.INTERVAL_START].diff().dropna().unique()
        assert list(steps) == [pd.Timedelta(minutes=15)]
    counts = iv.select_dtypes("number")
    assert (counts >= 0).all().all()


def test_history_span_rounds_to_whole_weeks() -> None:
    first, last = history_span(date(2026, 11, 18), 1.0)  # a Wednesday
    assert last == date(2026, 11, 15) and first.weekday() == 0
    assert (last - first).days + 1 == 53 * 7
    with pytest.raises(InputDataError, match="years = 0 is out of range"):
        history_span(date(2026, 11, 15), 0)


def test_same_seed_same_data_other_seed_differs() -> None:
    a = generate_sample(seed=5, years=0.1)
    b = generate_sample(seed=5, years=0.1)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    pd.testing.assert_frame_equal(a.true_rates, b.true_rates)
    c = generate_sample(seed=6, years=0.1)
    assert not a.intervals[schema.OFFERED].equals(c.intervals[schema.OFFERED])
    assert (a.intervals[schema.OFFERED] != c.intervals[schema.OFFERED]).mean() > 0.2


def test_true_rate_is_the_poisson_mean(frame: pd.DataFrame) -> None:
    """Offered = Poisson(true_offered): means agree in every hour bucket and the dispersion
    index is 1 (no noise beyond Poisson), within bounds from the Poisson variance."""
    live = frame[frame["true_offered"] > 0]
    for (_, _), g in live.groupby([schema.QUEUE, live["clock_h"].astype(int)]):
        lam, off = g["true_offered"].to_numpy(), g[schema.OFFERED].to_numpy()
        z = (off.sum() - lam.sum()) / np.sqrt(lam.sum())
        assert abs(z) < 4.5
    for _, g in live.groupby(schema.QUEUE):
        lam, off = g["true_offered"].to_numpy(), g[schema.OFFERED].to_numpy()
        # Var((X - lam)^2 / lam) = 2 + 1/lam for Poisson X.
        dispersion = ((off - lam) ** 2 / lam).sum()
        sd = np.sqrt((2 + 1 / lam).sum())
        assert abs(dispersion - lam.size) < 5 * sd


@pytest.mark.parametrize(("day", "rows", "repeated"), [
    (date(2025, 3, 30), 92, False), (date(2025, 10, 26), 100, True),
    (date(2026, 3, 29), 92, False), (date(2026, 10, 25), 100, True),
])
def test_dst_days_have_23_and_25_hours(frame: pd.DataFrame, day: date, rows: int,
                                       repeated: bool) -> None:
    for _, g in frame[frame["day"] == day].groupby(schema.QUEUE):
        assert len(g) == rows
        two_am = g[g[schema.INTERVAL_START].dt.hour == 2]
        assert len(two_am) == (8 if repeated else 0)
        if repeated:
            offsets = two_am[schema.INTERVAL_START].map(lambda t: t.utcoffset())
            assert sorted(set(offsets)) == [timedelta(hours=1), timedelta(hours=2)]
    normal = frame[frame["day"] == day + timedelta(days=7)]
    assert normal.groupby(schema.QUEUE).size().eq(96).all()


def test_intraday_shape_follows_local_clock_across_dst(frame: pd.DataFrame) -> None:
    """Voice peaks at the same local time the Monday before and after each change."""
    voice = frame[frame[schema.QUEUE] == "voice_fr"]
    for monday in (date(2025, 3, 24), date(2025, 10, 20)):
        peaks = []
        for d in (monday, monday + timedelta(days=7)):
            day = voice[voice["day"] == d]
            peaks.append(day.loc[day["true_offered"].idxmax(), "clock_h"])
            opened = day[day["true_offered"] > 0]["clock_h"]
            assert (opened.min(), opened.max()) == (8.0, 19.75)
        assert peaks[0] == peaks[1]


def test_sundays_closed_but_email_arrives(frame: pd.DataFrame) -> None:
    sunday = frame[frame["weekday"] == 6]
    hot = sunday[sunday[schema.QUEUE].isin(HOT)]
    assert hot[[schema.OFFERED, schema.HANDLED, schema.HANDLE_S]].to_numpy().sum() == 0
    email = sunday[sunday[schema.QUEUE] == "email_fr"]
    assert email[schema.HANDLED].sum() == 0
    per_sunday = email.groupby("day")[schema.OFFERED].sum()
    assert (per_sunday > 20).all()
    night = frame[(frame[schema.QUEUE] == "email_fr") & (frame["clock_h"] < 6)]
    assert night[schema.OFFERED].sum() > 0 and night[schema.HANDLED].sum() == 0


def test_nothing_handled_outside_opening_hours(frame: pd.DataFrame) -> None:
    wd, h = frame["weekday"], frame["clock_h"]
    open_ = ((wd < 5) & (h >= 8) & (h < 20)) | ((wd == 5) & (h >= 9) & (h < 17))
    assert frame.loc[~open_, schema.HANDLED].sum() == 0
    hot = frame[schema.QUEUE].isin(HOT)
    assert frame.loc[~open_ & hot, schema.OFFERED].sum() == 0


def test_public_holidays_closed_with_catch_up(frame: pd.DataFrame) -> None:
    fr = holidays.country_holidays("FR", years=[2024, 2025, 2026])
    days = frame["day"].unique()
    seen = [d for d in days if d in fr]
    assert len(seen) >= 20
    daily = frame.groupby([schema.QUEUE, "day"])[["true_offered", schema.HANDLED,
                                                  schema.OFFERED]].sum()
    ratios = []
    for d in seen:
        for q in HOT:
            assert daily.loc[(q, d), schema.OFFERED] == 0
        assert daily.loc[("email_fr", d), schema.HANDLED] == 0
        assert daily.loc[("email_fr", d), schema.OFFERED] > 0
        after = d + timedelta(days=1)
        if after.weekday() < 5 and after not in fr and (after - timedelta(days=7)) in days \
                and (after - timedelta(days=7)) not in fr:
            ratios.append(daily.loc[("voice_fr", after), "true_offered"]
                          / daily.loc[("voice_fr", after - timedelta(days=7)), "true_offered"])
    assert len(ratios) >= 8
    assert np.median(ratios) == pytest.approx(CATCH_UP_FACTOR, rel=0.1)


def test_counts_are_consistent(sample: SampleData) -> None:
    iv = sample.intervals
    assert (iv[schema.HANDLED] <= iv[schema.OFFERED] + iv[schema.BACKLOG].groupby(
        iv[schema.QUEUE]).shift(1, fill_value=0)).all()
    assert (iv[schema.ANSWERED_WITHIN_SL] <= iv[schema.HANDLED]).all()
    assert (iv[schema.HANDLE_S] == iv[schema.TALK_S] + iv[schema.HOLD_S] + iv[schema.ACW_S]).all()
    assert ((iv[schema.HANDLE_S] > 0) == (iv[schema.HANDLED] > 0)).all()
    assert (iv[[schema.TALK_S, schema.HOLD_S, schema.ACW_S]] >= 0).all().all()
    hot = iv[iv[schema.QUEUE].isin(HOT)]
    assert (hot[schema.ABANDONED] + hot[schema.HANDLED] == hot[schema.OFFERED]).all()
    assert (hot[schema.BACKLOG] == 0).all()
    assert (hot[schema.ANSWER_WAIT_S] > 0).sum() > 0
    email = iv[iv[schema.QUEUE] == "email_fr"]
    flow = email[schema.OFFERED] - email[schema.HANDLED]
    assert (email[schema.BACKLOG].to_numpy() == np.cumsum(flow.to_numpy())).all()
    assert email[schema.ABANDONED].sum() == 0
    assert set(email[schema.SL_THRESHOLD_S]) == {86400}


def test_email_waits_hours_and_mostly_within_a_day(frame: pd.DataFrame) -> None:
    email = frame[frame[schema.QUEUE] == "email_fr"]
    mean_wait_h = email[schema.ANSWER_WAIT_S].sum() / email[schema.HANDLED].sum() / 3600
    assert 1 < mean_wait_h < 24
    within = email[schema.ANSWERED_WITHIN_SL].sum() / email[schema.HANDLED].sum()
    assert 0.8 < within < 1.0
    # Monday clears the weekend backlog: its answers are older than Wednesday's.
    by_day = email.groupby("weekday")[[schema.ANSWERED_WITHIN_SL, schema.HANDLED]].sum()
    share = by_day[schema.ANSWERED_WITHIN_SL] / by_day[schema.HANDLED]
    assert share[0] < share[2]


def test_abandonment_matches_the_queue_model(frame: pd.DataFrame) -> None:
    """Recomputing Erlang A from the published staffing reproduces the abandons (within
    binomial noise) and service level: the data is consistent with its staffing."""
    spec = {q.name: q for q in DEFAULT_QUEUES}
    for name in HOT:
        g = frame[(frame[schema.QUEUE] == name) & (frame["servers"] > 0)
                  & (frame["true_offered"] > 0)]
        m = mmn_plus_m(g["true_offered"].to_numpy() / INTERVAL_S, g["true_aht_s"].to_numpy(),
                       g["servers"].to_numpy(), spec[name].patience_s,
                       spec[name].sl_threshold_s)
        off = g[schema.OFFERED].to_numpy()
        expected = (off * m.p_abandon).sum()
        sd = np.sqrt((off * m.p_abandon * (1 - m.p_abandon)).sum())
        assert abs(g[schema.ABANDONED].sum() - expected) < 5 * sd
        handled = g[schema.HANDLED].to_numpy()
        sl = (handled * m.service_level_answered).sum()
        assert g[schema.ANSWERED_WITHIN_SL].sum() == pytest.approx(sl, rel=0.02)
        asa = (handled * m.mean_wait_served_s).sum()
        assert g[schema.ANSWER_WAIT_S].sum() == pytest.approx(asa, rel=0.05)


def test_outage_and_campaign_days_show_short_staffing(frame: pd.DataFrame) -> None:
    voice = frame[frame[schema.QUEUE] == "voice_fr"]

    def abandon_rate(rows: pd.DataFrame) -> float:
        return float(rows[schema.ABANDONED].sum() / rows[schema.OFFERED].sum())

    outage_day = voice[voice["day"] == date(2025, 3, 12)]
    window = outage_day[(outage_day["clock_h"] >= 10) & (outage_day["clock_h"] < 14.5)]
    normal_weds = voice[(voice["weekday"] == 2) & (voice["day"] != date(2025, 3, 12))
                        & (voice["clock_h"] >= 10) & (voice["clock_h"] < 14.5)]
    assert abandon_rate(window) > 0.25
    assert abandon_rate(window) > 5 * abandon_rate(normal_weds)
    # Offered collapses during the outage, servers too.
    per_wed = normal_weds.groupby("day")[[schema.OFFERED, "servers"]].sum().median()
    assert window[schema.OFFERED].sum() < 0.3 * per_wed[schema.OFFERED]
    assert window["servers"].sum() < 0.2 * per_wed["servers"]
    chat = frame[(frame[schema.QUEUE] == "chat_fr") & (frame["day"] == date(2025, 3, 12))]
    chat_weds = frame[(frame[schema.QUEUE] == "chat_fr") & (frame["weekday"] == 2)]
    assert abandon_rate(chat) > 2 * abandon_rate(chat_weds)

    friday = voice[voice["day"] == date(2025, 11, 28)]
    other_fridays = voice[(voice["weekday"] == 4) & (voice["day"] != date(2025, 11, 28))]
    fri_daily = other_fridays.groupby("day")["true_offered"].sum()
    assert friday["true_offered"].sum() > 1.4 * fri_daily.median()
    assert abandon_rate(friday) > 2 * abandon_rate(other_fridays)

    # Across all intervals abandonment falls as servers per erlang of load rise.
    live = voice[voice["true_offered"] > 1]
    load = live["true_offered"] * live["true_aht_s"] / INTERVAL_S
    ratio = live["servers"] / load
    assert abandon_rate(live[ratio < 1]) > 2 * abandon_rate(live[ratio > 1.3])


def test_aht_by_channel_and_hour(frame: pd.DataFrame) -> None:
    aht = frame.groupby(schema.QUEUE)[[schema.HANDLE_S, schema.HANDLED]].sum()
    aht = aht[schema.HANDLE_S] / aht[schema.HANDLED]
    assert 270 < aht["voice_fr"] < 340 and aht["chat_fr"] > aht["voice_en"] > aht["voice_fr"]
    assert 360 < aht["email_fr"] < 460
    for name in ("voice_fr", "email_fr"):
        g = frame[(frame[schema.QUEUE] == name) & (frame[schema.HANDLED] > 0)]
        expected = (g[schema.HANDLED] * g["true_aht_s"]).sum()
        assert g[schema.HANDLE_S].sum() == pytest.approx(expected, rel=0.01)
    voice = frame[(frame[schema.QUEUE] == "voice_fr") & (frame[schema.HANDLED] > 0)]
    by_hour = voice.groupby(voice["clock_h"].astype(int))[[schema.HANDLE_S, schema.HANDLED]].sum()
    hourly = by_hour[schema.HANDLE_S] / by_hour[schema.HANDLED]
    assert hourly[8] > hourly[13] * 1.05 and hourly[19] > hourly[13] * 1.05


def test_seasonality_and_trend(frame: pd.DataFrame) -> None:
    voice = frame[frame[schema.QUEUE] == "voice_fr"]
    month = voice[schema.INTERVAL_START].dt.strftime("%Y-%m")
    monthly = voice.groupby(month)["true_offered"].sum()
    assert monthly["2025-08"] < 0.85 * monthly["2025-10"]
    weekday = voice.groupby("weekday")[schema.OFFERED].sum()
    assert weekday[0] > weekday[2] > weekday[5] > weekday[6] == 0
    # Trend: the same 8 weeks (no holiday, no event) 52 weeks apart grow by +5 % a year.
    def weeks_from(monday: date) -> float:
        span = (voice["day"] >= monday) & (voice["day"] < monday + timedelta(weeks=8))
        return float(voice.loc[span, "true_offered"].sum())

    growth = weeks_from(date(2026, 1, 12)) / weeks_from(date(2025, 1, 13))
    assert growth == pytest.approx(1.05 ** (364 / 365.25), rel=0.02)


def test_write_sample_round_trip_and_refuses_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "sample"
    written = write_sample(target, seed=3, years=0.1)
    assert [p.name for p in written] == ["intervals.csv", "true_rates.csv"]
    text = written[0].read_text(encoding="utf-8").splitlines()
    assert text[0] == ",".join(SAMPLE_COLUMNS)
    assert text[1].startswith("2026-10-05T00:00:00+02:00,voice_fr,voice,")
    back = schema.read_frame_csv(str(written[0]), schema.INTERVALS)
    fresh = generate_sample(seed=3, years=0.1).intervals
    assert (back[schema.INTERVAL_START] == fresh[schema.INTERVAL_START]).all()
    assert back[schema.OFFERED].tolist() == fresh[schema.OFFERED].tolist()
    assert any("+01:00" in line for line in text) and any("+02:00" in line for line in text)
    rates = pd.read_csv(written[1])
    assert tuple(rates.columns) == TRUE_RATES_COLUMNS

    written[0].write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"intervals.csv already exists; not overwritten"):
        write_sample(target, seed=4, years=0.1)
    assert written[0].read_text(encoding="utf-8") == "mine\n"
    assert not [p for p in target.iterdir() if p.name.startswith(".tmp-")]
    write_sample(target, seed=3, years=0.1, force=True)
    assert written[0].read_text(encoding="utf-8").splitlines() == text


def test_failed_write_leaves_earlier_files_intact(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "sample"
    written = write_sample(target, seed=3, years=0.05)
    before = [p.read_bytes() for p in written]
    real = pd.DataFrame.to_csv
    calls = []

    def failing_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing_second)
    with pytest.raises(OSError, match="disk full"):
        write_sample(target, seed=4, years=0.05, force=True)
    assert [p.read_bytes() for p in written] == before
    assert sorted(p.name for p in target.iterdir()) == ["intervals.csv", "true_rates.csv"]
