"""Staffing to a confidence level: the staff job's composition of staffing and simulation.

``[staffing] confidence = 0.8`` (or a queue's own ``confidence``) asks that each day of a
queue meet its target with probability 0.8, not merely on average when the forecast comes
true. The queue's own staffing rule (:func:`wfm.staffing.requirements.staff_forecast`:
Erlang C/A per interval, the deferred backlog plan) is applied to the forecast scaled by
a load factor per period, and :func:`wfm.simulation.confidence.staff_to_confidence`
searches each period's factor so that the share of simulated periods meeting the target
reaches the confidence. The simulation draws Poisson arrivals around a random rate: the
forecast's dispersion around what happened, from its run's manifest (``day_cv2`` for the
day's level, ``intraday_cv2`` / ``intraday_corr`` for the deviations within the day), or,
for a forecast file without a manifest, its 80 % prediction interval read as a day-level
error.

Live queues are judged by the local day. Deferred work is judged by the week (7 local
days from the forecast's first day): a response target counted on the calendar clock
cannot be met day by day when the queue is closed on some days (items arriving on a
Saturday evening before a closed Sunday are late whatever the staffing), so the plan's
target, like :func:`wfm.staffing.deferred.plan_deferred`'s, is a share over a longer
period.

The staffing layer and the simulation layer do not import each other; this module (the
pipeline) composes them.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from wfm.config import Config
from wfm.config.simulation import simulation_queues
from wfm.executors import Executor
from wfm.simulation.centre import Demand, FloatArray, IntArray, SimOptions
from wfm.simulation.confidence import ConfidenceStaffing, staff_to_confidence
from wfm.simulation.head_counts import whole_agents_cumulative
from wfm.simulation.inputs import Horizon, demand_from_frame, make_horizon
from wfm.staffing.requirements import StaffingInputs, staff_forecast

#: The prediction interval read as the forecast's uncertainty when no manifest says more.
FALLBACK_LEVEL = 0.8


@dataclass(frozen=True)
class Uncertainty:
    """The forecast's error a queue is sized for.

    ``day_cv2``: relative variance of the day's level around the forecast;
    ``intraday_cv2`` / ``intraday_corr``: of the deviations within the day (AR(1));
    ``interval_level``: instead, read the forecast's ``offered_lo/hi`` columns at this
    level as a day-level error; ``source``: where it came from, for the manifest.
    """

    day_cv2: float = 0.0
    intraday_cv2: float = 0.0
    intraday_corr: float = 0.0
    interval_level: float | None = None
    source: str = "none: Poisson variability only"


@dataclass(frozen=True)
class QueueConfidence:
    """One queue staffed to a confidence level.

    Attributes
    ----------
    queue, confidence : the queue and the probability asked
    period : "day" (live queues) or "week" (deferred work)
    uncertainty : the forecast error it was sized for
    replications, seed : of the sizing simulation
    sizing : the library's answer (agents per horizon interval, factor and probability
        per period, on the sizing run's own replications)
    period_labels : the local day or week each period is
    days : the local dates of the horizon (ISO), day number = position
    """

    queue: str
    confidence: float
    period: str
    uncertainty: Uncertainty
    replications: int
    seed: int
    sizing: ConfidenceStaffing
    period_labels: tuple[str, ...]
    days: tuple[str, ...]

    def p_met(self, plain: bool = False) -> float:
        """Share of the judged periods' simulated replications meeting the target."""
        values = self.sizing.p_met_plain if plain else self.sizing.p_met
        return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan


def forecast_uncertainty(series: Mapping[str, Any], forecast: pd.DataFrame, queue: str,
                         channel: str) -> Uncertainty:
    """The uncertainty of ``queue``'s forecast: the dispersion facts of its run's manifest
    (``series["<queue>/<channel>"]``), else its 80 % interval columns, else none."""
    facts = series.get(f"{queue}/{channel}")
    if isinstance(facts, Mapping) and facts.get("day_cv2") is not None:
        values = [facts.get(k) for k in ("day_cv2", "intraday_cv2", "intraday_corr")]
        if all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            day, intra, corr = (float(v) for v in values)  # type: ignore[arg-type]
            return Uncertainty(max(day, 0.0), max(intra, 0.0), min(max(corr, -0.99), 0.99),
                               source=f"forecast manifest: day_cv2 {day:.4g}, intraday_cv2 "
                                      f"{intra:.4g}, intraday_corr {corr:.3g}")
    pct = round(FALLBACK_LEVEL * 100)
    if {f"offered_lo_{pct}", f"offered_hi_{pct}"} <= set(forecast.columns):
        return Uncertainty(interval_level=FALLBACK_LEVEL,
                           source=f"the forecast's {pct} % prediction interval, read as an "
                                  "error of the day's level (no manifest beside it)")
    return Uncertainty()


