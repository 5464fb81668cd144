"""Where a roster's excess comes from: what the contracts force, stage (a)'s rounding, and
what stages (b), (c) and (d) add or leave (issue 17, item 5).

Excess is counted as the objective counts it: agents scheduled above the requirement
rounded up to whole agents, per queue and slot, in agent-hours. The steps, each a roster
or a relaxation of one:

- **volume the contracts force**: every agent works at least the least working time (shift
  hours less breaks and lunch) among the weeks their contract allows (whole shifts of the
  lengths they may work, their minimum days and paid hours). Summed over the queues and
  slots, excess less shortfall is the working time less the requirement, so *any* roster
  has at least ``contract_min_work_h - required_h`` agent-hours of excess: an exact lower
  bound, independent of the solver.
- **the LP without contract minimums**: stage (a)'s model with every minimum of days and
  paid hours removed (maximums, availability, shift lengths, start grid, breaks kept): the
  excess the shift shapes alone force at the optimum of the relaxation.
- **the LP** of stage (a) (its bound): the contracts at group level added; the difference
  to the previous step is what the contract minimums cost.
- **the plan** of stage (a): rounding and the search's stop (the plan's gap).
- **stage (b)**: agent-hours on shift added to and missing from the plan, once named agents
  must each keep their own contract.
- **after stage (c)** (breaks placed) and **the roster** (after stage (d)'s queue blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from wfm.errors import SolverError
from wfm.scheduling.contract_cuts import member_points
from wfm.scheduling.coverage_model import SCALE, add_coverage, objective_parts
from wfm.scheduling.eligibility import AgentGroup
from wfm.scheduling.excess_summary import ExcessSummary, StepHours
from wfm.scheduling.linear_model import IntegerProgram, solve_lp
from wfm.scheduling.plan_layout import build_shift_rows
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.weekly_plan import LP_SIMPLEX_MAX_VARS, WeeklyPlan

# The LP without minimums is solved for weeks of up to this many agents (the sample
# centre's 100 take about 10 budget seconds more); a larger week reports it as not
# computed rather than build stage (a)'s model a second time for a figure.
FREE_LP_MAX_AGENTS = 200
# Its deterministic budget (budget seconds): GLOP, or PDLP where stage (a) needs it too
# (then the bound is PDLP's Lagrangian bound and the excess approximate).
FREE_LP_BUDGET_S = 10.0


@dataclass(frozen=True)
class Coverage:
    """Objective (weighted agent-hours), excess and shortfall (agent-hours, per queue)."""

    objective: float
    over_h: np.ndarray
    under_h: np.ndarray


@dataclass(frozen=True)
class ExcessBreakdown:
    """The steps from the requirement to the roster (module docstring), in agent-hours.

    ``free_lp`` is ``None`` for a week of more than :data:`FREE_LP_MAX_AGENTS` agents.
    """

    queues: tuple[str, ...]
    required_h: float
    contract_min_work_h: float
    free_lp: Coverage | None
    lp: Coverage
    plan: Coverage
    shift_h_added: float
    shift_h_missing: float
    after_breaks: Coverage
    roster: Coverage

    @property
    def forced_excess_h(self) -> float:
        """Excess every roster has, whatever the solver: contract work above the need."""
        return max(self.contract_min_work_h - self.required_h, 0.0)

    def summary(self) -> ExcessSummary:
        """The summary's typed entry: amounts that add up over independent groups."""
        def steps(c: Coverage | None) -> StepHours:
            if c is None:
                return StepHours()
            return StepHours(round(c.objective, 3), round(float(c.over_h.sum()), 3),
                             round(float(c.under_h.sum()), 3))

        stages = {"lp": self.lp, "plan": self.plan, "after_breaks": self.after_breaks,
                  "roster": self.roster}
        return ExcessSummary(
            required_agent_hours=round(self.required_h, 3),
            contract_min_work_hours=round(self.contract_min_work_h, 3),
            forced_over_agent_hours=round(self.forced_excess_h, 3),
            free_lp_computed=self.free_lp is not None,
            lp_without_minimums=steps(self.free_lp),
            lp=steps(self.lp), plan=steps(self.plan), after_breaks=steps(self.after_breaks),
            roster=steps(self.roster),
            stage_b_shift_hours_added=round(self.shift_h_added, 3),
            stage_b_shift_hours_missing=round(self.shift_h_missing, 3),
            over_by_queue={q: {name: round(float(c.over_h[k]), 3)
                               for name, c in stages.items()}
                           for k, q in enumerate(self.queues)})


