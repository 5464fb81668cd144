"""The automatic choice (combinations, evidence per open-lead band, horizon-independent folds)
and the calibrated intervals on over-dispersed counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_overdispersed import Dispersion, make_overdispersed
from forecast_synthetic import calendar, make_history
from scipy import stats

from wfm.forecasting import forecast_intervals
from wfm.forecasting.intervals import LEVELS, calibrate_intervals, interval_bounds, nb_cdf
from wfm.forecasting.selection import Fold, choose, component


def _folds(truth: np.ndarray, preds: dict[str, np.ndarray], n_folds: int) -> list[Fold]:
    """Folds of 7 days x 10 intervals with the given actuals and predictions per fold."""
    out = []
    for k in range(n_folds):
        lead = np.repeat(np.arange(1, 8), 10)
        f = Fold(0, 0, lead, lead.copy(), truth[k], np.ones(70, dtype=bool))
        f.preds = {name: p[k] for name, p in preds.items()}
        out.append(f)
    return out


def test_two_close_models_give_their_combination() -> None:
    rng = np.random.default_rng(1)
    actual = rng.poisson(100, (8, 70)).astype(float)
    # Two unbiased models with independent errors of the same size: neither is clearly
    # better, and their mean is better than either.
    preds = {"a": 100 + rng.normal(0, 8, (8, 70)), "b": 100 + rng.normal(0, 8, (8, 70))}
    choice = choose(_folds(actual, preds, 8), ("a", "b"))
    assert choice.per_band[0] == "mean(a+b)"


def test_a_clearly_better_model_is_kept_alone() -> None:
    rng = np.random.default_rng(2)
    actual = rng.poisson(100, (8, 70)).astype(float)
    preds = {"good": 100 + rng.normal(0, 2, (8, 70)), "bad": 130 + rng.normal(0, 8, (8, 70)),
             "worse": 60 + rng.normal(0, 8, (8, 70))}
    choice = choose(_folds(actual, preds, 8), ("good", "bad", "worse"))
    assert choice.per_band[0] == "good"


def test_median_combination() -> None:
    preds = {"a": np.array([1.0, 5.0]), "b": np.array([2.0, 1.0]), "c": np.array([9.0, 3.0])}
    np.testing.assert_array_equal(component("median(a+b+c)", preds), [2.0, 3.0])
    np.testing.assert_array_equal(component("mean(a+b)", preds), [1.5, 3.0])
    assert component("mean(a+z)", preds) is None


def test_six_week_run_forecasts_the_first_week_as_a_one_week_run() -> None:
    hist, _ = make_history("2024-09-02", 280, daily_level=900, seed=6)
    kw = {"calendar": calendar(), "interval_minutes": 15}
    week = forecast_intervals(hist, horizon_days=7, **kw)
    six = forecast_intervals(hist, horizon_days=42, **kw)
    first = six.forecast[six.forecast["interval_start"].isin(week.forecast["interval_start"])]
    cols = ["offered", "offered_lo_80", "offered_hi_80", "offered_lo_95", "offered_hi_95"]
    np.testing.assert_allclose(first[cols].to_numpy(), week.forecast[cols].to_numpy())
    assert six.series["voice_fr/voice"].backtest_cutoffs == \
        week.series["voice_fr/voice"].backtest_cutoffs


def test_negative_binomial_cdf_against_scipy() -> None:
    mean = np.array([0.4, 3.0, 25.0, 400.0])
    for kappa in (0.0, 0.01, 0.2):
        k = np.floor(mean * 1.1)
        ref = (stats.poisson.cdf(k, mean) if kappa == 0
               else stats.nbinom.cdf(k, 1 / kappa, 1 / (1 + kappa * mean)))
        np.testing.assert_allclose(nb_cdf(k, mean, kappa), ref, rtol=1e-9)


def test_calibrated_intervals_cover_fresh_overdispersed_counts() -> None:
    # Counts over-dispersed by a gamma factor (CV 15 %) around forecasts of 2 to 200: Poisson
    # intervals under-cover; calibrated on 8 folds they cover new draws at nominal.
    rng = np.random.default_rng(5)

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        mean = rng.uniform(2, 200, n)
        return rng.poisson(mean * rng.gamma(1 / 0.0225, 0.0225, n)).astype(float), mean

    actual, mean = draw(8 * 400)
    lead = np.tile(np.repeat(np.arange(1, 9), 50), 8)
    rule, cover = calibrate_intervals(actual, mean, lead, np.repeat(np.arange(8), 400))
    assert rule.method == "negative binomial"
    assert cover["poisson_80"] < 0.70 and cover["poisson_95"] < 0.88
    new, new_mean = draw(40_000)
    for lv in LEVELS:
        lo, hi = interval_bounds(rule, new_mean, np.ones(len(new), dtype=np.int64), lv)
        inside = float(np.mean((new >= lo) & (new <= hi)))
        assert inside == pytest.approx(lv, abs=0.02), lv
        assert cover[f"coverage_{int(lv * 100)}"] == pytest.approx(lv, abs=0.03)
        # Each tail holds its half: the upper bound is the (1 + level) / 2 quantile.
        assert float(np.mean(new > hi)) == pytest.approx((1 - lv) / 2, abs=0.015)


@pytest.mark.slow
def test_intervals_cover_out_of_sample_on_overdispersed_series() -> None:
    hist, _ = make_overdispersed("2023-06-05", 560, daily_level=2000, seed=8,
                                 dispersion=Dispersion(busyness_cv=0.12, intraday_sd=0.1))
    key = ["interval_start", "queue", "channel"]
    hits = {80: [0, 0], 95: [0, 0]}
    for k in range(6):
        start = pd.Timestamp("2023-06-05") + pd.Timedelta(days=500 + 9 * k)
        run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15,
                                 horizon_days=7, start=start)
        assert run.series["q/voice"].interval_method == "negative binomial"
        m = run.forecast.merge(hist[[*key, "offered"]].rename(columns={"offered": "actual"}),
                               on=key)
        m = m[m["offered"] > 0]
        for lv, h in hits.items():
            h[0] += int(((m["actual"] >= m[f"offered_lo_{lv}"])
                         & (m["actual"] <= m[f"offered_hi_{lv}"])).sum())
            h[1] += len(m)
    # 6 weeks of one series: the busyness of 36 days limits how close this can be.
    assert hits[80][0] / hits[80][1] == pytest.approx(0.80, abs=0.05)
    assert hits[95][0] / hits[95][1] == pytest.approx(0.95, abs=0.03)
