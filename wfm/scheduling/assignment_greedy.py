"""Stage (b)'s first assignment: a most-constrained-first greedy that keeps every hard
rule, the complete hint of each group's CP-SAT model (and its answer when CP-SAT finds
nothing within its budget)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wfm.scheduling.contracts import WeekLimits
from wfm.scheduling.eligibility import AgentLike
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog


def rest_slots(rules: ShiftRules, slot_minutes: int) -> int:
    return int(np.ceil(rules.min_rest_h * 60 / slot_minutes - 1e-9))


def greedy_assignment(catalog: ShiftCatalog, plan: np.ndarray,  # noqa: PLR0917
                      cands: dict[int, np.ndarray], agents: Sequence[AgentLike],
                      limits: WeekLimits, rules: ShiftRules,
                      carry_in_days: np.ndarray | None = None) -> np.ndarray:
    """Most-constrained-first greedy in three rounds over the agents (fewest candidate
    shifts first): planned shifts still open (most copies left first) up to each agent's
    contract minimum, then up to their maximum while the plan lasts, then unplanned shifts
    for minimums still unmet.

    Returns ``shift_of`` (n_agents, 7) with -1 on days off; only the agents in ``cands``
    are filled. Every hard rule is respected; a contract minimum may be missed when the
    greedy paints itself into a corner (the solver then repairs it).
    """
    left = plan.astype(np.int64).copy()
    paid_min = np.round(catalog.paid_h * 60).astype(np.int64)
    rest = rest_slots(rules, catalog.grid.slot_minutes)
    shift_of = np.full((len(agents), 7), -1, dtype=np.int64)
    order = sorted(cands, key=lambda a: (len(cands[a]), -int(limits.min_paid_min[a])))
    # Phases over all agents in turn: first every agent's contract minimum from the planned
    # shifts, then planned shifts up to the maxima, then unplanned shifts for minimums still
    # unmet. Filling each agent to their maximum first would leave the last agents only
    # unplanned shifts for their minimums: shifts added to the plan (measured on a 250-agent
    # named week: 141 extra shifts against 644 planned for 191 full-time agents, 4 with the
    # phases; CP-SAT repaired the former only partly in its time).
    for phase in ("plan-minimum", "plan", "minimum"):
        for a in order:
            _greedy_fill(catalog, cands[a], shift_of[a], a, phase, left=left, limits=limits,
                         rules=rules, paid_min=paid_min, rest=rest,
                         pref_off=agents[a].preferred_days_off,
                         carry=int(carry_in_days[a]) if carry_in_days is not None else 0)
    return shift_of


def _greedy_fill(catalog: ShiftCatalog, mine: np.ndarray, row: np.ndarray, a: int,
                 phase: str, *, left: np.ndarray, limits: WeekLimits, rules: ShiftRules,
                 paid_min: np.ndarray, rest: int, pref_off: frozenset[int], carry: int) -> None:
    """Give agent ``a`` shifts of ``mine`` in place (``row``, ``left`` updated) for one
    greedy phase: ``plan-minimum`` planned shifts up to the contract minimum, ``plan``
    planned shifts up to the maximum, ``minimum`` any candidate up to the minimum.

    Towards a minimum, a shift that keeps it reachable within the minimum of days comes
    first: a full-timer of 32 h on 4 days of 7.5 h or 9.5 h paid shifts who took four
    7.5 h shifts needs a fifth day, a shift the plan counted for someone else (on the
    multi-skill benchmark week that choice alone left 178 shifts beyond the plan)."""
    longest = int(paid_min[mine].max()) if len(mine) else 0
    while True:
        days = int((row >= 0).sum())
        hours = int(paid_min[row[row >= 0]].sum())
        if days >= limits.max_days[a]:
            return
        if phase != "plan" and (days >= limits.min_days[a]
                                and hours >= limits.min_paid_min[a]):
            return
        best, best_key = -1, None
        for i in mine:
            d = int(catalog.day[i])
            if row[d] >= 0 or hours + paid_min[i] > limits.max_paid_min[a]:
                continue
            if phase != "minimum" and left[i] <= 0:
                continue
            if not _fits(catalog, row, int(i), rest, rules.max_consecutive_days, carry):
                continue
            after = limits.min_paid_min[a] - hours - int(paid_min[i])
            room = max(int(limits.min_days[a]) - days - 1, 0) * longest
            efficient = phase == "plan" or after <= room
            key = (efficient, int(left[i]), d not in pref_off, int(paid_min[i]))
            if best_key is None or key > best_key:
                best, best_key = int(i), key
        if best < 0:
            return
        row[int(catalog.day[best])] = best
        left[best] -= 1


def _fits(catalog: ShiftCatalog, row: np.ndarray, i: int, rest: int, max_consecutive: int,  # noqa: PLR0917
          carry: int) -> bool:
    d = int(catalog.day[i])
    for other in row[row >= 0]:
        o = int(other)
        if catalog.day[o] < d and catalog.start[i] < catalog.end[o] + rest:
            return False
        if catalog.day[o] > d and catalog.start[o] < catalog.end[i] + rest:
            return False
    worked = row >= 0
    worked = worked.copy()
    worked[d] = True
    run = carry
    for w in worked:
        run = run + 1 if w else 0
        if run > max_consecutive:
            return False
    return True
