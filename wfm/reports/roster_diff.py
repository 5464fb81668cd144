"""What changed between two rosters of the same week (``wfm schedule diff``).

What a supervisor must tell agents after a re-plan: per agent and day, whether a shift was
added, removed or moved, or kept its times with other breaks or queues; per agent, shifts
and paid hours before and after; per queue and day, the change in scheduled and short
agent-hours. Days are the site's local days; "before" is the first run, "after" the
second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputDataError
from wfm.reports.coverage import GAP_TOLERANCE
from wfm.reports.roster_workbook import parse_activities
from wfm.reports.schedule_run import ScheduleRun, interval_hours, shift_queues
from wfm.schema import CHANNEL, INTERVAL_START, QUEUE

#: Kinds of change of one agent-day, in the order they are listed.
CHANGE_KINDS: tuple[str, ...] = ("added", "removed", "moved", "breaks", "queues", "leave")
CHANGE_COLUMNS = ["agent_id", "name", "date", "change", "before", "after", "queues"]
AGENT_COLUMNS = ["agent_id", "name", "team", "shifts_before", "shifts_after",
                 "paid_h_before", "paid_h_after", "paid_h_delta", "changed_days"]
COVERAGE_COLUMNS = [QUEUE, CHANNEL, "date", "required_h_before", "required_h_after",
                    "scheduled_h_before", "scheduled_h_after", "scheduled_h_delta",
                    "short_h_before", "short_h_after", "short_h_delta"]
_TEXT = {"off": "Off", "leave": "Leave", "": "not rostered"}


@dataclass(frozen=True)
class RosterDiff:
    """The changes between roster ``before`` and roster ``after`` of one week.

    ``changes``: one row per agent-day that changed (``change`` lists the kinds, among
    CHANGE_KINDS; ``before``/``after`` the day as the agent would read it; ``queues``
    ``"voice_fr -> chat_fr"`` when a shift kept works other queues). ``agents``: every agent of
    either roster, with shifts and paid hours [h] before and after and the number of
    changed days. ``coverage``: per queue, channel and local day, required, scheduled and
    short agent-hours [agent-hours] before and after (short = under requirement, summed
    over short intervals).
    """

    before: str
    after: str
    week: str
    changes: pd.DataFrame
    agents: pd.DataFrame
    coverage: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Agent-days per kind of change (a day can count under several kinds)."""
        kinds = self.changes["change"].str.split(", ").explode()
        return {k: int((kinds == k).sum()) for k in CHANGE_KINDS}


def diff_rosters(before: ScheduleRun, after: ScheduleRun) -> RosterDiff:
    """Compare two schedule runs of the same week (see :class:`RosterDiff`).

    Raises InputDataError when they plan different weeks: a diff by date would then call
    every shift added or removed.
    """
    if before.week[:10] != after.week[:10]:
        raise InputDataError(f"runs {before.run_id} and {after.run_id} plan different weeks "
                             f"({before.week[:10]} and {after.week[:10]}); a diff compares "
                             "two plans of the same week",
                             hint="pick two runs of one week (wfm schedule diff RUN_A RUN_B)")
    days = agent_days(before).merge(agent_days(after), on=["agent_id", "date"], how="outer",
                                    suffixes=("_b", "_a"), sort=True)
    for side in ("_b", "_a"):  # an agent-day only one roster has
        for col in ("status", "text", "activities", "queues", "name", "team"):
            days[col + side] = days[col + side].fillna("").astype(str)
        days.loc[days["status" + side] == "", "text" + side] = _TEXT[""]
    days["change"] = [_change(r) for r in days.to_dict("records")]
    changed = days[days["change"] != ""]
    changes = pd.DataFrame({
        "agent_id": changed["agent_id"],
        "name": changed["name_a"].where(changed["name_a"] != "", changed["name_b"]),
        "date": changed["date"],
        "change": changed["change"],
        "before": changed["text_b"],
        "after": changed["text_a"],
        "queues": np.where(changed["change"].str.contains("queues", regex=False),
                           changed["queues_b"] + " -> " + changed["queues_a"], ""),
    }, columns=CHANGE_COLUMNS).reset_index(drop=True)
    return RosterDiff(before.run_id, after.run_id, after.week[:10], changes,
                      _agents(days), _coverage(before, after))


def agent_days(run: ScheduleRun) -> pd.DataFrame:
    """One row per agent and local date: status, the day as text, shift start and end
    (UTC), breaks and lunch, the queues worked (sorted, comma-separated) and paid hours."""
    roster = run.roster
    start = pd.to_datetime(roster["shift_start"], utc=True)
    end = pd.to_datetime(roster["shift_end"], utc=True)
    status = roster["status"].astype(str).str.lower()
    work = (status == "work") & start.notna() & end.notna()
    if "paid_hours" in roster:
        paid = pd.to_numeric(roster["paid_hours"], errors="coerce").fillna(0.0)
    else:  # no paid hours recorded: the shift's elapsed time
        paid = ((end - start).dt.total_seconds() / 3600).fillna(0.0)
    activities = [", ".join(f"{k} {a}-{b}" for k, a, b in sorted(parse_activities(str(t))))
                  for t in roster["activities"]]
    out = pd.DataFrame({
        "agent_id": roster["agent_id"].astype(str), "date": roster["date"].astype(str).str[:10],
        "name": roster["name"], "team": roster["team"],
        "status": np.where(work, "work", np.where(status == "leave", "leave", "off")),
        "start": start.where(work), "end": end.where(work),
        "activities": np.where(work, activities, ""),
        "paid_h": paid.where(work, 0.0).astype(float),
    })
    out["text"] = [_day_text(r, run.tz) for r in out.to_dict("records")]
    queues = shift_queues(run)
    out["queues"] = [", ".join(queues.get((a, d), ())) for a, d in
                     zip(out["agent_id"], out["date"], strict=True)]
    twice = out[out.duplicated(["agent_id", "date"])]
    if len(twice):
        first = twice.iloc[0]
        raise InputDataError(f"run {run.run_id}: agent {first['agent_id']} has more than one "
                             f"roster row on {first['date']}; a roster has one row per agent "
                             "and day", hint="wfm schedule check lists such rows")
    return out


