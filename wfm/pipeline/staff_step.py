"""Staff step: wfm.staffing (Erlang C/A, deferred backlog) on the forecast -> requirements/."""

from __future__ import annotations

import pandas as pd

from wfm.errors import InputDataError
from wfm.outputs import sha256_file
from wfm.pipeline.forecast_files import FORECAST_FILE
from wfm.pipeline.staffing_files import staff_forecast, write_staffing_files
from wfm.pipeline.steps import StepContext, StepResult, area_roots
from wfm.schema import FORECAST, read_frame_csv


def run(ctx: StepContext) -> StepResult:
    """Required agents per queue and interval from this run's forecast (or the latest)."""
    folder = ctx.source("forecasts")
    if folder is None:
        raise InputDataError("no forecast to staff: this run made none and "
                             "forecasts/latest does not exist",
                             hint="add the forecast step: wfm run --steps forecast,staff")
    path = folder / FORECAST_FILE
    forecast = ctx.state.get("forecast")
    if isinstance(forecast, pd.DataFrame):
        # Staged by this run's forecast step; it will sit here once the run commits.
        source = str(area_roots(ctx.config)["forecasts"] / ctx.run_id / FORECAST_FILE)
    else:
        source = str(path)
        forecast = read_frame_csv(source, FORECAST)
    staffing = staff_forecast(ctx.config, forecast, source=source)
    out = ctx.stage("requirements")
    write_staffing_files(out, staffing)
    ctx.record("requirements", command="staff", status="success", source=source,
               inputs={"forecast": {"path": source, "sha256": sha256_file(path)}})
    ctx.state["requirements"] = staffing.requirements
    return StepResult(rows=len(staffing.requirements), outputs=("requirements",))
