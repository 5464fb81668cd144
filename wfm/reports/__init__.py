"""Reports and exports: terminal tables, CSV/JSON, Excel workbooks, calendars."""

from wfm.reports.render import FORMATS, format_for_output, render, render_report, render_text
from wfm.reports.tables import ChartSpec, Report

__all__ = ["FORMATS", "ChartSpec", "Report", "format_for_output", "render", "render_report",
           "render_text"]
