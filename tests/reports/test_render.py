"""The one render function: the xlsx route, blank NaN and readable numbers in tables."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from wfm.errors import OutputError
from wfm.reports import ChartSpec, format_for_output, render, render_text


def frame() -> pd.DataFrame:
    return pd.DataFrame({"queue": ["a", "b"], "period": ["2026-03-02", "2026-03-03"],
                         "service_level": [0.8, np.nan], "sl_threshold_s": [86400.0, 20.0]})


def test_table_blanks_nan_and_avoids_scientific_notation() -> None:
    text = render_text(frame(), "table", title="T")
    assert text.splitlines()[0] == "T"
    assert "nan" not in text and "e+" not in text
    assert "86400" in text


def test_xlsx_route_writes_sheet_title_formats_and_chart(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    f = frame()
    render(f, "xlsx", out, title="My report",
           chart=ChartSpec(f, "period", ("service_level",), "SL"))
    wb = openpyxl.load_workbook(out)
    ws = wb["Report"]
    assert ws["A1"].value == "My report"
    assert [c.value for c in ws[3]] == list(f.columns)
    assert ws["C4"].value == 0.8 and ws["C4"].number_format == "0.0%"
    assert ws["C5"].value is None
    assert ws.auto_filter.ref == "A3:D5"
    assert ws.page_setup.orientation == "landscape"
    chart = wb["Chart"]._charts[0]
    assert chart.series[0].val.numRef.f == "'Chart'!$B$2:$B$3"
    again = tmp_path / "again.xlsx"
    render(f, "xlsx", again, title="My report",
           chart=ChartSpec(f, "period", ("service_level",), "SL"))
    assert out.read_bytes() == again.read_bytes()


def test_xlsx_needs_an_output() -> None:
    with pytest.raises(OutputError, match=r"give --output PATH\.xlsx"):
        render(frame(), "xlsx", None)


def test_format_from_suffix() -> None:
    assert format_for_output("a/b.XLSX") == "xlsx"
    assert format_for_output("b.json") == "json"
    assert format_for_output("b.dat") is None and format_for_output(None) is None


def test_too_many_rows_for_excel(tmp_path: Path, monkeypatch) -> None:
    module = sys.modules["wfm.reports.render"]  # the package re-exports a function of that name
    monkeypatch.setattr(module, "EXCEL_MAX_ROWS", 4)
    with pytest.raises(OutputError, match="2 rows do not fit an Excel sheet"):
        render(frame(), "xlsx", tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()


def test_number_formats_follow_column_names() -> None:
    from wfm.reports.excel import number_format

    assert number_format("offered") == "#,##0"
    assert number_format("abandon_rate") == "0.0%"
    assert number_format("asa_s") == "0.0"
    assert number_format("required_h") == "0.0"
    assert number_format("queue") is None