def contract_min_work_h(catalog: ShiftCatalog, groups: Sequence[AgentGroup]) -> float:
    """Least working hours (shift less every break and lunch) the members of ``groups``
    with a required queue must work in the week, summed over the members.

    Each member's least week: the fewest working hours among the shift counts per length
    (the lengths the group may work) that meet their minimum and maximum days and paid
    minutes (:func:`~wfm.scheduling.contract_cuts.member_points`), less the part of one
    shift that may fall after the week's last slot (overnight shifts on its last day). A
    member with no such week counts 0 (stage (b) names them).
    """
    slot_h = catalog.grid.slot_minutes / 60
    total = 0.0
    for grp in groups:
        if not grp.queues or grp.member_min_days is None or grp.member_max_days is None \
                or grp.member_min_paid_min is None or grp.member_max_paid_min is None:
            continue
        lengths = sorted({int(li) for li in np.unique(catalog.length[grp.shift_cap > 0])})
        if not lengths:
            continue
        paid = [round(catalog.lengths[li].paid_h * 60) for li in lengths]
        work_h = np.array([catalog.lengths[li].working_slots * slot_h for li in lengths])
        max_days = (np.minimum(grp.member_max_days, grp.member_days.sum(axis=1))
                    if grp.member_days is not None else grp.member_max_days)
        limits = np.stack([grp.member_min_days, max_days, grp.member_min_paid_min,
                           grp.member_max_paid_min], axis=1).astype(np.int64)
        # A shift past the week's end (overnight on the last day) covers slots the week
        # does not count: a member has at most one, so at most this much is not counted.
        spill_h = max(int(catalog.end[grp.shift_cap > 0].max()) - catalog.grid.n_slots,
                      0) * slot_h
        keys, counts = np.unique(limits, axis=0, return_counts=True)
        for (lo_d, hi_d, lo_p, hi_p), k in zip(keys, counts, strict=True):
            pts = member_points(paid, int(lo_d), int(hi_d), int(lo_p), int(hi_p))
            if len(pts):
                total += int(k) * max(float((pts @ work_h).min()) - spill_h, 0.0)
    return total


def lp_without_minimums(catalog: ShiftCatalog, groups: Sequence[AgentGroup],  # noqa: PLR0917
                        queues: Sequence[str], required: np.ndarray, rules: ShiftRules,
                        deadline: float | None = None) -> Coverage | None:
    """Stage (a)'s LP relaxation with the contracts' minimum days and paid hours removed
    (deterministic budget :data:`FREE_LP_BUDGET_S`; GLOP or, for models stage (a) gives to
    PDLP, PDLP); ``None`` when the LP has no usable solution."""
    free = [replace(grp, min_paid_h=0.0, min_shifts=0,
                    member_min_days=None if grp.member_min_days is None
                    else np.zeros_like(grp.member_min_days),
                    member_min_paid_min=None if grp.member_min_paid_min is None
                    else np.zeros_like(grp.member_min_paid_min)) for grp in groups]
    qidx = {q: i for i, q in enumerate(queues)}
    group_queues = [[qidx[q] for q in grp.queues] for grp in free]
    ip = IntegerProgram()
    _, work = build_shift_rows(ip, catalog, free, group_queues=group_queues,
                               required=required, rules=rules, prune=True)
    under_cost, over_cost = rules.scaled_weights(queues, SCALE)
    cov = add_coverage(ip, work, group_queues, [len(grp.members) for grp in free], required,
                       under_cost, over_cost)
    try:
        sol = solve_lp(ip, budget_s=FREE_LP_BUDGET_S, simplex=ip.n_vars <= LP_SIMPLEX_MAX_VARS,
                       deadline=deadline)
    except SolverError:
        return None
    slot_h = catalog.grid.slot_minutes / 60
    return Coverage(sol.bound * slot_h / SCALE, sol.values[cov.over].sum(axis=1) * slot_h,
                    sol.values[cov.under].sum(axis=1) * slot_h)


