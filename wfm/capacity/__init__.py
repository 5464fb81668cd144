"""Long-term capacity planning: required vs available FTE per week, attrition, hire
classes and the least-cost hiring plan (a MIP), per scenario.

Pure numerical cores on typed dataclasses; the long-term forecast and its interval
staffing come from wfm.forecasting and wfm.staffing through the pipeline's plan job.
"""

from wfm.capacity.demand import PlanShrinkage, ShrinkagePeriod, required_fte
from wfm.capacity.hiring import (
    HiringPlan,
    HiringRules,
    ProposedClass,
    SolverLimits,
    plan_hiring,
)
from wfm.capacity.horizon import PlanHorizon
from wfm.capacity.plan import PlanInputs, QueueDemand, ScenarioPlan, plan_scenario
from wfm.capacity.scenarios import BASE, Scenario
from wfm.capacity.supply import (
    Cohort,
    Projection,
    TenureBand,
    TrainingProfile,
    project_cohorts,
)
from wfm.capacity.waterfall import ALL_GROUPS, monthly_waterfall, weekly_supply

__all__ = [
    "ALL_GROUPS", "BASE", "Cohort", "HiringPlan", "HiringRules", "PlanHorizon", "PlanInputs",
    "PlanShrinkage", "Projection", "ProposedClass", "QueueDemand", "Scenario", "ScenarioPlan",
    "ShrinkagePeriod", "SolverLimits", "TenureBand", "TrainingProfile", "monthly_waterfall",
    "plan_hiring", "plan_scenario", "project_cohorts", "required_fte", "weekly_supply",
]
