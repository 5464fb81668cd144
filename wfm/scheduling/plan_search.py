"""Stage (a)'s integer search: the whole week hinted, day by day (large-neighbourhood
search), then the whole week again, with the day-split rows separated along the way."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from scipy import sparse

from wfm.errors import SolverError
from wfm.scheduling.linear_model import IntegerProgram, row_matrix, solve_integer, violation
from wfm.scheduling.solver_params import SolverParams

FIRST_SHARE = 0.05  # of the time limit: the whole week, hinted (small weeks end here, proved)
LNS_SHARE = 0.85  # of the time limit: the day-by-day search; the rest for a last whole-week run
WHOLE_WEEK_MAX_AGENTS = 50  # up to this many agents CP-SAT takes the whole week at once
LNS_PASSES = 8  # sweeps over the seven days at most (deterministic with one worker)
LNS_CALLS_PER_DAY = 4  # the LNS budget is split into this many calls per day


def relative_gap(objective: float, bound: float) -> float:
    if objective <= 1e-9:
        return 0.0
    return max(0.0, (objective - bound) / objective)


Rows = tuple[sparse.csr_matrix, np.ndarray, np.ndarray]
Separate = Callable[[np.ndarray], int]
CUT_ROUNDS = 3  # whole-week re-solves after the last step when it left violated day-split rows


def search_plan(ip: IntegerProgram, rows: Rows, hint: np.ndarray | None, var_day: np.ndarray, *,
            params: SolverParams, started: float, shares: Sequence[float], lp_bound: float,
            lp_values: np.ndarray, separate: Separate | None = None,
            ) -> tuple[np.ndarray, str, float, float]:
    """Values, status, CP-SAT bound and solver seconds of the integer search: the whole
    week hinted, then (with three ``shares`` of the time limit) day by day, then the whole
    week again; a step that proves optimality ends the search.

    ``separate`` (the day-split rows, see day_split_cuts) is called on the plan in hand
    before and after each step and adds the valid rows it violates to ``ip``: a plan that
    breaks them is kept only until a step finds one that does not (plans are compared on
    their violation first, then their objective). After the last step, the whole week is
    re-solved while that adds rows and time is left (at most ``CUT_ROUNDS`` times).

    With one worker every step gets a fixed share of the time limit (deterministic
    limits, reproducible runs); with more, the wall-clock time left after the LP.
    """
    def budget(share: float) -> float:
        if params.workers == 1:
            return max(share * params.time_limit_s, 0.5)
        return max(min(share * params.time_limit_s,
                       params.time_limit_s - (time.perf_counter() - started)), 0.5)

    def with_limit(seconds: float) -> SolverParams:
        return replace(params, time_limit_s=seconds)

    if hint is None:
        # The LP of this model is nearly integral: even unrepaired, its rounding helps.
        # No feasible rounding: the whole limit for CP-SAT, as the plan must be found.
        try:
            sol = solve_integer(ip, params, hint=np.round(lp_values), lower_bound=lp_bound)
        except SolverError:
            # On a loaded machine the share can pass without a first plan. A late roster
            # beats none: look for any feasible plan, as long again.
            sol = solve_integer(ip, replace(params, first_solution=True),
                                hint=np.round(lp_values), lower_bound=lp_bound)
            return sol.values, "FEASIBLE", sol.bound, sol.wall_time_s
        return sol.values, sol.status, sol.bound, sol.wall_time_s
    cost = np.asarray(ip.cost, dtype=np.int64)

    def cut(vals: np.ndarray) -> bool:
        nonlocal rows
        if separate is None or not separate(vals):
            return False
        rows = row_matrix(ip)
        return True

    def key(vals: np.ndarray) -> tuple[float, float]:
        return violation(ip, vals, rows), float(np.dot(cost, vals))

    values, status, bound, spent = hint, "FEASIBLE", 0.0, 0.0
    cut(values)
    steps = list(enumerate(shares))
    extra = 0
    while steps:
        k, share = steps.pop(0)
        if k == 1:  # the middle step: day by day
            values, seconds, rows = _improve_by_day(ip, rows, values, var_day, params=params,
                                                    budget_s=budget(share), separate=separate)
            spent += seconds
            cut(values)
            continue
        try:  # the plan in hand is kept when a slice finds nothing
            sol = solve_integer(ip, with_limit(budget(share)), values, lower_bound=lp_bound)
        except SolverError:
            continue
        spent += sol.wall_time_s
        bound = max(bound, sol.bound)
        if key(sol.values) <= key(values):
            values, status = sol.values, sol.status
        if cut(values):
            # The step's optimum was of a model without these rows: not the end yet.
            last = not steps
            time_left = (params.workers == 1 and sol.status == "OPTIMAL") or (
                params.workers > 1
                and params.time_limit_s - (time.perf_counter() - started) > 1.0)
            if last and extra < CUT_ROUNDS and time_left:
                extra += 1
                steps.append((k, share))
            continue
        if sol.status == "OPTIMAL" or (
                params.relative_gap > 0
                and relative_gap(float(np.dot(cost, values)), lp_bound) <= params.relative_gap):
            break
    return values, status, bound, spent


def _improve_by_day(ip: IntegerProgram, rows: Rows, values: np.ndarray, var_day: np.ndarray,
                    *, params: SolverParams, budget_s: float,
                    separate: Separate | None = None) -> tuple[np.ndarray, float, Rows]:
    """Re-solve one day at a time, the rest fixed, while it improves and time is left;
    each pass starts by separating the day-split rows on the plan in hand (``separate``),
    and a plan that breaks fewer rows is an improvement whatever its objective."""
    cost = np.asarray(ip.cost, dtype=np.int64)
    deadline = time.perf_counter() + budget_s
    per_call = max(0.5, budget_s / (LNS_CALLS_PER_DAY * 7))
    spent = 0.0
    for _ in range(LNS_PASSES):
        if separate is not None and separate(values):
            rows = row_matrix(ip)
        current = (violation(ip, values, rows), float(np.dot(cost, values)))
        improved = False
        for d in range(7):
            left = deadline - time.perf_counter()
            if params.workers > 1 and left < 0.5:
                return values, spent, rows
            sub = replace(params, time_limit_s=min(per_call, max(left, 0.5)))
            try:
                sol = solve_integer(ip, sub, values, free=var_day == d, rows=rows)
            except SolverError:  # no solution in a short slice: keep the plan, go on
                continue
            spent += sol.wall_time_s
            new = (violation(ip, sol.values, rows), sol.objective)
            if new[0] < current[0] - 1e-9 or (new[0] <= current[0] + 1e-9
                                               and new[1] < current[1] - 0.5):
                values, current, improved = sol.values, new, True
        if not improved:
            break
    return values, spent, rows

