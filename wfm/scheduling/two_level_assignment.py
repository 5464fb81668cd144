"""Stage (b) for one group in two levels, kept only where it beats the one-level model.

Level 1 (:func:`wfm.scheduling.day_patterns.day_patterns`) gives each member their days,
shift lengths and rest bands; level 2 is stage (b)'s CP-SAT model
(:func:`wfm.scheduling.assignment.assign_group`) offering each member only the clock
shifts of their bands, seeded with the greedy on those shifts. Measured on the 500-agent
benchmark week (6 Dec 2026): the greedy on the whole candidate sets added 136 shifts to the
plan and CP-SAT on the whole group kept 124 of them within its budget; within the bands
the greedy left 12 of 14 groups with no shift missed or added.

The bands are stricter than the rest rule and the patterns ignore start-time preferences,
so the one-level model is then solved with the budget left, starting from the two-level
assignment (or from the greedy's when level 1 or 2 found nothing): it keeps what the two
levels found and may still move start times for stable starts and fairness. Should it end
worse (a greedy fallback), the two-level assignment is kept: both are values of the same
objective. Every share of the budget is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from wfm.errors import WfmError
from wfm.scheduling.assignment import (
    Assignment,
    assign_group,
    candidate_shifts,
    plan_difference,
)
from wfm.scheduling.assignment_greedy import greedy_assignment
from wfm.scheduling.contracts import WeekLimits
from wfm.scheduling.day_patterns import (
    band_rest_h,
    day_patterns,
    shift_bands,
    within_patterns,
)
from wfm.scheduling.eligibility import AgentGroup, AgentLike
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.shift_margins import ShiftMargins, useful_shifts
from wfm.scheduling.solver_params import SolverParams

# Shares of the group's budget: level 1 (a small model, mostly solved to optimality in a
# tenth of its share; on 284 agents it needed 13 budget seconds), then level 2; the
# one-level model gets what is left, at least ONE_LEVEL_MIN_SHARE.
PATTERN_SHARE = 0.4
LEVEL2_SHARE = 0.4
ONE_LEVEL_MIN_SHARE = 0.2


def assign_in_two_levels(catalog: ShiftCatalog, group: AgentGroup, plan: np.ndarray,  # noqa: PLR0917
                         agents: Sequence[AgentLike], eligible: np.ndarray,
                         limits: WeekLimits, rules: ShiftRules, under_weight: float,
                         params: SolverParams, *, carry_in_days: np.ndarray | None = None,
                         margins: ShiftMargins | None = None,
                         previous_start_min: np.ndarray | None = None) -> Assignment:
    """Stage (b) for one group (arguments as :func:`assign_group`); the better of the
    two-level and the one-level assignment."""
    members = list(group.members)
    budget = params.time_limit_s
    useful = useful_shifts(catalog, plan, margins)
    cands = {a: candidate_shifts(catalog, plan, eligible, limits, a, useful) for a in members}
    offered = np.zeros(catalog.n_shifts, dtype=bool)
    for c in cands.values():
        offered[c] = True
    bands = shift_bands(catalog, rules, offered)
    over_weight = min((rules.over_weight(q) for q in group.queues),
                      default=rules.overstaffing_weight)
    greedy = greedy_assignment(catalog, plan, cands, agents, limits, rules, carry_in_days)
    # Level 1 starts from the greedy under a rest long enough to keep the bands: a complete
    # hint it admits (the plain greedy's weeks often pair a late band with an early one).
    banded = replace(rules, min_rest_h=band_rest_h(catalog, bands, offered, rules))
    pattern = day_patterns(
        catalog, bands, members, plan, eligible, limits, rules, agents,
        params.with_budget(budget * PATTERN_SHARE), under_weight=under_weight,
        over_weight=over_weight, carry_in_days=carry_in_days,
        hint=greedy_assignment(catalog, plan, cands, agents, limits, banded, carry_in_days))
    used = pattern.deterministic_s
    two_level: Assignment | None = None
    if pattern.kind is not None:
        within = {a: within_patterns(catalog, bands, cands[a], eligible[a], pattern.kind[a])
                  for a in members}
        try:
            two_level = assign_group(
                catalog, group, plan, agents, eligible, limits, rules, under_weight,
                params.with_budget(budget * LEVEL2_SHARE), carry_in_days=carry_in_days,
                margins=margins, explain=False, previous_start_min=previous_start_min,
                candidates=within)
        except WfmError:  # the bands admit no week for someone: the one-level model decides
            two_level = None
    start = None
    if two_level is not None:
        used += two_level.deterministic_s
        # The one-level model starts from the two-level assignment when it departs from
        # the plan no more than the greedy's (it then only improves on it: start times,
        # soft goals); else from the greedy, as before the two levels.
        if two_level.missed + two_level.extra <= sum(plan_difference(greedy, members, plan)):
            start = two_level.shift_of
    one_level = assign_group(
        catalog, group, plan, agents, eligible, limits, rules, under_weight,
        params.with_budget(max(budget - used, budget * ONE_LEVEL_MIN_SHARE)),
        carry_in_days=carry_in_days, margins=margins,
        previous_start_min=previous_start_min,
        start=start)
    used += one_level.deterministic_s
    best = one_level
    if two_level is not None and _value(two_level) < _value(one_level):
        best = two_level
    return replace(best, deterministic_s=used)


def _value(res: Assignment) -> float:
    """The objective of an assignment; a greedy fallback (no objective) loses."""
    return math.inf if math.isnan(res.objective) else res.objective
