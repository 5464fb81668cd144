"""The roster workbook's *Agents* sheet: fairness at a glance.

Per agent: paid hours against the contract's weekly range, days worked, weekend days,
late shifts and leave days. Who works the weekends and the evenings is what agents compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.excel import HEADER_FILL, TITLE_FONT

#: A shift ending at or after this local time (or past midnight) is a late shift.
LATE_FROM = time(19, 0)
DATA_FONT = Font(size=9)
HEAD_FONT = Font(size=9, bold=True)
OUTSIDE_FILL = PatternFill("solid", fgColor="F8CBAD")


@dataclass(frozen=True)
class ContractHours:
    """The weekly paid hours an agent's contract requires and allows [h]."""

    min_hours_week: float
    max_hours_week: float


def agent_fairness(roster: pd.DataFrame, tz: ZoneInfo, *,
                   contracts: Mapping[str, ContractHours] | None = None,
                   late_from: time = LATE_FROM) -> pd.DataFrame:
    """Per agent of a roster (schema.SCHEDULE rows, one per agent and day).

    Returns
    -------
    DataFrame ``agent_id, name, team, min_hours_week, max_hours_week`` (the contract, NaN
    when unknown), ``paid_h`` (paid hours of the roster), ``contract_gap_h`` (paid below
    the minimum as a negative number, above the maximum as a positive one, 0 within the
    range), ``days_worked``, ``weekend_days`` (Saturdays and Sundays worked),
    ``late_shifts`` (shifts ending at ``late_from`` local time or later, or past
    midnight) and ``leave_days``.
    """
    df = roster.copy()
    status = df["status"].astype(str).str.lower()
    work = status == "work"
    day = pd.to_datetime(df["date"].astype(str).str[:10])
    start = pd.to_datetime(df["shift_start"], utc=True).dt.tz_convert(tz)
    end = pd.to_datetime(df["shift_end"], utc=True).dt.tz_convert(tz)
    minutes = end.dt.hour * 60 + end.dt.minute
    past_midnight = end.dt.normalize() > start.dt.normalize()
    late = work & ((minutes >= late_from.hour * 60 + late_from.minute) | past_midnight)
    paid = pd.to_numeric(df.get("paid_hours", pd.Series(np.nan, index=df.index)),
                         errors="coerce")
    df = df.assign(work=work, weekend=work & (day.dt.day_of_week >= 5), late=late,
                   leave=status == "leave", paid=paid.where(work, 0.0))
    g = df.groupby("agent_id", sort=True)
    out = pd.DataFrame({
        "name": g["name"].first(), "team": g["team"].first(),
        "paid_h": g["paid"].sum(min_count=1), "days_worked": g["work"].sum(),
        "weekend_days": g["weekend"].sum(), "late_shifts": g["late"].sum(),
        "leave_days": g["leave"].sum(),
    })
    lo = pd.Series({a: c.min_hours_week for a, c in (contracts or {}).items()}, dtype=float)
    hi = pd.Series({a: c.max_hours_week for a, c in (contracts or {}).items()}, dtype=float)
    out["min_hours_week"] = lo.reindex(out.index)
    out["max_hours_week"] = hi.reindex(out.index)
    below = (out["paid_h"] - out["min_hours_week"]).clip(upper=0)
    above = (out["paid_h"] - out["max_hours_week"]).clip(lower=0)
    out["contract_gap_h"] = below.fillna(0) + above.fillna(0)
    out.loc[out["min_hours_week"].isna() & out["max_hours_week"].isna(),
            "contract_gap_h"] = np.nan
    out = out.reset_index()
    counts = ["days_worked", "weekend_days", "late_shifts", "leave_days"]
    out[counts] = out[counts].astype(int)
    return out[["agent_id", "name", "team", "min_hours_week", "max_hours_week", "paid_h",
                "contract_gap_h", *counts]]


HEADERS = ("Agent ID", "Name", "Team", "Contract (h/week)", "Paid (h)", "Against contract",
           "Days worked", "Weekend days", "Late shifts", "Leave days")
#: Excel units; 74 units (7 pt each in LibreOffice) fit a portrait A4 page at 100 %.
WIDTHS = (6, 14, 7, 7, 6, 9, 6, 7, 6, 6)


def _against(gap: float, lo: float, hi: float) -> str:
    if np.isnan(gap):
        return ""
    if gap < 0:
        return f"{-gap:.1f} h under"
    if gap > 0:
        return f"{gap:.1f} h over"
    return "within" if not (np.isnan(lo) and np.isnan(hi)) else ""


def agents_sheet(ws: Worksheet, fairness: pd.DataFrame, *, title: str,
                 late_from: time = LATE_FROM) -> int:
    """Write the Agents sheet; returns the header row (for the print titles)."""
    ws.cell(1, 1, title).font = TITLE_FONT
    ws.cell(2, 1, f"Weekend days: Saturdays and Sundays worked. Late shifts: ending at "
                  f"{late_from:%H:%M} or later.").font = Font(size=8, italic=True)
    ws.cell(3, 1, "Red: paid hours outside the contract. The darker a weekend or late "
                  "cell, the more than the others.").font = Font(size=8, italic=True)
    top = 5
    for j, (head, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        c = ws.cell(top, j, head)
        c.font, c.fill = HEAD_FONT, HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[top].height = 24
    records: list[dict[Any, Any]] = fairness.to_dict("records")
    for i, r in enumerate(records, start=top + 1):
        lo, hi = float(r["min_hours_week"]), float(r["max_hours_week"])
        contract = "" if np.isnan(lo) and np.isnan(hi) else f"{lo:g}–{hi:g}"
        values = (r["agent_id"], r["name"], r["team"], contract,
                  None if pd.isna(r["paid_h"]) else float(r["paid_h"]),
                  _against(float(r["contract_gap_h"]), lo, hi), int(r["days_worked"]),
                  int(r["weekend_days"]), int(r["late_shifts"]), int(r["leave_days"]))
        for j, v in enumerate(values, start=1):
            c = ws.cell(i, j, v)
            c.font = DATA_FONT
            if j == 5:
                c.number_format = "0.0"
            if j >= 4:
                c.alignment = Alignment(horizontal="center")
        ws.row_dimensions[i].height = 11
    last = top + len(fairness)
    if len(fairness):
        first = f"F{top + 1}"
        ws.conditional_formatting.add(f"{first}:F{last}", FormulaRule(
            formula=[f'AND({first}<>"within",{first}<>"")'], fill=OUTSIDE_FILL))
        for col in ("H", "I"):
            ws.conditional_formatting.add(f"{col}{top + 1}:{col}{last}", ColorScaleRule(
                start_type="min", start_color="FFFFFF", end_type="max", end_color="F4B183"))
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(HEADERS))}{last}"
    ws.freeze_panes = ws.cell(top + 1, 3)
    return top
