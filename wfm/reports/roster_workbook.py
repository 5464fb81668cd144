"""The roster workbook a supervisor prints and posts (``wfm export roster``).

Sheets: *Summary* (week, site, per-queue agent-hours, one line chart of required vs
scheduled agents per queue), *Roster* (agent x open day), *Agents* (paid hours against
the contract, weekends and late shifts per agent), *Coverage* (interval x open day
required / scheduled / gap with conditional colours) and, when the roster was simulated,
*Simulated service* (per queue and day: the simulated service with its 95 % band against
the target, coloured by the share of simulated days meeting it). Closed days (nothing
required, nobody working) are left out. Every sheet prints on A4 with print titles, a
header (site, week, sheet, print date) and a footer (run, page n of N). The agent x
interval grids of each day are a workbook of their own (:mod:`wfm.reports.roster_days`).
All times are local to the site's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.coverage import GAP_TOLERANCE, queue_hours
from wfm.reports.excel import (
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    add_line_chart,
    new_workbook,
    print_pages,
    save_workbook,
    write_table,
)
from wfm.reports.roster_agents import ContractHours, agent_fairness, agents_sheet
from wfm.reports.roster_coverage import MET_FILL, OVER_FILL, SHORT_FILL, coverage_sheet
from wfm.reports.roster_days import (
    ACTIVITY_COLOURS,
    QUEUE_COLOURS,
    build_day_workbook,
    day_label,
    fill,
    parse_activities,
    queue_codes,
    shift_text,
)
from wfm.reports.roster_simulated import simulated_sheet
from wfm.reports.schedule_run import ScheduleRun, interval_hours
from wfm.reports.tables import ChartSpec
from wfm.schema import CHANNEL, INTERVAL_START, QUEUE

__all__ = ["ACTIVITY_COLOURS", "MET_FILL", "OVER_FILL", "QUEUE_COLOURS", "SHEET_NAMES",
           "SHORT_FILL", "SUMMARY_HEADERS", "ContractHours", "build_roster_workbook",
           "open_days", "parse_activities", "queue_codes", "write_day_workbook",
           "write_roster_workbook"]

SHEET_NAMES = ("Summary", "Roster", "Agents", "Coverage")
#: The Summary table's columns in words (the frame's names carry the units).
SUMMARY_HEADERS: dict[str, str] = {
    "queue": "Queue", "channel": "Channel", "required_h": "Required (agent-h)",
    "scheduled_h": "Scheduled (agent-h)", "gap_h": "Net gap (agent-h)",
    "short_h": "Short (agent-h)", "over_h": "Over (agent-h)",
    "covered_share": "Required covered", "expected_service_level": "Expected service level",
}
CELL_FONT = Font(size=9)
SHIFT_FONT = Font(size=8.5)
CHART_W_CM, CHART_H_CM = 19.0, 5.6
#: Rows of CHART_ROW_PT points that each chart takes (a little more than its height):
#: the first chart under the table, then three to a printed page.
CHART_ROWS, CHART_ROW_PT = 11, 15.0
CHARTS_PER_PAGE = 3
#: Excel units; LibreOffice without Calibri draws one as 7 pt: 110 units fill a
#: landscape A4 page at 100 %.
SUMMARY_WIDTHS = (21, 12, 11, 11, 11, 11, 11, 11, 11)
DATA_COL = 20  # the charts' data, right of the printed area


def open_days(run: ScheduleRun) -> list[str]:
    """The local days of the roster on which someone works or something is required;
    a closed day (a Sunday of a Monday-to-Saturday centre) is left out."""
    days = sorted(set(run.roster["date"]))
    working = set(run.roster.loc[run.roster["status"].str.lower() == "work", "date"])
    local = run.coverage[INTERVAL_START].dt.tz_convert(run.tz).dt.strftime("%Y-%m-%d")
    busy = (run.coverage["required"] > GAP_TOLERANCE) | \
        (run.coverage["scheduled"] > GAP_TOLERANCE)
    needed = set(local[busy])
    return [d for d in days if d in working or d in needed]


def _summary_sheet(ws: Worksheet, run: ScheduleRun, site: str, *, interval_h: float,
                   requirements: pd.DataFrame | None, days: list[str]) -> None:
    ws.cell(1, 1, f"Roster – {site} – week of {run.week}").font = TITLE_FONT
    closed = [day_label(d) for d in sorted(set(run.roster["date"])) if d not in days]
    facts = [("Site", site), ("Week", run.week), ("Time zone", run.tz.key),
             ("Run", run.run_id), ("Solver status", str(run.manifest.get("status", ""))),
             ("Agents", int(run.roster["agent_id"].nunique())),
             ("Interval (minutes)", round(interval_h * 60)),
             ("Closed days (left out)", ", ".join(closed) or "none")]
    for i, (k, v) in enumerate(facts):
        ws.cell(3 + i, 1, k).font = HEADER_FONT
        ws.cell(3 + i, 2, v)
    table = queue_hours(run.coverage, interval_h=interval_h)
    if requirements is not None and "service_level" in requirements.columns:
        req = requirements.assign(w=requirements["offered"].clip(lower=0).fillna(0),
                                  slw=requirements["service_level"] * requirements["offered"])
        g = req.groupby([QUEUE, CHANNEL])[["slw", "w"]].sum()
        expected = (g["slw"] / g["w"].where(g["w"] > 0)).rename("expected_service_level")
        table = table.merge(expected.reset_index(), on=[QUEUE, CHANNEL], how="left")
    top = 3 + len(facts) + 1
    ws.cell(top, 1, "Agent-hours per queue (short and over: summed over the intervals)"
            ).font = HEADER_FONT
    write_table(ws, table, row=top + 1, autofilter=False)
    for j, name in enumerate(table.columns, start=1):
        c = ws.cell(top + 1, j, SUMMARY_HEADERS.get(str(name), str(name)))
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.font = Font(size=9, bold=True)
    ws.row_dimensions[top + 1].height = 36
    note = top + 2 + len(table)
    ws.cell(note, 1, "Net gap = scheduled − required; required covered = share of the "
                     "required agent-hours met.").font = Font(size=9, italic=True)
    if "expected_service_level" in table.columns:
        ws.cell(note + 1, 1, "Expected service level: offered-weighted service level of the "
                "requirements, reached where scheduled ≥ required.").font = \
            Font(size=9, italic=True)
    for j, width in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _queue_charts(ws, run, days, first_row=note + 2)


def _queue_charts(ws: Worksheet, run: ScheduleRun, days: list[str], first_row: int) -> None:
    """One chart per queue (required vs scheduled agents per interval of the open days):
    the first under the table, then three to a printed page. Rows of the chart area get a fixed
    height so the charts sit alike in Excel and LibreOffice."""
    local = run.coverage.assign(
        day=run.coverage[INTERVAL_START].dt.tz_convert(run.tz).dt.strftime("%Y-%m-%d"))
    local = local[local["day"].isin(days)]
    busy = local[(local["required"] > GAP_TOLERANCE) | (local["scheduled"] > GAP_TOLERANCE)]
    clocks = busy[INTERVAL_START].dt.tz_convert(run.tz).dt.strftime("%H:%M")
    lo, hi = (str(clocks.min()), str(clocks.max())) if len(clocks) else ("00:00", "23:59")
    col = DATA_COL
    row = first_row
    for k, (queue, g) in enumerate(local.groupby(QUEUE, sort=True)):
        if k % CHARTS_PER_PAGE == 1:
            ws.row_breaks.append(Break(id=row - 1))
        t = g.groupby(INTERVAL_START, sort=True)[["required", "scheduled"]].sum()
        stamps = pd.DatetimeIndex(t.index).tz_convert(run.tz)
        keep = (stamps.strftime("%H:%M") >= lo) & (stamps.strftime("%H:%M") <= hi)
        frame = pd.DataFrame({"interval": stamps[keep].strftime("%a %H:%M"),
                              "required": t["required"].to_numpy()[keep],
                              "scheduled": t["scheduled"].to_numpy()[keep]})
        # No rotated axis title: the chart's title says "agents".
        spec = ChartSpec(frame, "interval", ("required", "scheduled"),
                         f"{queue}: required vs scheduled agents")
        per_day = max(1, len(frame) // max(len(days), 1))
        chart = add_line_chart(ws, spec, data_row=3, data_col=col, anchor=f"A{row}",
                               width_cm=CHART_W_CM, height_cm=CHART_H_CM,
                               label_every=per_day, text_pt=8)
        chart.legend.position = "r"
        for r in range(row, row + CHART_ROWS):
            ws.row_dimensions[r].height = CHART_ROW_PT
        col += 4
        row += CHART_ROWS
    ws.print_area = f"A1:{get_column_letter(len(SUMMARY_WIDTHS))}{row}"


def _roster_sheet(ws: Worksheet, run: ScheduleRun, days: list[str]) -> None:
    roster = run.roster
    agents = roster.drop_duplicates("agent_id").sort_values("agent_id", kind="stable")
    headers = ["Agent ID", "Name", "Team", *[day_label(d) for d in days]]
    has_paid = "paid_hours" in roster.columns
    if has_paid:
        headers.append("Paid hours")
    for j, h in enumerate(headers, start=1):
        c = ws.cell(1, j, h)
        c.font, c.fill = Font(size=9, bold=True), HEADER_FILL
        # Wrapped: a header wider than its column would widen the printed range.
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 22
    by_key = {(r["agent_id"], r["date"]): r for _, r in roster.iterrows()}
    paid_by = pd.to_numeric(roster["paid_hours"], errors="coerce").groupby(
        roster["agent_id"]).sum() if has_paid else None
    for i, (_, agent) in enumerate(agents.iterrows(), start=2):
        for j, v in enumerate((agent["agent_id"], agent["name"], agent["team"]), start=1):
            ws.cell(i, j, v).font = CELL_FONT
        for j, day in enumerate(days, start=4):
            row = by_key.get((agent["agent_id"], day))
            if row is None:
                continue
            cell = ws.cell(i, j, shift_text(row, run))
            status = str(row["status"]).lower()
            if status in ACTIVITY_COLOURS:
                cell.fill = fill(ACTIVITY_COLOURS[status])
            cell.alignment, cell.font = Alignment(horizontal="center"), SHIFT_FONT
        if paid_by is not None:
            c = ws.cell(i, len(headers), float(paid_by[agent["agent_id"]]))
            c.number_format, c.font = "0.0", CELL_FONT
        ws.row_dimensions[i].height = 10
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{len(agents) + 1}"
    ws.freeze_panes = "C2"
    # 111 units for six open days: a landscape A4 page holds 112 (LibreOffice draws a
    # unit as 7 pt when Calibri is missing; Excel narrower).
    for j, width in enumerate((6, 14, 7, *[13] * len(days), 6), start=1):
        if j <= len(headers):
            ws.column_dimensions[get_column_letter(j)].width = width


def build_roster_workbook(run: ScheduleRun, *, site: str,
                          requirements: pd.DataFrame | None = None,
                          contracts: Mapping[str, ContractHours] | None = None,
                          simulated: pd.DataFrame | None = None) -> Workbook:
    """The roster workbook of ``run`` (see the module docstring for its sheets);
    ``contracts``: each agent's weekly hours range, for the Agents sheet; ``simulated``:
    the roster's simulated service per queue and day, if any."""
    interval_h = _interval_h(run)
    days = open_days(run)
    wb = new_workbook(f"Roster {site} {run.week}", stamp=run.stamp)
    heading, footer = f"{site} – week of {run.week}", f"wfm {run.run_id}"
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _summary_sheet(summary, run, site, interval_h=interval_h, requirements=requirements,
                   days=days)
    print_pages(summary, heading=heading, footer=footer)
    ws = wb.create_sheet("Roster")
    _roster_sheet(ws, run, days)
    print_pages(ws, heading=heading, footer=footer, title_rows="1:1")
    ws.oddFooter.center.text = "L = start of lunch"
    ws.oddFooter.center.size = 8
    ws = wb.create_sheet("Agents")
    top = agents_sheet(ws, agent_fairness(run.roster, run.tz, contracts=contracts),
                       title=f"Agents – {site} – week of {run.week}")
    print_pages(ws, heading=heading, footer=footer, orientation="portrait",
                title_rows=f"{top}:{top}")
    ws = wb.create_sheet("Coverage")
    titles = coverage_sheet(ws, run, days, site)
    print_pages(ws, heading=heading, footer=footer, title_rows=titles, title_cols="A:A")
    if simulated is not None:
        ws = wb.create_sheet("Simulated service")
        top = simulated_sheet(ws, simulated, title=f"Simulated service – {site} – per queue "
                              "and day, 95 % band vs target")
        print_pages(ws, heading=heading, footer=footer, title_rows=f"{top}:{top}")
    return wb


def _interval_h(run: ScheduleRun) -> float:
    return interval_hours(pd.concat([run.coverage[INTERVAL_START],
                                     run.agent_intervals[INTERVAL_START]]))


def write_roster_workbook(run: ScheduleRun, output: str | Path, *, site: str,
                          requirements: pd.DataFrame | None = None,
                          contracts: Mapping[str, ContractHours] | None = None,
                          simulated: pd.DataFrame | None = None) -> None:
    """Build the roster workbook and write it atomically with the run's fixed timestamp."""
    save_workbook(build_roster_workbook(run, site=site, requirements=requirements,
                                        contracts=contracts, simulated=simulated),
                  output, stamp=run.stamp)


def write_day_workbook(run: ScheduleRun, output: str | Path, *, site: str) -> None:
    """The day-by-day grids (one sheet per open day), written atomically."""
    save_workbook(build_day_workbook(run, site=site, days=open_days(run),
                                     interval_h=_interval_h(run)), output, stamp=run.stamp)
