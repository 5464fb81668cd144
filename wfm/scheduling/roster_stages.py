"""The stages of :func:`wfm.scheduling.roster.schedule_week` between the plan and the
frames: stage (a) with its fallbacks, stage (b) over the groups, stage (d) with its cost,
and the breaks profile the plan hands to stage (c)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from wfm.errors import InfeasibleScheduleError, SolverError
from wfm.scheduling.assignment import Assignment
from wfm.scheduling.break_placement import PlacedBreaks
from wfm.scheduling.coverage_model import objective_parts
from wfm.scheduling.eligibility import AgentLike
from wfm.scheduling.queue_blocks import QueueBlocks, assign_queue_blocks
from wfm.scheduling.roster_frames import scheduled_counts
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.schedule_summary import QueueSwitches
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.shift_margins import ShiftMargins
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.threads import map_ordered
from wfm.scheduling.two_level_assignment import assign_in_two_levels
from wfm.scheduling.weekly_plan import WeeklyPlan, solve_weekly_plan

# Shares of the budget: the weekly plan carries the quality, the later stages repair. A
# stage also gets what the earlier ones left (work counted deterministically).
STAGE_SHARES = {"a": 0.5, "b": 0.3, "c": 0.15, "d": 0.05}


def plan_breaks(catalog: ShiftCatalog, groups: Sequence[Any], plan: WeeklyPlan,
                n_agents: int) -> tuple[list[int], np.ndarray]:
    """Each agent's stage-(a) group, and the plan's agents on break per group and slot:
    planned agents on shift less planned agents working."""
    n_t = catalog.grid.n_slots
    group_of = [0] * n_agents
    profile = np.zeros((len(groups), n_t), dtype=np.int64)
    for g, group in enumerate(groups):
        for a in group.members:
            group_of[a] = g
        diff = np.zeros(catalog.grid.horizon + 1, dtype=np.int64)
        np.add.at(diff, catalog.start, plan.shifts[g])
        np.add.at(diff, catalog.end, -plan.shifts[g])
        on_shift = np.cumsum(diff)[:n_t]
        profile[g] = on_shift - plan.alloc[g].sum(axis=0)
    return group_of, profile


@dataclass
class StageB:
    """What stage (b) did over all groups."""

    statuses: list[str]
    missed: int = 0
    extra: int = 0
    deterministic_s: float = 0.0
    wall_limit_hits: int = 0
    fallbacks: list[str] = field(default_factory=list)


def assign_agents(catalog: ShiftCatalog, groups: Sequence[Any], plan: WeeklyPlan,  # noqa: PLR0917
                  agents: Sequence[AgentLike], eligible: np.ndarray, limits: Any,
                  rules: ShiftRules, queues: Sequence[str], params: SolverParams,
                  carry: np.ndarray, usual_start: np.ndarray | None = None,
                  ) -> tuple[np.ndarray, StageB]:
    """Stage (b), group by group, each with a share of the budget by its members."""
    shift_of = np.full((len(agents), 7), -1, dtype=np.int64)
    out = StageB([])

    def solve(g: int) -> Assignment:
        margins, under_weight, share = group_terms(catalog, groups, g, plan, rules, queues,
                                                   params)
        return assign_in_two_levels(
            catalog, groups[g], plan.shifts[g], agents, eligible, limits, rules,
            under_weight, share, carry_in_days=carry, margins=margins,
            previous_start_min=usual_start)

    # The groups share no agent: solved side by side, each with its own budget.
    for group, res in zip(groups, map_ordered(solve, list(range(len(groups))), params.workers),
                          strict=True):
        members = list(group.members)
        shift_of[members] = res.shift_of[members]
        out.statuses.append(res.status)
        out.missed += res.missed
        out.extra += res.extra
        out.deterministic_s += res.deterministic_s
        out.wall_limit_hits += int(res.wall_limit_hit)
        if res.fallback:
            out.fallbacks.append(res.fallback)
    return shift_of, out


def group_terms(catalog: ShiftCatalog, groups: Sequence[Any], g: int, plan: WeeklyPlan,  # noqa: PLR0917
                rules: ShiftRules, queues: Sequence[str], params: SolverParams,
                ) -> tuple[ShiftMargins, float, SolverParams]:
    """Stage (b)'s terms for group ``g``: what a shift more or less is worth against the
    plan's coverage, the understaffing weight of a missed shift (the mean over the group's
    queues) and the group's share of the budget (by its members)."""
    group = groups[g]
    qidx = {q: i for i, q in enumerate(queues)}
    queue_weights, over_weights = map(np.array, rules.weights(queues))
    weights = [rules.under_weight(q) for q in group.queues] or [rules.understaffing_weight]
    margins = ShiftMargins(catalog, plan.under, plan.over,
                           tuple(qidx[q] for q in group.queues), queue_weights,
                           over_weights, rules.cost_per_paid_hour, alloc=plan.alloc[g])
    total = sum(len(x.members) for x in groups)
    return (margins, float(np.mean(weights)),
            params.with_budget(params.time_limit_s * len(group.members) / total))