def _demand(rows: pd.DataFrame, queue: str, horizon: Horizon, uncertainty: Uncertainty,
            source: str) -> Demand:
    if uncertainty.interval_level is not None:
        return demand_from_frame(rows, [queue], horizon, source=source,
                                 uncertainty_level=uncertainty.interval_level)
    demand = demand_from_frame(rows, [queue], horizon, source=source)
    return dataclasses.replace(
        demand, rate_sd=math.sqrt(uncertainty.day_cv2) * demand.volume,
        intraday_cv2=np.array([uncertainty.intraday_cv2]) if uncertainty.intraday_cv2 > 0
        else None,
        intraday_corr=np.array([uncertainty.intraday_corr]) if uncertainty.intraday_cv2 > 0
        else None)


def forecast_horizon(forecast: pd.DataFrame, config: Config) -> Horizon:
    """The local days the forecast covers, on the ``[data] interval_minutes`` grid."""
    tz = config.site.timezone
    local = pd.DatetimeIndex(forecast["interval_start"]).tz_convert(tz)
    first: date = min(local.date)
    last: date = max(local.date)
    return make_horizon(first, (last - first).days + 1, config.data.interval_minutes, tz)


def size_to_confidence(config: Config, forecast: pd.DataFrame, inputs: StaffingInputs,
                       levels: Mapping[str, float], series: Mapping[str, Any], *,
                       source: str, progress: Callable[[str], None] | None = None,
                       executor: Executor | None = None,
                       ) -> tuple[dict[str, pd.Series], list[QueueConfidence]]:
    """Productive agents per interval (by queue, indexed by UTC ``interval_start``) at
    each queue's confidence level, and what each cost.

    ``inputs``: what :func:`staff_forecast` takes (from wfm.toml);
    ``levels``: confidence by queue (see :func:`queue_confidence`); ``series``: the
    forecast manifest's per-series facts; ``executor``: where the sizing's replications
    run (the job's Dask cluster; default: threads here), the agents do not depend on it.
    """
    horizon = forecast_horizon(forecast, config)
    st = config.staffing
    options = SimOptions(st.confidence_replications, st.confidence_seed,
                         workers=max(1, min(os.cpu_count() or 1, st.confidence_replications)))
    agents: dict[str, pd.Series] = {}
    out: list[QueueConfidence] = []
    for name in sorted(levels):
        rows = forecast[forecast["queue"].astype(str) == name]
        if rows.empty:
            continue
        targets = inputs.queues[name]
        channel = str(rows["channel"].iloc[0])
        uncertainty = forecast_uncertainty(series, forecast, name, channel)
        # The staffing's patience (an estimated one too) is the simulated queue's.
        queue = dataclasses.replace(simulation_queues(config, [name], horizon.starts)[0],
                                    patience_s=targets.patience_s)
        demand = _demand(rows, name, horizon, uncertainty, source)
        period, labels = _periods(horizon, weekly=targets.is_deferred)
        if progress is not None:
            progress(f"sizing {name} to confidence {levels[name]:g} by "
                     f"{'week' if targets.is_deferred else 'day'} ({options.replications} "
                     f"simulated replications, seed {options.seed})")
        staff = _staff_rule(rows, name, inputs, horizon, deferred=targets.is_deferred)
        sizing = staff_to_confidence(queue, demand, staff, levels[name], options,
                                     period=period, labels=labels, executor=executor)
        agents[name] = pd.Series(sizing.agents, index=horizon.starts)
        out.append(QueueConfidence(name, levels[name],
                                   "week" if targets.is_deferred else "day", uncertainty,
                                   options.replications, options.seed, sizing, labels,
                                   horizon.days))
    return agents, out


def _periods(horizon: Horizon, *, weekly: bool) -> tuple[IntArray, tuple[str, ...]]:
    if not weekly:
        return horizon.day_index, horizon.days
    period: IntArray = horizon.day_index // 7
    labels = tuple(f"week of {horizon.days[7 * k]}" for k in range(int(period.max()) + 1))
    return period, labels


