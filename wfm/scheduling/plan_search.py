"""Stage (a)'s integer search: a feasible first plan (the LP rounded, repaired group by
group where the rounding breaks a group's rows), then the whole week hinted, day by day
(large-neighbourhood search), then the whole week again, with the day-split rows separated
along the way.

Every step has a deterministic budget (see :mod:`~wfm.scheduling.solver_params`) and the
steps are decided by the work done, never by the clock: the same inputs give the same plan
on a busy or a quiet machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from wfm.errors import SolverError
from wfm.scheduling.linear_model import (
    IntegerProgram,
    IntegerSolution,
    NoSolutionError,
    row_matrix,
    solve_integer,
    violation,
)
from wfm.scheduling.solver_params import SolverParams

FIRST_SHARE = 0.05  # of the budget: the whole week, hinted (small weeks end here, proved)
LNS_SHARE = 0.85  # of the budget: the day-by-day search; the rest for a last whole-week run
WHOLE_WEEK_MAX_AGENTS = 50  # up to this many agents CP-SAT takes the whole week at once
LNS_CALLS_PER_DAY = 4  # a call's budget: the LNS budget over this many calls per day ...
LNS_MIN_CALL_S = 1.0  # ... but at least this
LNS_MAX_CALL_S = 3.0  # ... and at most this
LNS_START_VARS = 2500  # variables of a neighbourhood at first (a third of a multi-skill day)
LNS_RESIZE = 1.25  # its growth after a proof, its shrinking after a call that gained nothing
LNS_STALL_CALLS = 14  # the search ends after this many calls in a row without improvement
CUT_ROUNDS = 3  # whole-week re-solves after the last step when it left violated day-split rows
# Repairing a group whose rounded plan breaks its rows (equal weekly totals, Hall rows):
# this share of the search budget per group, at least REPAIR_MIN_S.
REPAIR_SHARE = 0.02
REPAIR_MIN_S = 1.0


def relative_gap(objective: float, bound: float) -> float:
    if objective <= 1e-9:
        return 0.0
    return max(0.0, (objective - bound) / objective)


Rows = tuple[sparse.csr_matrix, np.ndarray, np.ndarray]
Separate = Callable[[np.ndarray], int]


@dataclass(frozen=True)
class PlanNeighbourhoods:
    """Variables of the plan model by role: each group's own variables (shift and break
    counts, its allocation over queues) and the variables every group shares (shortfall
    and excess per queue and slot); ``var_day`` the local day of every variable."""

    group_vars: Sequence[np.ndarray]
    shared_vars: np.ndarray
    var_day: np.ndarray


@dataclass
class SearchResult:
    """The plan's values and status, CP-SAT's bound, the work done (budget seconds), the
    calls the wall-clock net stopped, and notes on fallbacks taken."""

    values: np.ndarray
    status: str = "FEASIBLE"
    bound: float = 0.0
    deterministic_s: float = 0.0
    wall_limit_hits: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, sol: IntegerSolution | SolverError) -> None:
        """Add the work of a call, solved or not (:class:`NoSolutionError`)."""
        if isinstance(sol, IntegerSolution | NoSolutionError):
            self.deterministic_s += sol.deterministic_s
            self.wall_limit_hits += int(sol.wall_limit_hit)


def repair_plan(ip: IntegerProgram, rows: Rows, values: np.ndarray, *,
                hoods: PlanNeighbourhoods, params: SolverParams,
                result: SearchResult) -> np.ndarray | None:
    """Make a rounded plan feasible group by group: each group whose own rows (or bounds)
    it breaks is re-solved with the rest of the plan fixed (its variables and the shared
    shortfall and excess free), which the groups' independence (they meet only in the
    coverage rows, where shortfall and excess absorb any change) makes enough. ``None``
    when some group cannot be repaired within its budget."""
    matrix, lower, upper = rows
    var_group = np.full(ip.n_vars, -1, dtype=np.int64)
    for g, idx in enumerate(hoods.group_vars):
        var_group[idx] = g
    shared = np.zeros(ip.n_vars, dtype=bool)
    shared[hoods.shared_vars] = True
    act = matrix @ values
    bad_rows = np.flatnonzero((act < lower - 1e-9) | (act > upper + 1e-9))
    # A broken row with shared variables (coverage) is mended by any group's repair; the
    # others name the group at fault.
    own = [r for r in bad_rows.tolist()
           if not shared[matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]].any()]
    cols = (np.concatenate([matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]] for r in own])
            if own else np.zeros(0, dtype=np.int64))
    out_of_bounds = np.flatnonzero((values < np.asarray(ip.lower))
                                   | (values > np.asarray(ip.upper)))
    groups = sorted({int(g) for g in var_group[np.concatenate([cols, out_of_bounds])]
                     if g >= 0})
    if not groups and len(bad_rows):
        groups = [-1]  # only shared rows broken: free the shared variables alone
    budget = max(REPAIR_MIN_S, REPAIR_SHARE * params.time_limit_s)
    values = np.clip(values, np.asarray(ip.lower), np.asarray(ip.upper)).astype(np.int64)
    for g in groups:
        free = shared.copy()
        if g >= 0:
            free[hoods.group_vars[g]] = True
        try:
            sol = solve_integer(ip, params.with_budget(budget), values, free=free, rows=rows)
        except SolverError as exc:
            result.count(exc)
            return None
        result.count(sol)
        values = sol.values
    if violation(ip, values, rows) > 0:  # pragma: no cover - each repair is exact
        return None
    if groups and groups != [-1]:
        result.notes.append(f"stage (a): the rounded LP broke the rows of {len(groups)} "
                            "group(s); each was repaired alone")
    return values


def search_plan(ip: IntegerProgram, rows: Rows, hint: np.ndarray | None,
                hoods: PlanNeighbourhoods, *, params: SolverParams, shares: Sequence[float],
                lp_bound: float, lp_values: np.ndarray, separate: Separate | None = None,
                rounded: np.ndarray | None = None) -> SearchResult:
    """The integer search: the whole week hinted, then (with three ``shares`` of the
    budget) day by day, then the whole week again with what the earlier steps left; a
    step that proves optimality ends the search.

    ``hint`` is a feasible first plan; without one, ``rounded`` (an infeasible rounding of
    the LP) is repaired group by group (:func:`repair_plan`), and failing that CP-SAT looks
    for any plan of the whole week.

    ``separate`` (the day-split rows, see day_split_cuts) is called on the plan in hand
    before and after each step and adds the valid rows it violates to ``ip``: a plan that
    breaks them is kept only until a step finds one that does not (plans are compared on
    their violation first, then their objective). After the last step, the whole week is
    re-solved while that adds rows and budget is left (at most ``CUT_ROUNDS`` times).
    """
    total = params.time_limit_s
    result = SearchResult(np.zeros(ip.n_vars, dtype=np.int64))
    if hint is None and rounded is not None:
        hint = repair_plan(ip, rows, rounded, hoods=hoods, params=params, result=result)
    if hint is None:
        return _any_plan(ip, params, lp_values, lp_bound, result)
    cost = np.asarray(ip.cost, dtype=np.int64)

    def cut(vals: np.ndarray) -> bool:
        nonlocal rows
        if separate is None or not separate(vals):
            return False
        rows = row_matrix(ip)
        return True

    def key(vals: np.ndarray) -> tuple[float, float]:
        return violation(ip, vals, rows), float(np.dot(cost, vals))

    def left() -> float:
        return total - result.deterministic_s

    result.values = hint
    cut(result.values)
    steps = list(enumerate(shares))
    extra = 0
    while steps:
        k, share = steps.pop(0)
        last = not steps
        budget = left() if last else min(share * total, left())
        if budget < 0.5:
            break
        if k == 1:  # the middle step: day by day
            result.values, rows = _improve_by_day(ip, rows, result, hoods, params=params,
                                                  budget_s=budget, separate=separate)
            cut(result.values)
            continue
        try:  # the plan in hand is kept when a step finds nothing
            sol = solve_integer(ip, params.with_budget(budget), result.values,
                                lower_bound=lp_bound)
        except SolverError as exc:  # budget spent without a solution: count it
            result.count(exc)
            continue
        result.count(sol)
        result.bound = max(result.bound, sol.bound)
        if key(sol.values) <= key(result.values):
            result.values, result.status = sol.values, sol.status
        if cut(result.values):
            # The step's optimum was of a model without these rows: not the end yet.
            if not steps and extra < CUT_ROUNDS and left() >= 1.0:
                extra += 1
                steps.append((k, share))
            continue
        if sol.status == "OPTIMAL" or (
                params.relative_gap > 0
                and relative_gap(float(np.dot(cost, result.values)), lp_bound)
                <= params.relative_gap):
            break
    return result


def _any_plan(ip: IntegerProgram, params: SolverParams, lp_values: np.ndarray,
              lp_bound: float, result: SearchResult) -> SearchResult:
    """No feasible first plan: CP-SAT on the whole week (the LP's rounding as a hint), then,
    if that finds nothing, any feasible plan with as much budget again. Raises
    :class:`SolverError` when neither finds one."""
    hint = np.round(lp_values)
    try:
        sol = solve_integer(ip, params, hint=hint, lower_bound=lp_bound)
    except SolverError as exc:
        result.count(exc)
        sol = solve_integer(ip, replace(params, first_solution=True), hint=hint,
                            lower_bound=lp_bound)
        result.notes.append("stage (a): no plan within its budget; took the first plan "
                            "found with as much budget again")
        sol = replace(sol, status="FEASIBLE")
    result.count(sol)
    result.values, result.status, result.bound = sol.values, sol.status, sol.bound
    return result


def _improve_by_day(ip: IntegerProgram, rows: Rows, result: SearchResult,
                    hoods: PlanNeighbourhoods, *, params: SolverParams, budget_s: float,
                    separate: Separate | None = None) -> tuple[np.ndarray, Rows]:
    """Large-neighbourhood search: re-solve one day at a time for a subset of the groups
    (with every queue's shortfall and excess of that day), the rest fixed, while it
    improves and the budget lasts.

    Each call has a fixed budget; the groups of a call are drawn (seeded) until the
    neighbourhood holds about ``target`` variables, and ``target`` grows after a call that
    proves its neighbourhood optimal and shrinks after one that neither proves nor
    improves: one worker stalls on a whole day of 14 groups (45k-variable weeks) but
    steadily improves a third of it (measured on the multi-skill benchmark week: 3.8 % to
    0.7 % above the bound in 60 s, where whole days gained nothing). With few groups a
    call takes the whole day, as before. Every step depends on the work done only, never
    on the clock. The search ends after ``LNS_STALL_CALLS`` calls in a row without
    improvement; each sweep over the days starts by separating the day-split rows on the
    plan in hand (``separate``), and a plan that breaks fewer rows is an improvement
    whatever its objective."""
    cost = np.asarray(ip.cost, dtype=np.int64)
    values = result.values
    var_day = hoods.var_day
    n_g = len(hoods.group_vars)
    group_of = np.full(ip.n_vars, -1, dtype=np.int64)
    for g, idx in enumerate(hoods.group_vars):
        group_of[idx] = g
    shared = np.zeros(ip.n_vars, dtype=bool)
    shared[hoods.shared_vars] = True
    counts = np.zeros((max(n_g, 1), 7), dtype=np.int64)
    mine = group_of >= 0
    np.add.at(counts, (group_of[mine], var_day[mine]), 1)
    target = float(LNS_START_VARS)
    per_call = min(max(LNS_MIN_CALL_S, budget_s / (LNS_CALLS_PER_DAY * 7)), LNS_MAX_CALL_S)
    rng = np.random.default_rng(params.seed)
    start = result.deterministic_s
    current = (violation(ip, values, rows), float(np.dot(cost, values)))
    stall, k = 0, 0
    while stall < LNS_STALL_CALLS and result.deterministic_s - start + 0.5 <= budget_s:
        d = k % 7
        k += 1
        if d == 0 and separate is not None and separate(values):
            rows = row_matrix(ip)
            current = (violation(ip, values, rows), float(np.dot(cost, values)))
        chosen = np.zeros(max(n_g, 1), dtype=bool)
        size = 0
        for g in rng.permutation(n_g):
            if chosen.any() and size + counts[g, d] > target:
                continue
            chosen[g] = True
            size += int(counts[g, d])
        free = (var_day == d) & (shared | (mine & chosen[np.maximum(group_of, 0)]))
        call = min(per_call, budget_s - (result.deterministic_s - start))
        try:
            sol = solve_integer(ip, params.with_budget(call), values, free=free, rows=rows)
        except SolverError as exc:  # no solution in a short call: keep the plan, go on
            result.count(exc)
            stall += 1
            target = max(target / LNS_RESIZE, 1.0)
            continue
        result.count(sol)
        new = (violation(ip, sol.values, rows), sol.objective)
        improved = new[0] < current[0] - 1e-9 or (new[0] <= current[0] + 1e-9
                                                   and new[1] < current[1] - 0.5)
        if improved:
            values, current, stall = sol.values, new, 0
        else:
            stall += 1
        if sol.status == "OPTIMAL":
            target *= LNS_RESIZE
        elif not improved:
            target = max(target / LNS_RESIZE, 1.0)
    return values, rows
