"""The one render function every command's output goes through.

``table`` (a terminal table via tabulate), ``csv`` and ``json`` for any frame; files are
written atomically. Commands choose ``table`` on a terminal and ``csv`` when piped.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
from tabulate import tabulate

from wfm.outputs import atomic_write_text

FORMATS: tuple[str, ...] = ("table", "csv", "json")


def _cell(v: Any) -> Any:
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
        text = tabulate(shown.to_dict(orient="list"), headers="keys", tablefmt="simple",
                        floatfmt=floatfmt, missingval="")
        return (f"{title}\n{text}\n" if title else f"{text}\n")
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")


def render(frame: pd.DataFrame, fmt: str, output: str | Path | None = None, *,
           title: str | None = None, stream: TextIO | None = None) -> None:
    """Render ``frame`` to ``output`` (atomically) or to ``stream`` (default stdout)."""
    text = render_text(frame, fmt, title=title)
    if output is not None:
        atomic_write_text(output, text)
        return
    (stream or sys.stdout).write(text)
