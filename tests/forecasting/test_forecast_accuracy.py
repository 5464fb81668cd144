"""Acceptance on a small slice with a known rate: the auto choice against the Poisson noise
floor (a forecast equal to the true rate) and against seasonal naive, out of sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import TZ, calendar, make_history

from wfm.forecasting import forecast_intervals

CASES = [  # (queue, channel, interval minutes, contacts per day)
    ("voice_fr", "voice", 15, 1500.0),
    ("chat_fr", "chat", 30, 500.0),
    ("voice_en", "voice", 30, 300.0),
]


# Forecast origins (all out of sample) around the November holidays, as in real data:
# All Saints (Fri 1 Nov), Armistice (Mon 11 Nov) and their catch-up days.
ORIGINS = ("2024-10-21", "2024-10-28", "2024-11-04", "2024-11-12")


def _errors(queue: str, channel: str, minutes: int, level: float) -> dict[str, float]:
    full, truth = make_history("2024-03-04", 280, daily_level=level,
                               interval_minutes=minutes, seed=11, queue=queue, channel=channel)
    sums: dict[str, float] = {}
    for origin in ORIGINS:
        start = pd.Timestamp(origin)
        for model in ("auto", "seasonal_naive"):
            run = forecast_intervals(full, calendar=calendar(), interval_minutes=minutes,
                                     horizon_days=7, start=start, model=model)
            m = run.forecast.merge(truth, on=["interval_start", "queue", "channel"]).merge(
                full[["interval_start", "offered"]].rename(columns={"offered": "actual"}),
                on="interval_start")
            m = m[m["open"]]
            lead = (m["interval_start"].dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()
                    - start).dt.days + 1
            for band, sel in (("day", lead == 1), ("week", lead <= 7)):
                x = m[sel]
                for what, pred in ((model, x["offered"]), ("truth", x["true_offered"])):
                    key = f"{what}_{band}"
                    sums[key] = sums.get(key, 0.0) + float(np.abs(x["actual"] - pred).sum())
                sums[f"actual_{band}_{model}"] = sums.get(f"actual_{band}_{model}", 0.0) + float(
                    x["actual"].sum())
    return sums


@pytest.mark.slow
@pytest.mark.parametrize(("queue", "channel", "minutes", "level"), CASES)
def test_auto_within_noise_floor_and_beats_naive(queue: str, channel: str, minutes: int,
                                                 level: float) -> None:
    s = _errors(queue, channel, minutes, level)
    for band in ("day", "week"):
        auto = s[f"auto_{band}"]
        truth = s[f"truth_{band}"] / 2  # truth errors were summed once per model run
        naive = s[f"seasonal_naive_{band}"]
        assert auto <= 1.15 * truth, (band, auto / truth)
        assert auto <= 0.75 * naive, (band, auto / naive)


def test_interval_coverage_on_held_out_weeks() -> None:
    full, _ = make_history("2024-09-02", 217, daily_level=800, seed=4)
    hits = {80: [], 95: []}
    for k in range(3):
        start = pd.Timestamp("2024-09-02") + pd.Timedelta(days=196 - 7 * k)
        run = forecast_intervals(full, calendar=calendar(), interval_minutes=15,
                                 horizon_days=7, start=start,
                                 candidates=("weekly_mean", "topdown_ets"))
        m = run.forecast.merge(full[["interval_start", "offered"]], on="interval_start",
                               suffixes=("", "_actual"))
        m = m[m["offered"] > 0]
        assert (m["offered_lo_95"] <= m["offered_lo_80"]).all()
        assert (m["offered_lo_80"] <= m["offered"]).all()
        assert (m["offered_hi_80"] <= m["offered_hi_95"]).all()
        for lv, got in hits.items():
            inside = (m["offered_actual"] >= m[f"offered_lo_{lv}"]) & (
                m["offered_actual"] <= m[f"offered_hi_{lv}"])
            got.append(inside.mean())
        info = run.series["voice_fr/voice"]
        assert 0.6 < info.coverage_80 < 0.95 and 0.85 < info.coverage_95 <= 1.0
    assert np.mean(hits[80]) == pytest.approx(0.80, abs=0.07)
    assert np.mean(hits[95]) == pytest.approx(0.95, abs=0.04)


def test_backtest_table_columns() -> None:
    full, _ = make_history("2024-09-02", 119, seed=2)  # history ends Sunday 2024-12-29
    run = forecast_intervals(full, calendar=calendar(), interval_minutes=15, horizon_days=7,
                             candidates=("seasonal_naive", "weekly_mean"), backtest_cutoffs=3)
    bt = run.backtest
    assert {"queue", "channel", "model", "cutoff", "horizon_day", "open_day", "wmape", "bias",
            "mase", "coverage_80", "coverage_95"} <= set(bt.columns)
    naive = bt[bt["model"] == "seasonal_naive"]
    # Origins one week apart back from the end of the history, whatever the horizon; each
    # forecasts at least two weeks, or up to the end of the history.
    days = naive.groupby("cutoff")["horizon_day"].agg(["min", "max"])
    assert days.to_dict("index") == {"2024-12-09": {"min": 1, "max": 14},
                                     "2024-12-16": {"min": 1, "max": 14},
                                     "2024-12-23": {"min": 1, "max": 7}}
    assert (naive["wmape"].dropna() > 0).all()
    # Leads in open days: Wednesday 25 December is closed, so Thursday is the second open day
    # after Monday 23 December, and closed Sundays do not count.
    last = naive[naive["cutoff"] == "2024-12-23"].set_index("horizon_day")["open_day"]
    assert last.to_dict() == {1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5, 7: 6}
