"""Solver parameters and budgets, set in one place for every solver call of the optimiser.

Budgets are **deterministic**: a budget of ``s`` seconds stops CP-SAT after
``s * CPSAT_DET_PER_S`` of its deterministic time (a count of work, not of seconds),
GLOP after ``s * GLOP_DET_PER_S`` of its own, and PDLP after a number of passes over its
matrix; every CP-SAT call runs one worker with a fixed seed. So what the optimiser finds
depends on its inputs only, not on how busy the machine is or how many cores it has; on a
busy machine the same roster just takes longer. The ratios are calibrated so that a budget
of ``s`` seconds takes about ``s`` seconds of one core of the 2-core machine the
benchmarks run on (docs/scheduling-bench.md).

A wall-clock limit remains as a loose safety net only (:data:`WALL_SAFETY` times a call's
budget, plus :data:`WALL_FLOOR_S`; a run's allowance is as many seconds of CPU time): a
call it stops says so (:func:`stopped_by_wall`), and the run's summary counts those calls,
because from then on a rerun may differ.

Why not several CP-SAT workers: the parallel portfolio stops on wall-clock time only
(its deterministic counter is not a reproducible stopping point), and
``interleave_search``, CP-SAT's deterministic parallel mode, measured 3-10 times slower
than one worker on stage (a)'s models, overshooting its deterministic limit fourfold and
finding nothing better (ortools 9.15, Dec 2026). ``workers`` instead runs independent
sub-problems (stage (b)'s groups, stage (c)'s days) side by side, which leaves every
result unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ortools is loaded by the solvers, not by wfm.toml's reader
    from ortools.sat.python import cp_model

# CP-SAT deterministic seconds per second of budget: one worker on this project's models
# (stage (a) weeks and days, stage (b) groups, stage (c) days) advanced 0.9-1.1 of them
# per second of CPU (measured Dec 2026, ortools 9.15, this 2-core machine).
CPSAT_DET_PER_S = 1.0
# GLOP's deterministic seconds per second of budget (dual simplex, one thread): about 1.6
# per CPU second on stage (a)'s LPs.
GLOP_DET_PER_S = 1.6
# What a GLOP iteration costs, per row of the LP [s of budget]: a deterministic charge
# (GLOP reports iterations, not its deterministic time).
GLOP_S_PER_ITERATION_ROW = 1.0e-8
# PDLP: passes over the constraint matrix per second of budget and million nonzeros, with
# PDLP_THREADS threads (a fixed count: PDLP's iterates depend on it, not on the cores).
PDLP_PASSES_PER_S_MNZ = 300.0
PDLP_THREADS = 2
# The safety net: a call may take this many times its budget, plus WALL_FLOOR_S, of wall
# time before the clock stops it; a run may use as much CPU time of the process. The run's
# allowance is CPU, not wall, time: the same work costs about the same CPU time on a busy
# machine, where its wall time grows with the load (the sample week's 120 s budget took
# 26 min of wall time with 15 % of a core at a load average of 12, 6 Dec 2026).
WALL_SAFETY = 20.0
WALL_FLOOR_S = 300.0
# Once the run's CPU allowance is spent, each further call still gets this much wall time.
WALL_AFTER_DEADLINE_S = 1.0


@dataclass(frozen=True)
class SolverParams:
    """Limits of one solver call or of a whole run.

    Parameters
    ----------
    time_limit_s
        Budget [s]: deterministic limits worth about that many seconds of one core of the
        reference machine (see the module docstring); not a wall-clock limit.
    workers
        Threads for independent sub-problems (stage (b)'s groups, stage (c)'s days); every
        CP-SAT call itself runs one worker, so results do not depend on this number.
    seed
        Random seed of every search.
    relative_gap
        Stop once the objective is within this fraction (0-1) of the best bound; 0 runs
        to a proof of optimality or the budget.
    first_solution
        Stop at the first feasible solution.
    deadline
        ``time.process_time()`` value (the process's CPU time) after which each solver
        call gets only ``WALL_AFTER_DEADLINE_S`` (the run's safety net); ``None``: each
        call has only its own net (:func:`wall_net_s` of its budget).
    fix_to_hint
        Hold every hinted variable at its hint: CP-SAT then only prices a complete
        assignment (stage (b) scoring the greedy's weeks).
    """

    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    first_solution: bool = False
    deadline: float | None = None
    fix_to_hint: bool = False

    def scaled(self, fraction: float) -> SolverParams:
        """The same parameters with a share ``fraction`` (0-1) of the budget."""
        return replace(self, time_limit_s=max(0.5, self.time_limit_s * fraction))

    def with_budget(self, seconds: float) -> SolverParams:
        """The same parameters with a budget of ``seconds`` (at least 0.5 s)."""
        return replace(self, time_limit_s=max(0.5, float(seconds)))

    def with_deadline(self) -> SolverParams:
        """The same parameters with the run's CPU-time allowance starting now."""
        return replace(self, deadline=time.process_time() + wall_net_s(self.time_limit_s))

    @property
    def cpsat_deterministic_time(self) -> float:
        """CP-SAT's ``max_deterministic_time`` for this budget."""
        return self.time_limit_s * CPSAT_DET_PER_S

    def wall_limit_s(self) -> float:
        """The wall-clock net of a call starting now [s]."""
        return call_wall_limit_s(self.time_limit_s, self.deadline)


def wall_net_s(budget_s: float) -> float:
    """Safety net of a budget [s]: a call's wall time, a run's CPU time."""
    return WALL_SAFETY * float(budget_s) + WALL_FLOOR_S


def call_wall_limit_s(budget_s: float, deadline: float | None) -> float:
    """The wall-clock net of a call with ``budget_s`` starting now, in a run whose CPU-time
    allowance ends at ``deadline`` (``time.process_time()``; ``None``: no run) [s]."""
    if deadline is not None and time.process_time() >= deadline:
        return WALL_AFTER_DEADLINE_S
    return wall_net_s(budget_s)


def configure_solver(solver: cp_model.CpSolver, params: SolverParams) -> cp_model.CpSolver:
    """Apply ``params`` through ``solver.parameters`` (the one place that does so)."""
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = int(params.seed)
    p.max_deterministic_time = float(params.cpsat_deterministic_time)
    p.max_time_in_seconds = float(params.wall_limit_s())
    p.relative_gap_limit = float(params.relative_gap)
    p.stop_after_first_solution = bool(params.first_solution)
    p.fix_variables_to_their_hinted_value = bool(params.fix_to_hint)
    p.log_search_progress = False
    return solver


def stopped_by_wall(solver: cp_model.CpSolver, status: cp_model.CpSolverStatus) -> bool:
    """Whether a finished CP-SAT call was stopped by the wall-clock net rather than by its
    deterministic limit, a proof or its first solution (its result may then differ on a
    rerun). Told by the work done, not by the clock (CP-SAT stops a little before its
    wall limit, by a margin that grows with the machine's load)."""
    from ortools.sat.python import cp_model

    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return False
    p = solver.parameters
    if p.stop_after_first_solution and status == cp_model.FEASIBLE:
        return False
    return bool(solver.deterministic_time < 0.99 * p.max_deterministic_time)
