"""The plan job's inputs: the long-term forecast, its interval staffing per scenario, and
today's agents as cohorts of the supply model.

The long-term forecast is the interval forecaster run far out with the ``[plan] model``
(``dhr`` by default: daily totals by regression on weekday, trend, yearly Fourier terms
and holiday catch-up, with the site's holidays and special days; split into intervals by
the recent intraday profile of each weekday). Every interval of every plan week is then
staffed as ``wfm staff`` staffs it (Erlang C/A, chat concurrency, the deferred backlog
model) - never a flat Erlang on weekly totals - and summed per queue and local day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from wfm.capacity import Cohort, PlanHorizon, QueueDemand, Scenario
from wfm.config import Config
from wfm.config.staffing import staffing_inputs
from wfm.errors import StaffingError
from wfm.executors import Executor
from wfm.forecasting import ForecastRun, forecast_intervals
from wfm.pipeline.forecast_job import site_calendar
from wfm.scheduling.agents import Agent
from wfm.staffing.requirements import QueueTargets, staff_forecast
from wfm.staffing.shrinkage import ShrinkageProfile

#: Days forecast and staffed beyond the plan: deferred work arriving in its last days is
#: due after it, and a plan's last week must still be staffed for it.
TAIL_DAYS = 7
#: History a yearly season needs in the daily model (wfm.forecasting.models.daily).
YEARLY_HISTORY_DAYS = 400


def long_term_forecast(config: Config, history: pd.DataFrame, horizon: PlanHorizon,
                       executor: Executor) -> ForecastRun:
    """Interval forecast of every stored series over the plan (and a tail week), each
    series a task of ``executor``."""
    days = horizon.n_days + TAIL_DAYS
    model = config.plan.model
    queue_windows = {q.name: q.opening_hours.windows for q in config.queues
                     if q.opening_hours}
    return forecast_intervals(
        history, calendar=site_calendar(config, history, days),
        interval_minutes=config.data.interval_minutes, horizon_days=days,
        start=pd.Timestamp(horizon.start), model=model, candidates=(model,),
        backtest_cutoffs=1, default_aht_s={q.name: q.aht_s for q in config.queues},
        stale_weeks=config.forecasting.stale_weeks, queue_windows=queue_windows,
        executor=executor)


def history_notes(history: pd.DataFrame, horizon: PlanHorizon) -> list[str]:
    """What the forecast cannot know from this history (said, not hidden)."""
    first = history["interval_start"].min()
    span = (history["interval_start"].max() - first).days
    notes = []
    if span < YEARLY_HISTORY_DAYS:
        notes.append(f"the history covers {span} days (from {first.date()}); the daily "
                     f"model needs {YEARLY_HISTORY_DAYS} for a yearly season, so the plan "
                     "has none")
    gap = (pd.Timestamp(horizon.start) - history["interval_start"].max().tz_localize(None)
           ).days
    if gap > 28:
        notes.append(f"the plan starts {gap} days after the last stored interval")
    return notes


def scenario_demand(config: Config, forecast: pd.DataFrame, horizon: PlanHorizon,
                    scenario: Scenario) -> QueueDemand:
    """Productive agent-hours per queue and plan day of the scenario's volume, AHT and
    service target, from interval staffing without shrinkage (the plan adds its own)."""
    tz = config.site.timezone
    local = pd.DatetimeIndex(forecast["interval_start"]).tz_convert(tz).tz_localize(None)
    days_in = ((local - pd.Timestamp(horizon.start)) / pd.Timedelta(days=1)).to_numpy()
    fc = forecast[["queue", "channel", "interval_start", "offered", "aht_s", "model"]].copy()
    fc["offered"] = fc["offered"].to_numpy() * scenario.volume_multiplier(days_in)
    fc["aht_s"] = fc["aht_s"] * scenario.aht_factor
    site = staffing_inputs(config, _years(horizon))
    inputs = dataclasses.replace(site, queues=_with_target(site.queues, scenario.sl_target),
                     shrinkage=ShrinkageProfile(0.0))
    try:
        _, daily = staff_forecast(fc, inputs)
    except StaffingError as exc:
        raise StaffingError(f"plan scenario {scenario.name!r}: {exc.message}",
                            hint=exc.hint) from None
    queues = tuple(sorted(map(str, fc["queue"].unique())))
    day = (pd.to_datetime(daily["date"]) - pd.Timestamp(horizon.start)).dt.days.to_numpy()
    inside = (day >= 0) & (day < horizon.n_days)
    q_index = {q: i for i, q in enumerate(queues)}
    productive = np.zeros((len(queues), horizon.n_days))
    rows = daily["queue"].map(q_index).to_numpy()[inside]
    np.add.at(productive, (rows, day[inside]), daily["agent_hours_productive"].to_numpy()[inside])
    week = np.floor(days_in / 7).astype(np.int64)
    keep = (days_in >= 0) & (week < horizon.weeks)
    offered = np.zeros((len(queues), horizon.weeks))
    handle_h = np.zeros((len(queues), horizon.weeks))
    fq = fc["queue"].map(q_index).to_numpy()[keep]
    np.add.at(offered, (fq, week[keep]), fc["offered"].to_numpy()[keep])
    np.add.at(handle_h, (fq, week[keep]),
              (fc["offered"] * fc["aht_s"]).to_numpy()[keep] / 3600.0)
    return QueueDemand(queues, productive, offered, handle_h)


def _years(horizon: PlanHorizon) -> range:
    return range(horizon.start.year - 1, (horizon.end + timedelta(days=TAIL_DAYS)).year + 2)


def _with_target(queues: Mapping[str, QueueTargets], sl_target: float | None
                 ) -> Mapping[str, QueueTargets]:
    if sl_target is None:
        return queues
    return {name: dataclasses.replace(q, sl_target=sl_target)
            if not q.is_deferred and q.sl_target is not None else q
            for name, q in queues.items()}


def staff_cohorts(agents: Iterable[Agent], queue_group: dict[str, str], hours_per_fte: float
                  ) -> tuple[Cohort, ...]:
    """One cohort per agent, in the skill group of the agent's primary skill (the first
    listed of the lowest priority number); FTE = contract hours / ``hours_per_fte``
    (1 FTE when the agents file gives no hours)."""
    out = []
    for a in agents:
        primary = min(a.skills.items(), key=lambda kv: kv[1])[0]
        hours = a.contract_hours_week if a.contract_hours_week is not None else hours_per_fte
        out.append(Cohort(a.agent_id, queue_group[primary], 1.0, hours / hours_per_fte,
                          a.start_date, None, a.leave_date, "staff"))
    return tuple(out)


def supply_notes(agents: Sequence[Agent], horizon: PlanHorizon, groups: Sequence[str],
                 staff: Sequence[Cohort]) -> list[str]:
    """Agents the plan leaves out, and groups nobody works in today."""
    notes = []
    gone = [a.agent_id for a in agents if a.leave_date is not None
            and a.leave_date < horizon.start]
    if gone:
        notes.append(f"{len(gone)} agent(s) with a leave_date before the plan start are left "
                     f"out: {', '.join(gone[:5])}{' ...' if len(gone) > 5 else ''}")
    empty = sorted(set(groups) - {c.group for c in staff})
    if empty:
        notes.append(f"no agent has a primary skill in group(s) {', '.join(empty)}")
    return notes
