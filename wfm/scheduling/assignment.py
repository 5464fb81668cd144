"""Stage (b): named agents on the shifts of the weekly plan (CP-SAT, one model per group).

Within an agent group every member can serve the same queues, so the plan's shift counts
of the group are the target: ``sum_a x[a, i] + miss[i] - extra[i] == plan[i]``. Missing a
planned shift costs its lost coverage, an unplanned one its excess; every per-agent rule
is hard (one shift a day, availability and time off through the candidate sets, rest
between shifts, weekly paid hours and days, consecutive days). Preferences and the
fairness of weekend and late shifts are soft, weighted well below coverage.

Each model is seeded with a complete hint from a most-constrained-first greedy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from wfm.errors import InfeasibleScheduleError, SolverError
from wfm.scheduling.assignment_greedy import greedy_assignment, rest_slots
from wfm.scheduling.consecutive_days import add_consecutive_days
from wfm.scheduling.contracts import WeekLimits
from wfm.scheduling.coverage_model import SCALE
from wfm.scheduling.eligibility import AgentGroup, AgentLike
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.shift_margins import ShiftMargins, ShiftValue, useful_shifts
from wfm.scheduling.solver_params import (
    CPSAT_DET_PER_S,
    SolverParams,
    configure_solver,
    stopped_by_wall,
)

PREF_DAY_OFF_COST = 50     # a worked preferred day off: half an agent-hour of excess
PREF_START_COST_H = 25     # per hour between the start and the preferred start
FAIRNESS_COST = 30         # per weekend / late shift of the most loaded member
LATE_END_MIN = 20 * 60     # a shift ending after 20:00 local counts as late
WEEKEND_DAYS = (5, 6)


@dataclass(frozen=True)
class Assignment:
    """``shift_of[a, d]``: catalog shift of agent ``a`` on day ``d`` (-1 = not working).

    ``status`` is CP-SAT's, or ``HINT`` when CP-SAT found nothing within its budget and the
    greedy's complete assignment (which keeps every hard rule) was taken instead;
    ``fallback`` then says so. ``wall_limit_hit``: the wall-clock net stopped the search.
    """

    shift_of: np.ndarray
    status: str
    objective: float
    wall_time_s: float
    missed: int
    extra: int
    wall_limit_hit: bool = False
    fallback: str | None = None
    deterministic_s: float = 0.0  # work done, in budget seconds


def candidate_shifts(catalog: ShiftCatalog, plan: np.ndarray, eligible: np.ndarray,  # noqa: PLR0917
                     limits: WeekLimits, agent: int,
                     useful: np.ndarray | None = None, *, widest: bool = False) -> np.ndarray:
    """Shifts offered to one agent: the group's planned shifts they may work and the
    ``useful`` unplanned ones (worth adding to the plan's coverage); when these cannot give
    the contract minimum, also the planned clock starts on other days, and at last every
    shift they may work starting on the hour. ``widest``: every shift they may work."""
    if widest:
        return np.flatnonzero(eligible[agent])
    offered = (plan > 0) if useful is None else (plan > 0) | useful
    planned = np.flatnonzero(offered & eligible[agent])
    if _can_reach(catalog, planned, limits, agent):
        return planned
    keys = {(int(catalog.start_min[i]), int(catalog.length[i])) for i in np.flatnonzero(plan)}
    same_clock = np.array([(int(m), int(le)) in keys for m, le in
                           zip(catalog.start_min, catalog.length, strict=True)], dtype=bool)
    wider = np.flatnonzero((offered | same_clock) & eligible[agent])
    if _can_reach(catalog, wider, limits, agent):
        return wider
    return np.flatnonzero(eligible[agent] & ((catalog.start_min % 60 == 0) | offered))


def _can_reach(catalog: ShiftCatalog, shifts: np.ndarray, limits: WeekLimits,
               agent: int) -> bool:
    """A quick necessary test (rest ignored): enough days and paid hours from ``shifts``."""
    if limits.min_days[agent] == 0 and limits.min_paid_min[agent] == 0:
        return True
    best = np.zeros(7)
    paid = catalog.paid_h * 60
    for i in shifts:
        d = int(catalog.day[i])
        best[d] = max(best[d], paid[i])
    days = int((best > 0).sum())
    top = np.sort(best)[::-1][: int(limits.max_days[agent])].sum()
    return bool(days >= limits.min_days[agent] and top + 1e-6 >= limits.min_paid_min[agent])


def assign_group(catalog: ShiftCatalog, group: AgentGroup, plan: np.ndarray,  # noqa: PLR0917
                 agents: Sequence[AgentLike], eligible: np.ndarray, limits: WeekLimits,
                 rules: ShiftRules, under_weight: float, params: SolverParams, *,
                 carry_in_days: np.ndarray | None = None,
                 margins: ShiftMargins | None = None, explain: bool = True,
                 previous_start_min: np.ndarray | None = None,
                 widest: bool = False,
                 candidates: Mapping[int, np.ndarray] | None = None,
                 start: np.ndarray | None = None) -> Assignment:
    """Solve stage (b) for one group.

    Parameters
    ----------
    plan
        Planned shifts of this group per catalog shift (from stage a).
    eligible
        Boolean (n_agents, n_shifts) of every agent (rest across the week boundary already
        applied).
    carry_in_days
        Per agent, consecutive working days just before the week (0 when unknown).
    previous_start_min
        Per agent, the usual start of their shifts in the previous week [local minutes
        after midnight], -1 when unknown (soft: ``rules.previous_week_start_weight``).
    explain
        On infeasibility, find and name the agents whose own rules admit no week.
    margins
        What one shift more or less is worth against the plan's coverage (see
        :class:`ShiftMargins`); without it a planned shift missed costs its hours of
        understaffing and an unplanned one its hours of overstaffing.
    widest
        Offer every agent every shift they may work, not only those near the plan (the
        retry after the smaller model proved infeasible).
    candidates
        Per member, the only shifts they may be given (stage (b)'s second level,
        :mod:`wfm.scheduling.two_level_assignment`); an infeasible model then raises
        :class:`InfeasibleScheduleError` at once, without the wider retry.
    start
        A complete assignment (n_agents, 7) keeping every hard rule to start from instead
        of the greedy's; its shifts are offered to their members.
    """
    members = list(group.members)
    paid_min = np.round(catalog.paid_h * 60).astype(np.int64)
    n_slots = catalog.n_slots_of
    useful = useful_shifts(catalog, plan, margins)
    cands = ({a: np.asarray(candidates[a], dtype=np.int64) for a in members}
             if candidates is not None else
             {a: candidate_shifts(catalog, plan, eligible, limits, a, useful, widest=widest)
              for a in members})
    if start is not None:
        cands = {a: np.union1d(c, start[a][start[a] >= 0]).astype(np.int64)
                 for a, c in cands.items()}
    shift_ids = sorted({int(i) for c in cands.values() for i in c} | set(
        np.flatnonzero(plan).tolist()))
    hint = (start if start is not None else
            greedy_assignment(catalog, plan, cands, agents, limits, rules, carry_in_days))

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for a in members:
        for i in cands[a]:
            x[(a, int(i))] = model.new_bool_var("")
    by_shift: dict[int, list[cp_model.IntVar]] = {i: [] for i in shift_ids}
    for (_, i), var in x.items():
        by_shift[i].append(var)
    miss_vars, extra_vars = [], []
    over_weight = min((rules.over_weight(q) for q in group.queues),
                      default=rules.overstaffing_weight)
    objective: list[cp_model.LinearExprT] = []
    hinted = shift_counts(hint, members, catalog.n_shifts)
    for i in shift_ids:
        p = int(plan[i])
        value = margins.of(i) if margins is not None else None
        if value is None:
            work_h = float(n_slots[i]) * catalog.grid.slot_minutes / 60
            paid = rules.cost_per_paid_hour * float(catalog.paid_h[i])
            # One rate per shift: no capped first copies (the caps are 0), so every copy
            # is at the b rate, which must then carry the cost (it was 0: free misses).
            miss = round((under_weight * work_h - paid) * SCALE) if group.queues else 0
            extra = round((over_weight * work_h + paid) * SCALE) + 1
            value = ShiftValue(0, miss, 0, extra, miss, extra)
        miss_a = model.new_int_var(0, min(p, value.miss_cap), "")
        miss_b = model.new_int_var(0, p, "")
        extra_a = model.new_int_var(0, min(len(members), value.extra_cap), "")
        extra_b = model.new_int_var(0, len(members), "")
        model.add(miss_a + miss_b <= p)
        model.add(sum(by_shift[i]) + miss_a + miss_b - extra_a - extra_b == p)
        miss_vars += [miss_a, miss_b]
        extra_vars += [extra_a, extra_b]
        # The hint is complete: the greedy's counts split over the capped and uncapped parts.
        for var, val in zip((miss_a, miss_b, extra_a, extra_b),
                            value.split(p, int(hinted[i]), len(members)), strict=True):
            model.add_hint(var, val)
        objective += [value.miss_a * miss_a, value.miss_b * miss_b, value.extra_a * extra_a,
                      value.extra_b * extra_b]
    rest = rest_slots(rules, catalog.grid.slot_minutes)
    weekend_load, late_load = [], []
    hint_weekend: list[int] = []
    hint_late: list[int] = []
    for a in members:
        agent = agents[a]
        mine = [(int(i), x[(a, int(i))]) for i in cands[a]]
        if not mine:
            if limits.min_days[a] or limits.min_paid_min[a]:
                raise InfeasibleScheduleError(
                    f"agent {agent.agent_id} ({agent.name}): no shift fits their availability, "
                    "time off and contract this week, yet the contract asks for "
                    f"{limits.min_paid_min[a] / 60:g} h on {limits.min_days[a]} day(s)")
            continue
        day_vars = []
        for d in range(7):
            on_day = [v for i, v in mine if catalog.day[i] == d]
            y = model.new_bool_var("")
            model.add(sum(on_day) == y)
            model.add_hint(y, int(hint[a, d] >= 0 and any(i == hint[a, d] for i, _ in mine)))
            day_vars.append((y, [(i, v) for i, v in mine if catalog.day[i] == d]))
        ys = [y for y, _ in day_vars]
        model.add_linear_constraint(sum(ys), int(limits.min_days[a]), int(limits.max_days[a]))
        model.add_linear_constraint(sum(int(paid_min[i]) * v for i, v in mine),
                                    int(limits.min_paid_min[a]), int(limits.max_paid_min[a]))
        add_consecutive_days(model, ys, rules.max_consecutive_days,
                             int(carry_in_days[a]) if carry_in_days is not None else 0)
        for d in range(7):
            for d2 in (d + 1, d + 2):
                if d2 > 6:
                    continue
                prev, nxt = day_vars[d][1], day_vars[d2][1]
                if not prev or not nxt:
                    continue
                latest_end = max(int(catalog.end[i]) for i, _ in prev)
                earliest = min(int(catalog.start[i]) for i, _ in nxt)
                if earliest >= latest_end + rest:
                    continue
                end_expr = sum(int(catalog.end[i]) * v for i, v in prev)
                start_expr = sum(int(catalog.start[i]) * v for i, v in nxt)
                model.add(start_expr >= end_expr + rest).only_enforce_if(
                    [day_vars[d][0], day_vars[d2][0]])
        for d in agent.preferred_days_off:
            if 0 <= d < 7:
                objective.append(PREF_DAY_OFF_COST * ys[d])
        if agent.preferred_start is not None:
            pref = agent.preferred_start.hour * 60 + agent.preferred_start.minute
            for i, v in mine:
                dev = abs(int(catalog.start_min[i]) - pref)
                if dev:
                    objective.append(round(PREF_START_COST_H * dev / 60) * v)
        objective += _stable_starts(model, catalog, day_vars, hint[a], rules,
                                    -1 if previous_start_min is None
                                    else int(previous_start_min[a]))
        weekend_load.append(sum(ys[d] for d in WEEKEND_DAYS))
        late_load.append(sum(v for i, v in mine if catalog.end_min[i] > LATE_END_MIN))
        row = hint[a]
        hint_weekend.append(int(sum(row[d] >= 0 for d in WEEKEND_DAYS)))
        hint_late.append(int(sum(catalog.end_min[i] > LATE_END_MIN for i in row[row >= 0])))
    for loads, hinted_loads in ((weekend_load, hint_weekend), (late_load, hint_late)):
        top = model.new_int_var(0, 7, "")
        for load in loads:
            model.add(top >= load)
        model.add_hint(top, max(hinted_loads, default=0))
        objective.append(FAIRNESS_COST * top)
    model.minimize(sum(objective))
    for (a, i), var in x.items():
        model.add_hint(var, int(hint[a, int(catalog.day[i])] == i))
    solver = configure_solver(cp_model.CpSolver(), params)
    status = solver.solve(model)
    hit = stopped_by_wall(solver, status)
    work_s = float(solver.deterministic_time) / CPSAT_DET_PER_S
    if status == cp_model.INFEASIBLE and candidates is not None:
        raise InfeasibleScheduleError("no assignment within the given candidate shifts")
    if status == cp_model.INFEASIBLE and not widest:
        # The shifts offered near the plan pass a test that ignores rest between shifts, so
        # they can admit no week (planned Monday 09:00-15:00 and Tuesday 00:00 for an agent
        # who needs both): offer every shift before calling the rules unmeetable.
        res = assign_group(catalog, group, plan, agents, eligible, limits, rules,
                           under_weight, params, carry_in_days=carry_in_days,
                           margins=margins, explain=explain,
                           previous_start_min=previous_start_min, widest=True)
        return replace(res, deterministic_s=res.deterministic_s + work_s)
    if status == cp_model.INFEASIBLE:
        if not explain:
            raise InfeasibleScheduleError("infeasible")
        raise InfeasibleScheduleError(_explain_group(catalog, group, agents, eligible, limits,
                                                     rules))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        name = solver.status_name(status)
        what = (f"stage (b) found no assignment of agents to shifts ({name}) within "
                f"{params.time_limit_s:g} s for the group of {len(members)} agent(s) "
                f"{_ids(group, agents)}")
        if meets_minimums(catalog, hint, members, limits):
            # The greedy's assignment keeps every hard rule: publish it rather than nothing.
            missed, extra = plan_difference(hint, members, plan)
            return Assignment(hint, "HINT", float("nan"), float(solver.wall_time), missed,
                              extra, hit, f"{what}: took the greedy assignment "
                              f"({missed} planned shift(s) missed, {extra} added)", work_s)
        if not params.first_solution:
            # The greedy missed a contract minimum: any assignment, with four times the
            # budget, before giving up.
            retry = replace(params, first_solution=True, time_limit_s=4 * params.time_limit_s)
            res = assign_group(catalog, group, plan, agents, eligible, limits, rules,
                               under_weight, retry, carry_in_days=carry_in_days,
                               margins=margins, explain=explain,
                               previous_start_min=previous_start_min, widest=widest,
                               candidates=candidates)
            return replace(res, fallback=f"{what}: took the first assignment found with "
                                         "four times the budget",
                           deterministic_s=res.deterministic_s + work_s)
        raise SolverError(what, hint="raise --time-limit or [scheduling] time_limit_s")
    name = solver.status_name(status)
    shift_of = np.full((len(agents), 7), -1, dtype=np.int64)
    for (a, i), var in x.items():
        if solver.boolean_value(var):
            shift_of[a, int(catalog.day[i])] = i
    missed = int(sum(solver.value(v) for v in miss_vars))
    extra = int(sum(solver.value(v) for v in extra_vars))
    return Assignment(shift_of, name, float(solver.objective_value), float(solver.wall_time),
                      missed, extra, hit, deterministic_s=work_s)


def _stable_starts(model: cp_model.CpModel, catalog: ShiftCatalog,  # noqa: PLR0917
                   day_vars: list[tuple[cp_model.IntVar, list[tuple[int, cp_model.IntVar]]]],
                   hint_row: np.ndarray, rules: ShiftRules,
                   previous: int) -> list[cp_model.LinearExprT]:
    """Soft terms for stable start times: per hour each worked shift starts away from one
    start time the model picks for the agent's week (``start_time_stability_weight``),
    and away from their usual start of the previous week (``previous_week_start_weight``,
    when ``previous`` >= 0). Hints for the new variables follow ``hint_row``."""
    terms: list[cp_model.LinearExprT] = []
    step = catalog.grid.slot_minutes  # deviations counted in slots: integer costs
    if previous >= 0 and rules.previous_week_start_weight > 0:
        per_min = rules.previous_week_start_weight * SCALE / 60
        for _, shifts in day_vars:
            for i, v in shifts:
                away = abs(int(catalog.start_min[i]) - previous)
                if away:
                    terms.append(round(per_min * away) * v)
    worked = [(y, shifts) for y, shifts in day_vars if shifts]
    weight = round(rules.start_time_stability_weight * SCALE * step / 60)
    if weight <= 0 or len(worked) < 2:
        return terms
    starts = [int(catalog.start_min[i]) // step for _, shifts in worked for i, _ in shifts]
    lo, hi = min(starts), max(starts)
    if lo == hi:
        return terms
    anchor = model.new_int_var(lo, hi, "")
    hinted = [int(catalog.start_min[i]) // step for i in hint_row[hint_row >= 0]]
    anchor_hint = int(np.median(hinted)) if hinted else lo
    model.add_hint(anchor, anchor_hint)
    by_day = {int(catalog.day[i]): int(catalog.start_min[i]) // step
              for i in hint_row[hint_row >= 0]}
    for y, shifts in worked:
        start = sum((int(catalog.start_min[i]) // step) * v for i, v in shifts)
        dev = model.new_int_var(0, hi - lo, "")
        model.add(dev >= start - anchor).only_enforce_if(y)
        model.add(dev >= anchor - start).only_enforce_if(y)
        d = int(catalog.day[shifts[0][0]])
        model.add_hint(dev, abs(by_day[d] - anchor_hint) if d in by_day else 0)
        terms.append(weight * dev)
    return terms


def meets_minimums(catalog: ShiftCatalog, shift_of: np.ndarray, members: Sequence[int],
                   limits: WeekLimits) -> bool:
    """Whether every member's week reaches their contract minimum of days and paid hours
    (the greedy keeps every other hard rule by construction)."""
    paid_min = np.round(catalog.paid_h * 60).astype(np.int64)
    for a in members:
        row = shift_of[a]
        worked = row[row >= 0]
        if (len(worked) < limits.min_days[a]
                or int(paid_min[worked].sum()) < limits.min_paid_min[a]):
            return False
    return True


def shift_counts(shift_of: np.ndarray, members: Sequence[int], n_shifts: int) -> np.ndarray:
    """How many of ``members`` work each catalog shift in an assignment."""
    worked = shift_of[list(members)]
    return np.bincount(worked[worked >= 0], minlength=n_shifts)


def plan_difference(shift_of: np.ndarray, members: Sequence[int],
                    plan: np.ndarray) -> tuple[int, int]:
    """Planned shifts left unstaffed and shifts beyond the plan, of an assignment."""
    counts = shift_counts(shift_of, members, len(plan))
    return int(np.maximum(plan - counts, 0).sum()), int(np.maximum(counts - plan, 0).sum())


def _ids(group: AgentGroup, agents: Sequence[AgentLike]) -> str:
    ids = [agents[a].agent_id for a in group.members]
    return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _explain_group(catalog: ShiftCatalog, group: AgentGroup, agents: Sequence[AgentLike],  # noqa: PLR0917
                   eligible: np.ndarray, limits: WeekLimits, rules: ShiftRules) -> str:
    """Name the agents whose own rules admit no week (stage b couples agents only through
    soft costs, so infeasibility is always some agent's alone)."""
    culprits: list[int] = []
    for a in group.members:
        alone = AgentGroup(group.queues, (a,), group.shift_cap, group.day_cap, 0.0, 0.0, 0, 0)
        try:
            assign_group(catalog, alone, np.zeros(catalog.n_shifts, dtype=np.int64), agents,
                         eligible, limits, rules, 0.0, SolverParams(5.0, 1, 0), explain=False)
        except InfeasibleScheduleError:
            culprits.append(a)
    if not culprits:  # pragma: no cover - defensive
        return (f"no roster meets the hard rules for agent(s) {_ids(group, agents)}")
    idx = culprits[0]
    who = agents[idx]
    more = f" (and {len(culprits) - 1} more agent(s))" if len(culprits) > 1 else ""
    return (f"agent {who.agent_id} ({who.name}): no week meets the contract minimum of "
            f"{limits.min_paid_min[idx] / 60:g} paid h on {limits.min_days[idx]} day(s) with "
            f"a minimum rest of {rules.min_rest_h:g} h between shifts, at most "
            f"{rules.max_consecutive_days} consecutive days and the agent's availability"
            f"{more}")
