"""Solver parameters, set in one place for every CP-SAT model of the optimiser."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

WALL_SAFETY = 4.0  # with one worker: wall-clock limit = this x the deterministic limit


@dataclass(frozen=True)
class SolverParams:
    """Limits of one solver call.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit of the call [s].
    workers
        Search workers (threads); ``1`` with a fixed ``seed`` makes runs reproducible.
    seed
        Random seed of the search.
    relative_gap
        Stop once the objective is within this fraction (0-1) of the best bound; 0 runs
        to a proof of optimality or the time limit.
    first_solution
        Stop at the first feasible solution.
    """

    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    first_solution: bool = False

    def scaled(self, fraction: float) -> SolverParams:
        """The same parameters with a share ``fraction`` (0-1) of the time limit."""
        return replace(self, time_limit_s=max(0.5, self.time_limit_s * fraction))


def configure_solver(solver: cp_model.CpSolver, params: SolverParams) -> cp_model.CpSolver:
    """Apply ``params`` through ``solver.parameters`` (the one place that does so)."""
    solver.parameters.max_time_in_seconds = float(params.time_limit_s)
    solver.parameters.num_search_workers = int(params.workers)
    solver.parameters.random_seed = int(params.seed)
    solver.parameters.relative_gap_limit = float(params.relative_gap)
    solver.parameters.stop_after_first_solution = bool(params.first_solution)
    if params.workers == 1:
        # A wall-clock limit makes even a single worker depend on machine load; the
        # deterministic-time limit (about seconds on a typical core) keeps reruns identical,
        # with a wall-clock limit well above it only as a safety net on a loaded machine.
        solver.parameters.max_deterministic_time = float(params.time_limit_s)
        solver.parameters.max_time_in_seconds = WALL_SAFETY * float(params.time_limit_s)
    solver.parameters.log_search_progress = False
    return solver
