"""Stage (b) for one group in two levels, kept only where it beats the one-level model.

Level 1 (:func:`wfm.scheduling.day_patterns.day_patterns`) gives each member their days,
shift lengths and rest bands; level 2 is stage (b)'s CP-SAT model
(:func:`wfm.scheduling.assignment.assign_group`) offering each member only the clock
shifts of their bands, seeded with the greedy on those shifts. Measured on the 500-agent
benchmark week (6 Dec 2026): the greedy on the whole candidate sets added 136 shifts to the
plan and CP-SAT on the whole group kept 124 of them within its budget; within the bands
the greedy left 12 of 14 groups with no shift missed or added.

Level 2 runs only where level 1 departs from the plan (shifts missed plus added) less than
the greedy's weeks: level 1 stopped by its budget on a large group can be far worse (35
planned shifts missed against the greedy's 11 on 284 part-timers of the 1,000-agent week).
Assignments are compared by their **score**: the objective with its per-shift margins
replaced by the change in coverage recounted slot by slot
(:func:`wfm.scheduling.shift_margins.shift_changes_value`); the margins value each shift
alone, so overlapping shifts each count one slot of shortage as filled (on the quick named
week the greedy's four added shifts scored -32.0 agent-hours by the margins and +20.5
recounted). The one-level model then runs with the budget left from the better-scored of
the two-level assignment and the greedy's weeks (priced by CP-SAT holding them fixed): the
bands are stricter than the rest rule and level 1 does not see what unplanned shifts
could add, so the one-level model may still improve on the two levels. The two-level
assignment stands when the polish scores no better. Every share of the budget is
deterministic.
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
    meets_minimums,
    plan_difference,
    shift_counts,
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
from wfm.scheduling.shift_margins import (
    ShiftMargins,
    margins_cost,
    shift_changes_value,
    useful_shifts,
)
from wfm.scheduling.solver_params import SolverParams

# Shares of the group's budget: level 1 (a small model that stops at its optimum: about a
# budget second for 60-80 members, 13.4 for the 284 part-timers of the 1,000-agent week,
# whose share was 20.4), then level 2; the one-level model gets what is left, at least
# ONE_LEVEL_MIN_SHARE. A group may so use up to 120 % of its share (work counted).
PATTERN_SHARE = 0.7
LEVEL2_SHARE = 0.3
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
    if pattern.kind is not None and pattern.departures < sum(
            plan_difference(greedy, members, plan)):
        within = {a: within_patterns(catalog, bands, cands[a], eligible[a], pattern.kind[a])
                  for a in members}
        try:
            two_level = assign_group(
                catalog, group, plan, agents, eligible, limits, rules, under_weight,
                params.with_budget(budget * LEVEL2_SHARE), carry_in_days=carry_in_days,
                margins=margins, explain=False, previous_start_min=previous_start_min,
                candidates=within)
            used += two_level.deterministic_s
        except WfmError:  # the bands admit no week for someone: the one-level model decides
            two_level = None
    # The one-level model polishes the better-scored of the two (the greedy's weeks priced
    # with CP-SAT holding them fixed); the two-level assignment stands if the polish only
    # falls back to it or scores worse.
    start = greedy
    two_score = math.inf
    if two_level is not None:
        two_score = _score(two_level, members, plan, margins)
        greedy_score = math.inf  # weeks below a contract minimum: the two levels win
        if meets_minimums(catalog, greedy, members, limits):
            try:
                priced = assign_group(
                    catalog, group, plan, agents, eligible, limits, rules, under_weight,
                    replace(params.with_budget(budget * ONE_LEVEL_MIN_SHARE),
                            fix_to_hint=True),
                    carry_in_days=carry_in_days, margins=margins,
                    previous_start_min=previous_start_min, candidates=cands, start=greedy)
                used += priced.deterministic_s
                greedy_score = _score(priced, members, plan, margins)
            except WfmError:  # pragma: no cover - the greedy keeps every other hard rule
                pass
        if two_score < greedy_score:
            start = two_level.shift_of
        else:
            two_level = None
    one_level = assign_group(
        catalog, group, plan, agents, eligible, limits, rules, under_weight,
        params.with_budget(max(budget - used, budget * ONE_LEVEL_MIN_SHARE)),
        carry_in_days=carry_in_days, margins=margins,
        previous_start_min=previous_start_min, start=start)
    used += one_level.deterministic_s
    best = one_level
    if two_level is not None and two_score <= _score(one_level, members, plan, margins):
        best = two_level
    return replace(best, deterministic_s=used)


def _score(res: Assignment, members: Sequence[int], plan: np.ndarray,
           margins: ShiftMargins | None) -> float:
    """An assignment's objective with its per-shift margins replaced by the change in
    coverage valued slot by slot."""
    if margins is None or math.isnan(res.objective):
        return math.inf if math.isnan(res.objective) else res.objective
    counts = shift_counts(res.shift_of, members, len(plan))
    return (res.objective - margins_cost(margins, plan, counts, len(members))
            + shift_changes_value(margins, counts - plan))
