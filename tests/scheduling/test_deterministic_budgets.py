"""Deterministic budgets: what the solvers are told, the wall-clock net and its report, and
the fallbacks that keep a roster when a search finds nothing within its budget."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from wfm.scheduling import solver_params
from wfm.scheduling.linear_model import IntegerProgram, NoSolutionError, row_matrix, solve_integer
from wfm.scheduling.plan_search import PlanNeighbourhoods, SearchResult, repair_plan
from wfm.scheduling.solver_params import SolverParams, configure_solver


def test_every_cp_sat_call_runs_one_worker_on_a_deterministic_limit() -> None:
    params = SolverParams(40.0, workers=4, seed=7, relative_gap=0.01)
    p = configure_solver(cp_model.CpSolver(), params).parameters
    assert p.num_workers == 1  # workers are threads over sub-problems, not CP-SAT workers
    assert p.random_seed == 7
    assert p.max_deterministic_time == pytest.approx(40.0 * solver_params.CPSAT_DET_PER_S)
    # The wall clock is only a loose net, far above what the budget takes.
    assert p.max_time_in_seconds >= solver_params.WALL_SAFETY * 40.0
    assert p.relative_gap_limit == pytest.approx(0.01)


def test_after_the_runs_cpu_allowance_each_call_gets_a_short_net() -> None:
    import time

    # The run's allowance is CPU time of the process (a busy machine slows the wall clock
    # of the same work, not its CPU time).
    late = SolverParams(40.0, deadline=time.process_time() - 5.0)
    assert late.wall_limit_s() == solver_params.WALL_AFTER_DEADLINE_S
    fresh = SolverParams(40.0).with_deadline()
    assert fresh.deadline == pytest.approx(time.process_time() + solver_params.wall_net_s(40.0),
                                           abs=5.0)
    # Within the allowance a call's net is its own budget's, not what is left of the run's.
    assert fresh.with_budget(2.0).wall_limit_s() == solver_params.wall_net_s(2.0)


def _market_split(m: int = 4, n: int = 40) -> IntegerProgram:
    """A market-split program (Cornuejols & Dawande 1999): 0/1 items against m equality
    rows with slack; a feasible answer is immediate, a proof of optimality is out of reach
    in seconds, so the budget (or the net) is what stops the search."""
    rng = np.random.default_rng(1)
    ip = IntegerProgram()
    x = ip.add_vars(n, 0, 1)
    for _ in range(m):
        a = rng.integers(0, 100, size=n)
        b = int(a.sum() // 2)
        plus, minus = ip.add_var(0, b, 1), ip.add_var(0, b, 1)
        ip.add_row([*x.tolist(), plus, minus], [*a.tolist(), 1, -1], b, b)
    return ip


def test_a_call_stopped_by_the_wall_clock_net_says_so() -> None:
    import time

    ip = _market_split()
    # A large budget but a run deadline already past: only the net can stop the search.
    params = SolverParams(1000.0, deadline=time.process_time() - 1.0)
    try:
        sol = solve_integer(ip, params, hint=np.zeros(ip.n_vars, dtype=np.int64))
    except NoSolutionError as exc:  # pragma: no cover - a solution comes at once
        assert exc.wall_limit_hit
        return
    assert sol.status != "OPTIMAL"
    assert sol.wall_limit_hit


def test_a_call_stopped_by_its_budget_is_not_a_wall_hit() -> None:
    sol = solve_integer(_market_split(), SolverParams(0.5))
    assert sol.status == "FEASIBLE"
    assert sol.deterministic_s == pytest.approx(0.5, rel=0.01)
    assert not sol.wall_limit_hit


def test_same_budget_same_answer() -> None:
    # The stopping point is work done, so two runs of an unfinished search agree exactly.
    ip = _market_split()
    runs = [solve_integer(ip, SolverParams(0.5)) for _ in range(2)]
    assert runs[0].status == runs[1].status == "FEASIBLE"
    assert np.array_equal(runs[0].values, runs[1].values)
    assert runs[0].deterministic_s == runs[1].deterministic_s


def _two_groups_program() -> tuple[IntegerProgram, PlanNeighbourhoods, np.ndarray]:
    """Two groups, each with a shift count per day (0-1) and exactly two shifts in the
    week; one agent required each day, shortfall 10 and excess 1 per agent-day (shared)."""
    ip = IntegerProgram()
    shifts = [ip.add_vars(3, 0, 1) for _ in range(2)]
    for x in shifts:
        ip.add_row(x, 1, 2, 2)
    under = ip.add_vars(3, 0, 1, cost=10)
    over = ip.add_vars(3, 0, 2, cost=1)
    for d in range(3):
        ip.add_row([int(shifts[0][d]), int(shifts[1][d]), int(under[d]), int(over[d])],
                   [1, 1, 1, -1], 1, 1)
    hoods = PlanNeighbourhoods(shifts, np.concatenate([under, over]), np.zeros(ip.n_vars,
                                                                           dtype=np.int64))
    # A rounding that gives group 0 three shifts (its row wants exactly two); group 1's
    # two are fine; shortfall and excess as they were before the rounding.
    values = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    return ip, hoods, values


def test_a_rounding_that_breaks_a_groups_rows_is_repaired_group_by_group() -> None:
    ip, hoods, values = _two_groups_program()
    rows = row_matrix(ip)
    result = SearchResult(np.zeros(ip.n_vars, dtype=np.int64))
    fixed = repair_plan(ip, rows, values, hoods=hoods, params=SolverParams(5.0), result=result)
    assert fixed is not None
    matrix, lower, upper = rows
    act = matrix @ fixed
    assert (act >= lower).all() and (act <= upper).all()
    # Group 1 (fine) is untouched; group 0 drops a shift. With group 1 on days 0 and 1,
    # group 0 on days 0-1 leaves day 2 short (10 + 2 in excess); on day 2 and one of the
    # others it costs 1 (one day with two agents): the repair finds that.
    assert list(fixed[3:6]) == [1, 1, 0]
    assert fixed[2] == 1 and fixed[0] + fixed[1] == 1
    assert float(np.dot(ip.cost, fixed)) == pytest.approx(1.0)
    assert result.notes and "1 group(s)" in result.notes[0]
    assert result.deterministic_s > 0
