"""Stage (b)'s large-neighbourhood search: re-solve a few agents of a group at a time.

One CP-SAT worker on a whole group of 60-200 agents barely improves the greedy's hint
within its budget (measured on the multi-skill benchmark week: 178 shifts beyond the plan
in the hint, 160 after 72 s). With all but a dozen agents fixed, the same worker proves
each small neighbourhood optimal in a fraction of a second, so the search moves a
planned shift from one agent to another where the plan needs it. Neighbourhoods are
drawn with a seeded generator, half from the agents involved in a mismatch with the plan
(holding a shift beyond it, or able to take a planned shift nobody holds), so the search
is a function of its inputs and its budget only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.scheduling.solver_params import (
    CPSAT_DET_PER_S,
    SolverParams,
    configure_solver,
    stopped_by_wall,
)

LNS_AGENTS = 8  # agents re-solved together
LNS_CALL_S = 0.5  # budget of one call [s]
LNS_STALL_CALLS = 30  # the search ends after this many calls in a row without improvement


@dataclass
class AgentLns:
    """The chosen literal of every (agent, shift) variable, the objective, the work done
    (budget seconds) and the calls stopped by the wall-clock net."""

    chosen: dict[tuple[int, int], int]
    objective: float
    deterministic_s: float = 0.0
    wall_limit_hits: int = 0
    improvements: int = 0


def improve_assignment(model: cp_model.CpModel,  # noqa: PLR0917
                       x: dict[tuple[int, int], cp_model.IntVar], members: Sequence[int],
                       start: AgentLns, plan: np.ndarray, params: SolverParams,
                       budget_s: float) -> AgentLns:
    """Improve ``start`` by re-solving ``LNS_AGENTS`` agents at a time, the others fixed
    (CP-SAT's ``fix_variables_to_their_hinted_value`` on their variables), while the
    budget lasts and calls keep improving."""
    by_agent: dict[int, list[tuple[int, cp_model.IntVar]]] = {a: [] for a in members}
    for (a, i), var in x.items():
        by_agent[a].append((i, var))
    rng = np.random.default_rng(params.seed)
    best = AgentLns(dict(start.chosen), start.objective)
    size = min(LNS_AGENTS, len(members))
    stall = 0
    while stall < LNS_STALL_CALLS and best.deterministic_s + 0.1 <= budget_s:
        free = _neighbourhood(best.chosen, by_agent, members, plan, size, rng)
        model.clear_hints()  # type: ignore[no-untyped-call]
        for a in members:
            if a in free:
                continue
            for i, var in by_agent[a]:
                model.add_hint(var, best.chosen[(a, i)])
        call = min(LNS_CALL_S, budget_s - best.deterministic_s)
        solver = configure_solver(cp_model.CpSolver(), params.with_budget(call))
        solver.parameters.fix_variables_to_their_hinted_value = True
        status = solver.solve(model)
        best.deterministic_s += float(solver.deterministic_time) / CPSAT_DET_PER_S
        best.wall_limit_hits += int(stopped_by_wall(solver, status))
        if (status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                and solver.objective_value < best.objective - 0.5):
            for a in free:
                for i, var in by_agent[a]:
                    best.chosen[(a, i)] = int(solver.boolean_value(var))
            best.objective = float(solver.objective_value)
            best.improvements += 1
            stall = 0
        else:
            stall += 1
    model.clear_hints()  # type: ignore[no-untyped-call]
    return best


def _neighbourhood(chosen: dict[tuple[int, int], int],  # noqa: PLR0917
                   by_agent: dict[int, list[tuple[int, cp_model.IntVar]]],
                   members: Sequence[int], plan: np.ndarray, size: int,
                   rng: np.random.Generator) -> set[int]:
    """Half the agents from those in a mismatch with the plan (holding a shift beyond it,
    or able to take a planned shift nobody holds), the rest drawn from all."""
    counts = np.zeros(len(plan), dtype=np.int64)
    for (_, i), v in chosen.items():
        counts[i] += v
    beyond = counts > plan
    open_ = counts < plan
    trouble = [a for a in members
               if any(chosen[(a, i)] and beyond[i] for i, _ in by_agent[a])
               or any(open_[i] and not chosen[(a, i)] for i, _ in by_agent[a])]
    free: set[int] = set()
    if trouble:
        pick = rng.choice(len(trouble), size=min(len(trouble), max(1, size // 2)),
                          replace=False)
        free.update(trouble[int(k)] for k in pick)
    rest = [a for a in members if a not in free]
    if rest and len(free) < size:
        pick = rng.choice(len(rest), size=min(len(rest), size - len(free)), replace=False)
        free.update(rest[int(k)] for k in pick)
    return free
