"""One scenario's capacity plan: required vs available FTE, the hiring plan, the waterfall."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from wfm.capacity.demand import PlanShrinkage, group_sum, required_fte
from wfm.capacity.hiring import (
    HiringPlan,
    HiringRules,
    SolverLimits,
    plan_hiring,
    seats_taken,
)
from wfm.capacity.horizon import FloatArray, PlanHorizon, week_mean
from wfm.capacity.scenarios import Scenario
from wfm.capacity.supply import Cohort, TenureBand, project_cohorts, scale_bands
from wfm.capacity.waterfall import ALL_GROUPS, GroupSupply, monthly_waterfall, weekly_supply
from wfm.errors import PlanError

WEEKLY_COLUMNS: tuple[str, ...] = (
    "scenario", "week_start", "group", "required_fte", "available_fte_current",
    "available_fte", "gap_fte", "short_fte", "headcount", "trainees")
DEMAND_COLUMNS: tuple[str, ...] = (
    "scenario", "week_start", "queue", "group", "offered", "aht_s", "workload_h",
    "productive_h", "shrinkage", "required_fte")
CLASS_COLUMNS: tuple[str, ...] = (
    "scenario", "group", "start", "size", "source", "training_end", "full_proficiency",
    "cost")


@dataclass(frozen=True)
class QueueDemand:
    """The staffed long-term forecast of one scenario, per queue (rows in ``queues``
    order): ``productive_h`` per plan day [agent-hours]; ``offered`` [contacts] and
    ``handle_h`` (offered x AHT) [h] per plan week."""

    queues: tuple[str, ...]
    productive_h: FloatArray
    offered: FloatArray
    handle_h: FloatArray


@dataclass(frozen=True)
class PlanInputs:
    """Everything a scenario's plan needs besides its demand.

    ``queue_group`` maps every queue of the demand to its skill group (``groups``);
    ``staff``: today's agents; ``planned``: hire classes already decided;
    ``hours_per_fte`` [h]: weekly paid hours of one FTE; ``hire``: whether to propose
    classes (the MIP) at all.
    """

    horizon: PlanHorizon
    groups: tuple[str, ...]
    queue_group: Mapping[str, str]
    staff: tuple[Cohort, ...]
    planned: tuple[Cohort, ...] = ()
    bands: tuple[TenureBand, ...] = ()
    shrinkage: PlanShrinkage = field(default_factory=PlanShrinkage)
    hours_per_fte: float = 37.5
    rules: HiringRules = field(default_factory=HiringRules)
    limits: SolverLimits = field(default_factory=SolverLimits)
    hire: bool = True


@dataclass(frozen=True)
class ScenarioPlan:
    """A scenario's plan: ``weekly`` (per group and week, WEEKLY_COLUMNS), ``demand`` (per
    queue and week), ``waterfall`` (per month and group), ``classes`` (planned and
    proposed) and the solver's ``hiring`` result."""

    scenario: Scenario
    weekly: pd.DataFrame
    demand: pd.DataFrame
    waterfall: pd.DataFrame
    classes: pd.DataFrame
    hiring: HiringPlan | None


def proposed_cohorts(hiring: HiringPlan, rules: HiringRules) -> list[Cohort]:
    """The proposed classes as cohorts of the supply model."""
    return [Cohort(f"proposed {c.group} {c.start}", c.group, float(c.size), rules.fte_per_hire,
                   c.start, rules.training, kind="proposed") for c in hiring.classes]


def plan_scenario(scenario: Scenario, demand: QueueDemand, inputs: PlanInputs
                  ) -> ScenarioPlan:
    """Required FTE from the demand, supply from the cohorts, the hiring plan (MIP) and
    the resulting weekly gap and monthly waterfall of one scenario."""
    h = inputs.horizon
    unknown = [q for q in demand.queues if q not in inputs.queue_group]
    if unknown:
        raise PlanError(f"queues {', '.join(unknown)} belong to no skill group")
    shrink = inputs.shrinkage.on_days(h, scenario.shrinkage_change)
    by_queue = required_fte(demand.productive_h, shrink, h, inputs.hours_per_fte)
    required = group_sum(by_queue, demand.queues, inputs.queue_group, inputs.groups)
    bands = scale_bands(inputs.bands, scenario.attrition_factor)
    current = (*inputs.staff, *inputs.planned)
    base = weekly_supply(project_cohorts(current, h, bands), inputs.groups)
    hiring = None
    proposed: list[Cohort] = []
    if inputs.hire:
        hiring = plan_hiring(required, base.productive_fte, inputs.groups, h, inputs.rules,
                             bands=bands, seats_used=seats_taken(inputs.planned, h),
                             limits=inputs.limits)
        proposed = proposed_cohorts(hiring, inputs.rules)
    projection = project_cohorts((*current, *proposed), h, bands)
    final = weekly_supply(projection, inputs.groups)
    weekly = _weekly_frame(scenario.name, h, inputs.groups, required=required,
                           current=base.productive_fte, final=final,
                           tolerance=inputs.rules.gap_tolerance)
    waterfall = monthly_waterfall(projection, inputs.groups)
    waterfall.insert(0, "scenario", scenario.name)
    return ScenarioPlan(scenario, weekly,
                        _demand_frame(scenario.name, h, demand, inputs, shrink=shrink,
                                      by_queue=by_queue),
                        waterfall, _class_frame(scenario.name, inputs, proposed, hiring),
                        hiring)


