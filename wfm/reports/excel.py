"""Shared Excel plumbing: styles, sheet setup, charts and a deterministic atomic save.

openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry; both are
replaced by a fixed stamp so the same input gives byte-identical workbooks.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wfm.outputs import write_output
from wfm.reports.tables import ChartSpec

FIXED_STAMP = datetime(2000, 1, 1)
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CENTER = Alignment(horizontal="center", vertical="center")

# Number formats by column-name suffix: fractions as percentages, seconds and hours with
# one decimal, counts as integers.
_FORMATS: tuple[tuple[str, str], ...] = (
    ("rate", "0.0%"), ("service_level", "0.0%"), ("share", "0.0%"), ("wmape", "0.0%"),
    ("bias", "0.0%"), ("_s", "0.0"), ("_h", "0.0"),
)


_COUNTS = frozenset({"offered", "handled", "abandoned", "answered_within_sl", "backlog",
                     "short_abandoned", "intervals", "short_intervals"})


def number_format(column: str) -> str | None:
    """The Excel number format of a column, from its name (units are in the names)."""
    if column in _COUNTS:
        return "#,##0"
    for suffix, fmt in _FORMATS:
        if column.endswith(suffix):
            return fmt
    return None


def excel_value(v: Any) -> Any:
    """A value openpyxl can store: no NaN, no tz-aware or numpy scalars."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.tz_localize(None).to_pydatetime() if v.tzinfo else v.to_pydatetime()
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def write_table(ws: Worksheet, frame: pd.DataFrame, *, row: int = 1, col: int = 1,
                autofilter: bool = True) -> None:
    """Write ``frame`` with a bold header at (row, col); formats by column name."""
    for j, name in enumerate(frame.columns):
        cell = ws.cell(row, col + j, str(name))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for j, name in enumerate(frame.columns):
        fmt = number_format(str(name))
        if fmt is None and pd.api.types.is_float_dtype(frame[name].dtype):
            fmt = "0.0#"
        is_time = isinstance(frame[name].dtype, pd.DatetimeTZDtype) or \
            pd.api.types.is_datetime64_any_dtype(frame[name].dtype)
        for i, v in enumerate(frame[name].tolist()):
            cell = ws.cell(row + 1 + i, col + j, excel_value(v))
            if is_time:
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif fmt:
                cell.number_format = fmt
    if autofilter and len(frame.columns):
        last = get_column_letter(col + len(frame.columns) - 1)
        ws.auto_filter.ref = f"{get_column_letter(col)}{row}:{last}{row + len(frame)}"


def fit_widths(ws: Worksheet, *, minimum: float = 6, maximum: float = 40,
               skip: Sequence[int] = ()) -> None:
    """Column widths from the longest text in each column (titles in ``skip`` rows ignored)."""
    widths: dict[int, int] = {}
    for cells in ws.iter_rows():
        for cell in cells:
            if cell.value is None or cell.row in skip:
                continue
            v = cell.value
            if isinstance(v, datetime):
                text = v.strftime("%Y-%m-%d %H:%M")
            elif isinstance(v, float):
                text = f"{v:,.2f}"  # as displayed (0.0 / 0.0% formats), not the repr
            else:
                text = str(v)
            widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, minimum), maximum)


