"""Reports and exports: terminal tables, CSV/JSON, Excel workbooks, calendars."""

from wfm.reports.render import FORMATS, render, render_text

__all__ = ["FORMATS", "render", "render_text"]