def shift_hours_moved(catalog: ShiftCatalog, planned: np.ndarray,
                      shift_of: np.ndarray) -> tuple[float, float]:
    """Agent-hours on shift (breaks included) the named roster adds to, and leaves out of,
    the plan, slot by slot over the week: ``planned[g, i]`` agents on shift ``i``;
    ``shift_of[a, d]`` the shift of agent ``a`` on day ``d`` (-1: off)."""
    horizon = catalog.grid.horizon

    def on_shift(shift_counts: np.ndarray) -> np.ndarray:
        diff = np.zeros(horizon + 1, dtype=np.int64)
        np.add.at(diff, catalog.start, shift_counts)
        np.add.at(diff, catalog.end, -shift_counts)
        return np.cumsum(diff)[:horizon]

    worked = shift_of[shift_of >= 0]
    roster = on_shift(np.bincount(worked, minlength=catalog.n_shifts))
    plan = on_shift(planned.sum(axis=0))
    slot_h = catalog.grid.slot_minutes / 60
    return (float(np.maximum(roster - plan, 0).sum()) * slot_h,
            float(np.maximum(plan - roster, 0).sum()) * slot_h)


def coverage_of(counts: np.ndarray, required: np.ndarray, paid_h: float, rules: ShiftRules,
                queues: Sequence[str], *, slot_h: float) -> Coverage:
    """The objective, excess and shortfall of agents ``counts`` working per queue and slot."""
    under = np.maximum(required - counts, 0)
    over = np.maximum(counts - required, 0)
    parts = objective_parts(under, over, paid_h, *rules.weights(queues),
                            rules.cost_per_paid_hour, slot_h)
    return Coverage(parts["objective"], over.sum(axis=1) * slot_h, under.sum(axis=1) * slot_h)


def excess_breakdown(catalog: ShiftCatalog, groups: Sequence[AgentGroup],  # noqa: PLR0917
                     queues: Sequence[str], required: np.ndarray, rules: ShiftRules,
                     plan: WeeklyPlan, shift_of: np.ndarray, counts_after_breaks: np.ndarray,
                     counts: np.ndarray, *, deadline: float | None = None) -> ExcessBreakdown:
    """The breakdown of one week's roster from what the stages handed on.

    Parameters
    ----------
    required
        Agents required per queue and slot (whole agents, as the objective counts them).
    plan
        Stage (a)'s plan (with its LP's excess and shortfall per queue).
    shift_of
        Stage (b)'s shift per agent and day (-1: off).
    counts_after_breaks, counts
        Agents working per queue and slot after stage (c) and in the final roster.
    deadline
        The run's CPU-time allowance (the wall-clock net of the LP, see ``solve_lp``).
    """
    slot_h = catalog.grid.slot_minutes / 60
    paid_h = float(catalog.paid_h[shift_of[shift_of >= 0]].sum())
    added, missing = shift_hours_moved(catalog, plan.shifts, shift_of)
    return ExcessBreakdown(
        queues=tuple(queues),
        required_h=float(required.sum()) * slot_h,
        contract_min_work_h=contract_min_work_h(catalog, groups),
        free_lp=(lp_without_minimums(catalog, groups, queues, required, rules, deadline)
                 if sum(len(g.members) for g in groups) <= FREE_LP_MAX_AGENTS else None),
        lp=Coverage(plan.lp_bound, np.asarray(plan.lp_over_h, dtype=float),
                    np.asarray(plan.lp_under_h, dtype=float)),
        plan=Coverage(plan.objective, plan.over.sum(axis=1) * slot_h,
                      plan.under.sum(axis=1) * slot_h),
        shift_h_added=added, shift_h_missing=missing,
        after_breaks=coverage_of(counts_after_breaks, required, paid_h, rules, queues,
                                 slot_h=slot_h),
        roster=coverage_of(counts, required, paid_h, rules, queues, slot_h=slot_h),
    )
