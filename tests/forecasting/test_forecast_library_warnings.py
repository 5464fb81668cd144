"""Library warnings of a forecast: none on absent intervals, and any left reach the run's
warnings (the run log) instead of a worker's stderr."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from forecast_synthetic import TZ, calendar, make_history

from wfm.executors import SerialExecutor
from wfm.forecasting import forecast_intervals
from wfm.forecasting.models import baselines


def sparse_history() -> pd.DataFrame:
    """Exported as ACDs often do: intervals where nothing happened are absent, and the
    08:00 slot of every Monday is missing altogether."""
    hist, _ = make_history("2025-01-06", 70, daily_level=300, seed=3)
    local = hist["interval_start"].dt.tz_convert(TZ)
    monday_eight = (local.dt.day_of_week == 0) & (local.dt.hour == 8) & (local.dt.minute == 0)
    return hist[(hist["offered"] > 0) & ~monday_eight].reset_index(drop=True)


@pytest.mark.parametrize("model", ["weekly_mean", "weekly_median"])
def test_absent_intervals_raise_no_numpy_warning(model: str) -> None:
    """A slot absent from every recent normal day made weekly_mean print numpy's "Mean of
    empty slice" (weekly_median "All-NaN slice encountered") on stderr, which broke
    `wfm run --quiet`; such a slot is forecast 0 without a word."""
    hist = sparse_history()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15,
                                 horizon_days=7, model=model, executor=SerialExecutor())
    assert [str(w.message) for w in caught] == []
    assert not any("Warning:" in w for w in run.warnings), run.warnings
    fc = run.forecast
    local = fc["interval_start"].dt.tz_convert(TZ)
    monday_eight = fc[(local.dt.day_of_week == 0) & (local.dt.hour == 8)
                      & (local.dt.minute == 0)]
    assert len(monday_eight) == 1 and monday_eight["offered"].iloc[0] == 0.0
    assert fc["offered"].sum() > 0 and np.isfinite(fc["offered"]).all()


def test_a_library_warning_becomes_a_run_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    reduce = baselines.WeeklyMean._reduce

    def noisy(self: baselines.WeeklyMean, rows: np.ndarray) -> np.ndarray:
        warnings.warn("probe from a model", RuntimeWarning, stacklevel=1)
        return reduce(self, rows)

    monkeypatch.setattr(baselines.WeeklyMean, "_reduce", noisy)
    hist, _ = make_history("2025-01-06", 70, daily_level=300, seed=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        run = forecast_intervals(hist, calendar=calendar(), interval_minutes=15,
                                 horizon_days=7, model="weekly_mean",
                                 executor=SerialExecutor())
    assert caught == []  # nothing reaches the process's own warning output
    noted = [w for w in run.warnings if "probe" in w]
    assert len(noted) == 1  # once, however many folds and weekdays called the model
    assert re.fullmatch(r"voice_fr/voice: RuntimeWarning: probe from a model "
                        r"\(test_forecast_library_warnings\.py:\d+\)", noted[0])
    assert run.series["voice_fr/voice"].library_warnings == [noted[0].split(": ", 1)[1]]
