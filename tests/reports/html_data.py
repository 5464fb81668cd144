"""A ReportData with every section filled, from the hand-made run of report_runs.py.

Forecast and actuals are small made-up frames for voice_fr and email_fr around the
schedule's days (Fri 27 to Sun 29 March 2026, Europe/Paris, across the spring DST change).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from report_runs import DAYS, SLOTS, TZ, local, write_schedule_run

from wfm.pipeline.run_folders.files import read_schedule
from wfm.reports.accuracy import accuracy_report
from wfm.reports.chart_data import QueueTarget
from wfm.reports.html_report import ReportData
from wfm.reports.service_level import service_level_report

QUEUES = {"voice_fr": "voice", "email_fr": "email"}
TARGETS = {"voice_fr": QueueTarget("voice_fr", 0.8, "80 % within 20 s"),
           "email_fr": QueueTarget("email_fr", 0.9, "90 % within 24 h")}
# Two days of actuals before the first forecast day, and on the forecast's days.
ACTUAL_DAYS = ("2026-03-25", "2026-03-26", *DAYS)


def forecast_frame() -> pd.DataFrame:
    rows = []
    for queue, channel in QUEUES.items():
        for day in DAYS:
            for k, clock in enumerate(SLOTS):
                mean = 10.0 + k if queue == "voice_fr" else 4.0
                rows.append({"queue": queue, "channel": channel,
                             "interval_start": local(day, clock).tz_convert("UTC"),
                             "offered": mean, "aht_s": 300.0, "model": "weekly_mean",
                             "offered_lo_80": mean * 0.8, "offered_hi_80": mean * 1.2,
                             "offered_lo_95": mean * 0.7, "offered_hi_95": mean * 1.3})
    return pd.DataFrame(rows)


def actuals_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for queue, channel in QUEUES.items():
        for day in ACTUAL_DAYS:
            for clock in SLOTS:
                offered = int(rng.integers(5, 20))
                handled = offered - 1
                rows.append({"interval_start": local(day, clock).tz_convert("UTC"),
                             "queue": queue, "channel": channel, "offered": offered,
                             "handled": handled, "abandoned": 1,
                             "answered_within_sl": handled - int(rng.integers(0, 5)),
                             "sl_threshold_s": 20.0, "handle_s": handled * 300.0,
                             "answer_wait_s": handled * 15.0})
    return pd.DataFrame(rows)


def backtest_frame() -> pd.DataFrame:
    rows = []
    for queue, channel in QUEUES.items():
        for model, level in (("weekly_mean", 0.2), ("seasonal_naive", 0.5)):
            for cutoff in ("2026-03-09", "2026-03-16"):
                for h in (1, 2, 3):
                    rows.append({"queue": queue, "channel": channel, "model": model,
                                 "cutoff": cutoff, "horizon_day": h,
                                 "wmape": level + 0.01 * h, "coverage_80": 0.8,
                                 "coverage_95": 0.95})
    return pd.DataFrame(rows)


def simulation_frame() -> pd.DataFrame:
    rows = []
    for day in DAYS:
        rows.append({"queue": "voice_fr", "date": day, "offered": 100.0,
                     "service_level": 0.85, "service_level_lo": 0.8,
                     "service_level_hi": 0.9, "target": "80% within 20 s"})
        rows.append({"queue": "email_fr", "date": day, "offered": 30.0,
                     "share_within_target": 0.95, "share_within_target_lo": 0.92,
                     "share_within_target_hi": 0.97, "target": "90% within 24 h"})
    return pd.DataFrame(rows)


def report_data(tmp: Path) -> ReportData:
    """Every section filled: forecast, requirements, roster, service level, accuracy
    (backtest and realised) and simulation."""
    run = read_schedule(write_schedule_run(tmp / "schedules", latest=False), default_tz=TZ)
    forecast = forecast_frame()
    actuals = actuals_frame()
    requirements = run.coverage.assign(offered=10.0, aht_s=300.0,
                                       agents_productive=run.coverage["required"],
                                       agents_required=run.coverage["required"])
    levels = service_level_report(actuals, by="day", tz=TZ)
    return ReportData(
        "Lyon", TZ, "Lyon – week of 2026-03-27", local(DAYS[0], "00:00"), TARGETS,
        (("forecast", "f1"), ("roster", run.run_id)), forecast=forecast,
        backtest=backtest_frame(), actuals=actuals, requirements=requirements,
        coverage=run.coverage, service_levels=levels,
        accuracy=accuracy_report(forecast, actuals, tz=TZ), simulation=simulation_frame(),
        days_before=2, days_after=3)
