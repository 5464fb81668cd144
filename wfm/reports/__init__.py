"""Reports and exports: terminal tables, CSV/JSON, Excel workbooks, calendars."""

from wfm.reports.excel import ChartSpec
from wfm.reports.render import FORMATS, format_for_output, render, render_text

__all__ = ["FORMATS", "ChartSpec", "format_for_output", "render", "render_text"]
