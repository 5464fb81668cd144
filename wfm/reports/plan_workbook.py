"""The capacity plan workbook: scenarios side by side, required vs available FTE with a
chart, the monthly headcount waterfall, the hiring plan and the weekly details."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.excel import (
    TITLE_FONT,
    add_line_chart,
    fit_widths,
    new_workbook,
    print_landscape,
    save_workbook,
    write_table,
)
from wfm.reports.tables import ChartSpec, PlanTables

#: The totals' group name in the plan's frames (wfm.capacity.ALL_GROUPS).
ALL = "all"


def fte_chart_frame(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weekly required and available FTE of all groups, two columns per scenario."""
    total = weekly[weekly["group"] == ALL]
    wide = total.pivot_table(index="week_start", columns="scenario",
                             values=["required_fte", "available_fte"], aggfunc="sum")
    scenarios = list(dict.fromkeys(total["scenario"]))
    out = pd.DataFrame({"week_start": wide.index})
    for s in scenarios:
        out[f"{s} required"] = wide[("required_fte", s)].to_numpy()
        out[f"{s} available"] = wide[("available_fte", s)].to_numpy()
    return out


def _sheet(ws: Worksheet, frame: pd.DataFrame, title: str, *, note: str = "") -> None:
    ws.cell(1, 1, title).font = TITLE_FONT
    first = 3
    if note:
        ws.cell(2, 1, note).font = Font(italic=True)
        first = 4
    write_table(ws, frame, row=first)
    ws.freeze_panes = ws.cell(first + 1, 1)
    fit_widths(ws, skip=(1, 2))
    print_landscape(ws, title_rows=f"{first}:{first}")


def write_plan_workbook(tables: PlanTables, output: str | Path, *, title: str) -> None:
    """Write the plan workbook (atomically, byte-identical for the same tables).

    Sheets: Summary (one row per scenario), Required vs available (weekly totals and a
    line chart per scenario), Waterfall (per month and group: opening, hires, attrition,
    planned leavers, closing), Hiring plan, Monthly, Weekly (per group) and Demand (per
    queue).
    """
    wb = new_workbook(title)
    ws = wb.active
    assert ws is not None
    ws.title = "Summary"
    _sheet(ws, tables.summary, title,
           note="FTE: weekly means over the plan; short: FTE-weeks below the gap tolerance "
                "after hiring; costs in the [plan.hiring] cost unit")
    chart_ws = wb.create_sheet("Required vs available")
    chart_ws.cell(1, 1, "Required vs available FTE per week (all groups)").font = TITLE_FONT
    frame = fte_chart_frame(tables.weekly)
    scenarios = [c[: -len(" required")] for c in frame.columns if c.endswith(" required")]
    # One block of week, required, available per scenario, side by side, each with its
    # chart to the right of all blocks.
    for i, s in enumerate(scenarios):
        spec = ChartSpec(frame, "week_start", (f"{s} required", f"{s} available"),
                         f"{s}: required vs available FTE", y_title="FTE",
                         x_title="week")
        add_line_chart(chart_ws, spec, data_row=3, data_col=1 + 4 * i,
                       anchor=f"{_col(4 * len(scenarios) + 1)}{3 + 20 * i}", label_every=4)
    fit_widths(chart_ws, skip=(1,))
    chart_ws.freeze_panes = "B4"
    print_landscape(chart_ws, title_rows="3:3")
    _sheet(wb.create_sheet("Waterfall"), tables.waterfall,
           "Headcount waterfall per month (expected heads)",
           note="closing = opening + hires - attrition - planned_leavers; group 'all' sums "
                "the groups")
    _sheet(wb.create_sheet("Hiring plan"), tables.classes, "Hire classes, planned and proposed")
    _sheet(wb.create_sheet("Monthly"), tables.monthly,
           "Per month: mean weekly FTE and the headcount waterfall, all groups")
    _sheet(wb.create_sheet("Weekly"), tables.weekly, "Required vs available FTE per group")
    _sheet(wb.create_sheet("Demand"), tables.demand,
           "Long-term demand per queue: contacts, AHT, workload, required FTE")
    save_workbook(wb, output)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))
