"""The pandas-free renderer prints exactly what the DataFrame renderer prints."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.errors import OutputError
from wfm.reports.column_render import columns_text, render_columns
from wfm.reports.render import render, render_text

FORMATS = ("table", "csv", "json")


def awkward_columns() -> dict[str, np.ndarray]:
    """Everything a float can be in a table (NaN, +-inf, tiny, huge, -0.0, shortest-repr
    edge cases), whole numbers and strings that need CSV quoting."""
    floats = np.array([0.1 + 0.2, np.nan, np.inf, -np.inf, 1e-7, 123456.789, -0.0,
                       1e16, 2.0 ** 0.5, 7.0])
    return {
        "agents": np.arange(10),
        "x": floats,
        "small": floats / 1e6,
        "all_nan": np.full(10, np.nan),
        "big_with_nan": np.where(np.arange(10) % 3 == 0, np.nan, 12345.6),
        "answer": np.array(["", "<-", "a,b", 'say "hi"', "x\ny", "é", "", "", "", ""]),
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("title", [None, "# offered load 5 Erlangs; 7 agents"])
def test_columns_text_is_render_text_of_the_frame(fmt: str, title: str | None) -> None:
    cols = awkward_columns()
    assert columns_text(cols, fmt, title=title) == render_text(pd.DataFrame(cols), fmt,
                                                               title=title)


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_floats_print_the_same(fmt: str) -> None:
    rng = np.random.default_rng(5)
    cols = {"a": rng.standard_normal(200) * 10.0 ** rng.integers(-20, 20, 200),
            "b": rng.random(200), "n": rng.integers(-10**6, 10**6, 200)}
    assert columns_text(cols, fmt) == render_text(pd.DataFrame(cols), fmt)


def test_render_columns_writes_a_file_and_a_stream(tmp_path: Path) -> None:
    cols = awkward_columns()
    out = tmp_path / "t.csv"
    render_columns(cols, "csv", out)
    assert out.read_text(encoding="utf-8") == render_text(pd.DataFrame(cols), "csv")
    stream = io.StringIO()
    render_columns(cols, "table", title="T", stream=stream)
    assert stream.getvalue() == render_text(pd.DataFrame(cols), "table", title="T")


def test_xlsx_takes_the_frame_road(tmp_path: Path) -> None:
    cols = awkward_columns()
    render_columns(cols, "xlsx", tmp_path / "new.xlsx", title="T")
    render(pd.DataFrame(cols), "xlsx", tmp_path / "old.xlsx", title="T")
    assert (tmp_path / "new.xlsx").read_bytes() == (tmp_path / "old.xlsx").read_bytes()
    with pytest.raises(OutputError, match="give --output"):
        render_columns(cols, "xlsx", None)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'html'"):
        columns_text(awkward_columns(), "html")
