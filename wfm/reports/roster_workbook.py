"""The roster workbook a supervisor prints and posts (``wfm export roster``).

Sheets: *Summary* (week, site, per-queue agent-hours, a line chart of required vs
scheduled), *Roster* (agent x day), one sheet per day (agent x interval grid coloured by
activity, with a legend), *Coverage* (interval x day required / scheduled / gap with
conditional colours) and, when the roster was simulated, *Simulated service* (per queue
and day: the simulated service with its 95 % band against the target, coloured by the
share of simulated days meeting it). All times are local to the site's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.coverage import local_frame, queue_hours
from wfm.reports.excel import (
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    add_line_chart,
    fit_widths,
    new_workbook,
    print_landscape,
    save_workbook,
    write_table,
)
from wfm.reports.schedule_run import ScheduleRun, interval_hours
from wfm.reports.tables import ChartSpec
from wfm.schema import CHANNEL, INTERVAL_START, QUEUE

QUEUE_COLOURS: tuple[str, ...] = ("9BC2E6", "A9D08E", "8FD3CF", "F4B6C2", "D6C7A1",
                                  "6FA8DC", "93C47D", "C9DAF8")
ACTIVITY_COLOURS: dict[str, str] = {"break": "FFE699", "lunch": "F4B183",
                                    "off": "D9D9D9", "leave": "CDB4DB"}
ACTIVITY_CODES: dict[str, str] = {"break": "B", "lunch": "L", "off": "", "leave": ""}
SHORT_FILL = PatternFill("solid", fgColor="F8CBAD")   # red: under-staffed
MET_FILL = PatternFill("solid", fgColor="C6EFCE")     # green: met
OVER_FILL = PatternFill("solid", fgColor="FFEB9C")    # amber: one agent or more over
SHEET_NAMES = ("Summary", "Roster", "Coverage")

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


def shift_text(row: pd.Series, tz: ZoneInfo) -> str:
    """The Roster cell of one agent-day: ``08:00–16:30, lunch 12:00``, ``Off``, ``Leave``."""
    status = str(row["status"]).lower()
    if status in ("off", "leave"):
        return status.capitalize()
    if pd.isna(row["shift_start"]) or pd.isna(row["shift_end"]):
        return ""
    start = row["shift_start"].tz_convert(tz)
    end = row["shift_end"].tz_convert(tz)
    text = f"{start:%H:%M}–{end:%H:%M}"
    lunches = [a for kind, a, _ in parse_activities(str(row["activities"])) if kind == "lunch"]
    if lunches:
        text += f", lunch {lunches[0]}"
    return text


def _title(ws: Worksheet, text: str) -> None:
    ws.cell(1, 1, text).font = TITLE_FONT


def _summary_sheet(ws: Worksheet, run: ScheduleRun, site: str, interval_h: float,
                   requirements: pd.DataFrame | None) -> ChartSpec:
    _title(ws, f"Roster – {site} – week of {run.week}")
    facts = [("Site", site), ("Week", run.week), ("Time zone", run.tz.key),
             ("Run", run.run_id), ("Solver status", str(run.manifest.get("status", ""))),
             ("Agents", int(run.roster["agent_id"].nunique())),
             ("Interval (minutes)", round(interval_h * 60))]
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
    ws.cell(top, 1, "Agent-hours per queue (short/over: summed over intervals)").font = \
        HEADER_FONT
    write_table(ws, table, row=top + 1, autofilter=False)
    note_row = top + 2 + len(table) + 1
    if "expected_service_level" in table.columns:
        ws.cell(note_row, 1, "expected_service_level: offered-weighted service level of "
                "the requirements, reached where scheduled >= required")
    total = run.coverage.groupby(INTERVAL_START, sort=True)[["required", "scheduled"]].sum()
    local = pd.DatetimeIndex(total.index).tz_convert(run.tz)
    chart_data = pd.DataFrame({"interval": local.strftime("%a %d %H:%M"),
                               "required": total["required"].to_numpy(),
                               "scheduled": total["scheduled"].to_numpy()})
    return ChartSpec(chart_data, "interval", ("required", "scheduled"),
                     "Required vs scheduled agents per interval (all queues)",
                     y_title="agents", x_title=f"interval ({run.tz.key})")


def _roster_sheet(ws: Worksheet, run: ScheduleRun, days: list[str]) -> None:
    roster = run.roster
    agents = roster.drop_duplicates("agent_id").sort_values("agent_id", kind="stable")
    headers = ["Agent ID", "Name", "Team", *[day_label(d) for d in days]]
    has_paid = "paid_hours" in roster.columns
    if has_paid:
        headers.append("Paid hours")
    for j, h in enumerate(headers, start=1):
        c = ws.cell(1, j, h)
        c.font, c.fill, c.alignment = HEADER_FONT, HEADER_FILL, CENTER
    by_key = {(r["agent_id"], r["date"]): r for _, r in roster.iterrows()}
    for i, (_, agent) in enumerate(agents.iterrows(), start=2):
        ws.cell(i, 1, agent["agent_id"])
        ws.cell(i, 2, agent["name"])
        ws.cell(i, 3, agent["team"])
        for j, day in enumerate(days, start=4):
            row = by_key.get((agent["agent_id"], day))
            if row is None:
                continue
            cell = ws.cell(i, j, shift_text(row, run.tz))
            status = str(row["status"]).lower()
            if status in ACTIVITY_COLOURS:
                cell.fill = fill(ACTIVITY_COLOURS[status])
            cell.alignment = CENTER
        if has_paid:
            paid = pd.to_numeric(roster.loc[roster["agent_id"] == agent["agent_id"],
                                            "paid_hours"], errors="coerce").sum()
            c = ws.cell(i, len(headers), float(paid))
            c.number_format = "0.0"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{len(agents) + 1}"
    ws.freeze_panes = "C2"
    fit_widths(ws, minimum=8)
    print_landscape(ws)


def _day_sheet(ws: Worksheet, run: ScheduleRun, day: str, *, site: str, interval_h: float,
               colours: dict[str, str], codes: dict[str, str]) -> None:
    _title(ws, f"{pd.Timestamp(day):%A} {day} – {site}")
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
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        if j > 3:
            c.alignment = Alignment(horizontal="center", text_rotation=90)
    slot_col = {s: 4 + k for k, s in enumerate(slots)}
    roster = run.roster[run.roster["date"] == day]
    agents = run.roster.drop_duplicates("agent_id").sort_values("agent_id", kind="stable")
    status_of = dict(zip(roster["agent_id"], roster.to_dict("records"), strict=True))
    cells = {(a, t): (act, q) for a, t, act, q in
             today[["agent_id", INTERVAL_START, "activity", "queue"]].itertuples(index=False)}
    r = header_row
    for r, (_, agent) in enumerate(agents.iterrows(), start=header_row + 1):
        aid = agent["agent_id"]
        ws.cell(r, 1, aid)
        ws.cell(r, 2, agent["name"])
        rec = status_of.get(aid)
        status = str(rec["status"]).lower() if rec else "off"
        ws.cell(r, 3, shift_text(pd.Series(rec), run.tz) if rec else "Off")
        for s, col in slot_col.items():
            c = ws.cell(r, col)
            hit = cells.get((aid, s))
            if hit is not None:
                act, queue = str(hit[0]).lower(), str(hit[1])
                if act == "work":
                    c.value = codes.get(queue, "")
                    c.fill = fill(colours.get(queue, QUEUE_COLOURS[0]))
                else:
                    c.value = ACTIVITY_CODES.get(act, act[:1].upper())
                    c.fill = fill(ACTIVITY_COLOURS.get(act, "FFFFFF"))
                c.alignment = CENTER
            elif status in ("off", "leave"):
                c.fill = fill(ACTIVITY_COLOURS[status])
    legend_row = r + 2
    ws.cell(legend_row, 1, "Legend").font = HEADER_FONT
    entries = [(codes[q], colours[q], f"on queue {q}") for q in sorted(codes)]
    entries += [("B", ACTIVITY_COLOURS["break"], "break"),
                ("L", ACTIVITY_COLOURS["lunch"], "lunch"),
                ("", ACTIVITY_COLOURS["off"], "day off"),
                ("", ACTIVITY_COLOURS["leave"], "leave")]
    for k, (code, colour, meaning) in enumerate(entries, start=legend_row + 1):
        c = ws.cell(k, 1, code)
        c.fill, c.alignment = fill(colour), CENTER
        ws.cell(k, 2, meaning)
    for col in (1, 2, 3):
        ws.column_dimensions[get_column_letter(col)].width = (10, 22, 24)[col - 1]
    for col in slot_col.values():
        ws.column_dimensions[get_column_letter(col)].width = 3.6
    ws.row_dimensions[header_row].height = 34
    ws.freeze_panes = ws.cell(header_row + 1, 4)
    print_landscape(ws, title_rows=f"{header_row}:{header_row}")


def _coverage_sheet(ws: Worksheet, run: ScheduleRun, days: list[str], site: str) -> None:
    _title(ws, f"Coverage – {site} – agents per interval (gap = scheduled − required)")
    df = local_frame(run.coverage, run.tz)
    df = df.assign(gap=df["scheduled"] - df["required"])
    row = 3
    for (queue, channel), g in df.groupby([QUEUE, CHANNEL], sort=True):
        ws.cell(row, 1, f"{queue} ({channel})").font = HEADER_FONT
        # At a DST fall-back the repeated local hour is averaged into one row.
        cube = g.groupby(["clock", "date"])[["required", "scheduled", "gap"]].mean()
        clocks = sorted(cube.index.get_level_values("clock").unique())
        top = row + 1
        ws.cell(top, 1, "Time").font = HEADER_FONT
        ws.cell(top + 1, 1, "").fill = HEADER_FILL
        for d, day in enumerate(days):
            col = 2 + 3 * d
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 2)
            c = ws.cell(top, col, day_label(day))
            c.font, c.fill, c.alignment = HEADER_FONT, HEADER_FILL, CENTER
            for k, name in enumerate(("Req", "Sched", "Gap")):
                h = ws.cell(top + 1, col + k, name)
                h.font, h.fill, h.alignment = HEADER_FONT, HEADER_FILL, CENTER
        first = top + 2
        for i, clock in enumerate(clocks):
            r = first + i
            c = ws.cell(r, 1, pd.Timestamp(f"2000-01-01 {clock}").time())
            c.number_format = "hh:mm"
            for d, day in enumerate(days):
                if (clock, day) not in cube.index:
                    continue
                vals = cube.loc[(clock, day)]
                for k, name in enumerate(("required", "scheduled", "gap")):
                    v = float(vals[name])
                    cell = ws.cell(r, 2 + 3 * d + k, None if np.isnan(v) else v)
                    cell.number_format = "0.0"
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
        row = last + 3
    ws.cell(row, 1, "Gap colours: red = short (gap < 0), green = met (0 to < 1 agent over), "
            "amber = one agent or more over").font = Font(italic=True)
    ws.column_dimensions["A"].width = 12
    for c in range(2, 2 + 3 * len(days)):
        ws.column_dimensions[get_column_letter(c)].width = 7
    ws.freeze_panes = "B1"
    print_landscape(ws, title_rows=None)


def simulated_band(simulated: pd.DataFrame) -> pd.DataFrame:
    """Per queue and day, the measure its target is on (service level, or the share
    within the response time for deferred work) with its 95 % band, the target and the
    share of simulated days meeting it, from a ``wfm simulate --by day`` table."""
    # A deferred queue has a share within target on some day (not on a day without
    # judged items); a live queue never has one.
    share = simulated.get("share_within_target", pd.Series(np.nan, simulated.index))
    deferred = share.notna().groupby(simulated["queue"]).transform("any")
    pick = {"service_level": ~deferred, "share_within_target": deferred}
    parts = []
    for measure, rows in pick.items():
        if measure not in simulated or not rows.any():
            continue
        part = simulated.loc[rows, ["queue", "date"]].copy()
        part["measure"] = measure.replace("_", " ")
        part["simulated"] = simulated.loc[rows, measure]
        part["band_lo"] = simulated.loc[rows, f"{measure}_lo"]
        part["band_hi"] = simulated.loc[rows, f"{measure}_hi"]
        part["target"] = simulated.loc[rows, "target"]
        part["p_target_met"] = simulated.loc[rows, "p_target_met"]
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["queue", "date", "measure", "simulated", "band_lo",
                                     "band_hi", "target", "p_target_met"])
    return pd.concat(parts).sort_values(["queue", "date"], kind="stable").reset_index(
        drop=True)


def _simulated_sheet(ws: Worksheet, simulated: pd.DataFrame, site: str) -> None:
    _title(ws, f"Simulated service – {site} – per queue and day, 95 % band vs target")
    table = simulated_band(simulated)
    write_table(ws, table, row=3)
    last = 3 + len(table)
    if len(table):
        ref = f"H4:H{last}"   # p_target_met
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="lessThan", formula=["0.5"], fill=SHORT_FILL))
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="between", formula=["0.5", "0.7999999"], fill=OVER_FILL))
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="greaterThanOrEqual", formula=["0.8"], fill=MET_FILL))
    ws.cell(last + 2, 1, "simulated: mean over the simulated days, band: its 95 % "
            "interval; p_target_met: share of simulated days meeting the target (red < 0.5: "
            "the median day misses it; amber < 0.8; green)").font = Font(italic=True)
    fit_widths(ws, maximum=30)
    ws.freeze_panes = "A4"
    print_landscape(ws, title_rows=None)


def build_roster_workbook(run: ScheduleRun, *, site: str,
                          requirements: pd.DataFrame | None = None,
                          simulated: pd.DataFrame | None = None) -> Workbook:
    """The roster workbook of ``run`` (see the module docstring for its sheets);
    ``simulated``: the roster's simulated service per queue and day, if any."""
    interval_h = interval_hours(pd.concat([run.coverage[INTERVAL_START],
                                           run.agent_intervals[INTERVAL_START]]))
    days = sorted(set(run.roster["date"]))
    queues = sorted(set(run.coverage[QUEUE]) |
                    {q for q in run.agent_intervals["queue"] if q})
    colours = {q: QUEUE_COLOURS[i % len(QUEUE_COLOURS)] for i, q in enumerate(queues)}
    codes = queue_codes(queues)
    wb = new_workbook(f"Roster {site} {run.week}", stamp=run.stamp)
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    spec = _summary_sheet(summary, run, site, interval_h, requirements)
    chart_row = summary.max_row + 2
    n_days = max(1, len(set(run.roster["date"])))
    per_day = max(1, len(spec.frame) // n_days)  # about one label per day
    add_line_chart(summary, spec, data_row=3, data_col=14, anchor=f"A{chart_row}",
                   label_every=per_day)
    fit_widths(summary, skip=(1,), maximum=30)
    print_landscape(summary, title_rows=None)
    # The chart's data (columns N-P) stay on screen but off the printed page.
    summary.print_area = f"A1:I{chart_row + 19}"
    _roster_sheet(wb.create_sheet("Roster"), run, days)
    for day in days:
        _day_sheet(wb.create_sheet(day_label(day)), run, day, site=site, interval_h=interval_h,
                   colours=colours, codes=codes)
    coverage_days = sorted(set(
        run.coverage[INTERVAL_START].dt.tz_convert(run.tz).dt.strftime("%Y-%m-%d")))
    _coverage_sheet(wb.create_sheet("Coverage"), run, coverage_days, site)
    if simulated is not None:
        _simulated_sheet(wb.create_sheet("Simulated service"), simulated, site)
    return wb


def write_roster_workbook(run: ScheduleRun, output: str | Path, *, site: str,
                          requirements: pd.DataFrame | None = None,
                          simulated: pd.DataFrame | None = None) -> None:
    """Build the roster workbook and write it atomically with the run's fixed timestamp."""
    save_workbook(build_roster_workbook(run, site=site, requirements=requirements,
                                        simulated=simulated), output, stamp=run.stamp)