def _day_text(day: Mapping[Any, Any], tz: ZoneInfo) -> str:
    """``08:00-16:30, break 10:00-10:15, lunch 12:00-12:30``, ``Off`` or ``Leave``."""
    if day["status"] != "work":
        return _TEXT[day["status"]]
    text = f"{day['start'].tz_convert(tz):%H:%M}-{day['end'].tz_convert(tz):%H:%M}"
    return f"{text}, {day['activities']}" if day["activities"] else text


def _change(d: Mapping[Any, Any]) -> str:
    """The kinds of change of one joined agent-day (``_b`` before, ``_a`` after)."""
    work_b, work_a = d["status_b"] == "work", d["status_a"] == "work"
    kinds: list[str] = []
    if work_b and work_a:
        if d["start_b"] != d["start_a"] or d["end_b"] != d["end_a"]:
            kinds.append("moved")
        elif d["activities_b"] != d["activities_a"]:
            kinds.append("breaks")
        if d["queues_b"] != d["queues_a"]:
            kinds.append("queues")
    elif work_b or work_a:
        kinds.append("removed" if work_b else "added")
    elif (d["status_b"] == "leave") != (d["status_a"] == "leave"):
        kinds.append("leave")
    return ", ".join(kinds)


def _agents(days: pd.DataFrame) -> pd.DataFrame:
    g = days.assign(
        name=days["name_a"].where(days["name_a"] != "", days["name_b"]),
        team=days["team_a"].where(days["team_a"] != "", days["team_b"]),
        shift_b=days["status_b"] == "work", shift_a=days["status_a"] == "work",
        changed=days["change"] != "",
        paid_b=days["paid_h_b"].fillna(0.0), paid_a=days["paid_h_a"].fillna(0.0),
    ).groupby("agent_id", sort=True)
    out = pd.DataFrame({
        "name": g["name"].agg(lambda s: next((v for v in s if v), "")),
        "team": g["team"].agg(lambda s: next((v for v in s if v), "")),
        "shifts_before": g["shift_b"].sum().astype(int),
        "shifts_after": g["shift_a"].sum().astype(int),
        "paid_h_before": g["paid_b"].sum(),
        "paid_h_after": g["paid_a"].sum(),
        "changed_days": g["changed"].sum().astype(int),
    }).reset_index()
    out["paid_h_delta"] = out["paid_h_after"] - out["paid_h_before"]
    return out[AGENT_COLUMNS]


def _coverage(before: ScheduleRun, after: ScheduleRun) -> pd.DataFrame:
    out = coverage_by_day(before).merge(coverage_by_day(after), on=[QUEUE, CHANNEL, "date"],
                                        how="outer", suffixes=("_before", "_after"),
                                        sort=True)
    out = out.fillna({c: 0.0 for c in out.columns if c.endswith(("_before", "_after"))})
    out["scheduled_h_delta"] = out["scheduled_h_after"] - out["scheduled_h_before"]
    out["short_h_delta"] = out["short_h_after"] - out["short_h_before"]
    return out[COVERAGE_COLUMNS].reset_index(drop=True)


def coverage_by_day(run: ScheduleRun) -> pd.DataFrame:
    """Per queue, channel and local date: required, scheduled and short agent-hours, the
    sums of :func:`wfm.reports.coverage.coverage_summary` without its text columns."""
    cov = run.coverage
    interval_h = interval_hours(cov[INTERVAL_START])
    gap = cov["scheduled"] - cov["required"]
    gap = gap.mask(gap.abs() < GAP_TOLERANCE, 0.0)
    frame = pd.DataFrame({
        QUEUE: cov[QUEUE], CHANNEL: cov[CHANNEL],
        "date": cov[INTERVAL_START].dt.tz_convert(run.tz).dt.strftime("%Y-%m-%d"),
        "required_h": cov["required"] * interval_h,
        "scheduled_h": cov["scheduled"] * interval_h,
        "short_h": (-gap).clip(lower=0.0) * interval_h})
    return frame.groupby([QUEUE, CHANNEL, "date"], as_index=False, sort=True).sum()


def diff_title(diff: RosterDiff) -> str:
    """One paragraph: what changed overall (agents, kinds, paid and short hours)."""
    counts = ", ".join(f"{n} {k}" for k, n in diff.counts().items() if n)
    agents = int((diff.agents["changed_days"] > 0).sum())
    paid_b, paid_a = diff.agents["paid_h_before"].sum(), diff.agents["paid_h_after"].sum()
    short_b, short_a = diff.coverage["short_h_before"].sum(), diff.coverage["short_h_after"].sum()
    return (f"Roster diff, week of {diff.week}: {diff.before} (before) -> {diff.after} "
            f"(after)\n{agents} agent(s) to tell, {len(diff.changes)} changed agent-day(s)"
            f"{': ' + counts if counts else ''}; paid hours {paid_b:.1f} -> {paid_a:.1f} h "
            f"({paid_a - paid_b:+.1f}); short agent-hours {short_b:.1f} -> {short_a:.1f} "
            f"({short_a - short_b:+.1f})")
