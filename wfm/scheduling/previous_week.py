"""The roster of the week before: rest and consecutive working days carry over."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from wfm.outputs import LATEST
from wfm.scheduling.roster import ROSTER_FILE


def previous_roster(schedules_dir: Path, week: date) -> tuple[pd.DataFrame | None, str]:
    """The latest roster's rows for the 7 days before ``week`` and that run's id.

    ``(None, "")`` when there is no latest roster, it is unreadable or has no row in those
    days: scheduling then starts the week without history rather than failing, since a
    first week or a hand-deleted folder is normal.
    """
    path = schedules_dir / LATEST / ROSTER_FILE
    if not path.is_file():
        return None, ""
    try:
        roster = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        return None, ""
    if not {"agent_id", "date", "status", "shift_end"} <= set(roster.columns):
        return None, ""
    lo, hi = (week - timedelta(days=7)).isoformat(), week.isoformat()
    rows = roster[(roster["date"].str[:10] >= lo) & (roster["date"].str[:10] < hi)]
    if rows.empty:
        return None, ""
    return rows, (schedules_dir / LATEST).resolve().name
