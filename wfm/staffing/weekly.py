"""Agent-hours and FTE per queue and week from the per-day staffing summary."""

from __future__ import annotations

import pandas as pd


def weekly_hours(daily: pd.DataFrame, *, hours_per_fte: float) -> pd.DataFrame:
    """Sum a daily staffing frame (``queue, date, agent_hours_productive,
    agent_hours_scheduled``; ``date`` local ``YYYY-MM-DD``) by queue and week.

    Returns
    -------
    DataFrame ``queue, week`` (the local Monday, ``YYYY-MM-DD``), ``days`` [count] (days of
    the week in ``daily``), ``agent_hours_productive, agent_hours_scheduled``
    [agent-hours] and ``fte`` [FTE] = scheduled agent-hours / (``hours_per_fte`` x days / 7):
    the full-time equivalents present through the days covered, so a week cut short by
    the horizon is not under-counted.

    Examples
    --------
    >>> daily = pd.DataFrame({"queue": "q", "date": ["2026-12-13", "2026-12-14"],
    ...                       "agent_hours_productive": [7.0, 21.0],
    ...                       "agent_hours_scheduled": [10.0, 30.0]})
    >>> weekly_hours(daily, hours_per_fte=35.0)[["week", "days", "fte"]].to_dict("records")
    [{'week': '2026-12-07', 'days': 1, 'fte': 2.0}, {'week': '2026-12-14', 'days': 1, 'fte': 6.0}]
    """
    day = pd.to_datetime(daily["date"], format="%Y-%m-%d")
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    out = (daily.assign(week=week)
           .groupby(["queue", "week"], as_index=False, sort=True)
           .agg(days=("date", "nunique"),
                agent_hours_productive=("agent_hours_productive", "sum"),
                agent_hours_scheduled=("agent_hours_scheduled", "sum")))
    out["fte"] = out["agent_hours_scheduled"] / (hours_per_fte * out["days"] / 7.0)
    return out
