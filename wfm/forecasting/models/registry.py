"""Model names -> classes (config validation and --model choices read this dict)."""

from __future__ import annotations

from wfm.forecasting.models.base import Model
from wfm.forecasting.models.baselines import SeasonalNaive, WeeklyMean, WeeklyMedian
from wfm.forecasting.models.daily import DailyHarmonicRegression, TopDownETS
from wfm.forecasting.models.mstl import MSTLModel

MODELS: dict[str, type[Model]] = {
    m.name: m
    for m in (SeasonalNaive, WeeklyMean, WeeklyMedian, TopDownETS, DailyHarmonicRegression,
              MSTLModel)
}
AUTO = "auto"
# mstl is left out of the default auto set: it costs about half the compute and did not
# win on the sample data (it misses level shifts around holidays); add it in wfm.toml.
DEFAULT_CANDIDATES: tuple[str, ...] = ("seasonal_naive", "weekly_mean", "weekly_median",
                                       "topdown_ets", "dhr")
