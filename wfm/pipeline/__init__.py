"""The Python API of wfm: one function per job, each taking a loaded project.

A CLI command parses its options, calls one of these functions and renders the result;
a `wfm run` step calls the same function with the run it belongs to. See docs/api.md::

    import wfm.pipeline as wfm

    project = wfm.open_project("demo")
    wfm.ingest(project, wfm.IngestRequest(files=(Path("sample/intervals.csv"),)))
    fc = wfm.forecast(project, wfm.ForecastRequest(horizon="6w"))
    req = wfm.staff(project)
    roster = wfm.schedule(project, wfm.ScheduleRequest(allow_understaffing=True))

Names are loaded on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Project": "wfm.pipeline.project",
    "SimulateRequest": "wfm.pipeline.simulate_job",
    "SimulateResult": "wfm.pipeline.simulate_job",
    "simulate": "wfm.pipeline.simulate_job",
    "open_project": "wfm.pipeline.project",
    "IngestRequest": "wfm.pipeline.ingest_job",
    "ingest": "wfm.pipeline.ingest_job",
    "check_data": "wfm.pipeline.ingest_job",
    "drop_data": "wfm.pipeline.ingest_job",
    "QueryRequest": "wfm.pipeline.data_jobs",
    "data_history": "wfm.pipeline.data_jobs",
    "query_data": "wfm.pipeline.data_jobs",
    "undo_data": "wfm.pipeline.data_jobs",
    "VacuumRequest": "wfm.pipeline.data_jobs",
    "vacuum_data": "wfm.pipeline.data_jobs",
    "ForecastRequest": "wfm.pipeline.forecast_job",
    "ForecastResult": "wfm.pipeline.forecast_job",
    "forecast": "wfm.pipeline.forecast_job",
    "forecast_models": "wfm.pipeline.forecast_job",
    "forecast_summary": "wfm.pipeline.forecast_job",
    "AdjustRequest": "wfm.pipeline.adjust_job",
    "AdjustmentsResult": "wfm.pipeline.adjust_job",
    "add_adjustment": "wfm.pipeline.adjust_job",
    "list_adjustments": "wfm.pipeline.adjust_job",
    "remove_adjustments": "wfm.pipeline.adjust_job",
    "StaffRequest": "wfm.pipeline.staff_job",
    "StaffResult": "wfm.pipeline.staff_job",
    "staff": "wfm.pipeline.staff_job",
    "ScenarioOptions": "wfm.pipeline.what_if_job",
    "WhatIfRequest": "wfm.pipeline.what_if_job",
    "WhatIfResult": "wfm.pipeline.what_if_job",
    "what_if": "wfm.pipeline.what_if_job",
    "ScheduleRequest": "wfm.pipeline.schedule_job",
    "ScheduleOutcome": "wfm.pipeline.schedule_job",
    "schedule": "wfm.pipeline.schedule_job",
    "RosterCheck": "wfm.pipeline.roster_check_job",
    "check_schedule": "wfm.pipeline.roster_check_job",
    "ServiceLevelRequest": "wfm.pipeline.report_jobs",
    "service_level": "wfm.pipeline.report_jobs",
    "accuracy": "wfm.pipeline.report_jobs",
    "coverage": "wfm.pipeline.report_jobs",
    "export_roster": "wfm.pipeline.report_jobs",
    "export_calendars": "wfm.pipeline.report_jobs",
    "CalendarExport": "wfm.pipeline.report_jobs",
    "RosterDiffRequest": "wfm.pipeline.roster_diff_job",
    "RosterDiffResult": "wfm.pipeline.roster_diff_job",
    "roster_diff": "wfm.pipeline.roster_diff_job",
    "schedule_run": "wfm.pipeline.report_jobs",
    "HtmlReportRequest": "wfm.pipeline.html_report_job",
    "HtmlReportResult": "wfm.pipeline.html_report_job",
    "html_report": "wfm.pipeline.html_report_job",
    "RunOptions": "wfm.pipeline.runner",
    "RunSummary": "wfm.pipeline.runner",
    "resolve_options": "wfm.pipeline.runner",
    "run_pipeline": "wfm.pipeline.runner",
    "PlanRequest": "wfm.pipeline.plan_job",
    "PlanResult": "wfm.pipeline.plan_job",
    "plan": "wfm.pipeline.plan_job",
    "SitesRequest": "wfm.pipeline.sites",
    "SitesSummary": "wfm.pipeline.sites",
    "run_sites": "wfm.pipeline.sites",
    "ErlangQuestion": "wfm.pipeline.calculator_job",
    "erlang": "wfm.pipeline.calculator_job",
    "parse_sl_target": "wfm.pipeline.calculator_job",
    "init_project": "wfm.pipeline.project_files",
    "write_sample_history": "wfm.pipeline.project_files",
}

__all__ = [
    "AdjustRequest", "AdjustmentsResult", "CalendarExport", "ErlangQuestion",
    "ForecastRequest", "ForecastResult", "HtmlReportRequest", "HtmlReportResult",
    "IngestRequest", "PlanRequest", "PlanResult", "Project", "QueryRequest", "RosterCheck",
    "RosterDiffRequest", "RosterDiffResult", "RunOptions", "RunSummary", "ScenarioOptions",
    "ScheduleOutcome", "ScheduleRequest", "ServiceLevelRequest", "SimulateRequest",
    "SimulateResult", "SitesRequest", "SitesSummary", "StaffRequest", "StaffResult",
    "VacuumRequest", "WhatIfRequest", "WhatIfResult", "accuracy", "add_adjustment", "check_data",
    "check_schedule", "coverage", "data_history", "drop_data", "erlang", "export_calendars",
    "export_roster", "forecast", "forecast_models", "forecast_summary", "html_report",
    "ingest", "init_project", "list_adjustments", "open_project", "parse_sl_target", "plan",
    "query_data", "remove_adjustments", "resolve_options", "roster_diff", "run_pipeline",
    "run_sites", "schedule", "schedule_run", "service_level", "simulate", "staff",
    "undo_data", "vacuum_data", "what_if", "write_sample_history",
]

if TYPE_CHECKING:
    from wfm.pipeline.adjust_job import (
        AdjustmentsResult,
        AdjustRequest,
        add_adjustment,
        list_adjustments,
        remove_adjustments,
    )
    from wfm.pipeline.calculator_job import ErlangQuestion, erlang, parse_sl_target
    from wfm.pipeline.data_jobs import (
        QueryRequest,
        VacuumRequest,
        data_history,
        query_data,
        undo_data,
        vacuum_data,
    )
    from wfm.pipeline.forecast_job import (
        ForecastRequest,
        ForecastResult,
        forecast,
        forecast_models,
        forecast_summary,
    )
    from wfm.pipeline.html_report_job import HtmlReportRequest, HtmlReportResult, html_report
    from wfm.pipeline.ingest_job import IngestRequest, check_data, drop_data, ingest
    from wfm.pipeline.plan_job import PlanRequest, PlanResult, plan
    from wfm.pipeline.project import Project, open_project
    from wfm.pipeline.project_files import init_project, write_sample_history
    from wfm.pipeline.report_jobs import (
        CalendarExport,
        ServiceLevelRequest,
        accuracy,
        coverage,
        export_calendars,
        export_roster,
        schedule_run,
        service_level,
    )
    from wfm.pipeline.roster_check_job import RosterCheck, check_schedule
    from wfm.pipeline.roster_diff_job import RosterDiffRequest, RosterDiffResult, roster_diff
    from wfm.pipeline.runner import RunOptions, RunSummary, resolve_options, run_pipeline
    from wfm.pipeline.schedule_job import ScheduleOutcome, ScheduleRequest, schedule
    from wfm.pipeline.simulate_job import SimulateRequest, SimulateResult, simulate
    from wfm.pipeline.sites import SitesRequest, SitesSummary, run_sites
    from wfm.pipeline.staff_job import StaffRequest, StaffResult, staff
    from wfm.pipeline.what_if_job import ScenarioOptions, WhatIfRequest, WhatIfResult, what_if


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wfm.pipeline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
