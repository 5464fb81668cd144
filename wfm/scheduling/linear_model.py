"""A small solver-neutral integer program, exported to CP-SAT or to GLOP (its LP relaxation).

Stage (a) needs both the integer solution (CP-SAT) and the bound of its LP relaxation (GLOP)
of the very same model; building it once as sparse rows keeps the two in step.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.pdlp import solve_log_pb2, solvers_pb2
from ortools.pdlp.python import pdlp
from ortools.sat.python import cp_model
from scipy import sparse

from wfm.errors import SolverError
from wfm.scheduling.solver_params import (
    CPSAT_DET_PER_S,
    GLOP_DET_PER_S,
    GLOP_S_PER_ITERATION_ROW,
    PDLP_PASSES_PER_S_MNZ,
    PDLP_THREADS,
    SolverParams,
    call_wall_limit_s,
    configure_solver,
    stopped_by_wall,
)

INF = float("inf")


class NoSolutionError(SolverError):
    """CP-SAT found no solution within its budget: the work it did (budget seconds) and
    whether the wall-clock net, not the budget, stopped it."""

    def __init__(self, message: str, *, hint: str | None = None,
                 deterministic_s: float = 0.0, wall_limit_hit: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.deterministic_s = deterministic_s
        self.wall_limit_hit = wall_limit_hit


@dataclass
class IntegerProgram:
    """Integer variables with bounds, linear rows ``lb <= sum(coef * var) <= ub``, and a
    linear objective to minimise. Coefficients are integers (CP-SAT needs them)."""

    lower: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)
    rows: list[tuple[np.ndarray, np.ndarray, float, float]] = field(default_factory=list)

    @property
    def n_vars(self) -> int:
        return len(self.lower)

    def add_var(self, lower: int, upper: int, cost: int = 0) -> int:
        self.lower.append(int(lower))
        self.upper.append(int(max(lower, upper)))
        self.cost.append(int(cost))
        return len(self.lower) - 1

    def add_vars(self, count: int, lower: int, upper: Sequence[int] | int,
                 cost: int = 0) -> np.ndarray:
        first = len(self.lower)
        ups = [int(upper)] * count if isinstance(upper, int) else [int(u) for u in upper]
        self.lower.extend([int(lower)] * count)
        self.upper.extend(max(int(lower), u) for u in ups)
        self.cost.extend([int(cost)] * count)
        return np.arange(first, first + count, dtype=np.int64)

    def add_row(self, index: Sequence[int] | np.ndarray, coef: Sequence[int] | np.ndarray | int,
                lower: float = -INF, upper: float = INF) -> None:
        idx = np.asarray(index, dtype=np.int64)
        c = np.full(len(idx), coef, dtype=np.int64) if np.isscalar(coef) else np.asarray(
            coef, dtype=np.int64)
        if len(np.unique(idx)) < len(idx):
            # Repeated variables are summed (GLOP's SetCoefficient would keep the last).
            idx, inverse = np.unique(idx, return_inverse=True)
            c = np.bincount(inverse, weights=c).astype(np.int64)
            nonzero = c != 0
            idx, c = idx[nonzero], c[nonzero]
        if len(idx) == 0:
            if lower > 0 or upper < 0:
                raise SolverError("internal: an empty constraint cannot be satisfied")
            return
        self.rows.append((idx, c, lower, upper))


@dataclass(frozen=True)
class IntegerSolution:
    """Values, objective and CP-SAT's own proof of a lower bound; the work done
    (``deterministic_s``, in budget seconds) and whether the wall-clock net stopped it."""

    status: str
    values: np.ndarray
    objective: float
    bound: float
    wall_time_s: float
    deterministic_s: float = 0.0
    wall_limit_hit: bool = False


@dataclass(frozen=True)
class LpSolution:
    """Optimal objective (a lower bound of the integer optimum) and values of the LP; the
    method that gave them (``GLOP``, or ``PDLP`` with the Lagrangian bound of its duals)
    and whether a wall-clock net stopped a solver on the way."""

    bound: float
    values: np.ndarray
    method: str = "GLOP"
    wall_limit_hit: bool = False
    budget_used_s: float = 0.0  # work done, in budget seconds (a deterministic estimate)


def solve_lp_relaxation(ip: IntegerProgram) -> float:
    """Optimal objective of the LP relaxation (GLOP): a lower bound of the integer optimum."""
    return solve_lp(ip).bound


def solve_lp(ip: IntegerProgram, *, budget_s: float | None = None,
             simplex: bool = True, deadline: float | None = None) -> LpSolution:
    """Solve the LP relaxation with GLOP (dual simplex: several times faster than primal
    on these covering models).

    With ``budget_s`` (deterministic, see :mod:`~wfm.scheduling.solver_params`), a simplex
    that has not finished within it hands over to PDLP (with the same budget, counted in
    passes over the matrix), a first-order method that solves the large multi-group models
    in seconds where the simplex takes minutes; its answer is approximate (its last iterate
    when the budget stops it), so the bound returned is then the Lagrangian bound of its
    duals (:func:`dual_bound`), valid whatever their accuracy. ``simplex=False`` (with a
    budget) goes to PDLP straight away. Both stop on work done, not on time, so the answer
    does not depend on the machine's load; a wall-clock net remains
    (:func:`~wfm.scheduling.solver_params.call_wall_limit_s`: a multiple of the budget,
    or 1 s once the run's CPU-time allowance ``deadline`` is spent), and its firing is
    reported in ``wall_limit_hit``.
    """
    status = pywraplp.Solver.NOT_SOLVED
    hit = False
    if simplex or budget_s is None:
        solver, xs, obj = _lp_model(ip, "GLOP")
        options = "use_dual_simplex: true"
        if budget_s is not None:
            options += f" max_deterministic_time: {budget_s * GLOP_DET_PER_S:.6g}"
        net = _wall_net(budget_s, deadline) if budget_s is not None else float("inf")
        if budget_s is not None:
            solver.SetTimeLimit(max(1, round(net * 1000)))
        solver.SetSolverSpecificParametersAsString(options)
        t0 = time.perf_counter()
        status = solver.Solve()
        hit = budget_s is not None and status == pywraplp.Solver.NOT_SOLVED and (
            time.perf_counter() - t0 >= 0.99 * net)
    finished = (pywraplp.Solver.OPTIMAL, pywraplp.Solver.INFEASIBLE, pywraplp.Solver.UNBOUNDED)
    used = 0.0
    if simplex or budget_s is None:
        # GLOP does not report its deterministic time: charge its iterations by the rows
        # they sweep (calibrated with GLOP_DET_PER_S's measurements).
        used = min(solver.iterations() * len(ip.rows) * GLOP_S_PER_ITERATION_ROW,
                   budget_s if budget_s is not None else float("inf"))
    if status not in finished and budget_s is not None:
        sol = _solve_pdlp(ip, budget_s, deadline)
        return LpSolution(sol.bound, sol.values, sol.method, sol.wall_limit_hit or hit,
                          used + sol.budget_used_s)
    if status != pywraplp.Solver.OPTIMAL:
        name = {pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
                pywraplp.Solver.UNBOUNDED: "UNBOUNDED"}.get(status, f"status {status}")
        raise SolverError(f"the LP relaxation of the weekly plan has no optimal solution "
                          f"({name})")
    values = np.fromiter((x.solution_value() for x in xs), dtype=float, count=len(xs))
    return LpSolution(float(obj.Value()), values, budget_used_s=used)


def _wall_net(budget_s: float, deadline: float | None) -> float:
    return call_wall_limit_s(budget_s, deadline)


PDLP_TOLERANCE = 1e-5  # relative optimality of PDLP; the bound stays valid (dual_bound)


def _solve_pdlp(ip: IntegerProgram, budget_s: float, deadline: float | None) -> LpSolution:
    """PDLP through its own API rather than pywraplp's, which keeps no solution when the
    time limit stops it: here the last iterate and its duals come back whatever the
    reason, so a large week under a short limit gets an approximate plan and a valid
    (if weaker) bound instead of an error."""
    matrix, lower, upper = row_matrix(ip)
    qp = pdlp.QuadraticProgram()
    qp.objective_vector = np.asarray(ip.cost, dtype=float)
    qp.constraint_lower_bounds = lower
    qp.constraint_upper_bounds = upper
    qp.variable_lower_bounds = np.asarray(ip.lower, dtype=float)
    qp.variable_upper_bounds = np.asarray(ip.upper, dtype=float)
    qp.constraint_matrix = matrix.tocsc().astype(float)
    params = solvers_pb2.PrimalDualHybridGradientParams()
    criteria = params.termination_criteria.simple_optimality_criteria
    criteria.eps_optimal_relative = PDLP_TOLERANCE
    criteria.eps_optimal_absolute = PDLP_TOLERANCE
    # Work, not time: passes over the matrix in proportion to the budget and its size.
    nnz_m = max(matrix.nnz, 1) / 1e6
    params.termination_criteria.kkt_matrix_pass_limit = max(
        10.0, budget_s * PDLP_PASSES_PER_S_MNZ / nnz_m)
    params.termination_criteria.time_sec_limit = _wall_net(budget_s, deadline)
    params.num_threads = PDLP_THREADS
    result = pdlp.primal_dual_hybrid_gradient(qp, params)
    reason = result.solve_log.termination_reason
    hit = reason == solve_log_pb2.TERMINATION_REASON_TIME_LIMIT
    if reason in (solve_log_pb2.TERMINATION_REASON_PRIMAL_INFEASIBLE,
                  solve_log_pb2.TERMINATION_REASON_DUAL_INFEASIBLE,
                  solve_log_pb2.TERMINATION_REASON_PRIMAL_OR_DUAL_INFEASIBLE):
        raise SolverError("the LP relaxation of the weekly plan has no optimal solution "
                          "(INFEASIBLE)")
    values = np.asarray(result.primal_solution, dtype=float)
    duals = np.asarray(result.dual_solution, dtype=float)
    if len(values) != ip.n_vars or not (np.isfinite(values).all()
                                        and np.isfinite(duals).all()):
        name = solve_log_pb2.TerminationReason.Name(reason)
        raise SolverError(f"the LP relaxation of the weekly plan has no usable solution "
                          f"(PDLP stopped: {name})")
    # Rows and bounds hold approximately: clip to the bounds so rounding starts inside them.
    values = np.clip(values, qp.variable_lower_bounds, qp.variable_upper_bounds)
    passes = float(result.solve_log.solution_stats.cumulative_kkt_matrix_passes)
    return LpSolution(dual_bound(ip, duals), values, "PDLP", hit,
                      passes * nnz_m / PDLP_PASSES_PER_S_MNZ)


def _lp_model(ip: IntegerProgram, backend: str) -> tuple[
        pywraplp.Solver, list[pywraplp.Variable], pywraplp.Objective]:
    solver = pywraplp.Solver.CreateSolver(backend)
    if solver is None:  # pragma: no cover - GLOP ships with every ortools wheel
        raise SolverError(f"the {backend} linear solver is not available in this ortools build")
    xs = [solver.NumVar(float(lo), float(up), "") for lo, up in zip(ip.lower, ip.upper,
                                                                      strict=True)]
    for idx, coef, lo, up in ip.rows:
        ct = solver.RowConstraint(lo if lo > -INF else -solver.infinity(),
                                  up if up < INF else solver.infinity(), "")
        for i, c in zip(idx.tolist(), coef.tolist(), strict=True):
            ct.SetCoefficient(xs[i], float(c))
    obj = solver.Objective()
    for x, c in zip(xs, ip.cost, strict=True):
        if c:
            obj.SetCoefficient(x, float(c))
    obj.SetMinimization()
    return solver, xs, obj


def dual_bound(ip: IntegerProgram, duals: np.ndarray) -> float:
    """Lower bound of the LP (so of the integer program) from any row multipliers.

    For every x with ``l <= Ax <= u`` and ``lb <= x <= ub``:
    ``c.x = (c - A'y).x + y.Ax >= sum_j min((c - A'y)_j lb_j, (c - A'y)_j ub_j)
    + sum_i (y_i l_i if y_i > 0 else y_i u_i)``; a multiplier whose side is infinite is
    dropped. Every variable of the program has finite bounds.
    """
    matrix, lower, upper = row_matrix(ip)
    y = np.where(((duals > 0) & ~np.isfinite(lower)) | ((duals < 0) & ~np.isfinite(upper)),
                 0.0, duals)
    reduced = np.asarray(ip.cost, dtype=float) - matrix.T @ y
    lb, ub = np.asarray(ip.lower, dtype=float), np.asarray(ip.upper, dtype=float)
    rows = np.where(y > 0, y * np.where(np.isfinite(lower), lower, 0.0),
                    y * np.where(np.isfinite(upper), upper, 0.0)).sum()
    return float(rows + np.minimum(reduced * lb, reduced * ub).sum())


def row_matrix(ip: IntegerProgram) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The rows as a sparse matrix with their lower and upper limits."""
    lengths = [len(idx) for idx, _, _, _ in ip.rows]
    if not lengths:
        return sparse.csr_matrix((0, ip.n_vars)), np.zeros(0), np.zeros(0)
    cols = np.concatenate([idx for idx, _, _, _ in ip.rows])
    data = np.concatenate([c for _, c, _, _ in ip.rows])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    matrix = sparse.csr_matrix((data, cols, indptr), shape=(len(ip.rows), ip.n_vars))
    lower = np.array([r[2] for r in ip.rows], dtype=np.float64)
    upper = np.array([r[3] for r in ip.rows], dtype=np.float64)
    return matrix, lower, upper


def violation(ip: IntegerProgram, values: np.ndarray,
              rows: tuple[sparse.csr_matrix, np.ndarray, np.ndarray] | None = None) -> float:
    """Total amount by which ``values`` break the rows and bounds (0 when feasible)."""
    matrix, lower, upper = rows if rows is not None else row_matrix(ip)
    act = matrix @ values
    v = np.maximum(lower - act, 0).sum() + np.maximum(act - upper, 0).sum()
    v += np.maximum(np.asarray(ip.lower) - values, 0).sum()
    v += np.maximum(values - np.asarray(ip.upper), 0).sum()
    return float(v)


def solve_integer(ip: IntegerProgram, params: SolverParams,
                  hint: np.ndarray | None = None, *, free: np.ndarray | None = None,
                  rows: tuple[sparse.csr_matrix, np.ndarray, np.ndarray] | None = None,
                  lower_bound: float | None = None) -> IntegerSolution:
    """Solve with CP-SAT; raise :class:`SolverError` when no solution is found in time.

    With ``free`` (a boolean mask over the variables) only those variables move: the
    others are fixed at their ``hint`` values and substituted out, so the model CP-SAT
    sees is the neighbourhood alone (a large-neighbourhood search step); the objective is
    then of the whole program but the bound only of that neighbourhood. ``rows`` is the
    cached :func:`row_matrix` of ``ip``.

    ``lower_bound`` (the LP optimum) is added as a cut on the objective, so CP-SAT's own
    bound starts there and ``params.relative_gap`` can stop the search near it (whole
    program only).
    """
    model = cp_model.CpModel()
    n = ip.n_vars
    cost = np.asarray(ip.cost, dtype=np.int64)
    if free is None or hint is None:
        free = np.ones(n, dtype=bool)
        fixed_values = np.zeros(n, dtype=np.int64)
    else:
        fixed_values = np.where(free, 0, hint).astype(np.int64)
    free_idx = np.flatnonzero(free)
    xs: dict[int, cp_model.IntVar] = {
        int(i): model.new_int_var(ip.lower[i], ip.upper[i], "") for i in free_idx}
    matrix, lower, upper = rows if rows is not None else row_matrix(ip)
    const = matrix @ fixed_values
    touched = np.flatnonzero((matrix[:, free_idx] != 0).getnnz(axis=1) > 0) \
        if len(free_idx) < n else np.arange(matrix.shape[0])
    for r in touched.tolist():
        lo_r, hi_r = matrix.indptr[r], matrix.indptr[r + 1]
        idx, coef = matrix.indices[lo_r:hi_r], matrix.data[lo_r:hi_r]
        keep = free[idx]
        expr = cp_model.LinearExpr.weighted_sum([xs[int(i)] for i in idx[keep]],
                                                coef[keep].tolist())
        lo, up = lower[r] - const[r], upper[r] - const[r]
        lo_i = int(np.ceil(lo)) if lo > -INF else cp_model.INT_MIN
        up_i = int(np.floor(up)) if up < INF else cp_model.INT_MAX
        model.add_linear_constraint(expr, lo_i, up_i)
    nz = [int(i) for i in free_idx if cost[i]]
    offset = float(np.dot(cost, fixed_values))
    objective = cp_model.LinearExpr.weighted_sum([xs[i] for i in nz], [int(cost[i]) for i in nz])
    model.minimize(objective)
    if lower_bound is not None and nz and len(free_idx) == n:
        # Integer costs: the optimum is at least the LP bound rounded down (with slack for
        # the LP's float tolerance).
        model.add(objective >= int(np.floor(lower_bound - 1e-6 * max(1.0, abs(lower_bound)))))
    if hint is not None:
        for i, x in xs.items():
            model.add_hint(x, int(hint[i]))
    solver = configure_solver(cp_model.CpSolver(), params)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        hit = stopped_by_wall(solver, status)
        raise NoSolutionError(
            f"CP-SAT found no solution ({name}) within its budget of {params.time_limit_s:g} s"
            + (" (stopped by the wall-clock safety net)" if hit else ""),
            hint="raise [scheduling] time_limit_s",
            deterministic_s=float(solver.deterministic_time) / CPSAT_DET_PER_S,
            wall_limit_hit=hit)
    values = fixed_values.copy()
    values[free_idx] = [solver.value(xs[int(i)]) for i in free_idx]
    return IntegerSolution(name, values, float(solver.objective_value) + offset,
                           float(solver.best_objective_bound) + offset, float(solver.wall_time),
                           deterministic_s=float(solver.deterministic_time) / CPSAT_DET_PER_S,
                           wall_limit_hit=stopped_by_wall(solver, status))