def _staff_rule(rows: pd.DataFrame, name: str, inputs: StaffingInputs,
                horizon: Horizon, *, deferred: bool) -> Callable[[FloatArray], FloatArray]:
    """The queue's staffing rule of `wfm staff` on the forecast times a factor per
    interval, as whole agents on the horizon's intervals (a deferred plan's running
    total rounded up, so its capacity is never behind the plan)."""
    stamps = pd.DatetimeIndex(rows["interval_start"]).tz_convert("UTC")
    pos = horizon.starts.get_indexer(stamps)
    inside = pos >= 0
    rows = rows[inside]
    pos = pos[inside]
    offered = rows["offered"].to_numpy(float)
    one = inputs.with_queues({name: inputs.queues[name]})

    def staff(factor: FloatArray) -> FloatArray:
        scaled = rows.assign(offered=offered * factor[pos])
        req, _ = staff_forecast(scaled, one)
        out = np.zeros(horizon.starts.size)
        at = horizon.starts.get_indexer(pd.DatetimeIndex(req["interval_start"]).tz_convert(
            "UTC"))
        ok = at >= 0
        out[at[ok]] = req["agents_productive"].to_numpy(float)[ok]
        return whole_agents_cumulative(out) if deferred else out

    return staff


def confidence_daily(daily: pd.DataFrame, plain: pd.DataFrame,
                     sized: list[QueueConfidence]) -> pd.DataFrame:
    """daily.csv with, for queues staffed to a confidence level, the level, the load
    factor and probability of meeting the target of each day's period (on the sizing
    run's replications, plain staffing too), the plain staffing's scheduled agent-hours
    and the extra agent-hours over it."""
    out = daily.copy()
    base = plain.set_index(["queue", "date"])["agent_hours_scheduled"]
    cols: dict[str, list[float]] = {c: [] for c in (
        "confidence", "load_factor", "p_target_met", "p_target_met_plain",
        "agent_hours_plain", "extra_agent_hours")}
    by_queue = {c.queue: c for c in sized}
    for q, d, hours in zip(out["queue"], out["date"], out["agent_hours_scheduled"],
                           strict=True):
        c = by_queue.get(str(q))
        day = _day_number(c, str(d))
        if c is None or day is None:
            for values in cols.values():
                values.append(math.nan)
            continue
        k = day // 7 if c.period == "week" else day
        plain_h = float(base.get((q, d), math.nan))
        cols["confidence"].append(c.confidence)
        cols["load_factor"].append(float(c.sizing.factor[k]))
        cols["p_target_met"].append(float(c.sizing.p_met[k]))
        cols["p_target_met_plain"].append(float(c.sizing.p_met_plain[k]))
        cols["agent_hours_plain"].append(plain_h)
        cols["extra_agent_hours"].append(float(hours) - plain_h)
    for name, values in cols.items():
        out[name] = values
    return out


def _day_number(c: QueueConfidence | None, day: str) -> int | None:
    if c is None or day not in c.days:
        return None
    return c.days.index(day)


def describe(c: QueueConfidence, daily: pd.DataFrame) -> str:
    """One line per queue for the command's output: cost and probabilities."""
    rows = daily[daily["queue"] == c.queue]
    plain = float(rows["agent_hours_plain"].sum())
    extra = float(rows["extra_agent_hours"].sum())
    share = f" ({extra / plain:+.1%})" if plain > 0 else ""
    return (f"{c.queue}: confidence {c.confidence:g} by {c.period}: {extra:+,.1f} agent-hours "
            f"scheduled over plain staffing{share}; {c.period}s meeting the target in the "
            f"sizing simulation {c.p_met(plain=True):.2f} -> {c.p_met():.2f}")


def manifest_entry(c: QueueConfidence, daily: pd.DataFrame) -> dict[str, Any]:
    """What the requirements manifest records of one queue's confidence staffing."""
    rows = daily[daily["queue"] == c.queue]
    return {
        "confidence": c.confidence, "period": c.period, "uncertainty": c.uncertainty.source,
        "replications": c.replications, "seed": c.seed,
        "agent_hours_scheduled": round(float(rows["agent_hours_scheduled"].sum()), 4),
        "agent_hours_plain": round(float(rows["agent_hours_plain"].sum()), 4),
        "extra_agent_hours": round(float(rows["extra_agent_hours"].sum()), 4),
        "agent_hours_productive": round(c.sizing.agent_hours, 4),
        "p_target_met": round(c.p_met(), 4), "p_target_met_plain": round(c.p_met(True), 4),
        "load_factor": {label: round(float(f), 4) for label, f, ok in zip(
            c.period_labels, c.sizing.factor, np.isfinite(c.sizing.p_met_plain), strict=False)
            if ok},
    }
