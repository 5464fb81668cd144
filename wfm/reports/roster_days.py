"""The day-by-day roster workbook (``roster-days.xlsx``): one sheet per open day, the
agents working that day down and the intervals across, each cell coloured by activity
with a short code, and a legend. Printed at 8 pt, landscape, one day after the other.

It is a workbook of its own because a readable grid of every agent-day does not fit the
handful of pages the posted week (``roster.xlsx``) prints on: 475 agent-days of the sample
week at 8 pt need 10 or more A4 pages by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.excel import HEADER_FILL, new_workbook, print_pages
from wfm.reports.schedule_run import ScheduleRun
from wfm.schema import INTERVAL_START

QUEUE_COLOURS: tuple[str, ...] = ("9BC2E6", "A9D08E", "8FD3CF", "F4B6C2", "D6C7A1",
                                  "6FA8DC", "93C47D", "C9DAF8")
ACTIVITY_COLOURS: dict[str, str] = {"break": "FFE699", "lunch": "F4B183",
                                    "off": "D9D9D9", "leave": "CDB4DB"}
ACTIVITY_CODES: dict[str, str] = {"break": "B", "lunch": "L", "off": "", "leave": ""}
GRID_FONT = Font(size=8)
GRID_HEAD = Font(size=8, bold=True)
TITLE = Font(size=12, bold=True)
ROW_HEIGHT = 10.0
#: Column widths in Excel units; LibreOffice without Calibri draws a unit as about 7 pt
#: and prints about 755 pt of a landscape A4 page: 29 + 48 x 1.5 units fit at 100 %
#: (with 1.6 the 48th interval of a 08:00-20:00 day spills onto a page of its own).
NAME_WIDTHS = (6, 11, 12)
SLOT_WIDTH = 1.5
#: A white hairline between intervals, so that "VFVF" reads as two cells.
SLOT_BORDER = Border(right=Side(style="thin", color="FFFFFF"))

_ACTIVITY = re.compile(r"([A-Za-z_]+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})")


def fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def parse_activities(text: str) -> list[tuple[str, str, str]]:
    """``"break 10:00-10:15; lunch 12:30-13:00"`` -> [(kind, start, end), ...].

    >>> parse_activities("break 10:00-10:15; lunch 12:30-13:00")
    [('break', '10:00', '10:15'), ('lunch', '12:30', '13:00')]
    """
    return [(k.lower(), a, b) for k, a, b in _ACTIVITY.findall(text or "")]


def queue_codes(queues: Sequence[str]) -> dict[str, str]:
    """Short, unique cell codes for queues: ``voice_fr`` -> ``VF``."""
    codes: dict[str, str] = {}
    for q in sorted(queues):
        base = "".join(p[:1] for p in re.split(r"[_\W]+", q) if p).upper()[:3] or "Q"
        code, n = base, 2
        while code in codes.values() or code in ("B", "L"):
            code, n = f"{base}{n}", n + 1
        codes[q] = code
    return codes


def day_label(day: str) -> str:
    """``2026-03-02`` -> ``Mon 2026-03-02`` (also a valid, unique sheet name)."""
    return f"{pd.Timestamp(day):%a} {day}"


def shift_text(row: pd.Series, run: ScheduleRun) -> str:
    """The cell of one agent-day: ``08:00–16:30 L 12:00`` (L: start of lunch), ``Off``,
    ``Leave``."""
    status = str(row["status"]).lower()
    if status in ("off", "leave"):
        return status.capitalize()
    if pd.isna(row["shift_start"]) or pd.isna(row["shift_end"]):
        return ""
    start = row["shift_start"].tz_convert(run.tz)
    end = row["shift_end"].tz_convert(run.tz)
    text = f"{start:%H:%M}–{end:%H:%M}"
    lunches = [a for kind, a, _ in parse_activities(str(row["activities"])) if kind == "lunch"]
    if lunches:
        text += f" L {lunches[0]}"
    return text


def queue_styles(run: ScheduleRun) -> tuple[dict[str, str], dict[str, str]]:
    """The colour and the code of each queue of the run."""
    queues = sorted(set(run.coverage["queue"]) | {q for q in run.agent_intervals["queue"] if q})
    colours = {q: QUEUE_COLOURS[i % len(QUEUE_COLOURS)] for i, q in enumerate(queues)}
    return colours, queue_codes(queues)


def day_sheet(ws: Worksheet, run: ScheduleRun, day: str, *, site: str, interval_h: float,
              colours: dict[str, str], codes: dict[str, str]) -> None:
    """Agents working ``day`` (by shift start) x intervals, coloured by activity."""
    ws.cell(1, 1, f"{pd.Timestamp(day):%A} {day} – {site}").font = TITLE
    ai = run.agent_intervals
    local = ai[INTERVAL_START].dt.tz_convert(run.tz)
    today = ai[local.dt.strftime("%Y-%m-%d") == day]
    step = pd.Timedelta(hours=interval_h)
    slots: list[pd.Timestamp] = []
    if len(today):
        slots = list(pd.date_range(today[INTERVAL_START].min(), today[INTERVAL_START].max(),
                                   freq=step))
    header_row = 3
    heads = ["Agent ID", "Name", "Shift", *[f"{s.tz_convert(run.tz):%H:%M}" for s in slots]]
    for j, h in enumerate(heads, start=1):
        c = ws.cell(header_row, j, h)
        c.font, c.fill = GRID_HEAD, HEADER_FILL
        if j > 3:
            c.alignment = Alignment(horizontal="center", text_rotation=90)
    slot_col = {s: 4 + k for k, s in enumerate(slots)}
    roster = run.roster[run.roster["date"] == day]
    working = roster[roster["status"].str.lower() == "work"].sort_values(
        ["shift_start", "agent_id"], kind="stable")
    cells = {(a, t): (act, q) for a, t, act, q in
             today[["agent_id", INTERVAL_START, "activity", "queue"]].itertuples(index=False)}
    r = header_row
    for r, (_, rec) in enumerate(working.iterrows(), start=header_row + 1):
        aid = rec["agent_id"]
        for j, v in enumerate((aid, rec["name"], shift_text(rec, run)), start=1):
            ws.cell(r, j, v).font = GRID_FONT
        for s, col in slot_col.items():
            hit = cells.get((aid, s))
            if hit is None:
                continue
            c = ws.cell(r, col)
            act, queue = str(hit[0]).lower(), str(hit[1])
            if act == "work":
                c.value = codes.get(queue, "")
                c.fill = fill(colours.get(queue, QUEUE_COLOURS[0]))
            else:
                c.value = ACTIVITY_CODES.get(act, act[:1].upper())
                c.fill = fill(ACTIVITY_COLOURS.get(act, "FFFFFF"))
            c.font, c.alignment = GRID_FONT, Alignment(horizontal="center")
            c.border = SLOT_BORDER
        ws.row_dimensions[r].height = ROW_HEIGHT
    away = roster[roster["status"].str.lower() != "work"]
    note = r + 1
    if len(away):
        names = ", ".join(f"{a} ({s.lower()})" for a, s in
                          zip(away["agent_id"], away["status"], strict=True))
        # Merged over the grid and wrapped: a long line would widen the printed range.
        last = max(3 + len(slots), 3)
        ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=last)
        c = ws.cell(note, 1, f"Not working: {names}")
        c.font = Font(size=8, italic=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[note].height = 11 * (len(c.value) // 150 + 1)
    legend_row = note + 2
    ws.cell(legend_row, 1, "Legend").font = GRID_HEAD
    entries = [(codes[q], colours[q], f"on queue {q}") for q in sorted(codes)]
    entries += [("B", ACTIVITY_COLOURS["break"], "break"),
                ("L", ACTIVITY_COLOURS["lunch"], "lunch (and in the shift: its start)")]
    for k, (code, colour, meaning) in enumerate(entries, start=legend_row + 1):
        c = ws.cell(k, 1, code)
        c.fill, c.alignment, c.font = fill(colour), Alignment(horizontal="center"), GRID_FONT
        ws.cell(k, 2, meaning).font = GRID_FONT
    for col, width in enumerate(NAME_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in slot_col.values():
        ws.column_dimensions[get_column_letter(col)].width = SLOT_WIDTH
    ws.row_dimensions[header_row].height = 30
    ws.freeze_panes = ws.cell(header_row + 1, 4)


def build_day_workbook(run: ScheduleRun, *, site: str, days: Sequence[str],
                       interval_h: float) -> Workbook:
    """One sheet per day of ``days`` (the open days of the week)."""
    colours, codes = queue_styles(run)
    wb = new_workbook(f"Roster by day {site} {run.week}", stamp=run.stamp)
    first = wb.active
    assert first is not None
    wb.remove(first)
    for day in days:
        ws = wb.create_sheet(day_label(day))
        day_sheet(ws, run, day, site=site, interval_h=interval_h, colours=colours,
                  codes=codes)
        print_pages(ws, heading=f"{site} – week of {run.week}", footer=f"wfm {run.run_id}",
                    title_rows="3:3")
    return wb