def queue_blocks(catalog: ShiftCatalog, placed: PlacedBreaks, shift_of: np.ndarray,  # noqa: PLR0917
                 priority: Sequence[Sequence[int]], required: np.ndarray, rules: ShiftRules,
                 queues: Sequence[str], params: SolverParams,
                 ) -> tuple[PlacedBreaks, QueueBlocks, float]:
    """Stage (d) on stage (c)'s placement: the placement with the new queues, stage (d)'s
    result, and what the blocks cost in coverage (weighted agent-hours, >= 0 when stage
    (c)'s slot-by-slot split was better)."""
    blocks = assign_queue_blocks(catalog, placed, shift_of, priority, required, rules,
                                 queues, params)
    after = replace(placed, queue=blocks.queue)
    slot_h = catalog.grid.slot_minutes / 60
    under_w, over_w = rules.weights(queues)
    cost = []
    for p in (placed, after):
        counts = scheduled_counts(p, len(queues), catalog.grid.n_slots)
        parts = objective_parts(np.maximum(required - counts, 0),
                                np.maximum(counts - required, 0), 0.0, under_w, over_w, 0.0,
                                slot_h)
        cost.append(parts["objective"])
    return after, blocks, cost[1] - cost[0]


def switch_stats(switches: np.ndarray, shift_of: np.ndarray,
                 multi: np.ndarray) -> QueueSwitches:
    """Queue switches per agent-day worked by agents with two queues or more: the most,
    the mean and how many agent-days had each count."""
    worked = (shift_of >= 0) & multi[:, None]
    values = switches[worked]
    if not len(values):
        return QueueSwitches()
    hist = np.bincount(values)
    return QueueSwitches(int(values.max()), round(float(values.mean()), 3), len(values),
                         {k: int(n) for k, n in enumerate(hist) if n})


def solve_plan(catalog: ShiftCatalog, groups: Sequence[Any], queues: Sequence[str],  # noqa: PLR0917
               required: np.ndarray, rules: ShiftRules, params: SolverParams) -> WeeklyPlan:
    try:
        return solve_weekly_plan(catalog, groups, queues, required, rules, params)
    except SolverError as exc:
        if "INFEASIBLE" not in exc.message:
            raise SolverError(f"stage (a), the weekly plan: {exc.message} (its share of the "
                              "run's budget)",
                              hint="raise --time-limit or [scheduling] time_limit_s; stage (a) "
                                   f"gets {STAGE_SHARES['a']:.0%} of it") from None
    # Pruning keeps only shifts starting and ending near demand; a contract minimum may
    # need others (a group whose queues are quiet), so retry with every allowed shift.
    try:
        return solve_weekly_plan(catalog, groups, queues, required, rules, params, prune=False)
    except SolverError as exc:
        if "INFEASIBLE" not in exc.message:
            raise
    raise InfeasibleScheduleError(
        "no weekly plan meets the agents' contracts (weekly hours and days) with the shift "
        "rules: availability, shift lengths or days off leave too few shifts for some group "
        "of agents")
