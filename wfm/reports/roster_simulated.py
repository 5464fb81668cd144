"""The roster workbook's *Simulated service* sheet: per queue and day, the simulated
service with its 95 % band against the target (``wfm schedule --verify`` or the run's
simulate step)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from wfm.reports.excel import TITLE_FONT, fit_widths, write_table
from wfm.reports.roster_coverage import MET_FILL, OVER_FILL, SHORT_FILL


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


def simulated_sheet(ws: Worksheet, simulated: pd.DataFrame, *, title: str) -> int:
    """Write the Simulated service sheet; returns the header row (for the print titles)."""
    ws.cell(1, 1, title).font = TITLE_FONT
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
    return 3
