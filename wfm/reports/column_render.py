"""Render a small table held as plain numpy columns, without pandas.

`wfm erlang` answers one interval in milliseconds; importing pandas (and pyarrow behind
it) would take longer than everything else it does. This module prints such a table as
``table``, ``csv`` or ``json`` text that is character for character what
:func:`wfm.reports.render.render_text` prints for the same columns as a DataFrame (a
test compares the two); ``xlsx`` goes through the DataFrame writer.

Columns are 1-D numpy arrays of equal length: floats (NaN is a missing value), whole
numbers or strings.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
from tabulate import tabulate

from wfm.reports.render import TEXT_FORMATS, put_text, render

_LARGE = 1e4
"""From this absolute value a float column is printed in plain digits (``.0f``), as
:func:`wfm.reports.render.render_text` does."""

Columns = Mapping[str, npt.NDArray[Any]]


def _is_float(values: npt.NDArray[Any]) -> bool:
    return values.dtype.kind == "f"


def _csv_cells(values: npt.NDArray[Any]) -> list[Any]:
    # pandas' to_csv writes floats with numpy's str() (the shortest repr) and NaN empty.
    if _is_float(values):
        text = values.astype(str)
        text[np.isnan(values)] = ""
        return text.tolist()  # type: ignore[no-any-return]
    return values.tolist()  # type: ignore[no-any-return]


def _json_cell(v: Any) -> Any:
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 6)
    return v


def _table_cells(values: npt.NDArray[Any]) -> list[Any]:
    cells: list[Any] = values.tolist()
    if _is_float(values):
        return [None if math.isnan(v) else v for v in cells]
    return cells


def _floatfmt(values: npt.NDArray[Any], floatfmt: str) -> str:
    if not _is_float(values):
        return floatfmt
    shown = np.abs(values[~np.isnan(values)])
    largest = float(shown.max()) if shown.size else math.nan
    return ".0f" if float(largest or 0) >= _LARGE else floatfmt


def columns_text(columns: Columns, fmt: str, *, title: str | None = None,
                 floatfmt: str = ".4g") -> str:
    """Return the columns as text in ``fmt`` (table, csv or json)."""
    names = list(columns)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(names)
        writer.writerows(zip(*(_csv_cells(columns[c]) for c in names), strict=True))
        return buf.getvalue()
    if fmt == "json":
        lists = [columns[c].tolist() for c in names]
        records = [{c: _json_cell(v) for c, v in zip(names, row, strict=True)}
                   for row in zip(*lists, strict=True)]
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        cells = {c: _table_cells(columns[c]) for c in names}
        text = tabulate(cells, headers="keys", tablefmt="simple",
                        floatfmt=[_floatfmt(columns[c], floatfmt) for c in names],
                        missingval="")
        return f"{title}\n{text}\n" if title else f"{text}\n"
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(TEXT_FORMATS)}")


def render_columns(columns: Columns, fmt: str, output: str | Path | None = None, *,
                   title: str | None = None, stream: TextIO | None = None) -> None:
    """Render the columns to ``output`` (atomically) or to ``stream`` (default stdout);
    the title above a table, none in csv or json (as :func:`wfm.reports.render.render`).
    """
    if fmt not in TEXT_FORMATS:
        # A workbook (or a refused format) takes the DataFrame road: openpyxl costs more
        # than pandas anyway.
        import pandas as pd

        render(pd.DataFrame(dict(columns)), fmt, output, title=title, stream=stream)
        return
    put_text(columns_text(columns, fmt, title=title), output, stream)
