"""Volume and handle-time forecasts per queue and channel (top-down, multi-seasonal,
baselines), chosen per series by rolling-origin backtest. Takes DataFrames, never Config."""

from wfm.executors import DaskExecutor, Executor, LocalProcessExecutor, SerialExecutor
from wfm.forecasting.batch import ForecastRun, check_model, forecast_intervals
from wfm.forecasting.calendar import SiteCalendar, public_holidays, site_holidays
from wfm.forecasting.grid import parse_horizon
from wfm.forecasting.models import AUTO, DEFAULT_CANDIDATES, MODELS

__all__ = [
    "AUTO", "DEFAULT_CANDIDATES", "MODELS", "DaskExecutor", "Executor", "ForecastRun",
    "LocalProcessExecutor", "SerialExecutor", "SiteCalendar", "check_model",
    "forecast_intervals", "parse_horizon", "public_holidays", "site_holidays",
]
