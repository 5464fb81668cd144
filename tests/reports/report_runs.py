"""Small hand-made schedule runs, forecasts and actuals of the DATA.md shapes.

The schedule covers Fri 27 to Sun 29 March 2026 in Europe/Paris, across the spring DST
change (Sunday 29 March 02:00 -> 03:00), with 30-minute intervals from 08:00 to 12:00.
"""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

TZ = ZoneInfo("Europe/Paris")
RUN_ID = "20260320T060000Z-ab12"
DAYS = ("2026-03-27", "2026-03-28", "2026-03-29")
SLOTS = ("08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30")

# agent -> (name, team, queue, {day: (status, start, end, activities)})
AGENTS = {
    "A1": ("Ana Martin", "T1", "voice_fr", {
        "2026-03-27": ("work", "08:00", "12:00", "break 09:00-09:30; lunch 10:30-11:00"),
        "2026-03-28": ("work", "08:00", "12:00", "break 09:00-09:30; lunch 10:30-11:00"),
        "2026-03-29": ("work", "08:00", "12:00", "lunch 10:00-10:30"),
    }),
    "A2": ("Ben, Jr.", "T1", "email_fr", {
        "2026-03-27": ("work", "08:00", "12:00", "lunch 11:00-11:30"),
        "2026-03-28": ("off", "", "", ""),
        "2026-03-29": ("leave", "", "", ""),
    }),
    "A3": ("Cléa Dupont", "T2", "voice_fr", {
        "2026-03-27": ("leave", "", "", ""),
        "2026-03-28": ("work", "09:00", "12:00", "break 10:00-10:30"),
        "2026-03-29": ("off", "", "", ""),
    }),
}
REQUIRED = {"voice_fr": (1.0, 1.0, 2.0, 2.0, 1.5, 1.0, 1.0, 0.5), "email_fr": (0.5,) * 8}
CHANNELS = {"voice_fr": "voice", "email_fr": "email"}


def local(day: str, clock: str) -> pd.Timestamp:
    return pd.Timestamp(f"{day} {clock}").tz_localize(TZ)


def _activity_at(activities: str, clock: str) -> str:
    for part in filter(None, (p.strip() for p in activities.split(";"))):
        kind, span = part.split()
        a, b = span.split("-")
        if a <= clock < b:
            return kind
    return "work"


def schedule_frames(agents: dict | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Roster, agent intervals and coverage of ``agents`` (default AGENTS)."""
    roster, intervals = [], []
    for aid, (name, team, queue, days) in (AGENTS if agents is None else agents).items():
        for day, (status, start, end, acts) in days.items():
            work = status == "work"
            roster.append({
                "agent_id": aid, "name": name, "team": team, "date": day, "status": status,
                "shift_start": local(day, start).isoformat() if work else "",
                "shift_end": local(day, end).isoformat() if work else "",
                "paid_hours": 4.0 if work and start == "08:00" else (3.0 if work else 0.0),
                "activities": acts,
            })
            if not work:
                continue
            for clock in SLOTS:
                if start <= clock < end:
                    act = _activity_at(acts, clock)
                    intervals.append({"agent_id": aid,
                                      "interval_start": local(day, clock).isoformat(),
                                      "activity": act, "queue": queue if act == "work" else ""})
    ai = pd.DataFrame(intervals, columns=["agent_id", "interval_start", "activity", "queue"])
    coverage = []
    for queue, req in REQUIRED.items():
        for day in DAYS:
            for clock, r in zip(SLOTS, req, strict=True):
                ts = local(day, clock).isoformat()
                n = int(((ai["interval_start"] == ts) & (ai["queue"] == queue)).sum())
                coverage.append({"queue": queue, "channel": CHANNELS[queue],
                                 "interval_start": ts, "required": r, "scheduled": float(n),
                                 "gap": n - r})
    return pd.DataFrame(roster), ai, pd.DataFrame(coverage)


def write_schedule_run(root: Path, run_id: str = RUN_ID, *, latest: bool = True,
                       agents: dict | None = None) -> Path:
    run_dir = root / run_id
    run_dir.mkdir(parents=True)
    roster, ai, coverage = schedule_frames(agents)
    roster.to_csv(run_dir / "roster.csv", index=False)
    ai.to_csv(run_dir / "agent_intervals.csv", index=False)
    coverage.to_csv(run_dir / "coverage.csv", index=False)
    manifest = {"status": "OPTIMAL", "objective": 1.0, "bound": 1.0, "gap": 0.0,
                "week": "2026-03-23", "timezone": "Europe/Paris", "inputs": {}}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if latest:
        link = root / "latest"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(run_id)
    return run_dir
