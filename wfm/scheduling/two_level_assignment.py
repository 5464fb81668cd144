"""Stage (b) for one group in two levels, kept only where it beats the one-level model.

Level 1 (:func:`wfm.scheduling.day_patterns.day_patterns`) gives each member their days,
shift lengths and rest bands; level 2 is stage (b)'s CP-SAT model
(:func:`wfm.scheduling.assignment.assign_group`) offering each member only the clock
shifts of their bands, seeded with the greedy on those shifts. Measured on the 500-agent
benchmark week (6 Dec 2026): the greedy on the whole candidate sets added 136 shifts to the
plan and CP-SAT on the whole group kept 124 of them within its budget; within the bands
the greedy left 12 of 14 groups with no shift missed or added.

The two levels are kept only where they depart from the plan (shifts missed plus added)
less than the greedy's weeks: level 1 stopped by its budget on a large group can be far
worse (35 planned shifts missed against the greedy's 11 on 284 part-timers of the
1,000-agent week). The bands are stricter than the rest rule and the patterns ignore
start-time preferences, so the one-level model then runs with the budget left, starting
from the two-level assignment: it keeps what the two levels found and may still move
start times for stable starts and fairness (should it only fall back to its start, the
two-level assignment is kept). Otherwise it starts from the greedy's, as before the two
levels. Every share of the budget is deterministic.
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
    greedy_departures = sum(plan_difference(greedy, members, plan))
    two_level: Assignment | None = None
    # Level 2 only when the patterns depart from the plan less than the greedy's weeks (a
    # large group's level 1 stopped by its budget can be far worse: 35 planned shifts
    # missed against the greedy's 11 on 284 part-timers of the 1,000-agent week).
    if pattern.kind is not None and pattern.departures < greedy_departures:
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
    if two_level is not None:
        used += two_level.deterministic_s
        if two_level.missed + two_level.extra >= greedy_departures:
            two_level = None
    # The one-level model starts from the two-level assignment when it departs from the
    # plan less than the greedy's (it then only improves on it: start times, soft goals),
    # else from the greedy's with all the budget left, as before the two levels (the
    # greedy above, not built a second time).
    one_level = assign_group(
        catalog, group, plan, agents, eligible, limits, rules, under_weight,
        params.with_budget(max(budget - used, budget * ONE_LEVEL_MIN_SHARE)),
        carry_in_days=carry_in_days, margins=margins,
        previous_start_min=previous_start_min,
        start=two_level.shift_of if two_level is not None else greedy)
    used += one_level.deterministic_s
    best = one_level
    if two_level is not None and _value(two_level) < _value(one_level):
        best = two_level
    return replace(best, deterministic_s=used)


def _value(res: Assignment) -> float:
    """The objective of an assignment; a fallback to its start (no objective) loses to the
    two-level assignment it started from."""
    return math.inf if math.isnan(res.objective) else res.objective
