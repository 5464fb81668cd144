"""The roster workbook's *Coverage* sheet: per queue, clock time down and (Req, Sched, Gap)
per open day across, the gap coloured; one queue per printed page, the day columns
labelled on every page (print titles)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.coverage import GAP_TOLERANCE, local_frame
from wfm.reports.excel import HEADER_FILL
from wfm.reports.roster_days import day_label
from wfm.reports.schedule_run import ScheduleRun
from wfm.schema import CHANNEL, QUEUE

SHORT_FILL = PatternFill("solid", fgColor="F8CBAD")   # red: under-staffed
MET_FILL = PatternFill("solid", fgColor="C6EFCE")     # green: met
OVER_FILL = PatternFill("solid", fgColor="FFEB9C")    # amber: one agent or more over
CELL_FONT = Font(size=8)
HEAD_FONT = Font(size=8, bold=True)
ROW_HEIGHT = 9.75
HEADER_ROWS = (2, 3)
LEGEND = "gap: red short, green met (< 1 agent over), amber 1+ agent over"


def coverage_sheet(ws: Worksheet, run: ScheduleRun, days: Sequence[str], site: str) -> str:
    """Write the sheet; returns its print title rows (the day header)."""
    ws.cell(1, 1, f"Coverage – {site} – agents per interval (gap = scheduled − required)"
            ).font = Font(size=11, bold=True)
    ws.row_dimensions[1].height = 15
    top, sub = HEADER_ROWS
    ws.row_dimensions[top].height = ws.row_dimensions[sub].height = 11
    ws.cell(top, 1, "Time").font = HEAD_FONT
    ws.cell(sub, 1, "").fill = HEADER_FILL
    for d, day in enumerate(days):
        col = 2 + 3 * d
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 2)
        c = ws.cell(top, col, day_label(day))
        c.font, c.fill, c.alignment = HEAD_FONT, HEADER_FILL, Alignment(horizontal="center")
        for k, name in enumerate(("Req", "Sched", "Gap")):
            h = ws.cell(sub, col + k, name)
            h.font, h.fill, h.alignment = HEAD_FONT, HEADER_FILL, Alignment(horizontal="center")
    df = local_frame(run.coverage, run.tz)
    df = df[df["date"].isin(days)]
    df = df.assign(gap=df["scheduled"] - df["required"])
    busy = df[(df["required"] > GAP_TOLERANCE) | (df["scheduled"] > GAP_TOLERANCE)]
    row = sub + 1
    for n, ((queue, channel), g) in enumerate(df.groupby([QUEUE, CHANNEL], sort=True)):
        if n > 0:
            ws.row_breaks.append(Break(id=row - 1))  # each queue starts a printed page
        ws.cell(row, 1, f"{queue} ({channel}) – {LEGEND}").font = Font(size=9, bold=True)
        ws.row_dimensions[row].height = 12
        # At a DST fall-back the repeated local hour is averaged into one row.
        cube = g.groupby(["clock", "date"])[["required", "scheduled", "gap"]].mean()
        mine = busy[busy[QUEUE] == queue]["clock"]
        # The clock times the queue is busy on any day (not the empty night).
        clocks = sorted(set(mine)) if len(mine) else sorted(set(g["clock"]))
        clocks = [c for c in sorted(set(g["clock"])) if clocks[0] <= c <= clocks[-1]]
        first = row + 1
        for i, clock in enumerate(clocks):
            r = first + i
            c = ws.cell(r, 1, pd.Timestamp(f"2000-01-01 {clock}").time())
            c.number_format, c.font = "hh:mm", CELL_FONT
            ws.row_dimensions[r].height = ROW_HEIGHT
            for d, day in enumerate(days):
                if (clock, day) not in cube.index:
                    continue
                vals = cube.loc[(clock, day)]
                for k, name in enumerate(("required", "scheduled", "gap")):
                    v = float(vals[name])
                    cell = ws.cell(r, 2 + 3 * d + k, None if np.isnan(v) else v)
                    cell.number_format, cell.font = "0.0", CELL_FONT
        last = first + max(len(clocks), 1) - 1
        for d in range(len(days)):
            col = get_column_letter(4 + 3 * d)
            ref = f"{col}{first}:{col}{last}"
            ws.conditional_formatting.add(
                ref, CellIsRule(operator="lessThan", formula=["0"], fill=SHORT_FILL))
            ws.conditional_formatting.add(
                ref, CellIsRule(operator="greaterThanOrEqual", formula=["1"], fill=OVER_FILL))
            ws.conditional_formatting.add(
                ref, CellIsRule(operator="between", formula=["0", "0.999999"], fill=MET_FILL))
        row = last + 2
    ws.column_dimensions["A"].width = 8
    for c in range(2, 2 + 3 * len(days)):
        ws.column_dimensions[get_column_letter(c)].width = 5.6
    ws.freeze_panes = ws.cell(sub + 1, 2)
    return f"{top}:{sub}"
