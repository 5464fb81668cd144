"""Stage (a): how many agents of each group start each shift, with implicit breaks.

The model (prefix counts of shifts and breaks, Bechtold & Jacobs 1990) is built by
:mod:`~wfm.scheduling.plan_layout` with the group rows of
:mod:`~wfm.scheduling.plan_group_rows`; its LP relaxation gives the bound and, rounded
(:mod:`~wfm.scheduling.plan_rounding`), the first plan, which the search of
:mod:`~wfm.scheduling.plan_search` improves.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.coverage_model import SCALE, add_coverage, allocation_values, objective_parts
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.linear_model import IntegerProgram, row_matrix, solve_lp
from wfm.scheduling.plan_layout import build_shift_rows
from wfm.scheduling.plan_rounding import monotone_prefixes, rounded_plan, work_values
from wfm.scheduling.plan_search import (
    FIRST_SHARE,
    LNS_SHARE,
    WHOLE_WEEK_MAX_AGENTS,
    PlanNeighbourhoods,
    relative_gap,
    search_plan,
)
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.solver_params import SolverParams

__all__ = ["WeeklyPlan", "relative_gap", "solve_weekly_plan"]


@dataclass(frozen=True)
class WeeklyPlan:
    """Result of stage (a).

    ``shifts[g, i]`` agents of group ``g`` on catalog shift ``i``; ``alloc[g, q, t]``
    agents of group ``g`` working queue ``q`` in slot ``t`` (breaks removed);
    ``objective`` and ``lp_bound`` in weighted agent-hours.
    """

    status: str
    shifts: np.ndarray
    alloc: np.ndarray
    under: np.ndarray
    over: np.ndarray
    objective: float
    lp_bound: float
    cp_bound: float
    parts: dict[str, float]
    wall_time_s: float
    lp_method: str = "GLOP"
    wall_limit_hits: int = 0  # solver calls stopped by the wall-clock net (0: reproducible)
    deterministic_s: float = 0.0  # work done, in budget seconds
    notes: tuple[str, ...] = ()
    # The LP optimum's excess and shortfall per queue [agent-hours] (approximate from PDLP).
    lp_over_h: tuple[float, ...] = ()
    lp_under_h: tuple[float, ...] = ()

    @property
    def bound(self) -> float:
        return max(self.lp_bound, self.cp_bound)

    @property
    def gap(self) -> float:
        """Relative gap to the best bound (0-1)."""
        return relative_gap(self.objective, self.bound)


def solve_weekly_plan(catalog: ShiftCatalog, groups: Sequence[AgentGroup],  # noqa: PLR0917
                      queue_names: Sequence[str], required: np.ndarray, rules: ShiftRules,
                      params: SolverParams, *, prune: bool = True) -> WeeklyPlan:
    """Build and solve stage (a); also solve its LP relaxation for the bound.

    The search: the LP relaxation (GLOP) gives the bound; its prefix counts, rounded by a
    common monotone rule, keep every ordering row of the implicit-break model and give a
    first integer plan; CP-SAT then re-solves one day at a time with the rest fixed
    (large-neighbourhood search, the days being nearly independent) and finally the whole
    week, hinted with the best plan, for what time is left. Before each step the plan in
    hand is checked against every group's day-split rows (valid rows on its shifts per
    length and day, :mod:`wfm.scheduling.day_split_cuts`); those it breaks join the model,
    so the plan ends up splittable into members' weeks of one shift a day.

    Parameters
    ----------
    required
        Agents required per queue and slot, integer array (n_queues, grid.n_slots).
    """
    clock = time.perf_counter()
    grid = catalog.grid
    n_t = grid.n_slots
    slot_h = grid.slot_minutes / 60
    ip = IntegerProgram()
    qidx = {q: i for i, q in enumerate(queue_names)}
    group_queues = [[qidx[q] for q in grp.queues] for grp in groups]
    layout, work = build_shift_rows(
        ip, catalog, groups, group_queues=group_queues, required=required, rules=rules,
        prune=prune)
    under_cost, over_cost = rules.scaled_weights(queue_names, SCALE)
    cov = add_coverage(ip, work, group_queues, [len(grp.members) for grp in groups], required,
                       under_cost, over_cost)
    layout.n_prefix_parts = len(layout.slot_parts)
    layout.slot_parts += [(cov.under.ravel(), np.tile(np.arange(n_t), len(queue_names))),
                          (cov.over.ravel(), np.tile(np.arange(n_t), len(queue_names)))]
    layout.slot_parts += [(a, np.arange(n_t)) for a in cov.alloc.values()]
    rows = row_matrix(ip)
    simplex = ip.n_vars <= LP_SIMPLEX_MAX_VARS
    lp_share = LP_SIMPLEX_SHARE if simplex else LP_PDLP_SHARE
    lp_sol = solve_lp(ip, budget_s=max(lp_share * params.time_limit_s, LP_MIN_S),
                      simplex=simplex, deadline=params.deadline)
    monotone_prefixes(lp_sol.values, layout, ip)
    lp = lp_sol.bound
    first, least = rounded_plan(ip, rows, lp_sol.values, cov=cov, work=work,
                                group_queues=group_queues, required=required)

    def separate(vals: np.ndarray) -> int:
        return layout.add_day_split_rows(ip, vals)

    days = np.asarray(grid.day_first_slot)
    var_day = np.clip(np.searchsorted(days, layout.var_slots(ip.n_vars), side="right") - 1, 0, 6)
    hoods = PlanNeighbourhoods(
        group_vars=[np.concatenate([np.arange(a, b)] + [cov.alloc[(g, q)] for q in qs
                                                       if (g, q) in cov.alloc])
                    for g, ((a, b), qs) in enumerate(zip(layout.group_ranges, group_queues,
                                                         strict=True))],
        shared_vars=np.concatenate([cov.under.ravel(), cov.over.ravel()]),
        var_day=var_day)
    shares = ((1.0,) if sum(len(grp.members) for grp in groups) <= WHOLE_WEEK_MAX_AGENTS
              else (FIRST_SHARE, LNS_SHARE, 1.0 - FIRST_SHARE - LNS_SHARE))
    # The LP's work counts against the stage's budget; the search gets the rest.
    search = params.with_budget(params.time_limit_s - lp_sol.budget_used_s)
    found = search_plan(ip, rows, first, hoods, params=search, shares=shares, lp_bound=lp,
                        lp_values=lp_sol.values, separate=separate, rounded=least)
    values = found.values
    shifts = np.zeros((len(groups), catalog.n_shifts), dtype=np.int64)
    worked = work_values(values, work, len(groups), n_t)
    for (g, li), _ in layout.prefix.items():
        starts = layout.starts(values, (g, li))
        sel = np.flatnonzero(catalog.length == li)
        shifts[g, sel] = starts[catalog.start[sel]]
    alloc = allocation_values(values, cov, worked, group_queues, len(queue_names))
    # A time-limited search may leave shortfall and excess in one slot when excess is
    # free; report the net of the two (it can only lower the objective).
    net = required - alloc.sum(axis=0)
    under, over = np.maximum(net, 0), np.maximum(-net, 0)
    paid_h = float((shifts * catalog.paid_h).sum())
    parts = objective_parts(under, over, paid_h, *rules.weights(queue_names),
                            rules.cost_per_paid_hour, slot_h)
    to_hours = slot_h / SCALE
    return WeeklyPlan(found.status, shifts, alloc, under, over, parts["objective"],
                      lp * to_hours, found.bound * to_hours, parts, time.perf_counter() - clock,
                      lp_method=lp_sol.method,
                      wall_limit_hits=found.wall_limit_hits + int(lp_sol.wall_limit_hit),
                      deterministic_s=lp_sol.budget_used_s + found.deterministic_s,
                      notes=tuple(found.notes),
                      lp_over_h=tuple((lp_sol.values[cov.over].sum(axis=1) * slot_h).tolist()),
                      lp_under_h=tuple((lp_sol.values[cov.under].sum(axis=1) * slot_h)
                                       .tolist()))


LP_SIMPLEX_SHARE = 0.15  # of the budget for the simplex before PDLP takes over
LP_MIN_S = 10.0  # at least this budget for the LP (simplex or PDLP), whatever the share
# PDLP stops as soon as it converges; a large week (55k variables: 90 agents in 37 groups)
# needs 15-20 s, and its plan and bound are only as good as its convergence.
LP_PDLP_SHARE = 0.5
# Measured: GLOP takes ~2 s at 5k variables, over 120 s at 32k-45k (multi-skill weeks).
LP_SIMPLEX_MAX_VARS = 25_000

