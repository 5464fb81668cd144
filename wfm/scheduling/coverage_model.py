"""Coverage rows shared by stage (a) and stage (c): each group's working agents split over
the queues it can serve, compared with the requirement of every queue and slot.

A group's working agents in a slot are given as a sparse linear expression; each agent
is counted on exactly one queue (``sum_q alloc[g, q, t] == work[g, t]``), so a
multi-skill agent is never counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.linear_model import IntegerProgram

SCALE = 100  # objective coefficients are weights x SCALE per agent-slot (integers for CP-SAT)

Expr = tuple[list[int], list[int], int]  # variable indices, coefficients, constant


@dataclass(frozen=True)
class CoverageVars:
    """Where the coverage variables sit in the program."""

    under: np.ndarray  # (n_queues, n_slots) variable index
    over: np.ndarray
    alloc: dict[tuple[int, int], np.ndarray]  # (group, queue) -> variable index per slot


def add_coverage(ip: IntegerProgram, work: Sequence[Sequence[Expr]],  # noqa: PLR0917
                 group_queues: Sequence[Sequence[int]], group_sizes: Sequence[int],
                 required: np.ndarray, under_cost: Sequence[int],
                 over_cost: Sequence[int] | int) -> CoverageVars:
    """Add allocation, under- and over-staffing variables and the balance rows.

    Parameters
    ----------
    work
        ``work[g][t]``: working agents of group ``g`` in slot ``t`` as an expression.
    group_queues
        Queue indices each group can serve.
    required
        Agents required, integer array (n_queues, n_slots).
    under_cost, over_cost
        Objective coefficient per agent-slot short / in excess, per queue (``over_cost``
        may be one for all queues).
    """
    n_q, n_t = required.shape
    under = np.empty((n_q, n_t), dtype=np.int64)
    over = np.empty((n_q, n_t), dtype=np.int64)
    total_size = int(sum(group_sizes))
    over_costs = [int(over_cost)] * n_q if isinstance(over_cost, int) else list(over_cost)
    for q in range(n_q):
        under[q] = ip.add_vars(n_t, 0, [int(r) for r in required[q]], under_cost[q])
        over[q] = ip.add_vars(n_t, 0, total_size, over_costs[q])
    alloc: dict[tuple[int, int], np.ndarray] = {}
    for g, queues in enumerate(group_queues):
        if len(queues) <= 1:  # one queue: counted directly; none: counted nowhere
            continue
        for q in queues:
            alloc[(g, q)] = ip.add_vars(n_t, 0, int(group_sizes[g]))
        for t in range(n_t):
            w_idx, w_coef, w_const = work[g][t]
            a_idx = [int(alloc[(g, q)][t]) for q in queues]
            ip.add_row(a_idx + w_idx, [1] * len(a_idx) + [-c for c in w_coef], w_const, w_const)
    for q in range(n_q):
        singles = [g for g, qs in enumerate(group_queues) if list(qs) == [q]]
        multis = [g for g, qs in enumerate(group_queues) if len(qs) > 1 and q in qs]
        for t in range(n_t):
            idx: list[int] = [int(under[q, t]), int(over[q, t])]
            coef: list[int] = [1, -1]
            const = 0
            for g in singles:
                w_idx, w_coef, w_const = work[g][t]
                idx += w_idx
                coef += w_coef
                const += w_const
            for g in multis:
                idx.append(int(alloc[(g, q)][t]))
                coef.append(1)
            rhs = int(required[q, t]) - const
            ip.add_row(idx, coef, rhs, rhs)
    return CoverageVars(under, over, alloc)


def allocation_values(values: np.ndarray, cov: CoverageVars, work_values: np.ndarray,
                      group_queues: Sequence[Sequence[int]], n_queues: int) -> np.ndarray:
    """Agents of each group on each queue, array (n_groups, n_queues, n_slots)."""
    n_g, n_t = work_values.shape
    out = np.zeros((n_g, n_queues, n_t), dtype=np.int64)
    for g, queues in enumerate(group_queues):
        if len(queues) == 1:
            out[g, queues[0]] = work_values[g]
        else:
            for q in queues:
                out[g, q] = values[cov.alloc[(g, q)]]
    return out


def objective_parts(under: np.ndarray, over: np.ndarray, paid_h: float,  # noqa: PLR0917
                    under_weight: Sequence[float], over_weight: Sequence[float] | float,
                    cost_per_paid_hour: float, slot_h: float) -> dict[str, float]:
    """Objective in weighted agent-hours from shortfall/excess agent-slots (per queue and
    slot) and paid hours; weights per queue (``over_weight`` may be one for all)."""
    u = float(np.dot(np.asarray(under_weight), under.sum(axis=1))) * slot_h
    o_w = np.broadcast_to(np.asarray(over_weight, dtype=float), (over.shape[0],))
    o = float(np.dot(o_w, over.sum(axis=1))) * slot_h
    c = paid_h * cost_per_paid_hour
    return {"understaffing": u, "overstaffing": o, "paid_cost": c, "objective": u + o + c}
