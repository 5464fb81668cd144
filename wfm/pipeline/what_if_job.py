"""The what-if job: one forecast staffed under several scenarios, side by side.

Each scenario ([[scenarios]] of wfm.toml, or one given on the command line) changes the
typed staffing inputs of some queues (volume and AHT of the forecast, the queue's
targets, shrinkage, occupancy cap, confidence level); the staffing library runs on each
(and, for a queue with a confidence level, the simulation that sizes it), and the result is
agent-hours and FTE per queue and week next to the baseline (wfm.toml as it is). Nothing
is published: a what-if never moves requirements/latest.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config.queues import QueueConfig
from wfm.config.scenarios import BASELINE, QueueChanges, ScenarioConfig, scenario_from_values
from wfm.config.staffing import staffing_inputs
from wfm.errors import ConfigError, StaffingError
from wfm.forecasting.adjustments import Change
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders.files import read_forecast
from wfm.pipeline.run_folders.manifests import read_manifest
from wfm.pipeline.staff_job import StaffRequest, forecast_path, queue_confidence
from wfm.reports import ChartSpec, Report
from wfm.schema import AHT_S, OFFERED, QUEUE
from wfm.staffing.calculator import parse_sl_target
from wfm.staffing.requirements import QueueTargets, StaffingInputs, staff_forecast
from wfm.staffing.shrinkage import ShrinkageProfile
from wfm.staffing.weekly import weekly_hours

#: The name of a scenario given on the command line.
COMMAND_LINE = "command_line"
#: The row summing every queue of a week.
ALL_QUEUES = "all queues"
_BOUNDS = ("offered_lo_80", "offered_hi_80", "offered_lo_95", "offered_hi_95")
#: The columns of the comparison, in order.
COLUMNS = ("queue", "week", "days", "scenario", "agent_hours_productive",
           "agent_hours_scheduled", "fte", "delta_agent_hours", "delta_fte", "fte_change")


@dataclass(frozen=True)
class ScenarioOptions:
    """A scenario given on the command line (``None``: unchanged): ``volume`` and ``aht``
    as ``"+10%"``/``"x1.1"`` (``aht`` also seconds), ``target`` ``"90/20"`` (percent /
    seconds), ``shrinkage`` [0-1], ``concurrency``, ``patience_s`` [s], ``max_occupancy``
    [0-1], ``confidence`` (0-1); ``queues`` limits them (default: every queue)."""

    queues: tuple[str, ...] = ()
    volume: str | None = None
    aht: str | None = None
    target: str | None = None
    shrinkage: float | None = None
    concurrency: int | None = None
    patience_s: float | None = None
    max_occupancy: float | None = None
    confidence: float | None = None

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"queues": list(self.queues)} if self.queues else {}
        simple = {"volume": self.volume, "aht_s": self.aht, "shrinkage": self.shrinkage,
                  "concurrency": self.concurrency, "patience_s": self.patience_s,
                  "max_occupancy": self.max_occupancy, "confidence": self.confidence}
        out.update({k: v for k, v in simple.items() if v is not None})
        if self.target is not None:
            sl = parse_sl_target(self.target)
            out.update(sl_target=sl.fraction, sl_threshold_s=sl.threshold_s)
        return out

    def given(self) -> bool:
        return bool(set(self.values()) - {"queues"})


@dataclass(frozen=True)
class WhatIfRequest:
    """``scenarios``: names of [[scenarios]] (default: all of them, unless ``options``
    give one); ``options``: a scenario from the command line; ``forecast``: a forecast.csv
    or forecast run folder (default: forecasts/latest)."""

    scenarios: tuple[str, ...] = ()
    options: ScenarioOptions | None = None
    forecast: Path | None = None


@dataclass(frozen=True)
class WhatIfResult:
    """``report``: one row per queue x week x scenario (baseline first) with the change
    against the baseline, its title (every scenario's changes) and a chart of total FTE
    per week; ``scenarios``: what was compared; ``source``: the forecast staffed."""

    report: Report
    scenarios: tuple[ScenarioConfig, ...]
    source: Path


def what_if(project: Project, request: WhatIfRequest | None = None) -> WhatIfResult:
    """Staff one forecast under the baseline and each scenario; agent-hours and FTE per
    queue and week, side by side."""
    request = request or WhatIfRequest()
    cfg = project.config
    scenarios = _chosen(project, request)
    path = forecast_path(project, StaffRequest(forecast=request.forecast), None, step=False)
    forecast = read_forecast(path)
    for name in forecast[QUEUE].unique():
        cfg.queue(str(name))  # an unknown queue is a ConfigError naming wfm.toml
    starts = forecast["interval_start"]
    inputs = staffing_inputs(cfg, range(starts.min().year - 1, starts.max().year + 2))
    # The baseline is what `wfm staff` publishes: queues with a confidence level in
    # wfm.toml are sized to it, and a scenario keeps that level unless it sets its own.
    sizing = _Sizing(project, path, queue_confidence(cfg))
    baseline = sizing.daily(forecast, inputs, BASELINE)
    weekly = {BASELINE: baseline}
    for scenario in scenarios:
        weekly[scenario.name] = _scenario_daily(forecast, inputs, cfg.queues, scenario,
                                                baseline=baseline, sizing=sizing)
    frame = _side_by_side({k: weekly_hours(v, hours_per_fte=cfg.staffing.hours_per_fte)
                           for k, v in weekly.items()})
    return WhatIfResult(Report(frame, _title(path, cfg.staffing.hours_per_fte, scenarios,
                                             cfg.queues), _chart(frame)),
                        scenarios, path)


def _chosen(project: Project, request: WhatIfRequest) -> tuple[ScenarioConfig, ...]:
    cfg = project.config
    chosen = [cfg.scenario(name) for name in request.scenarios]
    options = request.options
    if options is not None and options.given():
        chosen.append(scenario_from_values(options.values(), cfg.queues, name=COMMAND_LINE,
                                           source="wfm what-if"))
    elif options is not None and options.queues:
        raise ConfigError("wfm what-if: --queue limits a change given on the command line; "
                          "accepted: --queue with --volume, --aht, --target, --shrinkage, "
                          "--concurrency, --patience, --max-occupancy or --confidence")
    if not request.scenarios and not chosen:
        chosen = list(cfg.scenarios)
    if not chosen:
        raise ConfigError(f"{cfg.path}: no scenario to compare: [[scenarios]] is empty and "
                          "the command line gives none",
                          hint='add a [[scenarios]] table (name = "peak", volume = "+10%") '
                               "or give e.g. --volume +10%")
    return tuple(chosen)


@dataclass(frozen=True)
class _Sizing:
    """Staffs a forecast as `wfm staff` does: plain, or at a queue's confidence level."""

    project: Project
    path: Path
    levels: dict[str, float]

    def daily(self, forecast: pd.DataFrame, inputs: StaffingInputs, scenario: str,
              levels: dict[str, float] | None = None) -> pd.DataFrame:
        wanted = self.levels if levels is None else levels
        present = set(forecast[QUEUE].astype(str))
        wanted = {q: v for q, v in wanted.items() if q in present}
        where = "" if scenario == BASELINE else f"scenario {scenario!r}: "
        try:
            if not wanted:
                return staff_forecast(forecast, inputs)[1]
            from wfm.pipeline.confidence_staffing import size_to_confidence

            series = read_manifest(self.path.parent).get("series")
            agents, _ = size_to_confidence(
                self.project.config, forecast, inputs, wanted,
                series if isinstance(series, dict) else {}, source=str(self.path))
            return staff_forecast(forecast, inputs, agents=agents)[1]
        except StaffingError as exc:
            raise StaffingError(f"{self.path}: {where}{exc.message}", hint=exc.hint) from None


def _scenario_daily(forecast: pd.DataFrame, inputs: StaffingInputs,
                    queues: tuple[QueueConfig, ...],
                    scenario: ScenarioConfig, *, baseline: pd.DataFrame, sizing: _Sizing
                    ) -> pd.DataFrame:
    """Per-day staffing under ``scenario``: each changed queue is staffed on its own
    (shrinkage and the occupancy cap may differ per queue); the others keep the
    baseline's rows."""
    channels = {q.name: q.channel for q in queues}
    parts = []
    for name, rows in forecast.groupby(QUEUE, sort=True):
        queue = str(name)
        changes = scenario.changes_for(queue, channels[queue])
        if not changes.set_keys():
            parts.append(baseline[baseline[QUEUE] == queue])
            continue
        queue_inputs = dataclasses.replace(
            inputs, queues={queue: _targets(inputs.queues[queue], changes)},
            shrinkage=(inputs.shrinkage if changes.shrinkage is None
                       else ShrinkageProfile(changes.shrinkage)),
            max_occupancy=(inputs.max_occupancy if changes.max_occupancy is None
                           else changes.max_occupancy))
        level = changes.confidence if changes.confidence is not None else \
            sizing.levels.get(queue)
        parts.append(sizing.daily(_changed_forecast(rows, changes), queue_inputs, scenario.name,
                                  {queue: level} if level is not None else {}))
    return pd.concat(parts, ignore_index=True)


def _changed_forecast(rows: pd.DataFrame, changes: QueueChanges) -> pd.DataFrame:
    out = rows.copy()
    if changes.volume is not None:
        for col in (OFFERED, *(c for c in _BOUNDS if c in out)):
            out[col] = out[col] * changes.volume.value
    if changes.aht is not None:
        out[AHT_S] = _changed(out[AHT_S], changes.aht)
    return out


def _changed(values: pd.Series, change: Change) -> pd.Series:
    if change.is_absolute:
        return pd.Series(change.value, index=values.index)
    return values * change.value


def _targets(base: QueueTargets, changes: QueueChanges) -> QueueTargets:
    """The queue's targets with the scenario's values (``None`` keeps the baseline's)."""
    new: dict[str, Any] = {k: getattr(changes, k) for k in (
        "sl_target", "sl_threshold_s", "response_target", "patience_s", "concurrency")
        if getattr(changes, k) is not None}
    if changes.response_time_h is not None:
        new["response_time_s"] = changes.response_time_h * 3600.0
    return dataclasses.replace(base, **new)


def _side_by_side(weekly: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One long frame: queue, week, days, scenario, the hours and FTE, and the change
    against the baseline of the same queue and week; every queue's weeks, then the sum
    over queues (``all queues``)."""
    frames = []
    for order, (name, frame) in enumerate(weekly.items()):
        total = (frame.groupby("week", as_index=False)
                 .agg(days=("days", "max"),
                      agent_hours_productive=("agent_hours_productive", "sum"),
                      agent_hours_scheduled=("agent_hours_scheduled", "sum"),
                      fte=("fte", "sum"))
                 .assign(queue=ALL_QUEUES))
        frames.append(pd.concat([frame, total], ignore_index=True)
                      .assign(scenario=name, _order=order))
    long = pd.concat(frames, ignore_index=True)
    base = long[long["scenario"] == BASELINE].set_index(["queue", "week"])
    key = pd.MultiIndex.from_frame(long[["queue", "week"]])
    base_hours = base["agent_hours_scheduled"].reindex(key).to_numpy()
    base_fte = base["fte"].reindex(key).to_numpy()
    long["delta_agent_hours"] = long["agent_hours_scheduled"] - base_hours
    long["delta_fte"] = long["fte"] - base_fte
    long["fte_change"] = (long["fte"] / base_fte - 1.0).where(base_fte > 0)
    long["_last"] = long["queue"] == ALL_QUEUES
    long = long.sort_values(["_last", "queue", "week", "_order"], kind="stable")
    return long[list(COLUMNS)].reset_index(drop=True).round(4)


def _chart(frame: pd.DataFrame) -> ChartSpec:
    totals = frame[frame["queue"] == ALL_QUEUES]
    names = list(dict.fromkeys(totals["scenario"]))
    wide = totals.pivot_table(index="week", columns="scenario", values="fte",
                              aggfunc="sum", sort=True)[names].reset_index()
    wide.columns = ["week", *names]
    return ChartSpec(wide, "week", tuple(names), "FTE per week, all queues, by scenario",
                     y_title="FTE", x_title="week (Monday)")


def _title(path: Path, hours_per_fte: float, scenarios: tuple[ScenarioConfig, ...],
           queues: tuple[QueueConfig, ...]) -> str:
    channels = {q.name: q.channel for q in queues}
    lines = [f"What-if staffing of {path}: scheduled agent-hours and FTE per queue and "
             f"week (Monday, local); FTE = agent-hours / ({hours_per_fte:g} h x days / 7); "
             "delta_* and fte_change against the baseline (wfm.toml as it is)"]
    for s in scenarios:
        per_queue = []
        for queue, channel in channels.items():
            text = s.changes_for(queue, channel).describe()
            if text:
                per_queue.append(f"{queue}: {text}")
        label = f" ({s.description})" if s.description else ""
        lines.append(f"  {s.name}{label}: {'; '.join(per_queue)}")
    return "\n".join(lines)
