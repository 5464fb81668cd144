"""Stage (b)'s first level: which days each member of a group works, with which shift length
and rest band, before any clock time is chosen.

Why: a weekly plan near its bound is tight on the group's days and paid hours (on the
500-agent benchmark week, 62 full-timers of 32 h on 4 days were planned exactly 186 shifts
of 8 h and 62 of 10 h: every member must get three and one). Assigning clock shifts agent
by agent (the greedy) hands some members two or four 10 h shifts, leaving others short of
their minimum, and CP-SAT on the whole group (agents x ~190 candidate shifts) does not
repair that within its budget: 23 shifts were added to that group's plan. At the level of
(day, length, rest band) the same question has about 30 variables per member and CP-SAT
solves it to optimality in about a deterministic second for 60-80 members.

Rest: two shifts on consecutive days can break the minimum rest only if the first ends
*late* (after ``1440 + earliest start of the next day - rest`` minutes of its day) and the
second starts *early* (before ``latest end of the day before + rest - 1440``), the earliest
and latest taken over the shifts the group may be given: every other pair keeps the rest
whatever the shifts. So each shift falls in a band (late end or not, early start or not)
and the level forbids a late band followed by an early one. That is stricter than the rule
(a 21:00 end and a 09:00 start the next day keep 11 h), but it makes every choice of clock
times within the bands rest-feasible on consecutive days: the second level (CP-SAT on the
clock shifts of each member's bands) then only matches start times to the plan's counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.scheduling.consecutive_days import add_consecutive_days
from wfm.scheduling.contracts import WeekLimits
from wfm.scheduling.coverage_model import SCALE
from wfm.scheduling.eligibility import AgentLike
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import MINUTES_PER_DAY, ShiftCatalog
from wfm.scheduling.solver_params import CPSAT_DET_PER_S, SolverParams, configure_solver

PREF_DAY_OFF_COST = 50  # as stage (b)'s full model: half an agent-hour of excess
BANDS = 4  # late end x early start


def shift_bands(catalog: ShiftCatalog, rules: ShiftRules, offered: np.ndarray) -> np.ndarray:
    """Per catalog shift its kind within the day: ``length * 4 + 2 * late + early``.

    ``offered``: the shifts the group may be given (boolean per catalog shift); the bounds
    come from them, day by day: a shift ends *late* when it ends after the earliest
    offered start of the next day plus a day less the rest, and starts *early* when it
    starts before the latest offered end of the previous day plus the rest less a day.
    """
    rest_min = rules.min_rest_h * 60
    late = np.zeros(catalog.n_shifts, dtype=bool)
    early = np.zeros(catalog.n_shifts, dtype=bool)
    for d in range(7):
        today = catalog.day == d
        if d < 6 and (offered & (catalog.day == d + 1)).any():
            first = int(catalog.start_min[offered & (catalog.day == d + 1)].min())
            late |= today & (catalog.end_min > MINUTES_PER_DAY + first - rest_min)
        if d > 0 and (offered & (catalog.day == d - 1)).any():
            last = int(catalog.end_min[offered & (catalog.day == d - 1)].max())
            early |= today & (catalog.start_min < last + rest_min - MINUTES_PER_DAY)
    out: np.ndarray = catalog.length * BANDS + 2 * late.astype(np.int64) + early.astype(np.int64)
    return out


@dataclass(frozen=True)
class DayPatterns:
    """``kind[a, d]``: the band (:func:`shift_bands`) agent ``a`` works on day ``d``, -1 off
    (rows of agents outside the group are -1), ``None`` when CP-SAT found no pattern within
    its budget; ``status`` CP-SAT's; ``deterministic_s`` the work done in budget seconds;
    ``departures``: shifts the patterns miss or add against the plan's count per day and
    band (level 2 cannot depart from the plan less)."""

    kind: np.ndarray | None
    status: str
    deterministic_s: float
    departures: int = 0


def day_patterns(catalog: ShiftCatalog, bands: np.ndarray, members: Sequence[int],  # noqa: PLR0917
                 plan: np.ndarray, eligible: np.ndarray, limits: WeekLimits,
                 rules: ShiftRules, agents: Sequence[AgentLike], params: SolverParams, *,
                 under_weight: float, over_weight: float,
                 carry_in_days: np.ndarray | None = None,
                 hint: np.ndarray | None = None) -> DayPatterns:
    """Each member's days, lengths and rest bands meeting their contract, matching the
    plan's count per (day, band) as closely as possible.

    A planned shift left without a member costs its working hours at ``under_weight``; one
    more than planned its paid hours (``rules.cost_per_paid_hour``) and working hours at
    ``over_weight``. ``hint``: a complete assignment (n_agents, 7) of catalog shifts (-1
    off) to start from.
    """
    n_kinds = len(catalog.lengths) * BANDS
    slot_h = catalog.grid.slot_minutes / 60
    model = cp_model.CpModel()
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for a in members:
        for d in range(7):
            on_day = eligible[a] & (catalog.day == d)
            for k in np.unique(bands[on_day]):
                y[(a, d, int(k))] = model.new_bool_var("")
    objective: list[cp_model.LinearExprT] = []
    counted: list[tuple[int, int, int, cp_model.IntVar, cp_model.IntVar]] = []
    day_of: dict[tuple[int, int], cp_model.IntVar] = {}
    takers_of: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (_, d, k), v in y.items():
        takers_of.setdefault((d, k), []).append(v)
    for d in range(7):
        for k in range(n_kinds):
            planned = int(plan[(catalog.day == d) & (bands == k)].sum())
            takers = takers_of.get((d, k), [])
            if not takers and planned == 0:
                continue
            length = catalog.lengths[k // BANDS]
            work_h = length.n_slots * slot_h
            miss = model.new_int_var(0, planned, "")
            extra = model.new_int_var(0, len(members), "")
            model.add(sum(takers) + miss - extra == planned)
            counted.append((d, k, planned, miss, extra))
            objective.append(max(round(under_weight * work_h * SCALE), 1) * miss)
            objective.append((round((over_weight * work_h + rules.cost_per_paid_hour
                                     * length.paid_h) * SCALE) + 1) * extra)
    paid_min = [round(catalog.lengths[k // BANDS].paid_h * 60) for k in range(n_kinds)]
    by_agent: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {a: [] for a in members}
    for (a, d, k), v in y.items():
        by_agent[a].append((d, k, v))
    for a in members:
        mine = by_agent[a]
        days = []
        for d in range(7):
            z = model.new_bool_var("")
            model.add(sum(v for dd, _, v in mine if dd == d) == z)
            days.append(z)
            day_of[(a, d)] = z
        model.add_linear_constraint(sum(days), int(limits.min_days[a]), int(limits.max_days[a]))
        model.add_linear_constraint(sum(paid_min[k] * v for _, k, v in mine),
                                    int(limits.min_paid_min[a]), int(limits.max_paid_min[a]))
        for d in range(6):
            late = [v for dd, k, v in mine if dd == d and k & 2]
            early = [v for dd, k, v in mine if dd == d + 1 and k & 1]
            if late and early:
                model.add(sum(late) + sum(early) <= 1)
        add_consecutive_days(model, days, rules.max_consecutive_days,
                             int(carry_in_days[a]) if carry_in_days is not None else 0)
        for d in agents[a].preferred_days_off:
            if 0 <= d < 7:
                objective.append(PREF_DAY_OFF_COST * days[d])
    if hint is not None:
        # Complete (every variable), so CP-SAT can take it as is when it keeps the bands.
        taken = np.zeros((7, len(catalog.lengths) * BANDS), dtype=np.int64)
        for (a, d, k), v in y.items():
            i = int(hint[a, d])
            on = i >= 0 and int(bands[i]) == k
            model.add_hint(v, int(on))
            taken[d, k] += int(on)
        for (a, d), z in day_of.items():
            i = int(hint[a, d])
            model.add_hint(z, int(i >= 0 and (a, d, int(bands[i])) in y))
        for d, k, planned, miss, extra in counted:
            model.add_hint(miss, max(planned - int(taken[d, k]), 0))
            model.add_hint(extra, max(int(taken[d, k]) - planned, 0))
    model.minimize(sum(objective))
    solver = configure_solver(cp_model.CpSolver(), params)
    status = solver.solve(model)
    work_s = float(solver.deterministic_time) / CPSAT_DET_PER_S
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return DayPatterns(None, solver.status_name(status), work_s)
    kind = np.full((len(agents), 7), -1, dtype=np.int64)
    for (a, d, k), v in y.items():
        if solver.boolean_value(v):
            kind[a, d] = k
    departures = sum(int(solver.value(miss)) + int(solver.value(extra))
                     for _, _, _, miss, extra in counted)
    return DayPatterns(kind, solver.status_name(status), work_s, departures)


def within_patterns(catalog: ShiftCatalog, bands: np.ndarray, offered: np.ndarray,
                    eligible_row: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """One member's shifts of the second level: the ``offered`` shifts (near the plan) of
    the bands their pattern works each day, and where none is offered, every shift of that
    band they may work."""
    out: list[int] = []
    for d in range(7):
        k = int(kinds[d])
        if k < 0:
            continue
        same = (catalog.day == d) & (bands == k)
        near = offered[same[offered]]
        out += (near if len(near) else np.flatnonzero(same & eligible_row)).tolist()
    return np.array(sorted(out), dtype=np.int64)


def band_rest_h(catalog: ShiftCatalog, bands: np.ndarray, offered: np.ndarray,
                rules: ShiftRules) -> float:
    """A minimum rest [h] under which no two offered shifts on consecutive days fall in a
    late band then an early one (at least the rules' own): the greedy under it builds a
    week every pattern level admits, a complete starting point for level 1."""
    longest_gap = -np.inf
    for d in range(6):
        late = offered & (catalog.day == d) & ((bands & 2) > 0)
        early = offered & (catalog.day == d + 1) & ((bands & 1) > 0)
        if late.any() and early.any():
            gap = MINUTES_PER_DAY + int(catalog.start_min[early].max()) - int(
                catalog.end_min[late].min())
            longest_gap = max(longest_gap, gap)
    if not np.isfinite(longest_gap):
        return rules.min_rest_h
    step = catalog.grid.slot_minutes
    return max(rules.min_rest_h, (float(longest_gap) // step + 1) * step / 60)
