"""The capacity plan as one self-contained HTML page (``wfm plan --html plan.html``).

The same pictures as the plan workbook, drawn like the run's HTML report (inline SVG,
no script, stylesheet, font or image to fetch; no clock time, so equal plans give a
byte-identical file): required vs available FTE per week and the monthly headcount
waterfall (opening, + hires, - attrition and planned leavers, closing), one panel per
scenario, then the summary and the hire classes as tables.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wfm.outputs import write_output
from wfm.reports.html_report import PAGE_STYLE, figure_svg
from wfm.reports.tables import PlanTables

#: The totals' group name in the plan's frames (wfm.capacity.ALL_GROUPS).
ALL = "all"
#: Chart keys of the page, in order (each a ``<figure data-chart=...>``).
CHARTS = ("fte", "waterfall")


def _scenario_panels(frame: pd.DataFrame) -> tuple[Figure, list[tuple[Any, str, pd.DataFrame]]]:
    """A figure with one panel per scenario of ``frame``, each with that scenario's rows
    of all groups (in the plan's order)."""
    total = frame[frame["group"] == ALL]
    scenarios = list(dict.fromkeys(total["scenario"]))
    fig = Figure(figsize=(10, 2.6 * len(scenarios)), layout="constrained")
    axes = fig.subplots(len(scenarios), 1, sharex=True, squeeze=False)[:, 0]
    return fig, [(ax, name, total[total["scenario"] == name])
                 for ax, name in zip(axes, scenarios, strict=True)]


def fte_figure(weekly: pd.DataFrame) -> Figure:
    """Required vs available FTE per week, all groups, one panel per scenario."""
    fig, panels = _scenario_panels(weekly)
    for ax, name, rows in panels:
        weeks = pd.to_datetime(rows["week_start"])
        ax.plot(weeks, rows["required_fte"], color="#1f4e79", label="required FTE")
        ax.plot(weeks, rows["available_fte"], color="#2e7d32", label="available FTE")
        ax.fill_between(weeks, rows["available_fte"], rows["required_fte"],
                        where=(rows["available_fte"] < rows["required_fte"]).to_numpy(),
                        color="#d32f2f", alpha=0.25, label="short")
        ax.set_title(name, loc="left", fontsize=9)
        ax.set_ylabel("FTE")
        ax.grid(alpha=0.3)
    panels[0][0].legend(loc="upper right", fontsize=8, ncols=3)
    return fig


def waterfall_figure(waterfall: pd.DataFrame) -> Figure:
    """Per month: hires up, attrition and planned leavers down (bars) and the closing
    headcount (line), all groups, one panel per scenario."""
    fig, panels = _scenario_panels(waterfall)
    first_line = None
    for ax, name, rows in panels:
        x = np.arange(len(rows))
        ax.bar(x, rows["hires"], color="#2e7d32", label="+ hires")
        ax.bar(x, -rows["attrition"], color="#d32f2f", label="- attrition")
        ax.bar(x, -rows["planned_leavers"], bottom=-rows["attrition"], color="#f57c00",
               label="- planned leavers")
        ax.set_ylabel("heads per month")
        ax.axhline(0, color="#555", linewidth=0.6)
        line = ax.twinx()
        line.plot(x, rows["closing"], color="#1f4e79", marker="o", markersize=3,
                  label="closing headcount")
        line.set_ylabel("closing headcount")
        if first_line is None:
            first_line = line
        ax.set_xticks(x, list(rows["month"]), rotation=45, ha="right", fontsize=7)
        ax.set_title(name, loc="left", fontsize=9)
        ax.grid(alpha=0.3)
    first = panels[0][0]
    assert first_line is not None  # every plan has a scenario
    handles = [h for a in (first, first_line) for h in a.get_legend_handles_labels()[0]]
    first.legend(handles=handles, loc="upper left", fontsize=8, ncols=4)
    return fig


def _table(frame: pd.DataFrame) -> str:
    esc = html.escape
    heads = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [f"{v:,.2f}" if isinstance(v, float) and np.isfinite(v)
                 else ("" if isinstance(v, float) else str(v)) for v in row]
        body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def plan_document(tables: PlanTables, *, title: str) -> str:
    """The whole page as text."""
    esc = html.escape
    figures = {"fte": ("Required vs available FTE per week",
                       "All skill groups; red where the available FTE (current agents, "
                       "planned and proposed classes, after attrition and ramp) falls "
                       "short of the required.", fte_figure(tables.weekly)),
               "waterfall": ("Headcount waterfall per month",
                             "Expected heads of all groups: hires (green) up, attrition "
                             "(red) and planned leavers (orange) down, closing headcount "
                             "as the line.", waterfall_figure(tables.waterfall))}
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>{PAGE_STYLE}</style>", "</head>",
             "<body>", f"<h1>{esc(title)}</h1>", "<h2>Scenarios</h2>",
             _table(tables.summary)]
    for key in CHARTS:
        heading, caption, figure = figures[key]
        parts += [f"<h2>{esc(heading)}</h2>",
                  f'<figure class="chart" id="chart-{key}" data-chart="{key}">',
                  figure_svg(figure, f"c-{key}"),
                  f"<figcaption>{esc(caption)}</figcaption></figure>"]
    parts += ["<h2>Hire classes</h2>", _table(tables.classes), "</body>", "</html>", ""]
    return "\n".join(parts)


def write_plan_html(tables: PlanTables, output: Path, *, title: str) -> None:
    """Write the plan page to ``output`` atomically."""
    write_output(output, plan_document(tables, title=title))