def print_landscape(ws: Worksheet, *, title_rows: str | None = "1:1",
                    orientation: str = "landscape") -> None:
    """A4, fitted to one page wide (as many pages tall as needed; never enlarged), the
    sheet name and page numbers in the footer."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    for item in (ws.oddFooter.left, ws.oddFooter.right):
        item.size = 8


def print_pages(ws: Worksheet, *, heading: str, footer: str, orientation: str = "landscape",
                title_rows: str | None = None, title_cols: str | None = None) -> None:
    """Print setup of a sheet people post: A4 at 100 % (never shrunk, so text prints at
    its font size: the sheets are laid out to fit the page width), narrow margins, print
    titles (``"3:4"``, ``"A:B"``) repeated on every page, a header with ``heading`` (site
    and week), the sheet name and the print date, and a footer with ``footer`` (the run)
    and "Page n of N"."""
    print_landscape(ws, title_rows=title_rows, orientation=orientation)
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = 100
    if title_cols:
        ws.print_title_cols = title_cols
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.45
    margins.header = margins.footer = 0.15
    ws.oddHeader.left.text = heading
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.right.text = "Printed &D"
    ws.oddFooter.left.text = footer
    ws.oddFooter.right.text = "Page &P of &N"
    for item in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right,
                 ws.oddFooter.left, ws.oddFooter.right):
        item.size = 8


def _text_size(points: float, *, bold: bool = False) -> RichText:
    """Text properties of a chart element: its size [pt] (and weight)."""
    props = CharacterProperties(sz=round(points * 100), b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def add_line_chart(ws: Worksheet, spec: ChartSpec, *, data_row: int, data_col: int,
                   anchor: str, width_cm: float = 24, height_cm: float = 9,
                   label_every: int | None = None, text_pt: float | None = None
                   ) -> LineChart:
    """Write the chart data at (data_row, data_col) and anchor a line chart at ``anchor``.

    ``label_every``: show one category label (and tick) every that many points;
    ``text_pt``: the size of the axis labels, legend and (+2) title [pt] where a chart
    must print small but readable.
    """
    data = spec.frame[[spec.x, *spec.ys]]
    write_table(ws, data, row=data_row, col=data_col, autofilter=False)
    n = len(data)
    chart = LineChart()
    chart.title = spec.title
    chart.y_axis.title = spec.y_title
    chart.x_axis.title = spec.x_title
    chart.width, chart.height = width_cm, height_cm
    # openpyxl >= 3.1 hides axes unless told otherwise; Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if label_every and label_every > 1:
        chart.x_axis.tickLblSkip = label_every
        chart.x_axis.tickMarkSkip = label_every
    if text_pt is not None:
        chart.title = Title(tx=Text(rich=RichText(p=[Paragraph(
            pPr=ParagraphProperties(defRPr=CharacterProperties(sz=round(text_pt * 100 + 200),
                                                               b=True)),
            r=[RegularTextRun(t=spec.title)])])), overlay=False)
        for part in (chart.x_axis, chart.y_axis):
            part.txPr = _text_size(text_pt)
            if part.title is not None:
                part.title.tx.rich.p[0].pPr = ParagraphProperties(
                    defRPr=CharacterProperties(sz=round(text_pt * 100)))
        chart.legend.txPr = _text_size(text_pt)
    values = Reference(ws, min_col=data_col + 1, max_col=data_col + len(spec.ys),
                       min_row=data_row, max_row=data_row + n)
    chart.add_data(values, titles_from_data=True)
    cats = Reference(ws, min_col=data_col, min_row=data_row + 1, max_row=data_row + n)
    chart.set_categories(cats)
    for series in chart.series:
        series.smooth = False
        series.marker.symbol = "none"
    for k, (name, _) in enumerate(spec.references):
        # A constant series drawn dashed and black: a target line.
        col = data_col + len(spec.ys) + 1 + k
        ws.cell(data_row, col, name).font = HEADER_FONT
        for i in range(n):
            ws.cell(data_row + 1 + i, col, spec.references[k][1]).number_format = \
                number_format(spec.ys[0]) or "General"
        ref = Reference(ws, min_col=col, min_row=data_row, max_row=data_row + n)
        chart.add_data(ref, titles_from_data=True)
        line = chart.series[-1]
        line.smooth = False
        line.marker.symbol = "none"
        line.graphicalProperties.line.dashStyle = "dash"
        line.graphicalProperties.line.solidFill = "000000"
    ws.add_chart(chart, anchor)
    return chart


def new_workbook(title: str, *, stamp: datetime = FIXED_STAMP) -> Workbook:
    wb = Workbook()
    wb.properties.title = title
    wb.properties.creator = "wfm"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def workbook_bytes(wb: Workbook, *, stamp: datetime = FIXED_STAMP) -> bytes:
    """The .xlsx bytes with fixed timestamps (document properties and zip entries).

    wfm writes no formulas: text that merely starts with "=" (an agent called "=SUM(1)")
    is stored as text, never evaluated.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    fixed = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def save_workbook(wb: Workbook, output: str | Path, *, stamp: datetime = FIXED_STAMP) -> None:
    """Write the workbook atomically (temp file, then rename) with fixed timestamps."""
    write_output(output, workbook_bytes(wb, stamp=stamp))
