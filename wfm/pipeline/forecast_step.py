"""Forecast step: wfm.forecasting on the data store -> forecasts/<run-id>/."""

from __future__ import annotations

from wfm.forecasting import parse_horizon
from wfm.pipeline.forecast_files import (
    filter_history,
    forecast_history,
    read_history,
    write_forecast_folder,
)
from wfm.pipeline.steps import StepContext, StepResult


def run(ctx: StepContext) -> StepResult:
    """Forecast every stored series over the run horizon; keep the frame for staffing."""
    cfg = ctx.config
    horizon = ctx.options.horizon
    history = filter_history(read_history(cfg.paths.data_dir, None))
    model = cfg.forecasting.model
    result = forecast_history(cfg, history, horizon_days=parse_horizon(horizon), start=None,
                              model=model)
    for warning in result.warnings:
        ctx.warn(warning)
    folder = ctx.stage("forecasts")
    write_forecast_folder(folder, cfg, result, ctx.run_id, horizon=horizon, start=None,
                          model=model)
    ctx.state["forecast"] = result.forecast
    return StepResult(rows=len(result.forecast), outputs=("forecasts",),
                      details={"series": len(result.series)})
