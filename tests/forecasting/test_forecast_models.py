"""Every registered model on a seeded synthetic series with a known rate; calendar cases."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import TZ, calendar, make_history
from test_forecast_calendar import Special

from wfm.executors import LocalProcessExecutor, SerialExecutor
from wfm.forecasting import MODELS, forecast_intervals

# History up to Sunday 2025-03-23; the horizon holds the DST change (Sun 30 March),
# Easter Monday (21 April, closed) and its catch-up day, and every closed Sunday.
START = "2024-10-07"
DAYS = 167
HORIZON = 35


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_history(START, DAYS, extra_days=HORIZON, daily_level=1200, seed=5)


def _with_truth(fc: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    m = fc.merge(truth, on=["interval_start", "queue", "channel"], how="left")
    m["local"] = m["interval_start"].dt.tz_convert(TZ)
    m["day"] = m["local"].dt.date
    return m


@pytest.fixture(scope="module")
def auto_run(data: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    hist, truth = data
    run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15,
                             horizon_days=HORIZON)
    return _with_truth(run.forecast, truth)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_model_forecasts_zero_when_closed_and_tracks_the_level(
        name: str, data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    hist, truth = data
    run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15, horizon_days=14,
                             model=name)
    m = _with_truth(run.forecast, truth)
    assert len(m) == len(truth[truth["interval_start"] >= m["interval_start"].min()]
                         .iloc[: len(m)])
    assert (m["offered"] >= 0).all()
    assert (m.loc[~m["open"], "offered"] == 0).all()
    opened = m[m["open"]]
    # Two weeks ahead, the total is within 12% of the true rate for every model.
    assert opened["offered"].sum() == pytest.approx(opened["true_offered"].sum(), rel=0.12)
    assert set(m["model"]) == {name}


def test_dst_week_keeps_the_local_shape(auto_run: pd.DataFrame) -> None:
    for day in (date(2025, 3, 28), date(2025, 3, 31), date(2025, 4, 1)):
        d = auto_run[auto_run["day"] == day]
        opened = d[d["offered"] > 0]
        assert opened["local"].iloc[0].strftime("%H:%M") == "08:00"
        assert opened["local"].iloc[-1].strftime("%H:%M") == "19:45"
        err = np.abs(d["offered"] - d["true_offered"]).sum() / d["true_offered"].sum()
        assert err < 0.10, (day, err)
        # the peak sits at the same local clock time as the true rate's peak
        peak = d.loc[d["offered"].idxmax(), "local"].hour
        true_peak = d.loc[d["true_offered"].idxmax(), "local"].hour
        assert abs(peak - true_peak) <= 1


def test_public_holiday_is_closed_and_next_day_catches_up(auto_run: pd.DataFrame) -> None:
    day_tot = auto_run.groupby("day")[["offered", "true_offered"]].sum()
    assert day_tot.loc[date(2025, 4, 21), "offered"] == 0  # Easter Monday
    after = day_tot.loc[date(2025, 4, 22)]
    normal_tuesday = day_tot.loc[date(2025, 4, 15)]
    assert after["offered"] > 1.1 * normal_tuesday["offered"]
    assert after["offered"] == pytest.approx(after["true_offered"], rel=0.12)


def test_closed_sunday_is_zero(auto_run: pd.DataFrame) -> None:
    sundays = auto_run[auto_run["local"].dt.day_of_week == 6]
    assert len(sundays) > 0 and (sundays[["offered", "offered_hi_95"]] == 0).all().all()


def test_three_weeks_of_history_falls_back_and_says_why() -> None:
    hist, truth = make_history("2025-02-03", 21, extra_days=14, seed=9)
    run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15, horizon_days=14)
    info = run.series["voice_fr/voice"]
    assert "dhr" in info.fallbacks
    assert "history 21 days < 56 required" in info.fallbacks["dhr"][0]
    assert any("fell back" in w and "voice_fr" in w for w in run.warnings)
    m = _with_truth(run.forecast, truth)
    opened = m[m["open"]]
    assert opened["offered"].sum() == pytest.approx(opened["true_offered"].sum(), rel=0.15)


def test_special_days_closed_multiplier_like() -> None:
    specials = (Special(date(2025, 3, 26), "closed"), Special(date(2025, 4, 1), "multiplier",
                                                              2.0),
                Special(date(2025, 3, 28), "like", like="sat"))
    hist, _ = make_history(START, DAYS, seed=5, cal=calendar())
    run = forecast_intervals(hist, calendar=calendar(special_days=specials),
                             interval_minutes=15, horizon_days=17, model="topdown_ets")
    m = _with_truth(run.forecast, make_history(START, DAYS, extra_days=17, seed=5)[1])
    tot = m.groupby("day")["offered"].sum()
    assert tot[date(2025, 3, 26)] == 0
    # Tuesday doubled vs the next Tuesday (both normal otherwise)
    assert tot[date(2025, 4, 1)] / tot[date(2025, 4, 8)] == pytest.approx(2.0, rel=0.05)
    # the day after the special closure catches up (as learnt after past holidays)
    assert tot[date(2025, 3, 27)] > 1.1 * tot[date(2025, 4, 3)]
    fri = m[m["day"] == date(2025, 3, 28)]
    opened = fri[fri["offered"] > 0]["local"]
    assert opened.iloc[0].strftime("%H:%M") == "09:00" and opened.iloc[-1].hour == 16
    assert tot[date(2025, 3, 28)] < 0.7 * tot[date(2025, 4, 4)]


def test_process_pool_matches_serial(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    hist, _ = data
    two = pd.concat([hist, hist.assign(queue="voice_en")], ignore_index=True)
    kw = {"calendar": calendar(), "interval_minutes": 15, "horizon_days": 7,
          "candidates": ("weekly_mean", "topdown_ets"), "backtest_cutoffs": 2}
    a = forecast_intervals(two, executor=SerialExecutor(), **kw)
    b = forecast_intervals(two, executor=LocalProcessExecutor(2), **kw)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)
    assert set(a.forecast["queue"]) == {"voice_fr", "voice_en"}
