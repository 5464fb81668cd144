"""The one render function every command's output goes through.

``table`` (a terminal table via tabulate), ``csv`` and ``json`` for any frame, and
``xlsx`` (a formatted sheet, optionally with a native line chart); files are written
atomically. Commands choose ``table`` on a terminal and ``csv`` when piped.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
from tabulate import tabulate

from wfm.errors import OutputError
from wfm.outputs import write_output
from wfm.reports.tables import ChartSpec, Report

# pandas is imported where a frame is rendered, not here: whoever made the frame has
# imported it already, and `wfm erlang` (wfm.reports.column_render) must start without it.
if TYPE_CHECKING:
    import pandas as pd

FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx")
TEXT_FORMATS: tuple[str, ...] = ("table", "csv", "json")
EXCEL_MAX_ROWS = 1_048_576
_SUFFIXES = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".txt": "table"}


def _cell(v: Any) -> Any:
    import pandas as pd

    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else round(float(v), 6)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def render_text(frame: pd.DataFrame, fmt: str, *, title: str | None = None,
                floatfmt: str = ".4g") -> str:
    """Return the frame as text in ``fmt`` (table, csv or json)."""
    import pandas as pd

    if fmt == "csv":
        buf = io.StringIO()
        frame.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()
    if fmt == "json":
        records = [{k: _cell(v) for k, v in row.items()}
                   for row in frame.to_dict(orient="records")]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        shown = frame.copy()
        for col in shown.columns:
            if isinstance(shown[col].dtype, pd.DatetimeTZDtype):
                shown[col] = shown[col].dt.strftime("%Y-%m-%d %H:%M")
        columns = {str(c): shown[c].astype(object).where(shown[c].notna(), None).tolist()
                   for c in shown.columns}
        # Large figures (thresholds in seconds, totals) in plain digits, not 8.64e+04.
        floatfmts = [".0f" if pd.api.types.is_float_dtype(shown[c].dtype)
                     and float(shown[c].abs().max(skipna=True) or 0) >= 1e4 else floatfmt
                     for c in shown.columns]
        text = tabulate(columns, headers="keys", tablefmt="simple", floatfmt=floatfmts,
                        missingval="")
        return (f"{title}\n{text}\n" if title else f"{text}\n")
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(TEXT_FORMATS)}")


def format_for_output(output: str | Path | None) -> str | None:
    """The format implied by an output file's suffix (``.xlsx`` -> xlsx), if any."""
    return None if output is None else _SUFFIXES.get(Path(output).suffix.lower())


def render(frame: pd.DataFrame, fmt: str, output: str | Path | None = None, *,
           title: str | None = None, stream: TextIO | None = None,
           chart: ChartSpec | None = None) -> None:
    """Render ``frame`` to ``output`` (atomically) or to ``stream`` (default stdout).

    ``xlsx`` needs ``output``; it writes the frame on a sheet "Report" (title above the
    header, autofilter, frozen header) and, given ``chart``, its data and a native line
    chart on a sheet "Chart". Text formats ignore ``chart``.
    """
    if fmt == "xlsx":
        if output is None:
            raise OutputError("format xlsx writes a file: give --output PATH.xlsx")
        if len(frame) > EXCEL_MAX_ROWS - 3:
            raise OutputError(f"{output}: {len(frame)} rows do not fit an Excel sheet "
                              f"(at most {EXCEL_MAX_ROWS - 3} here)",
                              hint="aggregate (e.g. --by day) or use --format csv")
        render_workbook(frame, output, title=title, chart=chart)
        return
    put_text(render_text(frame, fmt, title=title), output, stream)


def put_text(text: str, output: str | Path | None, stream: TextIO | None = None) -> None:
    """Write rendered ``text`` to ``output`` (atomically) or to ``stream`` (default
    stdout)."""
    if output is not None:
        write_output(output, text)
        return
    (stream or sys.stdout).write(text)


def render_workbook(frame: pd.DataFrame, output: str | Path, *, title: str | None = None,
                    chart: ChartSpec | None = None) -> None:
    """Write ``frame`` (and an optional chart) as a formatted, print-ready workbook."""
    # openpyxl only when a workbook is asked for: it takes longer to import than most
    # commands take to run.
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from wfm.reports.excel import (
        add_line_chart,
        fit_widths,
        new_workbook,
        print_landscape,
        save_workbook,
        write_table,
    )

    wb = new_workbook(title or "wfm report")
    ws = wb.active
    assert ws is not None
    ws.title = "Report"
    first = 1
    if title:
        ws.cell(1, 1, title).font = Font(bold=True, size=12)
        first = 3
    write_table(ws, frame, row=first)
    ws.freeze_panes = ws.cell(first + 1, 1)
    fit_widths(ws, skip=(1,) if title else ())
    print_landscape(ws, title_rows=f"{first}:{first}")
    if chart is not None:
        cs = wb.create_sheet("Chart")
        # The chart sits right of its data (the period and one column per line and
        # target), never over a column.
        right = get_column_letter(len(chart.ys) + len(chart.references) + 3)
        add_line_chart(cs, chart, data_row=1, data_col=1, anchor=f"{right}2")
        fit_widths(cs)
        cs.freeze_panes = "A2"
        print_landscape(cs)
    save_workbook(wb, output)


def render_report(report: Report, fmt: str, output: str | Path | None = None, *,
                  stream: TextIO | None = None) -> None:
    """:func:`render` a :class:`Report`: its title above the table (not in CSV), its chart
    in xlsx."""
    render(report.frame, fmt, output, title=(report.title or None) if fmt != "csv" else None,
           stream=stream, chart=report.chart)
