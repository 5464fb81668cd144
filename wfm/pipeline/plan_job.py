"""The plan job: stored history + agents + [plan] -> capacity plan per scenario.

Long-term forecast (52-78 weeks, daily totals with yearly season, trend and holidays),
interval staffing of every week, required vs available FTE per skill group and week, the
least-cost hiring plan (a MIP) and the monthly headcount waterfall, for ``base`` and each
``[[plan.scenarios]]``. Writes nothing unless a workbook or an HTML page is asked for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.capacity import ALL_GROUPS, PlanHorizon, PlanInputs, ScenarioPlan, plan_scenario
from wfm.config.adjustments import read_adjustments
from wfm.config.plan import (
    check_planned_classes,
    plan_scenarios,
    planned_classes,
    queue_groups,
)
from wfm.errors import InputDataError, OutputError
from wfm.forecasting.adjustments import apply_adjustments
from wfm.io.store import read_intervals
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.forecast_job import adjustment_warnings
from wfm.pipeline.plan_inputs import (
    history_notes,
    long_term_forecast,
    scenario_demand,
    staff_cohorts,
    supply_notes,
)
from wfm.pipeline.project import Project
from wfm.reports import Report
from wfm.reports.tables import PlanTables
from wfm.scheduling.agents import read_agents

#: What ``PlanResult.report(view)`` can show.
VIEWS: tuple[str, ...] = ("summary", "monthly", "weekly", "waterfall", "hires", "demand")


@dataclass(frozen=True)
class PlanRequest:
    """``weeks``: plan length (default ``[plan] horizon_weeks``); ``start``: its first
    Monday (default: the Monday on or after the day after the history); ``agents``: the
    agents file (default ``[scheduling] agents_file``); ``scenarios``: only these (always
    computed in the order given; default ``base`` and every ``[[plan.scenarios]]``);
    ``hire``: propose hire classes (the MIP); ``workbook``: write the plan's .xlsx here;
    ``html``: write the plan's self-contained HTML page (its charts inline) here."""

    weeks: int | None = None
    start: date | None = None
    agents: Path | None = None
    scenarios: tuple[str, ...] = ()
    hire: bool = True
    workbook: Path | None = None
    html: Path | None = None


