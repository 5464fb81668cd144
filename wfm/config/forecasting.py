"""[forecasting]: horizon, model choice and backtest settings (extended by the forecasting work)."""

from __future__ import annotations

from dataclasses import dataclass

from wfm.config._reader import TableReader


@dataclass(frozen=True)
class ForecastingConfig:
    horizon: str = "6w"
    model: str = "auto"
    backtest_cutoffs: int = 4


def read_forecasting(t: TableReader) -> ForecastingConfig:
    d = ForecastingConfig()
    out = ForecastingConfig(
        horizon=t.str("horizon", d.horizon),
        model=t.str("model", d.model),
        backtest_cutoffs=t.number("backtest_cutoffs", d.backtest_cutoffs, low=1, high=52,
                                  integer=True),
    )
    t.finish()
    return out
