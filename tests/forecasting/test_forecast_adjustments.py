"""Planner adjustments of a forecast (wfm.forecasting.adjustments): parsing, application
against hand-computed values, conflicts."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.forecasting.adjustments import (
    Adjustment,
    Change,
    apply_adjustments,
    band_text,
    find_conflict,
    parse_band,
    parse_change,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("text", "kind", "value", "normal"), [
    ("+15%", "factor", 1.15, "+15%"), ("-10 %", "factor", 0.9, "-10%"),
    ("x1.2", "factor", 1.2, "x1.2"), ("×0.8", "factor", 0.8, "x0.8"),
    ("*2", "factor", 2.0, "x2"), ("+12,5%", "factor", 1.125, "+12.5%"),
    ("1200", "absolute", 1200.0, "1200"), (1200, "absolute", 1200.0, "1200"),
    (0, "absolute", 0.0, "0"), ("-100%", "factor", 0.0, "-100%"),
])
def test_volume_changes_parse(text: object, kind: str, value: float, normal: str) -> None:
    change = parse_change(text)
    assert (change.kind, change.text) == (kind, normal)
    assert change.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "15", "+15", "x", "x-1", "-150%", "++5%", "",
                                  True, None, -3, "1e400"])
def test_bad_volume_changes_are_refused(text: object) -> None:
    if text == "15":  # a plain number is an absolute volume, not a percentage
        assert parse_change(text).is_absolute
        return
    with pytest.raises(ValueError):
        parse_change(text)


def test_aht_changes_refuse_zero() -> None:
    assert parse_change("420", aht=True) == Change("absolute", 420.0, "420")
    for text in ("0", "-100%", "x0", 0):
        with pytest.raises(ValueError):
            parse_change(text, aht=True)


def test_bands_parse_on_the_grid() -> None:
    assert parse_band("09:00-12:00", interval_minutes=15) == (540, 720)
    assert parse_band("20:00-24:00", interval_minutes=30) == (1200, 1440)
    assert band_text((540, 720)) == "09:00-12:00" and band_text(None) == ""
    for bad in ("09:10-12:00", "12:00-09:00", "9-12", "09:00-25:00", "09:60-10:00"):
        with pytest.raises(ValueError):
            parse_band(bad, interval_minutes=15)
    with pytest.raises(ValueError):
        parse_band("09:15-10:00", interval_minutes=30)


def forecast() -> pd.DataFrame:
    """Two local days (Mon 16, Tue 17 Nov 2026, Paris) x 4 half-hours from 09:00, one queue,
    plus another queue on the Monday; hand-picked values."""
    rows = []
    for day, values in (("2026-11-16", (10.0, 20.0, 30.0, 40.0)),
                        ("2026-11-17", (0.0, 0.0, 0.0, 0.0))):
        for i, v in enumerate(values):
            start = pd.Timestamp(f"{day} 09:00", tz=PARIS) + pd.Timedelta(minutes=30 * i)
            rows.append({"queue": "voice_fr", "channel": "voice", "interval_start": start,
                         "offered": v, "aht_s": 300.0 + i, "model": "m",
                         "offered_lo_95": v / 2, "offered_hi_95": v * 2})
    rows.append({"queue": "chat_fr", "channel": "chat",
                 "interval_start": pd.Timestamp("2026-11-16 09:00", tz=PARIS),
                 "offered": 5.0, "aht_s": 600.0, "model": "m",
                 "offered_lo_95": 1.0, "offered_hi_95": 9.0})
    frame = pd.DataFrame(rows)
    frame["interval_start"] = frame["interval_start"].dt.tz_convert("UTC")
    return frame


def adj(adj_id: str, *, start: str = "2026-11-16", end: str | None = None,
        band: tuple[int, int] | None = None, volume: object = None, aht: object = None,
        queue: str = "voice_fr") -> Adjustment:
    return Adjustment(adj_id, queue, date.fromisoformat(start), date.fromisoformat(end or start),
                      band, None if volume is None else parse_change(volume),
                      None if aht is None else parse_change(aht, aht=True), "test")


def test_a_factor_in_a_band_scales_volume_and_bounds() -> None:
    out = apply_adjustments(forecast(), [adj("a1", band=(600, 660), volume="+50%")],
                            timezone=PARIS)
    f = out.frame
    voice = f[f["queue"] == "voice_fr"].reset_index(drop=True)
    assert voice["offered"].tolist()[:4] == [10.0, 20.0, 45.0, 60.0]  # 10:00 and 10:30
    assert voice["offered_raw"].tolist()[:4] == [10.0, 20.0, 30.0, 40.0]
    assert voice["offered_hi_95"].tolist()[:4] == [20.0, 40.0, 90.0, 120.0]
    assert voice["adjustments"].tolist()[:4] == ["", "", "a1", "a1"]
    assert (f["aht_s"] == f["aht_s_raw"]).all()
    assert f.loc[f["queue"] == "chat_fr", "offered"].item() == 5.0
    (applied,) = out.applied
    assert (applied.intervals, applied.days, applied.offered_raw, applied.offered) == \
        (2, 1, 70.0, 105.0)


def test_an_absolute_volume_sets_each_day_and_keeps_the_shape() -> None:
    out = apply_adjustments(forecast(), [adj("a1", end="2026-11-17", volume=200)],
                            timezone=PARIS)
    voice = out.frame[out.frame["queue"] == "voice_fr"]
    monday = voice.iloc[:4]
    assert monday["offered"].tolist() == pytest.approx([20.0, 40.0, 60.0, 80.0])
    assert monday["offered_lo_95"].tolist() == pytest.approx([10.0, 20.0, 30.0, 40.0])
    # Tuesday has no forecast volume to spread over (closed): left alone and reported.
    assert (voice.iloc[4:]["offered"] == 0).all()
    assert out.applied[0].skipped_days == ("2026-11-17",)
    assert out.applied[0].offered == pytest.approx(200.0)


def test_factors_multiply_and_aht_changes_apply() -> None:
    adjustments = [adj("a1", volume="+10%", aht="x2"), adj("a2", band=(540, 600), volume="x2"),
                   adj("a3", queue="chat_fr", aht=450)]
    f = apply_adjustments(forecast(), adjustments, timezone=PARIS).frame
    voice = f[f["queue"] == "voice_fr"].iloc[:4]
    assert voice["offered"].tolist() == pytest.approx([22.0, 44.0, 33.0, 44.0])
    assert voice["aht_s"].tolist() == [600.0, 602.0, 604.0, 606.0]
    assert voice["adjustments"].tolist() == ["a1 a2", "a1 a2", "a1", "a1"]
    chat = f[f["queue"] == "chat_fr"]
    assert chat["aht_s"].item() == 450.0 and chat["aht_s_raw"].item() == 600.0


def test_reapplying_starts_from_the_model_values() -> None:
    """A forecast adjusted once, adjusted again (a preview on forecasts/latest), does not
    compound: the raw columns are the base."""
    once = apply_adjustments(forecast(), [adj("a1", volume="+50%")], timezone=PARIS).frame
    again = apply_adjustments(once, [adj("a1", volume="+50%")], timezone=PARIS).frame
    pd.testing.assert_frame_equal(once, again)
    removed = apply_adjustments(once, [], timezone=PARIS).frame
    pd.testing.assert_series_equal(removed["offered"], forecast()["offered"])
    pd.testing.assert_series_equal(removed["offered_hi_95"], forecast()["offered_hi_95"])


def test_days_and_bands_are_local_across_dst() -> None:
    """Sunday 29 March 2026 has 23 hours in Paris: 09:00 local is 07:00 UTC, while on
    Saturday it is 08:00 UTC."""
    starts = pd.to_datetime(["2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z",
                             "2026-03-29T08:00:00Z"], utc=True)
    frame = pd.DataFrame({"queue": "q", "channel": "voice", "interval_start": starts,
                          "offered": [10.0, 10.0, 10.0], "aht_s": 300.0, "model": "m"})
    out = apply_adjustments(frame, [adj("a1", start="2026-03-29", band=(540, 555),
                                        volume="x3", queue="q")], timezone=PARIS)
    assert out.frame["offered"].tolist() == [10.0, 30.0, 10.0]


def test_adjustments_outside_the_forecast_are_reported_unused() -> None:
    out = apply_adjustments(forecast(), [adj("a1", start="2027-01-04", volume="+5%"),
                                         adj("a2", queue="email_fr", volume="+5%")],
                            timezone=PARIS)
    assert out.unused == ("a1", "a2") and out.applied == ()
    assert (out.frame["offered"] == out.frame["offered_raw"]).all()


def test_conflicts_are_absolute_changes_of_one_quantity_that_overlap() -> None:
    pct = adj("a1", end="2026-11-20", volume="+10%")
    assert find_conflict([pct, adj("a2", start="2026-11-18", volume="x0.9")]) is None
    assert find_conflict([pct, adj("a2", start="2026-11-21", volume=500)]) is None
    assert find_conflict([pct, adj("a2", start="2026-11-18", aht=400)]) is None
    clash = find_conflict([pct, adj("a2", start="2026-11-18", volume=500)])
    assert clash is not None and [a.id for a in clash[:2]] == ["a1", "a2"]
    assert clash[2] == "volume"
    morning = adj("a3", band=(480, 720), aht=400)
    assert find_conflict([morning, adj("a4", band=(720, 900), aht="+5%")]) is None
    assert find_conflict([morning, adj("a4", band=(690, 900), aht="+5%")])[2] == "aht_s"
    assert find_conflict([adj("a5", volume=100), adj("a6", volume=100, queue="chat_fr")]) \
        is None


def test_the_adjusted_volume_is_the_raw_times_the_factor_on_random_frames() -> None:
    """Property: for random factors on random windows, offered = offered_raw x the
    product of the factors whose window holds the interval (computed here row by row)."""
    rng = np.random.default_rng(5)
    base = forecast()
    for _ in range(20):
        adjustments = []
        for k in range(3):
            lo = int(rng.integers(0, 4)) * 30 + 540
            hi = lo + int(rng.integers(1, 4)) * 30
            adjustments.append(adj(f"a{k}", band=(lo, hi),
                                   volume=f"x{rng.uniform(0.5, 2.0):.3f}"))
        f = apply_adjustments(base, adjustments, timezone=PARIS).frame
        for _, row in f.iterrows():
            local = row["interval_start"].tz_convert(PARIS)
            clock = local.hour * 60 + local.minute
            expected = row["offered_raw"]
            for a in adjustments:
                if (row["queue"] == a.queue and local.date() == a.start
                        and a.band[0] <= clock < a.band[1]):
                    expected *= a.volume.value
            assert row["offered"] == pytest.approx(expected)


def test_adjustments_that_cannot_act_are_warned_about() -> None:
    from wfm.pipeline.forecast_job import adjustment_warnings

    out = apply_adjustments(forecast(), [adj("a1", start="2026-11-17", volume="+20%"),
                                         adj("a2", end="2026-11-17", volume=100),
                                         adj("a3", queue="chat_fr", volume="+5%")],
                           timezone=PARIS)
    assert adjustment_warnings(out) == [
        "adjustment a1: its window holds no forecast volume (closed? a public holiday?); "
        "nothing to adjust there",
        "adjustment a2: no forecast volume to spread over on 2026-11-17 (closed?); those "
        "days are left as forecast"]
