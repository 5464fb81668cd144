"""Staff step: wfm.staffing (Erlang C/A, deferred backlog) on the forecast -> requirements/."""

from __future__ import annotations

from wfm.outputs import sha256_file
from wfm.pipeline.forecast_files import FORECAST_FILE
from wfm.pipeline.staffing_files import staff_forecast, write_staffing_files
from wfm.pipeline.steps import StepContext, StepResult
from wfm.schema import FORECAST


def run(ctx: StepContext) -> StepResult:
    """Required agents per queue and interval from this run's forecast (or the latest)."""
    forecast = ctx.input_frame("forecasts", FORECAST_FILE, FORECAST, state_key="forecast",
                               missing="no forecast to staff",
                               hint="add the forecast step: wfm run --steps forecast,staff")
    source = str(forecast.final_path)
    staffing = staff_forecast(ctx.config, forecast.frame, source=source)
    for warning in staffing.warnings:
        ctx.warn(warning)
    out = ctx.stage("requirements")
    write_staffing_files(out, staffing)
    ctx.record("requirements", command="staff", status="success", source=source,
               inputs={"forecast": {"path": source, "sha256": sha256_file(forecast.path)}})
    ctx.state["requirements"] = staffing.requirements
    return StepResult(rows=len(staffing.requirements), outputs=("requirements",))
