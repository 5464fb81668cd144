"""The LP relaxation of stage (a): simplex optimum, PDLP (converged or stopped by its time
limit) and the Lagrangian bound that keeps an approximate answer a valid lower bound."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.errors import SolverError
from wfm.scheduling.linear_model import IntegerProgram, dual_bound, row_matrix, solve_lp


def covering_program(seed: int = 3, slots: int = 60, length: int = 8) -> IntegerProgram:
    """Shifts of ``length`` slots starting anywhere, a requirement per slot, shortfall
    allowed at a high price: the shape of the weekly plan in miniature."""
    rng = np.random.default_rng(seed)
    ip = IntegerProgram()
    starts = np.arange(slots - length + 1)
    shifts = ip.add_vars(len(starts), 0, 40, cost=length * 10)
    under = ip.add_vars(slots, 0, 100, cost=50)
    required = rng.integers(0, 25, size=slots)
    for t in range(slots):
        covering = shifts[(starts <= t) & (t < starts + length)]
        ip.add_row(np.concatenate([covering, [under[t]]]), 1, lower=float(required[t]))
    return ip


def test_simplex_optimum_equals_the_bound_of_its_own_duals() -> None:
    ip = covering_program()
    exact = solve_lp(ip)
    matrix, lower, upper = row_matrix(ip)
    assert exact.bound > 0
    act = matrix @ exact.values
    assert (act >= lower - 1e-6).all() and (act <= upper + 1e-6).all()
    assert exact.bound == pytest.approx(float(np.dot(ip.cost, exact.values)))


def test_any_multipliers_give_a_lower_bound() -> None:
    ip = covering_program()
    optimum = solve_lp(ip).bound
    rng = np.random.default_rng(0)
    for _ in range(50):
        y = rng.uniform(-20, 80, size=len(ip.rows))
        assert dual_bound(ip, y) <= optimum + 1e-6
    assert dual_bound(ip, np.zeros(len(ip.rows))) == 0.0


def test_pdlp_converges_to_the_simplex_optimum() -> None:
    ip = covering_program()
    optimum = solve_lp(ip).bound
    approx = solve_lp(ip, budget_s=30, simplex=False)
    assert approx.bound <= optimum + 1e-6
    assert approx.bound == pytest.approx(optimum, rel=1e-3)
    assert float(np.dot(ip.cost, approx.values)) == pytest.approx(optimum, rel=1e-3)


def test_pdlp_stopped_by_its_limit_still_returns_a_plan_and_a_valid_bound() -> None:
    # pywraplp keeps no solution when PDLP hits its limit ("status 6"): a large week under
    # a short limit used to fail there. Its own API returns the last iterate (here after
    # the fewest passes over the matrix a budget gives).
    ip = covering_program(slots=400)
    optimum = solve_lp(ip).bound
    early = solve_lp(ip, budget_s=1e-6, simplex=False)
    assert early.method == "PDLP"
    assert len(early.values) == ip.n_vars and np.isfinite(early.values).all()
    assert (early.values >= np.asarray(ip.lower)).all()
    assert (early.values <= np.asarray(ip.upper)).all()
    assert early.bound <= optimum + 1e-6
    assert early.bound < 0.5 * optimum  # it did stop long before converging


def test_an_infeasible_relaxation_is_reported_as_such() -> None:
    ip = IntegerProgram()
    x = ip.add_vars(2, 0, 3)
    ip.add_row(x, 1, lower=7.0)
    with pytest.raises(SolverError, match="INFEASIBLE"):
        solve_lp(ip)
    with pytest.raises(SolverError, match="INFEASIBLE"):
        solve_lp(ip, budget_s=5, simplex=False)


def test_plan_search_without_a_first_plan_in_its_share_looks_once_more(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # When no first plan is in hand (no rounding, nothing to repair) and CP-SAT finds
    # nothing within stage (a)'s budget, the search asks for any feasible plan rather
    # than fail.
    from wfm.scheduling import plan_search
    from wfm.scheduling.solver_params import SolverParams

    ip = covering_program()
    lp = solve_lp(ip)
    calls: list[SolverParams] = []
    real = plan_search.solve_integer

    def first_call_times_out(ip_, params, hint=None, **kw):  # type: ignore[no-untyped-def]
        calls.append(params)
        if len(calls) == 1:
            raise SolverError("CP-SAT found no solution (UNKNOWN) within 1 s")
        return real(ip_, params, hint, **kw)

    monkeypatch.setattr(plan_search, "solve_integer", first_call_times_out)
    hoods = plan_search.PlanNeighbourhoods([], np.zeros(0, dtype=np.int64),
                                           np.zeros(ip.n_vars, dtype=np.int64))
    found = plan_search.search_plan(ip, row_matrix(ip), None, hoods,
                                    params=SolverParams(5.0, 1, 0), shares=(1.0,),
                                    lp_bound=lp.bound, lp_values=lp.values)
    values = found.values
    assert [p.first_solution for p in calls] == [False, True]
    assert found.status == "FEASIBLE"
    assert found.notes and "first plan found" in found.notes[0]
    matrix, lower, upper = row_matrix(ip)
    act = matrix @ values
    assert (act >= lower).all() and (act <= upper).all()
    assert float(np.dot(ip.cost, values)) >= lp.bound - 1e-6
