"""Staff step: wfm.staffing (Erlang C/A, deferred backlog) on the forecast -> requirements/."""

from __future__ import annotations

import pandas as pd

from wfm.errors import InputDataError
from wfm.pipeline.forecast_files import FORECAST_FILE, input_checksums
from wfm.pipeline.staffing_files import staff_forecast, write_staffing_files
from wfm.pipeline.steps import StepContext, StepResult
from wfm.schema import FORECAST, read_frame_csv


def run(ctx: StepContext) -> StepResult:
    """Required agents per queue and interval from this run's forecast (or the latest)."""
    forecast = ctx.state.get("forecast")
    source = "forecast of this run"
    if not isinstance(forecast, pd.DataFrame):
        folder = ctx.source("forecasts")
        if folder is None:
            raise InputDataError("no forecast to staff: this run made none and "
                                 "forecasts/latest does not exist",
                                 hint="add the forecast step: wfm run --steps forecast,staff")
        source = str(folder / FORECAST_FILE)
        forecast = read_frame_csv(source, FORECAST)
    staffing = staff_forecast(ctx.config, forecast, source=source)
    folder = ctx.stage("requirements")
    write_staffing_files(folder, staffing)
    ctx.record("requirements", command="staff", status="success", source=source,
               inputs=input_checksums(ctx.config))
    ctx.state["requirements"] = staffing.requirements
    return StepResult(rows=len(staffing.requirements), outputs=("requirements",))
