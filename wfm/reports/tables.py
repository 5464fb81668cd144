"""What a report is before it is rendered: a table, its title and an optional chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the frames' owners import pandas; `wfm erlang` starts without it
    import pandas as pd


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel line chart of ``frame``: ``x`` as categories, one line per ``ys``;
    ``references`` are (name, value) horizontal lines drawn dashed (targets)."""

    frame: pd.DataFrame
    x: str
    ys: tuple[str, ...]
    title: str
    y_title: str = ""
    x_title: str = ""
    references: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Report:
    """A result table with the title printed above it (definitions, units, time zone) and,
    for the xlsx format, an optional native chart."""

    frame: pd.DataFrame
    title: str = ""
    chart: ChartSpec | None = None


@dataclass(frozen=True)
class PlanTables:
    """A capacity plan's tables, every scenario stacked (a ``scenario`` column in each):
    the scenarios side by side, per month, per group and week, the headcount waterfall,
    the hire classes and the demand per queue and week."""

    summary: pd.DataFrame
    monthly: pd.DataFrame
    weekly: pd.DataFrame
    waterfall: pd.DataFrame
    classes: pd.DataFrame
    demand: pd.DataFrame