def _weekly_frame(name: str, h: PlanHorizon, groups: tuple[str, ...], *, required: FloatArray,
                  current: FloatArray, final: GroupSupply, tolerance: float) -> pd.DataFrame:
    rows = []
    starts = h.week_starts()
    stacks = {"required_fte": required, "available_fte_current": current,
              "available_fte": final.productive_fte, "headcount": final.headcount,
              "trainees": final.trainees}
    totals = {k: v.sum(axis=0) for k, v in stacks.items()}
    for g, group in [*enumerate(groups), (None, ALL_GROUPS)]:
        part = {k: (v[g] if g is not None else totals[k]) for k, v in stacks.items()}
        for w, start in enumerate(starts):
            rows.append({"scenario": name, "week_start": start.isoformat(), "group": group,
                         **{k: float(v[w]) for k, v in part.items()}})
    frame = pd.DataFrame(rows)
    frame["gap_fte"] = frame["available_fte"] - frame["required_fte"]
    short = np.maximum((1.0 - tolerance) * frame["required_fte"] - frame["available_fte"], 0.0)
    frame["short_fte"] = short
    if len(groups) > 1:  # the total's shortfall is the groups' (no borrowing between them)
        per_group = frame[frame["group"] != ALL_GROUPS].groupby("week_start")["short_fte"].sum()
        is_all = frame["group"] == ALL_GROUPS
        frame.loc[is_all, "short_fte"] = frame.loc[is_all, "week_start"].map(per_group)
    return frame[list(WEEKLY_COLUMNS)]


def _demand_frame(name: str, h: PlanHorizon, demand: QueueDemand, inputs: PlanInputs, *,
                  shrink: FloatArray, by_queue: FloatArray) -> pd.DataFrame:
    starts = [s.isoformat() for s in h.week_starts()]
    weekly_h = demand.productive_h.reshape(len(demand.queues), h.weeks, 7).sum(axis=2)
    shrink_w = week_mean(shrink[None, :], h.weeks)[0]
    parts = []
    for i, q in enumerate(demand.queues):
        offered = demand.offered[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(offered > 0, demand.handle_h[i] * 3600.0 / offered, np.nan)
        parts.append(pd.DataFrame({
            "scenario": name, "week_start": starts, "queue": q,
            "group": inputs.queue_group[q], "offered": offered, "aht_s": aht,
            "workload_h": demand.handle_h[i], "productive_h": weekly_h[i],
            "shrinkage": shrink_w, "required_fte": by_queue[i]}))
    if not parts:
        return pd.DataFrame(columns=list(DEMAND_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(DEMAND_COLUMNS)]


def _class_frame(name: str, inputs: PlanInputs, proposed: list[Cohort],
                 hiring: HiringPlan | None) -> pd.DataFrame:
    costs = {(c.group, c.start): c.cost for c in hiring.classes} if hiring else {}
    rows = []
    for c in (*inputs.planned, *proposed):
        assert c.joined is not None
        training = c.training
        rows.append({
            "scenario": name, "group": c.group, "start": c.joined.isoformat(),
            "size": c.size, "source": c.kind,
            "training_end": (c.joined + timedelta(days=training.training_days - 1)).isoformat()
            if training and training.training_days else "",
            "full_proficiency": training.full_proficiency(c.joined).isoformat()
            if training else c.joined.isoformat(),
            "cost": costs.get((c.group, c.joined), np.nan)})
    if not rows:
        return pd.DataFrame(columns=list(CLASS_COLUMNS))
    return pd.DataFrame(rows)[list(CLASS_COLUMNS)]