@dataclass(frozen=True)
class PlanResult:
    """The plan of each scenario, its period, what it assumed and warned about."""

    plans: tuple[ScenarioPlan, ...]
    horizon: PlanHorizon
    groups: tuple[str, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    workbook: Path | None = None
    html: Path | None = None

    def tables(self) -> PlanTables:
        """Every table of the plan, all scenarios stacked."""
        return PlanTables(
            summary=summary_frame(self.plans), monthly=monthly_frame(self.plans),
            weekly=_stack(p.weekly for p in self.plans),
            waterfall=_stack(p.waterfall for p in self.plans),
            classes=_stack(p.classes for p in self.plans),
            demand=_stack(p.demand for p in self.plans))

    def report(self, view: str = "summary") -> Report:
        """One of :data:`VIEWS` as a report (title: period, groups, what the view holds)."""
        t = self.tables()
        frames = {"summary": t.summary, "monthly": t.monthly, "weekly": t.weekly,
                  "waterfall": t.waterfall, "hires": t.classes, "demand": t.demand}
        h = self.horizon
        title = (f"# capacity plan {h.start}..{h.end} ({h.weeks} weeks), groups "
                 f"{', '.join(self.groups)}; FTE = paid hours / hours of one FTE; "
                 f"{_VIEW_TITLES[view]}")
        return Report(frames[view].round(4), title)


_VIEW_TITLES = {
    "summary": "one row per scenario: mean weekly FTE, shortfall beyond the tolerance "
               "after hiring, proposed classes (start group x size) and the MIP's gap",
    "monthly": "per scenario and month: mean weekly required and available FTE (all "
               "groups), hires, attrition and closing headcount",
    "weekly": "per scenario, week and skill group: required vs available FTE",
    "waterfall": "per scenario, month and group: headcount opening + hires - attrition "
                 "- planned leavers = closing (expected heads)",
    "hires": "hire classes, planned and proposed",
    "demand": "per scenario, week and queue: forecast contacts, AHT, workload and "
              "required FTE",
}


def plan(project: Project, request: PlanRequest | None = None, *,
         progress: Callable[[str], None] | None = None,
         execution: Execution | ExecutorChoice | None = None) -> PlanResult:
    """A capacity plan per scenario from the stored history, the agents and [plan].

    ``progress(message)`` is told each stage (forecast, each scenario); the series are
    forecast by ``execution`` (default: [run] executor).
    """
    request = request or PlanRequest()
    cfg = project.config
    say = progress or (lambda _m: None)
    history = read_intervals(project.data_dir)
    horizon = PlanHorizon(request.start or _first_monday(history, cfg.site.timezone),
                          request.weeks or cfg.plan.horizon_weeks)
    scenarios = plan_scenarios(cfg, request.scenarios)
    class_warnings = check_planned_classes(cfg, horizon.start, horizon.end)
    adjustments = read_adjustments(cfg)  # a bad file fails before the long forecast
    groups, queue_group = queue_groups(cfg)
    agents_path = project.path(request.agents or cfg.scheduling.agents_file)
    agents = read_agents(agents_path, {q.name: q.channel for q in cfg.queues})
    staff = staff_cohorts(agents, queue_group, cfg.staffing.hours_per_fte)
    inputs = PlanInputs(horizon, groups, queue_group, staff,
                        planned_classes(cfg, queue_group), cfg.plan.attrition,
                        cfg.plan.shrinkage, cfg.staffing.hours_per_fte, cfg.plan.hiring,
                        cfg.plan.limits, hire=request.hire)
    say(f"forecasting {horizon.weeks} weeks from {horizon.start} ({cfg.plan.model})")
    with execution_for(cfg, execution) as ex:
        run = long_term_forecast(cfg, history, horizon, ex.series())
    # The planner's adjustments (`wfm adjust`) act on the long-term forecast as on the
    # short-term one: a campaign booked for next spring belongs in the plan too.
    adjusted = apply_adjustments(run.forecast, adjustments.adjustments,
                                 timezone=cfg.site.timezone)
    demands = {}
    plans = []
    for scenario in scenarios:
        say(f"scenario {scenario.name}: staffing every interval, then the hiring plan")
        key = scenario.demand_key
        if key not in demands:
            demands[key] = scenario_demand(cfg, adjusted.frame, horizon, scenario)
        plans.append(plan_scenario(scenario, demands[key], inputs))
    applied = [a.id for a in adjusted.applied]
    notes = (*history_notes(history, horizon),
             *supply_notes(agents, horizon, groups, staff),
             *([f"planner adjustment(s) {', '.join(applied)} applied to the forecast"]
               if applied else []))
    warnings = (*class_warnings, *run.warnings, *adjustment_warnings(adjusted),
                *_shortfalls(plans))
    result = PlanResult(tuple(plans), horizon, groups, tuple(notes), tuple(warnings))
    title = f"Capacity plan {horizon.start}..{horizon.end}, {cfg.site.name}"
    if request.workbook is not None:
        if request.workbook.suffix.lower() != ".xlsx":
            raise OutputError(f"{request.workbook}: the plan workbook needs an .xlsx name")
        # openpyxl only when a workbook is asked for (it is slow to import).
        from wfm.reports.plan_workbook import write_plan_workbook

        write_plan_workbook(result.tables(), request.workbook, title=title)
    if request.html is not None:
        if request.html.suffix.lower() not in (".html", ".htm"):
            raise OutputError(f"{request.html}: the plan page needs an .html name")
        from wfm.reports.plan_html import write_plan_html  # matplotlib: only when asked

        write_plan_html(result.tables(), request.html, title=title)
    return dataclasses.replace(result, workbook=request.workbook, html=request.html)


def _first_monday(history: pd.DataFrame, tz: ZoneInfo) -> date:
    if history.empty:
        raise InputDataError("no interval history in the data store",
                             hint="ingest history first with 'wfm ingest'")
    last: date = pd.Timestamp(history["interval_start"].max()).tz_convert(tz).date()
    day = last + timedelta(days=1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _stack(frames: object) -> pd.DataFrame:
    parts = [f for f in frames if len(f)]  # type: ignore[attr-defined]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _shortfalls(plans: list[ScenarioPlan]) -> list[str]:
    out = []
    for p in plans:
        w = p.weekly[(p.weekly["group"] != ALL_GROUPS) & (p.weekly["short_fte"] > 1e-6)]
        w = w.sort_values(["week_start", "short_fte"], ascending=[True, False])
        if len(w):
            first = w.iloc[0]
            out.append(f"scenario {p.scenario.name}: {w['week_start'].nunique()} week(s) "
                       f"below the tolerance after hiring, from the week of "
                       f"{first['week_start']} ({first['group']}: {first['short_fte']:.1f} "
                       "FTE short)")
    return out


def summary_frame(plans: tuple[ScenarioPlan, ...]) -> pd.DataFrame:
    """One row per scenario, side by side."""
    rows = []
    for p in plans:
        total = p.weekly[p.weekly["group"] == ALL_GROUPS]
        h = p.hiring
        proposed = p.classes[p.classes["source"] == "proposed"]
        rows.append({
            "scenario": p.scenario.name,
            "required_fte": total["required_fte"].mean(),
            "available_fte_current": total["available_fte_current"].mean(),
            "available_fte": total["available_fte"].mean(),
            "weeks_short": int((total["short_fte"] > 1e-6).sum()),
            "short_fte_weeks": total["short_fte"].sum(),
            "proposed_classes": len(proposed),
            "proposed_hires": round(float(proposed["size"].sum())),
            "classes": "; ".join(f"{start} {group} x{size:g}" for start, group, size in
                                 zip(proposed["start"], proposed["group"], proposed["size"],
                                     strict=True)),
            "hiring_cost": h.hiring_cost if h else float("nan"),
            "shortage_cost": h.shortage_cost if h else float("nan"),
            "solver_status": h.status if h else "not run",
            "optimality_gap": h.gap if h else float("nan"),
        })
    return pd.DataFrame(rows)


def monthly_frame(plans: tuple[ScenarioPlan, ...]) -> pd.DataFrame:
    """Per scenario and calendar month: mean weekly FTE (weeks starting in the month) and
    the waterfall's hires, attrition and closing headcount, all groups."""
    parts = []
    for p in plans:
        total = p.weekly[p.weekly["group"] == ALL_GROUPS].copy()
        total["month"] = total["week_start"].str[:7]
        fte = total.groupby("month", as_index=False)[
            ["required_fte", "available_fte", "gap_fte", "short_fte"]].mean()
        wf = p.waterfall[p.waterfall["group"] == ALL_GROUPS][
            ["month", "opening", "hires", "attrition", "planned_leavers", "closing"]]
        both = wf.merge(fte, on="month", how="left")
        both.insert(0, "scenario", p.scenario.name)
        parts.append(both)
    return _stack(parts)
