"""Acceptance on a slice of the shipped sample data (wfm.simulation.sample_data), whose true
rates are known: out-of-sample day-ahead and week-ahead wMAPE of the auto choice within
1.10x of the true rate's (the Poisson noise floor) and >= 20% below seasonal naive (which
copies the last *open* same weekday, not a closed holiday), for every channel at 15- and
30-minute intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.config import load_config
from wfm.forecasting import SiteCalendar, forecast_intervals, public_holidays
from wfm.simulation.sample_data import generate_sample

TZ = "Europe/Paris"
KEY = ["interval_start", "queue", "channel"]


def sample_frames(years: float) -> tuple[pd.DataFrame, pd.DataFrame, SiteCalendar]:
    """Sample intervals and true rates (UTC) and the starter wfm.toml's site calendar."""
    s = generate_sample(seed=7, years=years)
    site = load_config(Path(__file__).resolve().parents[2] / "wfm" / "config" /
                       "starter.toml").site
    cal = SiteCalendar(site.timezone, site.opening_hours.windows,
                       public_holidays("FR", range(2024, 2028), extra=site.holidays),
                       site.special_days)
    iv = s.intervals.assign(interval_start=s.intervals["interval_start"].dt.tz_convert("UTC"))
    tr = s.true_rates.assign(interval_start=pd.to_datetime(
        s.true_rates["interval_start"], utc=True))
    return iv, tr, cal


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame, SiteCalendar]:
    return sample_frames(0.8)


def _coarsen(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = frame.assign(interval_start=frame["interval_start"].dt.floor("30min"))
    return out.groupby(KEY, as_index=False)[cols].sum()


def _errors(iv: pd.DataFrame, tr: pd.DataFrame, cal: SiteCalendar, minutes: int,
            starts: list[pd.Timestamp], horizon_days: int, score_days: int
            ) -> dict[tuple[str, str], float]:
    """Summed |actual - forecast| over the first ``score_days`` of each run, per (channel,
    model), and of the true rate ('truth')."""
    err: dict[tuple[str, str], float] = {}
    for start in starts:
        for model in ("auto", "seasonal_naive"):
            run = forecast_intervals(iv, calendar=cal, interval_minutes=minutes,
                                     horizon_days=horizon_days, start=start, model=model)
            m = run.forecast.merge(tr, on=KEY).merge(
                iv[[*KEY, "offered"]].rename(columns={"offered": "actual"}), on=KEY)
            m = m[m["interval_start"] < (start + pd.Timedelta(days=score_days)).tz_localize(TZ)]
            for ch, y in m.groupby("channel"):
                preds = [(model, y["offered"])] + ([("truth", y["true_offered"])]
                                                   if model == "auto" else [])
                for what, pred in preds:
                    e = float(np.abs(y["actual"] - pred).sum())
                    err[(str(ch), what)] = err.get((str(ch), what), 0.0) + e
    return err


@pytest.mark.slow
@pytest.mark.parametrize("minutes", [15, 30])
@pytest.mark.parametrize("band", ["day-ahead", "week-ahead"])
def test_sample_auto_near_noise_floor_and_beats_naive(
        sample: tuple[pd.DataFrame, pd.DataFrame, SiteCalendar], minutes: int,
        band: str) -> None:
    iv, tr, cal = sample
    if minutes == 30:
        iv = _coarsen(iv, ["offered", "handled", "handle_s"])
        tr = _coarsen(tr, ["true_offered"])
    end = iv["interval_start"].max().tz_convert(TZ).normalize().tz_localize(None) + \
        pd.Timedelta(days=1)
    # 7-day forecasts; day-ahead scores the first day of ten daily origins, week-ahead all
    # seven days of three weekly origins.
    if band == "day-ahead":
        starts, score = [end - pd.Timedelta(days=7 + k) for k in range(10)], 1
    else:
        starts, score = [end - pd.Timedelta(days=7 * k) for k in range(1, 4)], 7
    err = _errors(iv, tr, cal, minutes, starts, 7, score)
    for ch in ("voice", "chat", "email"):
        auto, floor, naive = (err[(ch, w)] for w in ("auto", "truth", "seasonal_naive"))
        assert auto <= 1.10 * floor, (ch, auto / floor)
        assert auto <= 0.80 * naive, (ch, auto / naive)
