"""A roster the size of the demo week, made without the solver (seeded).

100 agents on four queues, Monday 16 to Sunday 22 November 2026 in Europe/Paris: Monday
to Friday 08:00-20:00, Saturday 09:00-17:00, Sunday closed (as the sample centre). Each
agent works up to five days, 4 to 8 hours with a break and a lunch; the coverage
requires about what is scheduled, so some intervals are short and some over.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.reports.schedule_run import ScheduleRun

TZ = ZoneInfo("Europe/Paris")
DAYS = tuple(f"2026-11-{d}" for d in range(16, 23))
OPEN = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 17)}
QUEUES = {"voice_fr": "voice", "voice_en": "voice", "chat_fr": "chat", "email_fr": "email"}
NAMES = ("Louis Lefebvre", "Jules Lambert", "Alice Laurent", "Noah Girard", "Camille Fournier",
         "Emma Dubois", "Hugo Morel", "Léa Moreau", "Tom Vincent", "Chloé Thomas")


def demo_week(seed: int = 7, agents: int = 100) -> ScheduleRun:
    rng = np.random.default_rng(seed)
    queues = list(QUEUES)
    roster, intervals = [], []
    for a in range(agents):
        aid = f"A{a + 1:03d}"
        queue = queues[a % len(queues)]
        days_on = set(rng.choice(6, size=5, replace=False).tolist())
        length = int(rng.choice([4, 6, 8]))
        for k, day in enumerate(DAYS):
            row = {"agent_id": aid, "name": NAMES[a % len(NAMES)], "team": f"Team {'ABC'[a % 3]}",
                   "date": day, "status": "off", "shift_start": pd.NaT, "shift_end": pd.NaT,
                   "paid_hours": 0.0, "activities": ""}
            if k in days_on and k in OPEN:
                lo, hi = OPEN[k]
                start_h = lo + int(rng.integers(0, max(1, (hi - lo - length) * 4 + 1))) / 4
                start = pd.Timestamp(f"{day} 00:00", tz=TZ) + pd.Timedelta(hours=start_h)
                end = start + pd.Timedelta(hours=length)
                brk = start + pd.Timedelta(hours=2)
                lunch = start + pd.Timedelta(hours=length / 2)
                acts = (f"break {brk:%H:%M}-{brk + pd.Timedelta(minutes=15):%H:%M}; "
                        f"lunch {lunch:%H:%M}-{lunch + pd.Timedelta(minutes=30):%H:%M}")
                row.update(status="work", shift_start=start, shift_end=end,
                           paid_hours=length - 0.5, activities=acts)
                for t in pd.date_range(start, end, freq="15min", inclusive="left"):
                    act = ("break" if brk <= t < brk + pd.Timedelta(minutes=15) else
                           "lunch" if lunch <= t < lunch + pd.Timedelta(minutes=30) else "work")
                    intervals.append({"agent_id": aid, "interval_start": t.tz_convert("UTC"),
                                      "activity": act, "queue": queue if act == "work" else ""})
            elif k not in OPEN and rng.random() < 0.03:
                row["status"] = "leave"
            roster.append(row)
    ai = pd.DataFrame(intervals)
    starts = pd.date_range(pd.Timestamp(f"{DAYS[0]} 00:00", tz=TZ),
                           pd.Timestamp(f"{DAYS[-1]} 23:45", tz=TZ), freq="15min")
    counts = ai[ai["activity"] == "work"].groupby(["queue", "interval_start"]).size()
    cov = []
    for queue, channel in QUEUES.items():
        for t in starts:
            n = float(counts.get((queue, t.tz_convert("UTC")), 0))
            req = max(0.0, n + float(rng.normal(0, 1.2))) if n else 0.0
            cov.append({"queue": queue, "channel": channel, "interval_start": t.tz_convert("UTC"),
                        "required": round(req, 1), "scheduled": n,
                        "gap": n - round(req, 1)})
    frame = pd.DataFrame(roster)
    for col in ("shift_start", "shift_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return ScheduleRun("20261109T050000Z-demo", frame, ai, pd.DataFrame(cov),
                       {"status": "FEASIBLE", "week": DAYS[0], "timezone": TZ.key}, TZ,
                       datetime(2026, 11, 9, 5, 0))
